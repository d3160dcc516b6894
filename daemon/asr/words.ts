import type { TokenPath } from './ctc.js';
import type { TokenTable } from './tokens.js';
import type { RecognizedSegment, RecognizedWord } from './types.js';

/** A pause longer than this between two words starts a new segment. */
export const SEGMENT_PAUSE_SEC = 0.8;

/**
 * Groups a token path into words. start = first frame of the word's first token, end = last frame of its last token,
 * both times frame * secondsPerFrame + offsetSec. confidence = mean, over the frames aligned to the word's tokens, of
 * the posterior of the token on that frame (for a greedy path: the frame's max posterior).
 */
export function pathToWords(path: TokenPath, table: TokenTable, secondsPerFrame: number, offsetSec = 0): RecognizedWord[] {
  const words: RecognizedWord[] = [];
  let text = '';
  let first = -1;
  let last = -1;
  let sum = 0;
  let count = 0;
  const flush = (): void => {
    if (text !== '') {
      words.push({
        word: text,
        start: round3(first * secondsPerFrame + offsetSec),
        end: round3(last * secondsPerFrame + offsetSec),
        confidence: round3(sum / count),
      });
    }
    text = '';
    sum = 0;
    count = 0;
  };
  for (let i = 0; i < path.tokens.length; i++) {
    const id = path.tokens[i]!;
    if (table.startsWord[id]) flush();
    const body = table.body[id]!;
    if (body === '') continue;
    if (text === '') first = path.firstFrame[i]!;
    text += body;
    last = path.lastFrame[i]!;
    sum += path.posteriorSum[i]!;
    count += path.frameCount[i]!;
  }
  flush();
  return words;
}

/** Splits words into segments at pauses longer than pauseSec. */
export function segmentWords(words: readonly RecognizedWord[], pauseSec = SEGMENT_PAUSE_SEC): RecognizedSegment[] {
  const segments: RecognizedSegment[] = [];
  let current: RecognizedWord[] = [];
  const close = (): void => {
    if (current.length === 0) return;
    segments.push({
      start: current[0]!.start,
      end: current[current.length - 1]!.end,
      text: current.map((w) => w.word).join(' '),
      words: current,
    });
    current = [];
  };
  for (const word of words) {
    const prev = current[current.length - 1];
    if (prev && word.start - prev.end > pauseSec) close();
    current.push(word);
  }
  close();
  return segments;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
