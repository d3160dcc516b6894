/**
 * The general LM mixed with the user's own (`asr.lm.extra`): p(w|h) = (1 - sum of weights) p_general(w|h) +
 * sum of weight_i p_i(w|h), word by word over the union of the vocabularies, each model backing off on its own
 * history. A word only the user's LM knows is then heard at that LM's weight instead of as unknown; a word no
 * user LM knows gets only the general LM's share.
 */
import { CachedWordLm } from './word-lm.js';

type Component = CachedWordLm;

export interface WeightedLm {
  lm: Component;
  weight: number;
}

export class InterpolatedLm extends CachedWordLm {
  readonly order: number;
  readonly bosId = 0;
  readonly eosId = 1;
  readonly unkId = 2;
  private readonly words_: string[] = ['<s>', '</s>', '<unk>'];
  private readonly ids = new Map<string, number>(this.words_.map((w, i) => [w, i]));
  /** Per component: union id -> its own id. */
  private readonly maps: Int32Array[];
  private readonly weights: number[];
  private readonly components: Component[];

  /** `general` takes the weight the others leave (1 - their sum, which must stay above 0). */
  constructor(general: Component, extra: readonly WeightedLm[]) {
    super();
    const total = extra.reduce((sum, e) => sum + e.weight, 0);
    if (!(total > 0 && total < 1)) throw new RangeError(`Expected extra LM weights summing to more than 0 and less than 1 but received ${total}`);
    this.components = [general, ...extra.map((e) => e.lm)];
    this.weights = [1 - total, ...extra.map((e) => e.weight)];
    this.order = Math.max(...this.components.map((c) => c.order));
    for (const c of this.components) {
      for (const w of c.vocabularyWords()) {
        if (!this.ids.has(w)) {
          this.ids.set(w, this.words_.length);
          this.words_.push(w);
        }
      }
    }
    this.maps = this.components.map((c) => Int32Array.from(this.words_, (w) => (w === '<s>' ? c.bosId : w === '</s>' ? c.eosId : c.wordId(w))));
  }

  wordId(word: string): number {
    return this.ids.get(word) ?? this.unkId;
  }

  protected words(): Iterable<string> {
    return this.words_;
  }

  protected get vocabSize(): number {
    return this.words_.length;
  }

  logProb(history: readonly number[], word: number): number {
    let p = 0;
    for (let i = 0; i < this.components.length; i++) {
      const map = this.maps[i]!;
      const own = word < 0 ? map[this.unkId]! : map[word]!;
      // A user's LM speaks only for its own words: its <unk> is the mass of a small text's unseen words, far too
      // generous for one made-up spelling. The general LM's <unk> is already one rare word's share.
      if (i > 0 && (own < 0 || own === this.components[i]!.unkId)) continue;
      p +=
        this.weights[i]! *
        Math.exp(
          this.components[i]!.logProb(
            history.map((h) => map[h]!),
            own,
          ),
        );
    }
    return p > 0 ? Math.log(p) : -Infinity;
  }
}
