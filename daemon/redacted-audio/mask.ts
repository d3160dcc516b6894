/**
 * What redacted audio masks: the time spans of personal data in a recording (from the redacted segments' entity
 * times), widened and merged into sample ranges, overwritten by a tone or silence.
 */
import { ASR_SAMPLE_RATE } from '../audio/index.js';
import type { RedactedSegment } from '../redaction/segment.js';

export const REDACTED_AUDIO_MODES = ['tone', 'silence'] as const;
export type RedactedAudioMode = (typeof REDACTED_AUDIO_MODES)[number];

/** 1 kHz at -20 dBFS: clearly a bleep, never clipping. */
export const TONE_HZ = 1000;
export const TONE_AMPLITUDE = 10 ** (-20 / 20);

export interface TimeSpan {
  start: number;
  end: number;
}

/**
 * Sample ranges [from, to) to mask: each span widened by padMs on both sides, clamped to the recording, sorted,
 * overlapping or touching ranges merged. Spans without a time (null) or empty after clamping are skipped.
 */
export function maskRanges(
  spans: readonly { start: number | null; end: number | null }[],
  padMs: number,
  totalSamples: number,
  rate = ASR_SAMPLE_RATE,
): [number, number][] {
  const pad = (padMs / 1000) * rate;
  const ranges = spans
    .filter((s): s is TimeSpan => s.start !== null && s.end !== null)
    .map((s): [number, number] => [Math.max(0, Math.floor(s.start * rate - pad)), Math.min(totalSamples, Math.ceil(s.end * rate + pad))])
    .filter(([from, to]) => to > from)
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const range of ranges) {
    const last = merged[merged.length - 1];
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push(range);
  }
  return merged;
}

/**
 * Overwrites the ranges in place: a tone in phase with the recording's own clock, or zeros. `offset`: the
 * recording's sample index of samples[0] (a piece of a longer recording); ranges are in recording samples and
 * clipped to the piece.
 */
export function applyMask(samples: Float32Array, ranges: readonly [number, number][], mode: RedactedAudioMode, rate = ASR_SAMPLE_RATE, offset = 0): void {
  const step = (2 * Math.PI * TONE_HZ) / rate;
  for (const [rangeFrom, rangeTo] of ranges) {
    const from = Math.max(rangeFrom, offset);
    const to = Math.min(rangeTo, offset + samples.length);
    if (to <= from) continue;
    if (mode === 'silence') samples.fill(0, from - offset, to - offset);
    else for (let i = from; i < to; i++) samples[i - offset] = TONE_AMPLITUDE * Math.sin(step * i);
  }
}

/**
 * The spans to mask for one recognised segment: every entity's words, or the whole segment when one of its
 * entities has no time or policy dropped it (redacted null, dropped true).
 */
export function spansToMask(raw: { start: number; end: number }, redacted: RedactedSegment | null, dropped: boolean, offsetSec: number): TimeSpan[] {
  const whole = { start: raw.start + offsetSec, end: raw.end + offsetSec };
  if (!redacted) return dropped ? [whole] : [];
  const spans: TimeSpan[] = [];
  for (const e of redacted.entities) {
    if (e.audioStart === null || e.audioEnd === null) return [whole];
    spans.push({ start: e.audioStart, end: e.audioEnd });
  }
  return spans;
}
