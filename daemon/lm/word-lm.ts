/**
 * What the beam search needs from a word LM, and the state bookkeeping every implementation shares: histories are
 * interned as integer states and (state, word) transitions cached, so the search's hot loop does one Map lookup
 * per new prefix rather than a model query.
 */
export interface WordLm {
  readonly order: number;
  readonly bosId: number;
  readonly eosId: number;
  /** The id unknown words map to (-1 when the LM has no <unk>). */
  readonly unkId: number;
  /** ln p of the word passed to the last advance() call (an out-parameter, so the beam search allocates nothing). */
  lastLogProb: number;
  wordId(word: string): number;
  /** True when some word of the LM (other than <s>, </s>, <unk>) starts with `prefix`. */
  isWordPrefix(prefix: string): boolean;
  /** The largest unigram ln p of the words that start with `prefix` (-Infinity when none): the lookahead score. */
  prefixLogProb(prefix: string): number;
  initialState(): number;
  /** Scores `word` after the state's history: returns the next state; the score is in `lastLogProb`. */
  advance(state: number, word: number): number;
  /** Forgets states once more than `maxTransitions` are cached; call only between searches. */
  trimCache(maxTransitions: number): void;
}

const SPECIAL = /^<\/?(s|unk)>$/;

export abstract class CachedWordLm implements WordLm {
  abstract readonly order: number;
  abstract readonly bosId: number;
  abstract readonly eosId: number;
  abstract readonly unkId: number;
  lastLogProb = 0;
  private sortedWords: string[] | undefined;
  /** Segment tree over sortedWords' unigram ln p (max), for prefixLogProb(). */
  private maxTree: Float32Array | undefined;
  private readonly prefixCache = new Map<string, number>();
  private readonly stateIds = new Map<string, number>();
  private readonly stateHistory: number[][] = [];
  private readonly transitions = new Map<number, number>();
  private readonly transitionLogProb: number[] = [];
  private readonly transitionNext: number[] = [];

  abstract wordId(word: string): number;
  /** Every word of the vocabulary (any order). */
  protected abstract words(): Iterable<string>;

  vocabularyWords(): Iterable<string> {
    return this.words();
  }
  /** The number of word ids (the transition cache keys on it). */
  protected abstract get vocabSize(): number;
  /** ln p(word | history), history oldest first and possibly longer than order-1. */
  abstract logProb(history: readonly number[], word: number): number;

  private sorted(): string[] {
    if (!this.sortedWords) this.sortedWords = [...this.words()].filter((w) => !SPECIAL.test(w)).sort();
    return this.sortedWords;
  }

  /** Index of the first sorted word >= prefix. */
  private lowerBound(prefix: string): number {
    const words = this.sorted();
    let lo = 0;
    let hi = words.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (words[mid]! < prefix) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  isWordPrefix(prefix: string): boolean {
    const words = this.sorted();
    const at = this.lowerBound(prefix);
    return at < words.length && words[at]!.startsWith(prefix);
  }

  prefixLogProb(prefix: string): number {
    let cached = this.prefixCache.get(prefix);
    if (cached !== undefined) return cached;
    const words = this.sorted();
    const n = words.length;
    if (!this.maxTree) {
      this.maxTree = new Float32Array(2 * n).fill(-Infinity);
      for (let i = 0; i < n; i++) this.maxTree[n + i] = this.logProb([], this.wordId(words[i]!));
      for (let i = n - 1; i > 0; i--) this.maxTree[i] = Math.max(this.maxTree[2 * i]!, this.maxTree[2 * i + 1]!);
    }
    // The words with this prefix are a contiguous range of the sorted list: [from, to).
    const from = this.lowerBound(prefix);
    const to = this.lowerBound(`${prefix}\uffff`);
    cached = -Infinity;
    for (let lo = from + n, hi = to + n; lo < hi; lo >>= 1, hi >>= 1) {
      if (lo & 1) cached = Math.max(cached, this.maxTree[lo++]!);
      if (hi & 1) cached = Math.max(cached, this.maxTree[--hi]!);
    }
    if (this.prefixCache.size > 1 << 16) this.prefixCache.clear();
    this.prefixCache.set(prefix, cached);
    return cached;
  }

  trimCache(maxTransitions: number): void {
    if (this.transitions.size <= maxTransitions) return;
    this.transitions.clear();
    this.transitionLogProb.length = 0;
    this.transitionNext.length = 0;
    this.stateIds.clear();
    this.stateHistory.length = 0;
  }

  initialState(): number {
    return this.state([this.bosId]);
  }

  advance(state: number, word: number): number {
    const key = state * (this.vocabSize + 1) + (word + 1);
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
