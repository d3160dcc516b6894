/** What recognizers see and return, and the Presidio-style context scoring they share. */
import type { EntityType } from './types.js';
import type { Token } from './tokens.js';
import { findNumberRuns, type NumberRun } from './spoken-numbers.js';
import { findCodeRuns, findLetterRuns, type CodeRun } from './spoken-letters.js';

/** A possible entity over tokens [start, end). */
export interface Candidate {
  type: EntityType;
  start: number;
  end: number;
  score: number;
  source: string;
  /** Canonical value (digits, lowercase words) used for keyed hashing, so different phrasings link. */
  value: string;
}

export interface Analysis {
  tokens: Token[];
  words: string[];
  numberRuns: NumberRun[];
  codeRuns: CodeRun[];
  letterRuns: CodeRun[];
  /** Where the segment being redacted ends; words after it are look-ahead context from the next segment. */
  segmentEnd: number;
}

export type Recognizer = (analysis: Analysis) => Candidate[];

export function analyse(tokens: Token[], segmentEnd = tokens.length): Analysis {
  return {
    segmentEnd,
    tokens,
    words: tokens.map((t) => t.word),
    numberRuns: findNumberRuns(tokens),
    codeRuns: findCodeRuns(tokens),
    letterRuns: findLetterRuns(tokens),
  };
}

/** Context words/phrases near a span raise (or, for negative lists, lower) a candidate's score. */
export class ContextWords {
  private readonly phrases: string[][];

  constructor(phrases: string[]) {
    this.phrases = phrases.map((p) => p.split(' '));
  }

  /** True when a phrase ends within `before` tokens before `start` or begins within `after` tokens after `end`. */
  near(words: string[], start: number, end: number, before = 8, after = 4): boolean {
    for (let i = Math.max(0, start - before); i < start; i++) if (this.startsAt(words, i, start)) return true;
    for (let i = end; i < Math.min(words.length, end + after); i++) if (this.startsAt(words, i, words.length)) return true;
    return false;
  }

  /** True when a phrase ends exactly at token `start` (e.g. "my name is" right before a name). */
  endsAt(words: string[], start: number): boolean {
    return this.phrases.some((p) => p.length <= start && p.every((w, k) => words[start - p.length + k] === w));
  }

  private startsAt(words: string[], i: number, limit: number): boolean {
    return this.phrases.some((p) => i + p.length <= limit && p.every((w, k) => words[i + k] === w));
  }
}

/** Number contexts that mean "this is an ordinary reference, not personal data". */
const NOT_PERSONAL = new ContextWords([
  'order',
  'tracking',
  'reference',
  'invoice',
  'confirmation',
  'flight',
  'page',
  'room',
  'model',
  'version',
  'serial',
  'ticket',
  'case number',
  'item',
  'part number',
  'chapter',
  'episode',
]);

/** True when an ordinary-reference context ("order", "ticket", "page"...) ends within 4 tokens before the span. */
export function notPersonalNear(words: string[], start: number, end: number): boolean {
  return NOT_PERSONAL.near(words, start, end, 4, 0);
}

/** base + boost when supporting context is near, minus a penalty when "not personal" context is near; clamped to 0..1. */
export function contextScore(words: string[], start: number, end: number, base: number, boost: number, context: ContextWords): number {
  let score = base;
  if (context.near(words, start, end)) score += boost;
  if (notPersonalNear(words, start, end)) score -= 0.3;
  return Math.max(0, Math.min(1, score));
}
