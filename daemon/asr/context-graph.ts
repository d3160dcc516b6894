/**
 * Hotwords for CTC beam search: a phrase list compiled into a token prefix tree with Aho-Corasick failure links,
 * after icefall's ContextGraph (Yang et al. 2023, "Fast and robust contextual biasing"). Every token that extends a
 * partial match earns the phrase's per-token boost; a prefix that leaves the phrase half-way gives the boost back
 * (the failure arc carries minus the score gathered so far), so only completed phrases keep their bonus.
 *
 * A phrase is complete only when its last word is: when the token after it starts a word, or the utterance ends
 * ("anna" is not found in "annabel", which would otherwise keep the bonus and grow past the name). It then banks
 * its score and the search goes on from the root, so a hypothesis never holds more than the phrase's score.
 * A phrase that is also the start of a longer listed one ("anna", "anna kowalski") continues into the longer one at
 * the word boundary; if the longer one then fails, the shorter one is banked on the way out.
 */
import type { TokenTable } from './tokens.js';

export interface Hotword {
  /** Spoken form ("anna kowalski"): lowercase words as the model spells them. */
  phrase: string;
  /** Score added per token of the phrase (natural log units). Default DEFAULT_HOTWORD_BOOST. */
  boost?: number;
  /** Personal data: the redactor treats every occurrence as PII (see redaction). */
  pii?: boolean;
}

/**
 * Per token. Chosen on the hotword eval's dev split for hushscribe-en-v1 (character tokens, so a name of 8 letters
 * earns about 3 nats): the largest boost whose 500-phrase list cost under 0.4 WER points on dev-real (model card,
 * Hotwords). A model with longer tokens (BPE) needs a larger one per token.
 */
export const DEFAULT_HOTWORD_BOOST = 0.35;

interface Node {
  next: Map<number, number>;
  tokenScore: number;
  /** Sum of token scores from the root to this node. */
  nodeScore: number;
  /** The score of the longest phrase that ends here or on the failure chain (0: none), banked on arrival. */
  matchScore: number;
  isEnd: boolean;
  fail: number;
  /** The score of a phrase completed on the way to this node (a shorter phrase this one continues), kept when the
   * match fails here. */
  pathBank: number;
}

/**
 * Splits a spoken-form phrase into model tokens, as the model would spell it: per word the longest word-start
 * symbol (`▁the` in a BPE model) or the bare boundary symbol (`▁` in a character model), then the longest inner
 * symbols. null when the model cannot spell it.
 */
export function phraseTokens(phrase: string, table: TokenTable): number[] | null {
  const starts = new Map<string, number>();
  const inner = new Map<string, number>();
  let boundary = -1;
  table.symbols.forEach((_, id) => {
    const body = table.body[id]!;
    if (id === table.blankId) return;
    if (table.startsWord[id]) {
      if (body === '') boundary = id;
      else if (!starts.has(body)) starts.set(body, id);
    } else if (body !== '' && !inner.has(body)) inner.set(body, id);
  });
  const longest = (symbols: Map<string, number>, text: string): [number, number] | null => {
    for (let end = text.length; end > 0; end--) {
      const id = symbols.get(text.slice(0, end));
      if (id !== undefined) return [id, end];
    }
    return null;
  };
  const tokens: number[] = [];
  for (const word of phrase.split(' ').filter((w) => w !== '')) {
    let rest = word;
    const start = longest(starts, rest);
    if (start) {
      tokens.push(start[0]);
      rest = rest.slice(start[1]);
    } else if (boundary >= 0) tokens.push(boundary);
    else return null;
    while (rest !== '') {
      const piece = longest(inner, rest);
      if (!piece) return null;
      tokens.push(piece[0]);
      rest = rest.slice(piece[1]);
    }
  }
  return tokens.length > 0 ? tokens : null;
}

export class ContextGraph {
  readonly root = 0;
  /** Score change of the last step() / finish() (an out-parameter, so the search allocates nothing). */
  lastScore = 0;
  private readonly nodes: Node[] = [];

  /** Phrases the model cannot spell are left out and listed in `skipped`. */
  readonly skipped: string[] = [];
  readonly phrases: number;

  /** The phrases' words and every prefix of them: the search spares these the LM's unknown-word cost. */
  private readonly wordPrefixes = new Set<string>();
  private readonly wordSet = new Set<string>();

  constructor(
    hotwords: readonly Hotword[],
    private readonly table: TokenTable,
  ) {
    this.nodes.push({ next: new Map(), tokenScore: 0, nodeScore: 0, matchScore: 0, isEnd: false, fail: 0, pathBank: 0 });
    let count = 0;
    for (const hotword of hotwords) {
      const tokens = phraseTokens(hotword.phrase, table);
      if (!tokens) {
        this.skipped.push(hotword.phrase);
        continue;
      }
      const boost = hotword.boost ?? DEFAULT_HOTWORD_BOOST;
      let node = 0;
      for (const token of tokens) {
        let child = this.nodes[node]!.next.get(token);
        if (child === undefined) {
          child = this.nodes.length;
          this.nodes.push({
            next: new Map(),
            tokenScore: boost,
            nodeScore: this.nodes[node]!.nodeScore + boost,
            matchScore: 0,
            isEnd: false,
            fail: 0,
            pathBank: 0,
          });
          this.nodes[node]!.next.set(token, child);
        } else if (boost > this.nodes[child]!.tokenScore) {
          // Two phrases share a prefix: the larger boost wins on the shared tokens.
          const n = this.nodes[child]!;
          n.tokenScore = boost;
          n.nodeScore = this.nodes[node]!.nodeScore + boost;
        }
        node = child;
      }
      this.nodes[node]!.isEnd = true;
      for (const word of hotword.phrase.split(' ')) {
        if (word === '') continue;
        this.wordSet.add(word);
        for (let end = 1; end <= word.length; end++) this.wordPrefixes.add(word.slice(0, end));
      }
      count++;
    }
    this.phrases = count;
    this.link();
  }

  /** Breadth-first: failure links (longest proper suffix that is also a prefix) and output scores. */
  private link(): void {
    const queue: number[] = [];
    for (const child of this.nodes[0]!.next.values()) {
      this.nodes[child]!.fail = 0;
      queue.push(child);
    }
    for (let q = 0; q < queue.length; q++) {
      const id = queue[q]!;
      const node = this.nodes[id]!;
      const failNode = this.nodes[node.fail]!;
      node.matchScore = node.isEnd ? node.nodeScore : failNode.matchScore;
      for (const [token, child] of node.next) {
        this.nodes[child]!.pathBank = node.matchScore > 0 && this.table.startsWord[token] ? node.matchScore : node.pathBank;
        let f = node.fail;
        while (f !== 0 && !this.nodes[f]!.next.has(token)) f = this.nodes[f]!.fail;
        const target = this.nodes[f]!.next.get(token);
        this.nodes[child]!.fail = target !== undefined && target !== child ? target : 0;
        queue.push(child);
      }
    }
  }

  /** True when `word` is a word of a listed phrase. */
  hasWord(word: string): boolean {
    return this.wordSet.has(word);
  }

  /** True when some word of a listed phrase starts with `prefix`. */
  isWordPrefix(prefix: string): boolean {
    return this.wordPrefixes.has(prefix);
  }

  /** The state after `token`; the score change (boost, or boost given back) is in lastScore. */
  step(state: number, token: number): number {
    let from = this.nodes[state]!;
    let fromId = state;
    let score = 0;
    if (from.matchScore > 0 && this.table.startsWord[token] && !from.next.has(token)) {
      // The phrase's last word ended: bank the phrase and go on from the root (a phrase found on the failure
      // chain is banked at its own score).
      score = from.matchScore - from.nodeScore;
      from = this.nodes[0]!;
      fromId = 0;
    }
    let to = from.next.get(token);
    if (to !== undefined) {
      score += this.nodes[to]!.tokenScore;
    } else {
      let f = fromId === 0 ? 0 : from.fail;
      while (f !== 0 && !this.nodes[f]!.next.has(token)) f = this.nodes[f]!.fail;
      to = this.nodes[f]!.next.get(token) ?? 0;
      score += this.nodes[to]!.nodeScore - from.nodeScore + from.pathBank;
    }
    this.lastScore = score;
    return to;
  }

  /** At the end of the utterance a complete phrase keeps its score and a partial match gives its boost back:
   * returns the score change. */
  finish(state: number): number {
    const node = this.nodes[state]!;
    return (node.matchScore > 0 ? node.matchScore : node.pathBank) - node.nodeScore;
  }
}
