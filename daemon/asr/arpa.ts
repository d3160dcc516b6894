import { readFileSync } from 'node:fs';
import { ModelLoadError } from './errors.js';

const LN10 = Math.LN10;
/** log10 probability of a word the LM has never seen, when it has no <unk> entry (KenLM's convention is -100; this is milder). */
const OOV_LOG10 = -10;

/**
 * A word n-gram LM read from an ARPA file, queried with backoff. Probabilities come back as natural logs so they
 * add to the acoustic log-posteriors directly. Histories are interned as integer states for the beam search.
 */
export class ArpaLm {
  readonly order: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly unkId: number;
  /** ln p of the word passed to the last advance() call (an out-parameter, so the beam search allocates nothing). */
  lastLogProb = 0;
  private readonly ids = new Map<string, number>();
  private sortedWords: string[] | undefined;
  private readonly logProbs = new Map<string, number>();
  private readonly backoffs = new Map<string, number>();
  private readonly stateIds = new Map<string, number>();
  private readonly stateHistory: number[][] = [];
  private readonly transitions = new Map<number, number>();
  private readonly transitionLogProb: number[] = [];
  private readonly transitionNext: number[] = [];

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

  /** True when some word of the LM (other than <s>, </s>, <unk>) starts with `prefix`. */
  isWordPrefix(prefix: string): boolean {
    if (!this.sortedWords) this.sortedWords = [...this.ids.keys()].filter((w) => !/^<\/?(s|unk)>$/.test(w)).sort();
    const words = this.sortedWords;
    let lo = 0;
    let hi = words.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (words[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    return lo < words.length && words[lo]!.startsWith(prefix);
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

  /**
   * Forgets interned states and cached transitions once there are more than `maxTransitions`, so a long-running
   * recognizer's memory stays bounded. Call only between searches: it invalidates every state id handed out.
   */
  trimCache(maxTransitions: number): void {
    if (this.transitions.size <= maxTransitions) return;
    this.transitions.clear();
    this.transitionLogProb.length = 0;
    this.transitionNext.length = 0;
    this.stateIds.clear();
    this.stateHistory.length = 0;
  }

  /** The state after `<s>`. */
  initialState(): number {
    return this.state([this.bosId]);
  }

  /** Scores `word` after the state's history: returns the next state; the score is in `lastLogProb`. Cached per (state, word). */
  advance(state: number, word: number): number {
    const key = state * (this.ids.size + 1) + (word + 1);
    let t = this.transitions.get(key);
    if (t === undefined) {
      const history = this.stateHistory[state]!;
      t = this.transitionLogProb.length;
      this.transitionLogProb.push(this.logProb(history, word));
      const next = word < 0 ? history : [...history, word];
      this.transitionNext.push(this.state(next.slice(Math.max(0, next.length - (this.order - 1)))));
      this.transitions.set(key, t);
    }
    this.lastLogProb = this.transitionLogProb[t]!;
    return this.transitionNext[t]!;
  }

  private state(history: number[]): number {
    const key = history.join(' ');
    let id = this.stateIds.get(key);
    if (id === undefined) {
      id = this.stateHistory.length;
      this.stateHistory.push(history);
      this.stateIds.set(key, id);
    }
    return id;
  }
}
