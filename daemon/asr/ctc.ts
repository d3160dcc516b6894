/** CTC posteriors of one utterance and the token paths read from them (greedy, or a forced alignment). */

/** Row-major [frames][vocab] natural-log posteriors (the model's log-softmax output). */
export interface LogProbs {
  data: Float32Array;
  frames: number;
  vocab: number;
}

/** Emitted tokens in order, with the frames each occupies. */
export interface TokenPath {
  tokens: Int32Array;
  firstFrame: Int32Array;
  lastFrame: Int32Array;
  /** Sum over the token's frames of its posterior (not log); with frameCount gives the mean. */
  posteriorSum: Float64Array;
  frameCount: Int32Array;
}

function allocPath(n: number): TokenPath {
  return {
    tokens: new Int32Array(n),
    firstFrame: new Int32Array(n),
    lastFrame: new Int32Array(n),
    posteriorSum: new Float64Array(n),
    frameCount: new Int32Array(n),
  };
}

function truncatePath(p: TokenPath, n: number): TokenPath {
  return {
    tokens: p.tokens.slice(0, n),
    firstFrame: p.firstFrame.slice(0, n),
    lastFrame: p.lastFrame.slice(0, n),
    posteriorSum: p.posteriorSum.slice(0, n),
    frameCount: p.frameCount.slice(0, n),
  };
}

/** Best path: argmax per frame, repeats merged, blanks dropped. Its frames are the Viterbi alignment of its own text. */
export function greedyPath(lp: LogProbs, blankId: number): TokenPath {
  const { data, frames, vocab } = lp;
  const out = allocPath(frames);
  let n = 0;
  let prev = blankId;
  for (let t = 0; t < frames; t++) {
    const row = t * vocab;
    let best = 0;
    let bestLp = data[row]!;
    for (let v = 1; v < vocab; v++) {
      const x = data[row + v]!;
      if (x > bestLp) {
        bestLp = x;
        best = v;
      }
    }
    if (best !== blankId) {
      if (best !== prev) {
        out.tokens[n] = best;
        out.firstFrame[n] = t;
        n++;
      }
      out.lastFrame[n - 1] = t;
      out.posteriorSum[n - 1] += Math.exp(bestLp);
      out.frameCount[n - 1]! += 1;
    }
    prev = best;
  }
  return truncatePath(out, n);
}

const NEG_INF = -Infinity;

/**
 * Viterbi forced alignment of a token sequence (e.g. the beam search's answer) to the posteriors, so beam results get
 * frames and confidences the same way greedy ones do. Throws if the sequence cannot fit in the frames.
 */
export function alignPath(lp: LogProbs, tokens: Int32Array, blankId: number): TokenPath {
  const { data, frames, vocab } = lp;
  const L = tokens.length;
  if (L === 0) return allocPath(0);
  const S = 2 * L + 1; // blank, y1, blank, y2, ..., yL, blank
  let prev = new Float64Array(S).fill(NEG_INF);
  let cur = new Float64Array(S);
  // back[t*S+s]: 0 = came from s, 1 = from s-1, 2 = from s-2
  const back = new Uint8Array(frames * S);
  const label = (s: number): number => (s & 1 ? tokens[s >> 1]! : blankId);
  prev[0] = data[blankId]!;
  prev[1] = data[tokens[0]!]!;
  for (let t = 1; t < frames; t++) {
    const row = t * vocab;
    for (let s = 0; s < S; s++) {
      let best = prev[s]!;
      let from = 0;
      if (s >= 1 && prev[s - 1]! > best) {
        best = prev[s - 1]!;
        from = 1;
      }
      if (s >= 2 && (s & 1) === 1 && tokens[s >> 1] !== tokens[(s >> 1) - 1] && prev[s - 2]! > best) {
        best = prev[s - 2]!;
        from = 2;
      }
      cur[s] = best + data[row + label(s)]!;
      back[t * S + s] = from;
    }
    const swap = prev;
    prev = cur;
    cur = swap;
  }
  let s = prev[S - 1]! >= prev[S - 2]! ? S - 1 : S - 2;
  if (prev[s] === NEG_INF) throw new Error(`cannot align ${L} tokens to ${frames} frames`);
  const out = allocPath(L);
  for (let t = frames - 1; t >= 0; t--) {
    if (s & 1) {
      const k = s >> 1;
      if (out.frameCount[k] === 0) out.lastFrame[k] = t;
      out.firstFrame[k] = t;
      out.frameCount[k]! += 1;
      out.posteriorSum[k] += Math.exp(data[t * vocab + tokens[k]!]!);
    }
    s -= back[t * S + s]!;
  }
  out.tokens.set(tokens);
  return out;
}
