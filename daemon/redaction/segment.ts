/**
 * The redaction stage's contract: one recognised segment (raw, RAM only, worker thread) in, a RedactedSegment out,
 * the only shape of transcript the store and everything after it ever receive: redacted text, words with every
 * word inside an entity replaced by the entity's placeholder, and entity spans with their audio times.
 */
import type { RecognizedSegment, RecognizedWord } from '../asr/types.js';
import type { EntityType, RedactionResult } from '../../redaction/types.js';

/** A word as stored: after redaction, so a word inside an entity is replaced by the entity's placeholder. */
export interface StoredWord {
  word: string;
  start: number;
  end: number;
  confidence: number;
  entity?: EntityType;
}

export interface EntitySpan {
  type: EntityType;
  redactedStart: number;
  redactedEnd: number;
  audioStart: number | null;
  audioEnd: number | null;
  score: number;
  detector: string;
}

/** Only redacted content can be put in the store; the type has no field for raw text. */
export interface RedactedSegment {
  seq: number;
  start: number;
  end: number;
  redactedText: string;
  words: StoredWord[];
  entities: EntitySpan[];
  model: string;
  variant: string;
}

/** Character ranges of each word in `text`, or null when the words cannot be found in order. */
function locateWords(text: string, words: readonly RecognizedWord[]): [number, number][] | null {
  const ranges: [number, number][] = [];
  let cursor = 0;
  for (const w of words) {
    const at = text.indexOf(w.word, cursor);
    if (at < 0) return null;
    ranges.push([at, at + w.word.length]);
    cursor = at + w.word.length;
  }
  return ranges;
}

/** The text redaction runs on, and where each word sits in it. */
export function alignedText(seg: RecognizedSegment): { text: string; ranges: [number, number][] } {
  const ranges = locateWords(seg.text, seg.words);
  if (ranges) return { text: seg.text, ranges };
  // The recogniser's text and words disagree (normalisation): redact the words, which are what gets stored.
  const text = seg.words.map((w) => w.word).join(' ');
  return { text, ranges: locateWords(text, seg.words)! };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Applies a redaction result computed on alignedText(seg).text. `offsetSec` shifts word times from the clip the
 * recogniser saw to the whole recording. Returns null when policy drops the segment.
 */
export function buildRedactedSegment(
  seg: RecognizedSegment,
  ranges: [number, number][],
  result: RedactionResult,
  meta: { seq: number; offsetSec: number; model: string; variant: string },
): RedactedSegment | null {
  if (result.dropped) return null;
  const words: StoredWord[] = [];
  const audio = new Map<number, { start: number; end: number }>();
  let lastEntity = -1;
  seg.words.forEach((w, i) => {
    const [ws, we] = ranges[i]!;
    const start = round3(w.start + meta.offsetSec);
    const end = round3(w.end + meta.offsetSec);
    const entityIndex = result.entities.findIndex((e) => e.start < we && ws < e.end);
    if (entityIndex < 0) {
      words.push({ word: w.word, start, end, confidence: w.confidence });
      lastEntity = -1;
      return;
    }
    const entity = result.entities[entityIndex]!;
    const span = audio.get(entityIndex);
    audio.set(entityIndex, { start: span?.start ?? start, end });
    if (entityIndex === lastEntity) {
      // Another word of the same entity: widen the placeholder word instead of adding one.
      const placeholder = words[words.length - 1]!;
      placeholder.end = end;
      placeholder.confidence = Math.min(placeholder.confidence, w.confidence);
    } else {
      words.push({ word: entity.replacement, start, end, confidence: w.confidence, entity: entity.type });
    }
    lastEntity = entityIndex;
  });
  const entities: EntitySpan[] = result.entities.map((e, i) => ({
    type: e.type,
    redactedStart: e.redactedStart,
    redactedEnd: e.redactedEnd,
    audioStart: audio.get(i)?.start ?? null,
    audioEnd: audio.get(i)?.end ?? null,
    score: e.score,
    detector: e.source,
  }));
  return {
    seq: meta.seq,
    start: round3(seg.start + meta.offsetSec),
    end: round3(seg.end + meta.offsetSec),
    redactedText: result.text,
    words,
    entities,
    model: meta.model,
    variant: meta.variant,
  };
}
