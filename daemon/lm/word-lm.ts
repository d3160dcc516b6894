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

  isWordPrefix(prefix: string): boolean {
    if (!this.sortedWords) this.sortedWords = [...this.words()].filter((w) => !SPECIAL.test(w)).sort();
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
