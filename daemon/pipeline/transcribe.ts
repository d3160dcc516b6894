/**
 * One recording through the stages: decode (ffmpeg) -> VAD segmentation -> ASR -> redaction. Emits redacted
 * segments in order; the caller stores them. Runs inside the transcription worker.
 */
import { basename } from 'node:path';
import { ASR_SAMPLE_RATE, decodeAudioStream, probeAudio } from '../audio/index.js';
import type { Recognizer } from '../asr/types.js';
import type { SegmentRedactor } from '../../redaction/types.js';
import type { HushscribeConfig } from '../config/schema.js';
import type { RedactedSegment } from '../redaction/segment.js';
import { PipelineError } from './messages.js';
import { alignedText, buildRedactedSegment } from '../redaction/segment.js';
import { wavShortfall } from './wav-header.js';
import { SpeechSegmenter, VAD_FRAME, type FrameClassifier, type SpeechSegment } from './segmenter.js';
import { SampleCollector, type RedactedAudioWriter, type TimeSpan } from './redacted-audio.js';

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
  newRedactor(): SegmentRedactor;
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
  private readonly redactor: SegmentRedactor;
  count = 0;
  /** Audio to mask in the redacted audio: every entity's words, and whole segments whose entities have no time or that policy dropped. */
  readonly maskSpans: TimeSpan[] = [];

  constructor(private readonly stages: StageSet) {
    this.redactor = stages.newRedactor();
  }

  async add(speech: SpeechSegment): Promise<RedactedSegment[]> {
    const { name, variant } = this.stages.recognizer.model;
    const transcript = await this.stages.recognizer.transcribe(speech.samples);
    const out: RedactedSegment[] = [];
    for (const raw of transcript.segments) {
      const { text, ranges } = alignedText(raw);
      const result = await this.redactor.redact(text);
      const redacted = buildRedactedSegment(raw, ranges, result, { seq: this.count, offsetSec: speech.start, model: name, variant });
      this.maskSpans.push(...spansToMask(raw, redacted, result.dropped, speech.start));
      if (redacted) {
        out.push(redacted);
        this.count++;
      }
    }
    return out;
  }
}

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

/** Where a recording's redacted audio goes, when redaction.audio is enabled. */
export interface RedactedAudioTarget {
  writer: RedactedAudioWriter;
  /** File name without extension (the recording id). */
  name: string;
}

/** The segmenter the config asks for: Silero VAD, or fixed windows when vad.enabled is false. */
export function newSegmenter(stages: StageSet, vadConfig: HushscribeConfig['vad']): { push(samples: Float32Array): Promise<SpeechSegment[]> | SpeechSegment[]; flush(): SpeechSegment[]; readonly processedSec: number; readonly heldFromSec: number } {
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

  get heldFromSec(): number {
    return this.start / ASR_SAMPLE_RATE;
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

export async function transcribeRecording(
  path: string,
  stages: StageSet,
  vadConfig: HushscribeConfig['vad'],
  on: TranscribeEvents,
  audio: RedactedAudioTarget | null = null,
): Promise<{ durationSec: number; segmentCount: number; redactedAudio: { path: string; bytes: number } | null }> {
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
  // Raw samples stay in this worker's RAM until masked; only the masked copy is written.
  const samples = audio ? new SampleCollector() : null;
  let decoded = 0;
  let reported = 0;
  const transcribe = async (speech: SpeechSegment) => {
    for (const segment of await transcriber.add(speech)) on.segment(segment);
  };

  for await (const chunk of decodeAudioStream(path, { frameSamples: VAD_FRAME * 16 })) {
    decoded += chunk.length;
    samples?.push(chunk);
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
  const redactedAudio = audio && samples ? await writeRedactedAudio(audio, samples.take(), transcriber.maskSpans) : null;
  on.progress(durationSec, durationSec);
  return { durationSec, segmentCount: transcriber.count, redactedAudio };
}

async function writeRedactedAudio(audio: RedactedAudioTarget, samples: Float32Array, spans: TimeSpan[]): Promise<{ path: string; bytes: number }> {
  try {
    return await audio.writer.write(audio.name, samples, spans);
  } catch (err) {
    throw new PipelineError('AUDIO_WRITE_FAILED', (err as Error).message);
  }
}
