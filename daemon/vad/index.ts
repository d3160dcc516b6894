/**
 * The VAD stage: 16 kHz mono samples in (any chunk size), speech segments out, each with its start and end in
 * stream seconds and its padded samples. Silero VAD decides what is speech; with vad.enabled false the stream is
 * cut into fixed windows of vad.maxSegmentSec. Memory stays bounded by maxSegmentSec.
 */
import type { HushscribeConfig } from '../config/schema.js';
import { SpeechSegmenter, type FrameClassifier, type SpeechSegment } from './segmenter.js';
import { WindowSegmenter } from './window-segmenter.js';

export { loadSileroVad } from './silero.js';
export { SpeechSegmenter, VAD_FRAME, type FrameClassifier, type SegmenterOptions, type SpeechSegment } from './segmenter.js';

const RATE = 16000;

export interface Segmenter {
  /** Feeds samples of any length; returns the segments they complete. */
  push(samples: Float32Array): Promise<SpeechSegment[]> | SpeechSegment[];
  /** End of stream: the segment in progress, if any. */
  flush(): SpeechSegment[];
  /** Seconds of audio consumed so far. */
  readonly processedSec: number;
  /** Seconds from which audio is still held: no later segment starts before this. */
  readonly heldFromSec: number;
  /** The segment still being spoken, for partial results (null in silence). */
  openSpeech(): SpeechSegment | null;
  /** Seconds of silence the VAD has heard at the end of the open segment. */
  readonly silenceSec: number;
  /** The segment endNow() would give, without ending it (null when endNow() would not end it). */
  closingSpeech(): SpeechSegment | null;
  /**
   * Ends the open segment at its silence now (endpointing on the recogniser's evidence); null, and the segment left
   * open, when not in silence or after less than vad.minSpeechMs of speech.
   */
  endNow(): SpeechSegment | null;
}

/** The segmenter the config asks for: Silero VAD (`vad`, loaded once per worker), or fixed windows when it is null. */
export function newSegmenter(vad: FrameClassifier | null, vadConfig: HushscribeConfig['vad']): Segmenter {
  return vad ? new SpeechSegmenter(vad, vadConfig) : new WindowSegmenter(Math.round(vadConfig.maxSegmentSec * RATE));
}
