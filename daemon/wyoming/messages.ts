/** Messages between the Wyoming server (main thread) and its transcription worker. Raw text never crosses: segments arrive redacted. */
import type { Hotword } from '../asr/context-graph.js';
import type { ModelInfo } from '../asr/types.js';
import type { WorkerSettings } from '../pipeline/messages.js';
import type { RedactedSegment } from '../redaction/segment.js';

/** The PCM format of an audio-start event: rate in Hz, width in bytes per sample, interleaved channels. */
export interface PcmFormat {
  rate: number;
  width: number;
  channels: number;
}

/** One variant, asr.variant or the manifest's default: the power governor does not switch the Wyoming worker (sparseVariant and denseVariant are null). */
export type WyomingWorkerData = WorkerSettings;

export type ToWyomingWorker =
  /** hotwords: the request's own list (from the transcribe event's context), in place of the configured one. */
  | { type: 'open'; id: number; format: PcmFormat; hotwords?: Hotword[] }
  /** pcm: the audio-chunk payload bytes, in the session's format. */
  | { type: 'audio'; id: number; pcm: Uint8Array }
  | { type: 'finish'; id: number }
  | { type: 'abort'; id: number };

export type FromWyomingWorker =
  | { type: 'ready'; model: ModelInfo; sparseModel: ModelInfo | null }
  | { type: 'fatal'; code: string; message: string }
  | { type: 'segment'; id: number; segment: RedactedSegment }
  | { type: 'done'; id: number; durationSec: number; segmentCount: number }
  | { type: 'failed'; id: number; message: string };
