import type { WordLm } from '../lm/word-lm.js';
import type { ContextGraph } from './context-graph.js';
import type { LogProbs } from './ctc.js';
import type { TokenTable } from './tokens.js';

export interface BeamSearchOptions {
  beamSize: number;
  /** Tokens more than this many nats below the frame's best are not expanded. */
  pruneNats?: number;
  lm?: WordLm;
  lmWeight?: number;
  wordBonus?: number;
  /** Hotword phrases: boosted while a prefix follows one, the boost given back when it leaves it unfinished. */
  hotwords?: ContextGraph;
  /**
   * Rank prefixes that end inside a word by the best unigram of the words they could become (LM lookahead), so
   * spellings heading for no likely word leave the beam before the word ends. Default false: on the dev split it
   * cost 2.6 points of WER with hushscribe-en-v1 (model card, Decoding sweep).
   */
  lookahead?: boolean;
}

/** LM transitions kept cached between utterances (about 100 bytes each). */
const LM_CACHE_TRANSITIONS = 1 << 18;

/** Prefix tree of hypotheses in parallel typed arrays; a node is one prefix, shared by every hypothesis extending it. */
class PrefixTree {
  size = 0;
  parent = new Int32Array(1024);
  token = new Int32Array(1024);
  /** The unfinished word at the end of the prefix ('' between words). */
  word: string[] = [];
  /** 1 when the unfinished word is already known to be outside the LM's vocabulary and has been scored as such. */
  oov = new Uint8Array(1024);
  lmState = new Int32Array(1024);
  /** lmWeight * ln p(words) + wordBonus * words, over the completed words of the prefix. */
  lmScore = new Float64Array(1024);
  /** lmWeight * the lookahead score of the unfinished word (ranking only; replaced when the word is scored). */
  partial = new Float64Array(1024);
  /** Hotword state and the boost gathered along the prefix. */
  hotState = new Int32Array(1024);
  hotScore = new Float64Array(1024);
  /** Frame stamp and slot of the node in the beam being built (avoids a Map per frame). */
  stamp = new Int32Array(1024);
  slot = new Int32Array(1024);
  private readonly children = new Map<number, number>();

  constructor(private readonly vocab: number) {}

  add(parent: number, token: number): number {
    if (this.size === this.parent.length) this.grow();
    const id = this.size++;
    this.parent[id] = parent;
    this.token[id] = token;
    this.stamp[id] = -1;
    if (parent >= 0) this.children.set(parent * this.vocab + token, id);
    return id;
  }

  child(parent: number, token: number): number {
    return this.children.get(parent * this.vocab + token) ?? -1;
  }

  private grow(): void {
    const cap = this.parent.length * 2;
    const growI = (a: Int32Array): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.parent = growI(this.parent);
    this.token = growI(this.token);
    const oov = new Uint8Array(cap);
    oov.set(this.oov);
    this.oov = oov;
    this.lmState = growI(this.lmState);
    this.hotState = growI(this.hotState);
    this.stamp = growI(this.stamp);
    this.slot = growI(this.slot);
    const growF = (a: Float64Array): Float64Array<ArrayBuffer> => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.lmScore = growF(this.lmScore);
    this.partial = growF(this.partial);
    this.hotScore = growF(this.hotScore);
  }

  /** Token ids from the root to node. */
  tokens(node: number): Int32Array {
    let n = 0;
    for (let k = node; k > 0; k = this.parent[k]!) n++;
    const out = new Int32Array(n);
    for (let k = node; k > 0; k = this.parent[k]!) out[--n] = this.token[k]!;
    return out;
  }
}

function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/**
 * CTC prefix beam search. With an LM, a word is scored (shallow fusion: lmWeight * ln p(word | history) + wordBonus)
 * when the token that starts the next word is appended, and the last word plus </s> at the end of the utterance.
 * Returns the best prefix's token ids; alignPath() gives its frames.
 */
export function beamSearch(lp: LogProbs, table: TokenTable, options: BeamSearchOptions): Int32Array {
  const { data, frames, vocab } = lp;
  const beamSize = Math.max(1, options.beamSize);
  const prune = options.pruneNats ?? 10;
  const lm = options.lm;
  const lmWeight = options.lmWeight ?? 0.5;
  const wordBonus = options.wordBonus ?? 0;
  const hotwords = options.hotwords;
  const lookahead = options.lookahead ?? false;
  const blank = table.blankId;
  const tree = new PrefixTree(vocab);
  lm?.trimCache(LM_CACHE_TRANSITIONS);

  const root = tree.add(-1, -1);
  tree.word[root] = '';
  tree.oov[root] = 0;
  tree.lmState[root] = lm ? lm.initialState() : 0;
  tree.lmScore[root] = 0;
  tree.partial[root] = 0;
  tree.hotState[root] = hotwords ? hotwords.root : 0;
  tree.hotScore[root] = 0;

  const maxEntries = beamSize * (beamSize + 2);
  const beamNodes = new Int32Array(maxEntries);
  const beamPb = new Float64Array(maxEntries);
  const beamPnb = new Float64Array(maxEntries);
  const nextNodes = new Int32Array(maxEntries);
  const nextPb = new Float64Array(maxEntries);
  const nextPnb = new Float64Array(maxEntries);
  const nextScore = new Float64Array(maxEntries);
  const order = new Int32Array(maxEntries);
  const candidates = new Int32Array(vocab);
  const byScore = (a: number, b: number): number => nextScore[b]! - nextScore[a]!;
  let beamLen = 1;
  beamNodes[0] = root;
  beamPb[0] = 0;
  beamPnb[0] = -Infinity;

  /** The child prefix node + token; with an LM, a new child scores the word that `token` closes, if any. */
  const extend = (node: number, token: number): number => {
    let child = tree.child(node, token);
    if (child >= 0) return child;
    child = tree.add(node, token);
    tree.lmState[child] = tree.lmState[node]!;
    tree.lmScore[child] = tree.lmScore[node]!;
    tree.partial[child] = 0;
    if (lm) scoreWords(node, child, token, lm);
    if (hotwords) {
      tree.hotState[child] = hotwords.step(tree.hotState[node]!, token);
      tree.hotScore[child] = tree.hotScore[node]! + hotwords.lastScore;
    } else {
      tree.hotScore[child] = 0;
    }
    return child;
  };

  /**
   * Shallow-fusion score of a completed word (after model.advance() scored it). A hotword's word the LM does not
   * know is the user's vocabulary, not a misspelling: it skips the LM's unknown-word cost (one rare word's share of
   * <unk>, about -17 nats with hushscribe-en-v1's LM), which no reasonable boost could outweigh.
   */
  const wordScore = (word: string, model: WordLm): number =>
    hotwords?.hasWord(word) && model.wordId(word) === model.unkId ? wordBonus : lmWeight * model.lastLogProb + wordBonus;

  /** Word bookkeeping of a new child: closes and scores the parent's word at a word start, extends it otherwise. */
  const scoreWords = (node: number, child: number, token: number, model: WordLm): void => {
    let state = tree.lmState[node]!;
    let score = tree.lmScore[node]!;
    let word = tree.word[node]!;
    let oov = tree.oov[node]!;
    const body = table.body[token]!;
    if (table.startsWord[token]) {
      if (word !== '') {
        state = model.advance(state, model.wordId(word));
        if (!oov) score += wordScore(word, model);
      }
      word = body;
      oov = 0;
    } else {
      word += body;
    }
    // Lookahead: a partial word no LM word starts with will be scored as unknown whatever follows, so score it now
    // rather than let it crowd better prefixes out of the beam. A partial hotword word waits: it may complete.
    if (!oov && word !== '' && !model.isWordPrefix(word) && !hotwords?.isWordPrefix(word)) {
      model.advance(state, model.unkId);
      score += lmWeight * model.lastLogProb + wordBonus;
      oov = 1;
    }
    tree.word[child] = word;
    tree.oov[child] = oov;
    tree.partial[child] = lookahead && !oov && word !== '' ? lmWeight * model.prefixLogProb(word) : 0;
    tree.lmState[child] = state;
    tree.lmScore[child] = score;
  };

  let nextLen = 0;
  const slotFor = (node: number, t: number): number => {
    if (tree.stamp[node] === t) return tree.slot[node]!;
    tree.stamp[node] = t;
    tree.slot[node] = nextLen;
    nextNodes[nextLen] = node;
    nextPb[nextLen] = -Infinity;
    nextPnb[nextLen] = -Infinity;
    return nextLen++;
  };

  for (let t = 0; t < frames; t++) {
    const row = t * vocab;
    // Candidate tokens: the frame's best few non-blank tokens within `prune` nats of its best.
    let best = -Infinity;
    for (let v = 0; v < vocab; v++) if (data[row + v]! > best) best = data[row + v]!;
    let nCand = 0;
    for (let v = 0; v < vocab; v++) {
      if (v === blank || data[row + v]! < best - prune) continue;
      // insertion into a list kept sorted by log-prob, capped at beamSize
      let k = nCand < beamSize ? nCand++ : beamSize;
      if (k === beamSize && data[row + v]! <= data[row + candidates[beamSize - 1]!]!) continue;
      if (k === beamSize) k = beamSize - 1;
      while (k > 0 && data[row + candidates[k - 1]!]! < data[row + v]!) {
        candidates[k] = candidates[k - 1]!;
        k--;
      }
      candidates[k] = v;
    }

    nextLen = 0;
    const blankLp = data[row + blank]!;
    for (let b = 0; b < beamLen; b++) {
      const node = beamNodes[b]!;
      const pb = beamPb[b]!;
      const pnb = beamPnb[b]!;
      const total = logAdd(pb, pnb);
      let s = slotFor(node, t);
      nextPb[s] = logAdd(nextPb[s]!, total + blankLp);
      const last = tree.token[node]!;
      for (let c = 0; c < nCand; c++) {
        const token = candidates[c]!;
        const x = data[row + token]!;
        if (token === last) {
          s = slotFor(node, t);
          nextPnb[s] = logAdd(nextPnb[s]!, pnb + x);
          if (pb === -Infinity) continue;
          s = slotFor(extend(node, token), t);
          nextPnb[s] = logAdd(nextPnb[s]!, pb + x);
        } else {
          s = slotFor(extend(node, token), t);
          nextPnb[s] = logAdd(nextPnb[s]!, total + x);
        }
      }
    }

    // Keep the beamSize best of the new prefixes.
    for (let k = 0; k < nextLen; k++) {
      order[k] = k;
      const n = nextNodes[k]!;
      nextScore[k] = logAdd(nextPb[k]!, nextPnb[k]!) + tree.lmScore[n]! + tree.partial[n]! + tree.hotScore[n]!;
    }
    const kept = order.subarray(0, nextLen).sort(byScore);
    beamLen = Math.min(beamSize, nextLen);
    for (let k = 0; k < beamLen; k++) {
      const from = kept[k]!;
      beamNodes[k] = nextNodes[from]!;
      beamPb[k] = nextPb[from]!;
      beamPnb[k] = nextPnb[from]!;
    }
  }

  let bestNode = root;
  let bestScore = -Infinity;
  for (let b = 0; b < beamLen; b++) {
    const node = beamNodes[b]!;
    let score = logAdd(beamPb[b]!, beamPnb[b]!) + tree.lmScore[node]! + tree.hotScore[node]!;
    if (hotwords) score += hotwords.finish(tree.hotState[node]!);
    if (lm) {
      let state = tree.lmState[node]!;
      const word = tree.word[node]!;
      if (word !== '') {
        state = lm.advance(state, lm.wordId(word));
        if (!tree.oov[node]) score += wordScore(word, lm);
      }
      lm.advance(state, lm.eosId);
      score += lmWeight * lm.lastLogProb;
    }
    if (score > bestScore) {
      bestScore = score;
      bestNode = node;
    }
  }
  return tree.tokens(bestNode);
}
