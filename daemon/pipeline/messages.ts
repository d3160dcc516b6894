import type { Hotword } from '../asr/context-graph.js';
/** Messages between the daemon's main thread and the transcription worker. Raw text never crosses: segments arrive redacted. */
import type { HushscribeConfig } from '../config/schema.js';
import type { ModelInfo } from '../asr/types.js';
import type { RedactedSegment } from '../redaction/segment.js';
import type { PowerVariant } from '../power/governor.js';

export interface WorkerSettings {
  modelDir: string;
  /** asr.variant: what the power governor's `dense` loads; null: see denseVariant. */
  variant: string | null;
  /** `dense` without asr.variant: the manifest's variant named dense, or null (the manifest's default). */
  denseVariant?: string | null;
  /** The manifest variant the power governor may switch to (loaded when first used), or null for dense only. */
  sparseVariant: string | null;
  /** The power variant the worker loads at start (the governor's at that moment); dense when left out. */
  startVariant?: PowerVariant;
  threads: number;
  /** Users' LMs to mix in (asr.lm.extra) and the hotword list file (asr.hotwords). */
  lm?: HushscribeConfig['asr']['lm'];
  hotwords?: string | null;
  /** asr.leftContext: the earlier speech each segment is decoded after (default DEFAULT_LEFT_CONTEXT). */
  leftContext?: HushscribeConfig['asr']['leftContext'];
  vad: HushscribeConfig['vad'];
  redaction: HushscribeConfig['redaction'];
}

/**
 * job: variant is which of the loaded recognizers transcribes this recording (the power governor's choice); path
 * is where to read the audio (the queued file held open), fileName its name, to keep out of messages.
 * cancel: drop that recording after the native call in hand (its results could not be stored); answered 'cancelled'.
 */
export type ToWorker =
  | { type: 'job'; recordingId: string; path: string; fileName: string; variant: PowerVariant; hotwords?: Hotword[] }
  | { type: 'cancel'; recordingId: string };

export type FromWorker =
  | { type: 'ready'; model: ModelInfo; sparseModel: ModelInfo | null; lmError: string | null }
  | { type: 'fatal'; code: string; message: string }
  | { type: 'progress'; recordingId: string; sec: number; durationSec: number | null }
  | { type: 'segment'; recordingId: string; segment: RedactedSegment }
  | { type: 'done'; recordingId: string; durationSec: number; segmentCount: number; redactedAudio: { path: string; bytes: number } | null }
  | { type: 'failed'; recordingId: string; code: string; message: string }
  /** The recording was dropped half-way, on a cancel or a shutdown: nothing more comes for it. */
  | { type: 'cancelled'; recordingId: string }
  /** The sparse variant, loaded when first asked for, could not be: the recording runs dense. */
  | { type: 'variant-failed'; variant: string; message: string };

/** Why a recording could not be transcribed, beyond the audio decoder's own AudioInputError codes. */
export type PipelineErrorCode = 'TOO_SHORT' | 'TRUNCATED' | 'BAD_SAMPLE_RATE' | 'MODEL_FAILED' | 'WORKER_CRASHED' | 'INTERNAL' | 'AUDIO_WRITE_FAILED';

/**
 * Failures that are the audio's own: its source may be disposed of, and dropping it again does not retry it. Any
 * other failure (the model, a crash, a missing file of ours) keeps the source and is retried when it is seen again
 * or with `hushscribe retry`.
 */
const AUDIO_FAULTS: ReadonlySet<string> = new Set([
  'EMPTY_FILE',
  'TRUNCATED',
  'NOT_AUDIO',
  'UNSUPPORTED_WAV',
  'DECODE_FAILED',
  'TOO_SHORT',
  'BAD_SAMPLE_RATE',
  'TOO_MANY_ATTEMPTS',
]);

export function isAudioFault(errorCode: string | null): boolean {
  return errorCode !== null && AUDIO_FAULTS.has(errorCode);
}

export class PipelineError extends Error {
  override name = 'PipelineError';
  constructor(
    readonly code: PipelineErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A live source (microphone or command): its capture command writes audio in any format ffmpeg reads to stdout. */
export interface LiveSettings extends WorkerSettings {
  argv: string[];
  /** A live session is stored as one recording per this many seconds. */
  sessionMaxSec: number;
  live: HushscribeConfig['live'];
}

/** What a live worker is started with: its settings and the source's name (part of each session's recording id). */
export interface LiveWorkerData extends LiveSettings {
  source: string;
}

/** variant: the recognizer for the next speech segment (the power governor's choice). */
export type ToLiveWorker = { type: 'start' } | { type: 'stop' } | { type: 'variant'; variant: PowerVariant };

/** Where a live final's time went (debug log `live final`; `npm run bench -- live` sums it up). No text. */
export interface FinalLatency {
  /**
   * The rule that ended the segment: the endpoint (VAD + recogniser), its opt-in fast rule (live.endpoint.fast:
   * the LM's end-of-sentence evidence), or the VAD alone (silence, maximum length, end of stream).
   */
  endedBy: 'endpoint' | 'fast' | 'vad';
  /** Session seconds heard when the segment ended (the audio time of the decision). */
  heardSec: number;
  /** Session seconds where the VAD heard the speech end (its first silent frame; the segment's end less vad.speechPadMs). */
  vadEndSec: number;
  /** Session seconds where the decode's last word ended (null: no word). A number, no text. */
  lastWordEndSec: number | null;
  /** Wall clock (ms) when the chunk that ended it was read from the capture. */
  readAt: number;
  /** The decode made ahead, in the silence, when reused (null: decoded after the segment ended, inside finishMs). */
  decodeAheadMs: number | null;
  /** ln p(end of sentence) of the decode ahead, when live.endpoint.fast computed it (the fast rule's evidence; no text). */
  endOfSentenceLogProb: number | null;
  /** From the segment's end to its redacted segments: decode (when not made ahead) and redaction. */
  finishMs: number;
  /** Wall clock (ms) when posted to the main thread. */
  postedAt: number;
}

export type FromLiveWorker =
  | { type: 'ready'; model: ModelInfo; sparseModel: ModelInfo | null; lmError: string | null }
  | { type: 'fatal'; code: string; message: string }
  /** recordingId: recordingIdForStream(source, startedAt), the name of the session's redacted audio too. */
  | { type: 'session'; startedAt: number; recordingId: string }
  | { type: 'segment'; segment: RedactedSegment; latency: FinalLatency }
  /** Seconds of the current session heard so far (about once a second): progress and liveness. */
  | { type: 'heard'; sec: number; partialsDropped: number }
  /** A redacted partial of the segment being spoken (never stored): seq is the seq its final segment will get. */
  | { type: 'partial'; seq: number; counter: number; start: number; end: number; text: string; partialsDropped: number }
  /** redactedAudio: the session's masked recording when redaction.audio is enabled and it could be written. */
  | { type: 'session-end'; durationSec: number; segmentCount: number; redactedAudio: { path: string; bytes: number } | null }
  /** The session's redacted audio could not be written (transcription goes on; the recording gets no audio). */
  | { type: 'audio-failed'; code: string; message: string }
  | { type: 'variant-failed'; variant: string; message: string }
  | { type: 'capture-ended'; code: number | null; signal: string | null; message: string };
