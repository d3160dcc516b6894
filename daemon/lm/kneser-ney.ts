/**
 * Word n-gram LM estimation with interpolated modified Kneser-Ney smoothing (Chen & Goodman 1998), written as ARPA.
 *
 * Interpolated KN fits ARPA exactly: for a seen n-gram the file stores the interpolated probability
 *   p(w|h) = (a(hw) - D(a(hw))) / S(h) + gamma(h) * p(w|h'),
 * and gamma(h) = (D1 N1(h) + D2 N2(h) + D3 N3+(h)) / S(h) as h's backoff weight, so an unseen word gets
 * gamma(h) * p(w|h') by ordinary backoff, and every context's distribution sums to one. a() is the raw count at the
 * highest order and the continuation count (number of distinct words seen before it) below, except for n-grams that
 * start with <s>, which cannot have a predecessor and keep their raw counts. Unigrams interpolate with the uniform
 * distribution over the vocabulary (which includes </s> and <unk>, not <s>).
 */

export const BOS = '<s>';
export const EOS = '</s>';
export const UNK = '<unk>';

const LOG10E = Math.LOG10E;

/** Lowercases and keeps what our character vocabulary can spell (a-z and apostrophes); returns the words. */
export function normalizeSentence(line: string): string[] {
  return line
    .toLowerCase()
    .replace(/[^a-z'\s]+/g, ' ')
    .split(/\s+/)
    .map((w) => w.replace(/^'+|'+$/g, ''))
    .filter((w) => w !== '');
}

/** The three discounts of one order, from its counts of counts; Chen & Goodman's estimates, or fixed ones where
 * the text is too small for them to be valid (a discount must lie in (0, count)). */
export function discounts(countOfCounts: readonly number[]): [number, number, number] {
  const [n1 = 0, n2 = 0, n3 = 0, n4 = 0] = countOfCounts;
  const fallback: [number, number, number] = [0.5, 1, 1.5];
  if (n1 === 0 || n2 === 0 || n3 === 0 || n4 === 0) return fallback;
  const y = n1 / (n1 + 2 * n2);
  const d: [number, number, number] = [1 - (2 * y * n2) / n1, 2 - (3 * y * n3) / n2, 3 - (4 * y * n4) / n3];
  return d.every((x, i) => x > 0 && x < i + 1) ? d : fallback;
}

export interface KneserNeyModel {
  order: number;
  /** Per order (index n-1): n-gram (words joined by spaces) -> log10 probability. */
  logProbs: Map<string, number>[];
  /** Per order below the highest: context -> log10 backoff weight. */
  logBackoffs: Map<string, number>[];
  discounts: Array<[number, number, number]>;
}

export function estimate(sentences: Iterable<readonly string[]>, order = 3): KneserNeyModel {
  if (!Number.isInteger(order) || order < 1) throw new RangeError(`order must be a positive integer (got ${order})`);
  const raw: Map<string, number>[] = Array.from({ length: order }, () => new Map());
  for (const words of sentences) {
    if (words.length === 0) continue;
    const padded = [BOS, ...words, EOS];
    for (let n = 1; n <= order; n++) {
      const counts = raw[n - 1]!;
      for (let i = 0; i + n <= padded.length; i++) {
        if (n === 1 && i === 0) continue; // <s> is never predicted
        const key = padded.slice(i, i + n).join(' ');
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
  }
  if (raw[0]!.size === 0) throw new RangeError('no words in the text');

  // Adjusted counts: raw at the top order and for n-grams starting with <s>; continuation counts otherwise.
  const adjusted: Map<string, number>[] = raw.map(() => new Map());
  for (const [key, c] of raw[order - 1]!) adjusted[order - 1]!.set(key, c);
  for (let n = order - 1; n >= 1; n--) {
    const lower = adjusted[n - 1]!;
    for (const [key, c] of raw[n - 1]!) if (key.startsWith(`${BOS} `)) lower.set(key, c);
    for (const key of raw[n]!.keys()) {
      const suffix = key.slice(key.indexOf(' ') + 1);
      if (!suffix.startsWith(`${BOS} `)) lower.set(suffix, (lower.get(suffix) ?? 0) + 1);
    }
  }
  if (order > 1) adjusted[0]!.set(BOS, 0);

  const ds = adjusted.map((counts) => {
    const coc = [0, 0, 0, 0];
    for (const c of counts.values()) if (c >= 1 && c <= 4) coc[c - 1]!++;
    return discounts(coc);
  });
  const discount = (n: number, c: number): number => (c === 0 ? 0 : ds[n - 1]![Math.min(c, 3) - 1]!);

  // Per context: total adjusted count and the discounted mass (which becomes the backoff weight gamma).
  const contextTotal: Map<string, number>[] = adjusted.map(() => new Map());
  const contextMass: Map<string, number>[] = adjusted.map(() => new Map());
  adjusted.forEach((counts, i) => {
    const n = i + 1;
    for (const [key, c] of counts) {
      if (key === BOS) continue;
      const cut = key.lastIndexOf(' ');
      const context = cut < 0 ? '' : key.slice(0, cut);
      contextTotal[i]!.set(context, (contextTotal[i]!.get(context) ?? 0) + c);
      contextMass[i]!.set(context, (contextMass[i]!.get(context) ?? 0) + discount(n, c));
    }
  });

  const vocab = [...adjusted[0]!.keys()].filter((w) => w !== BOS);
  if (!adjusted[0]!.has(UNK)) vocab.push(UNK);
  const probs: Map<string, number>[] = adjusted.map(() => new Map());
  const gamma = (i: number, context: string): number | undefined => {
    const total = contextTotal[i]!.get(context);
    return total === undefined ? undefined : contextMass[i]!.get(context)! / total;
  };
  /** Interpolated p(words) at order `words.length`, backing off through unseen histories. */
  const prob = (words: string[]): number => {
    const n = words.length;
    if (n === 0) return 1;
    const key = words.join(' ');
    const seen = probs[n - 1]!.get(key);
    if (seen !== undefined) return seen;
    if (n === 1) return gamma(0, '')! / vocab.length; // a word without counts: the uniform share only
    return (gamma(n - 1, words.slice(0, -1).join(' ')) ?? 1) * prob(words.slice(1));
  };
  for (let i = 0; i < order; i++) {
    const n = i + 1;
    const entries = n === 1 ? vocab : [...adjusted[i]!.keys()];
    for (const key of entries) {
      if (key === BOS) continue;
      const words = key.split(' ');
      const context = words.slice(0, -1).join(' ');
      const c = adjusted[i]!.get(key) ?? 0;
      const lower = n === 1 ? 1 / vocab.length : prob(words.slice(1));
      probs[i]!.set(key, (c - discount(n, c)) / contextTotal[i]!.get(context)! + gamma(i, context)! * lower);
    }
  }

  const logProbs = probs.map((m) => new Map([...m].map(([k, p]) => [k, Math.log(p) * LOG10E])));
  const logBackoffs: Map<string, number>[] = [];
  for (let i = 0; i < order - 1; i++) {
    const bows = new Map<string, number>();
    for (const context of contextTotal[i + 1]!.keys()) bows.set(context, Math.log(gamma(i + 1, context)!) * LOG10E);
    logBackoffs.push(bows);
  }
  if (order > 1) logProbs[0]!.set(BOS, -99);
  return { order, logProbs, logBackoffs, discounts: ds };
}

const fmt = (x: number): string => (Number.isFinite(x) ? Number(x.toPrecision(8)).toString() : '-99');

/** The model as ARPA text (sections in order, entries in first-seen order). */
export function toArpa(model: KneserNeyModel): string {
  const lines = ['\\data\\'];
  model.logProbs.forEach((m, i) => {
    lines.push(`ngram ${i + 1}=${m.size}`);
  });
  model.logProbs.forEach((m, i) => {
    lines.push('', `\\${i + 1}-grams:`);
    const bows = model.logBackoffs[i];
    for (const [key, lp] of m) {
      const bow = bows?.get(key);
      lines.push(bow === undefined ? `${fmt(lp)}\t${key}` : `${fmt(lp)}\t${key}\t${fmt(bow)}`);
    }
  });
  lines.push('', '\\end\\', '');
  return lines.join('\n');
}
