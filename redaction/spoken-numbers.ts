/**
 * Spoken numbers -> digit strings with token spans. Handles digit-by-digit ("four five three two"), grouped
 * ("forty two", "nineteen eighty two", "twenty twenty three"), "oh"/"zero"/"nought" as 0, "double/triple X",
 * "hundred [and]", "thousand", and "dash"/"hyphen" between groups.
 */
import type { Token } from './tokens.js';

const DIGITS: Record<string, number> = {
  zero: 0,
  oh: 0,
  nought: 0,
  naught: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
};
const TEENS: Record<string, number> = {
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
};
const TENS: Record<string, number> = {
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};
const REPEATS: Record<string, number> = { double: 2, triple: 3 };
const CONNECTORS = new Set(['dash', 'hyphen']);

/** One group of digits said together, e.g. "forty two" -> "42" over two tokens. */
export interface NumberChunk {
  digits: string;
  /** Token span [start, end). */
  start: number;
  end: number;
  /** The numeric value when said as a cardinal ("forty two" = 42); digit strings keep their leading zeros. */
  value: number;
}

/** A maximal run of number words. */
export interface NumberRun {
  start: number;
  end: number;
  digits: string;
  chunks: NumberChunk[];
}

export function isNumberWord(word: string): boolean {
  return word in DIGITS || word in TEENS || word in TENS || word === 'hundred' || word === 'thousand' || /^\d+$/.test(word);
}

/** Parses one cardinal below 1000 at `i`: "nine", "fifteen", "forty two", "three hundred and twelve". */
function below1000(words: string[], i: number, end: number): { value: number; next: number } | null {
  const w = words[i];
  if (i >= end || w === undefined) return null;
  if (w in DIGITS || w in TEENS) {
    const head = w in DIGITS ? DIGITS[w]! : TEENS[w]!;
    if (words[i + 1] === 'hundred' && i + 1 < end && w !== 'oh') {
      let next = i + 2;
      if (words[next] === 'and' && next + 1 < end && below100(words, next + 1, end)) next += 1;
      const rest = below100(words, next, end);
      // "eight hundred five five five ..." is 800 then digits; a lone digit joins "hundred" only at the end of the run.
      const digitThenMore = rest !== null && rest.next === next + 1 && words[next]! in DIGITS && next === i + 2 && startsNumber(words[rest.next] ?? '');
      return rest && !digitThenMore ? { value: head * 100 + rest.value, next: rest.next } : { value: head * 100, next: i + 2 };
    }
  }
  return below100(words, i, end);
}

function below100(words: string[], i: number, end: number): { value: number; next: number } | null {
  const w = words[i];
  if (i >= end || w === undefined) return null;
  if (w in TENS) {
    const unit = words[i + 1];
    if (i + 1 < end && unit !== undefined && unit in DIGITS && DIGITS[unit]! > 0) return { value: TENS[w]! + DIGITS[unit]!, next: i + 2 };
    return { value: TENS[w]!, next: i + 1 };
  }
  if (w in TEENS) return { value: TEENS[w]!, next: i + 1 };
  if (w in DIGITS && w !== 'oh') return { value: DIGITS[w]!, next: i + 1 };
  return null;
}

/** Parses the chunk starting at token `i` (which must be a number word), or null. */
function chunkAt(words: string[], i: number, end: number): NumberChunk | null {
  const w = words[i]!;
  if (/^\d+$/.test(w)) return { digits: w, start: i, end: i + 1, value: Number(w) };
  if (w in REPEATS) {
    const d = words[i + 1];
    if (i + 1 < end && d !== undefined && d in DIGITS) {
      const digits = String(DIGITS[d]).repeat(REPEATS[w]!);
      return { digits, start: i, end: i + 2, value: Number(digits) };
    }
    return null;
  }
  if (w === 'oh') return { digits: '0', start: i, end: i + 1, value: 0 };
  const small = below1000(words, i, end);
  if (!small) return null;
  if (words[small.next] === 'thousand' && small.next < end) {
    let next = small.next + 1;
    if (words[next] === 'and' && next + 1 < end && below1000(words, next + 1, end)) next += 1;
    const rest = below1000(words, next, end);
    const value = small.value * 1000 + (rest?.value ?? 0);
    return { digits: String(value), start: i, end: rest ? rest.next : next, value };
  }
  // A bare digit word keeps its own digit ("zero" -> "0"); cardinals print their value.
  return { digits: String(small.value), start: i, end: small.next, value: small.value };
}

/** Parses the number words in tokens[from, to) into chunks; stops at the first token that is not part of a number. */
export function parseNumberChunks(words: string[], from: number, to: number): NumberChunk[] {
  const chunks: NumberChunk[] = [];
  let i = from;
  while (i < to) {
    const w = words[i]!;
    if (CONNECTORS.has(w) && chunks.length > 0 && i + 1 < to && startsNumber(words[i + 1]!)) {
      i += 1;
      continue;
    }
    if (!startsNumber(w)) break;
    const chunk = chunkAt(words, i, to);
    if (!chunk) break;
    chunks.push(chunk);
    i = chunk.end;
  }
  return chunks;
}

function startsNumber(w: string): boolean {
  return w in DIGITS || w in TEENS || w in TENS || w in REPEATS || /^\d+$/.test(w);
}

/** All maximal number runs in the token list. A lone "oh" (an interjection) is not a number. */
export function findNumberRuns(tokens: Token[]): NumberRun[] {
  const words = tokens.map((t) => t.word);
  const runs: NumberRun[] = [];
  let i = 0;
  while (i < words.length) {
    if (!startsNumber(words[i]!)) {
      i += 1;
      continue;
    }
    const chunks = parseNumberChunks(words, i, words.length);
    if (chunks.length === 0) {
      i += 1;
      continue;
    }
    const last = chunks[chunks.length - 1]!;
    // "oh" alone is an interjection, except as an octet between "dot"s.
    const onlyOh = chunks.every((c) => words[c.start] === 'oh') && words[i - 1] !== 'dot' && words[last.end] !== 'dot';
    if (!onlyOh) runs.push({ start: chunks[0]!.start, end: last.end, digits: chunks.map((c) => c.digits).join(''), chunks });
    i = last.end;
  }
  return runs;
}

/** Sub-runs of whole chunks with [minDigits, maxDigits] digits that start where the run starts or end where it ends. */
export function edgeWindows(run: NumberRun, minDigits: number, maxDigits: number): NumberRun[] {
  const { chunks } = run;
  const make = (a: number, b: number): NumberRun => {
    const part = chunks.slice(a, b);
    return { start: part[0]!.start, end: part[part.length - 1]!.end, digits: part.map((c) => c.digits).join(''), chunks: part };
  };
  const windows: NumberRun[] = [];
  let digits = 0;
  for (let b = 1; b <= chunks.length; b++) {
    digits += chunks[b - 1]!.digits.length;
    if (digits > maxDigits) break;
    if (digits >= minDigits) windows.push(make(0, b));
  }
  digits = 0;
  for (let a = chunks.length - 1; a > 0; a--) {
    digits += chunks[a]!.digits.length;
    if (digits > maxDigits) break;
    if (digits >= minDigits) windows.push(make(a, chunks.length));
  }
  return windows;
}
