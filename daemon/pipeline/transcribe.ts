/**
 * One recording through the stages: decode (ffmpeg) -> VAD segmentation -> ASR -> redaction. Emits redacted
 * segments in order; the caller stores them. Runs inside the transcription worker.
 */
import { basename } from 'node:path';
import { ASR_SAMPLE_RATE, decodeAudioStream, probeAudio } from '../audio/index.js';
import type { Recognizer } from '../asr/types.js';
import type { Redactor } from '../../redaction/types.js';
import type { HushscribeConfig } from '../config/schema.js';
import type { RedactedSegment } from '../store/store.js';
import { PipelineError } from './messages.js';
import { alignedText, buildRedactedSegment } from './redact.js';
import { wavShortfall } from './wav-header.js';
import { SpeechSegmenter, VAD_FRAME, type FrameClassifier, type SpeechSegment } from './segmenter.js';

/** Shorter than this cannot hold a word; such files are reported instead of silently yielding nothing. */
export const MIN_DURATION_SEC = 0.3;
/** Rates outside this range are broken headers, not recordings (1 Hz would "resample" into hours of audio). */
const MIN_SOURCE_RATE = 4000;
const MAX_SOURCE_RATE = 768_000;
const PROGRESS_EVERY_SEC = 5;

export interface StageSet {
  recognizer: Recognizer;
  /** null when vad.enabled is false: fixed windows of vad.maxSegmentSec instead. */
  vad: FrameClassifier | null;
  /** A fresh redactor per recording, so context carries across its segments but never between recordings. */
  newRedactor(): Redactor;
}

export interface TranscribeEvents {
  progress(sec: number, durationSec: number | null): void;
  segment(segment: RedactedSegment): void;
}

/**
 * Speech segments of one recording or live session in, redacted segments out, numbered from 0. Redaction
 * context carries across the session's segments (SessionRedactor), never beyond it.
 */
export class SegmentTranscriber {
  private readonly redactor: Redactor;
  count = 0;

  constructor(private readonly stages: StageSet) {
    this.redactor = stages.newRedactor();
  }

  async add(speech: SpeechSegment): Promise<RedactedSegment[]> {
    const { name, variant } = this.stages.recognizer.model;
    const transcript = await this.stages.recognizer.transcribe(speech.samples);
    const out: RedactedSegment[] = [];
    for (const raw of transcript.segments) {
      const { text, ranges } = alignedText(raw);
      const redacted = buildRedactedSegment(raw, ranges, this.redactor.redact(text), { seq: this.count, offsetSec: speech.start, model: name, variant });
      if (redacted) {
        out.push(redacted);
        this.count++;
      }
    }
    return out;
  }
}

/** The segmenter the config asks for: Silero VAD, or fixed windows when vad.enabled is false. */
export function newSegmenter(stages: StageSet, vadConfig: HushscribeConfig['vad']): { push(samples: Float32Array): Promise<SpeechSegment[]> | SpeechSegment[]; flush(): SpeechSegment[]; readonly processedSec: number } {
  return stages.vad ? new SpeechSegmenter(stages.vad, vadConfig) : new WindowSegmenter(Math.round(vadConfig.maxSegmentSec * ASR_SAMPLE_RATE));
}

/** Cuts the stream into fixed windows (when VAD is off). */
class WindowSegmenter {
  private parts: Float32Array[] = [];
  private length = 0;
  private start = 0;
  constructor(private readonly window: number) {}

  get processedSec(): number {
    return (this.start + this.length) / ASR_SAMPLE_RATE;
  }

  push(samples: Float32Array): SpeechSegment[] {
    this.parts.push(samples);
    this.length += samples.length;
    return this.length >= this.window ? this.flush() : [];
  }

  flush(): SpeechSegment[] {
    if (this.length === 0) return [];
    const samples = new Float32Array(this.length);
    let at = 0;
    for (const p of this.parts) {
      samples.set(p, at);
      at += p.length;
    }
    const seg = { start: this.start / ASR_SAMPLE_RATE, end: (this.start + this.length) / ASR_SAMPLE_RATE, samples };
    this.start += this.length;
    this.parts = [];
    this.length = 0;
    return [seg];
  }
}

export async function transcribeRecording(path: string, stages: StageSet, vadConfig: HushscribeConfig['vad'], on: TranscribeEvents): Promise<{ durationSec: number; segmentCount: number }> {
  const name = basename(path);
  // The declared duration drives progress and catches truncated files; decoding reports unreadable ones.
  const probe = await probeAudio(path).catch(() => null);
  if (probe && (probe.sampleRate < MIN_SOURCE_RATE || probe.sampleRate > MAX_SOURCE_RATE)) {
    throw new PipelineError('BAD_SAMPLE_RATE', `${name}: declares a sample rate of ${probe.sampleRate} Hz; expected ${MIN_SOURCE_RATE}..${MAX_SOURCE_RATE} Hz (broken header?)`);
  }
  const declared = probe?.durationSec ?? null;
  const shortfall = await wavShortfall(path).catch(() => null);
  const segmenter = newSegmenter(stages, vadConfig);
  const transcriber = new SegmentTranscriber(stages);
  let decoded = 0;
  let reported = 0;
  const transcribe = async (speech: SpeechSegment) => {
    for (const segment of await transcriber.add(speech)) on.segment(segment);
  };

  for await (const chunk of decodeAudioStream(path, { frameSamples: VAD_FRAME * 16 })) {
    decoded += chunk.length;
    for (const speech of await segmenter.push(chunk)) await transcribe(speech);
    if (decoded / ASR_SAMPLE_RATE - reported >= PROGRESS_EVERY_SEC) {
      reported = decoded / ASR_SAMPLE_RATE;
      on.progress(reported, declared);
    }
  }
  const durationSec = decoded / ASR_SAMPLE_RATE;
  if (durationSec < MIN_DURATION_SEC) {
    throw new PipelineError('TOO_SHORT', `${name}: is ${durationSec.toFixed(2)} s long; recordings shorter than ${MIN_DURATION_SEC} s cannot hold speech`);
  }
  for (const speech of segmenter.flush()) await transcribe(speech);
  if (shortfall) {
    throw new PipelineError('TRUNCATED', `${name}: holds ${shortfall.presentSec.toFixed(2)} s of the ${shortfall.declaredSec.toFixed(2)} s its WAV header declares (file cut short?)`);
  }
  // Encoder delay and padding make decoded lengths differ a little from the declared one.
  if (declared !== null && durationSec < declared - Math.max(0.25, declared * 0.02)) {
    throw new PipelineError('TRUNCATED', `${name}: ends after ${durationSec.toFixed(2)} s of the ${declared.toFixed(2)} s its header declares (file cut short?)`);
  }
  on.progress(durationSec, durationSec);
  return { durationSec, segmentCount: transcriber.count };
}
