import { readFileSync } from 'node:fs';
import { ModelLoadError } from './errors.js';
import { CachedWordLm } from '../lm/word-lm.js';

const LN10 = Math.LN10;
/** log10 probability of a word the LM has never seen, when it has no <unk> entry (KenLM's convention is -100; this is milder). */
const OOV_LOG10 = -10;

/**
 * A word n-gram LM read from an ARPA file, queried with backoff: the import format, and small LMs built at run time.
 * The shipped LM is binary (daemon/lm/binary-lm.ts). Probabilities come back as natural logs so they add to the
 * acoustic log-posteriors directly.
 */
export class ArpaLm extends CachedWordLm {
  readonly order: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly unkId: number;
  private readonly ids = new Map<string, number>();
  private readonly logProbs = new Map<string, number>();
  private readonly backoffs = new Map<string, number>();
  static load(path: string): ArpaLm {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new ModelLoadError('MODEL_NOT_FOUND', path, 'cannot read the ARPA language model', err);
    }
    return new ArpaLm(text, path);
  }

  constructor(text: string, source = '<arpa>') {
    super();
    const bad = (reason: string): ModelLoadError => new ModelLoadError('BAD_LM', source, `not a valid ARPA file: ${reason}`);
    const lines = text.split('\n');
    let i = 0;
    while (i < lines.length && lines[i]!.trim() !== '\\data\\') i++;
    if (i === lines.length) throw bad('no \\data\\ header');
    const declared: number[] = [];
    for (i++; i < lines.length; i++) {
      const m = /^ngram (\d+)=(\d+)$/.exec(lines[i]!.trim());
      if (!m) break;
      declared[Number(m[1]) - 1] = Number(m[2]);
    }
    if (declared.length === 0) throw bad('no "ngram N=count" lines');
    this.order = declared.length;
    let n = 0;
    const seen: number[] = new Array(this.order).fill(0);
    for (; i < lines.length; i++) {
      const line = lines[i]!.trim();
      if (line === '') continue;
      if (line === '\\end\\') break;
      const section = /^\\(\d+)-grams:$/.exec(line);
      if (section) {
        n = Number(section[1]);
        if (n < 1 || n > this.order) throw bad(`unexpected section ${line}`);
        continue;
      }
      if (n === 0) throw bad(`line ${i + 1} is outside any n-gram section`);
      const fields = line.split(/\s+/);
      if (fields.length < n + 1 || fields.length > n + 2) throw bad(`line ${i + 1} does not hold a ${n}-gram`);
      const logProb = Number(fields[0]);
      const backoff = fields.length === n + 2 ? Number(fields[n + 1]) : 0;
      if (!Number.isFinite(logProb) || !Number.isFinite(backoff)) throw bad(`line ${i + 1} has a non-numeric weight`);
      const key: number[] = [];
      for (let k = 1; k <= n; k++) key.push(this.intern(fields[k]!));
      const joined = key.join(' ');
      this.logProbs.set(joined, logProb * LN10);
      if (backoff !== 0) this.backoffs.set(joined, backoff * LN10);
      seen[n - 1]!++;
    }
    for (let k = 0; k < this.order; k++) {
      if (seen[k] !== declared[k]) throw bad(`header declares ${declared[k]} ${k + 1}-grams, found ${seen[k]}`);
    }
    this.bosId = this.ids.get('<s>') ?? this.intern('<s>');
    this.eosId = this.ids.get('</s>') ?? this.intern('</s>');
    this.unkId = this.ids.get('<unk>') ?? -1;
  }

  private intern(word: string): number {
    let id = this.ids.get(word);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(word, id);
    }
    return id;
  }

  /** The word's id, or <unk>'s (-1 when the LM has no <unk>). */
  wordId(word: string): number {
    return this.ids.get(word) ?? this.unkId;
  }

  protected words(): Iterable<string> {
    return this.ids.keys();
  }

  protected get vocabSize(): number {
    return this.ids.size;
  }

  /** ln p(word | history) with Katz-style backoff; history is oldest-first and may be longer than order-1. */
  logProb(history: readonly number[], word: number): number {
    if (word < 0) return OOV_LOG10 * LN10;
    let backoff = 0;
    for (let k = Math.min(history.length, this.order - 1); k >= 0; k--) {
      const context = history.slice(history.length - k).join(' ');
      const p = this.logProbs.get(k === 0 ? `${word}` : `${context} ${word}`);
      if (p !== undefined) return backoff + p;
      if (k > 0) backoff += this.backoffs.get(context) ?? 0;
    }
    return backoff + OOV_LOG10 * LN10;
  }
}
