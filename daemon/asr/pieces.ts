/** Cutting long recordings into pieces the model can take at once, at quiet moments so no word is cut. */

export interface PieceOptions {
  sampleRate: number;
  /** Longest piece, seconds. */
  maxSec: number;
  /** How far before the limit to look for a quiet moment, seconds. */
  searchSec: number;
  /** Length of the window whose energy is compared, seconds. */
  windowSec: number;
}

export const DEFAULT_PIECES: PieceOptions = { sampleRate: 16000, maxSec: 20, searchSec: 5, windowSec: 0.1 };

/**
 * Returns [start, end) sample ranges covering the audio, each at most maxSec long. Each cut lies at the centre of the
 * lowest-energy window (windowSec long, stepped by a tenth of it) in the last searchSec before the limit.
 */
export function splitIntoPieces(samples: Float32Array, options: PieceOptions = DEFAULT_PIECES): Array<[number, number]> {
  const maxLen = Math.round(options.maxSec * options.sampleRate);
  const window = Math.max(1, Math.round(options.windowSec * options.sampleRate));
  const hop = Math.max(1, Math.round(window / 10));
  const search = Math.min(Math.round(options.searchSec * options.sampleRate), maxLen - window);
  const pieces: Array<[number, number]> = [];
  let start = 0;
  while (samples.length - start > maxLen) {
    // energy of hop-sized blocks in the search region, then a sliding sum over a window's worth of blocks
    const regionStart = start + maxLen - search - window;
    const blocks = Math.floor((search + window) / hop);
    const per = Math.round(window / hop);
    const energy = new Float64Array(blocks);
    for (let b = 0; b < blocks; b++) {
      let e = 0;
      for (let i = regionStart + b * hop, end = i + hop; i < end; i++) e += samples[i]! * samples[i]!;
      energy[b] = e;
    }
    let sum = 0;
    for (let b = 0; b < per; b++) sum += energy[b]!;
    let best = sum;
    let bestBlock = 0;
    for (let b = per; b < blocks; b++) {
      sum += energy[b]! - energy[b - per]!;
      // <= prefers the latest quiet window: longer pieces, fewer cuts
      if (sum <= best) {
        best = sum;
        bestBlock = b - per + 1;
      }
    }
    const cut = Math.min(start + maxLen, regionStart + bestBlock * hop + Math.floor(window / 2));
    pieces.push([start, cut]);
    start = cut;
  }
  if (samples.length > start || pieces.length === 0) pieces.push([start, samples.length]);
  return pieces;
}
