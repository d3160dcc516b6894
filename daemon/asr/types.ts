import type { Hotword } from './context-graph.js';

/** The ASR stage's contract: 16 kHz mono float samples in, a timed transcript out. */

export interface RecognizedWord {
  word: string;
  /** Seconds from the start of the audio passed to transcribe(). */
  start: number;
  end: number;
  /** 0..1, from the CTC posteriors of the word's frames. */
  confidence: number;
}

export interface RecognizedSegment {
  start: number;
  end: number;
  text: string;
  words: RecognizedWord[];
  /** Only when transcribe() was asked for them ({ posteriors: true }). */
  posteriors?: SegmentPosteriors;
}

/**
 * The CTC log-posteriors behind one segment (what `PiiTagger.tag(words, posteriors)` attends to): frame-major
 * [frames][vocab] natural logs, a copy. The segments of one decoded piece tile its frames: each runs from the
 * middle of the pause before it to the middle of the pause after it (the piece's first and last to its ends).
 */
export interface SegmentPosteriors {
  data: Float32Array;
  frames: number;
  vocab: number;
  /** Seconds from the start of the audio passed to transcribe() to the first frame. */
  start: number;
  /** Seconds between frames (0.04 for hushscribe-en-v1). */
  frameSec: number;
}

export interface TranscribeOptions {
  /** Attach each segment's CTC log-posteriors (copied out of the model's output; default false). */
  posteriors?: boolean;
  /** Hotwords for this call only, in place of the recognizer's (decoding.hotwords); forces beam search. */
  hotwords?: readonly Hotword[];
  /**
   * Audio heard just before `samples` (the end of the same stream's previous speech): decoded in front of them, so
   * the model and the LM hear what came before a pause, but its own words are left out (a word belongs to the
   * side its middle lies on) and times stay relative to `samples`. A sentence cut at a pause then decodes as if
   * it was not cut (README "Live transcripts").
   */
  context?: Float32Array;
}

export interface Transcript {
  text: string;
  durationSec: number;
  segments: RecognizedSegment[];
}

export interface ModelInfo {
  name: string;
  variant: string;
}

export interface Recognizer {
  readonly model: ModelInfo;
  /** Where the last transcribe() spent its time (implementations may leave it out). */
  readonly lastTimings?: StageTimings;
  /** The decoding in use; lmError says why the LM was not loaded (decoding is then greedy). */
  readonly decoding?: { readonly lmError?: string };
  /** ln p(end of sentence | the last words of `text`) under the decoding LM; undefined without one (see OnnxRecognizer). */
  endOfSentenceLogProb?(text: string): number | undefined;
  /** samples: 16 kHz mono, [-1, 1]. */
  transcribe(samples: Float32Array, options?: TranscribeOptions): Promise<Transcript>;
  close(): Promise<void>;
}

/** How CTC posteriors become text. Greedy and beam agree when no LM is given. */
export interface DecodingOptions {
  /** Default: 'beam' when an LM is used or beamSize is given, else 'greedy'. */
  method?: 'greedy' | 'beam';
  /** Prefixes kept per frame (beam only). Default 8. */
  beamSize?: number;
  /**
   * Word n-gram LM for shallow fusion at word boundaries (beam only): hushscribe's binary format or ARPA.
   * undefined: the manifest's LM, if any; null: none. A file that cannot be loaded is reported in
   * `decoding.lmError` and the recognizer decodes greedily rather than failing.
   */
  lm?: string | null;
  /** Users' own LMs (`hushscribe lm build`) interpolated with the general one, each at its weight (sum < 1). */
  extraLms?: ReadonlyArray<{ path: string; weight: number }>;
  /** Phrases to boost in beam search (context graph); they make the search a beam search. */
  hotwords?: readonly Hotword[];
  /** Weight of the LM's natural-log probability. Default 0.5. */
  lmWeight?: number;
  /** Added per completed word when an LM is used (counters the LM's bias to short outputs). Default 0. */
  wordBonus?: number;
}

export interface LoadRecognizerOptions {
  /** A hushscribe model directory (manifest.json), a sherpa-onnx zipformer2_ctc directory, or a NeMo CTC directory. */
  modelDir: string;
  /** Manifest variant name; default: the manifest's defaultVariant. */
  variant?: string;
  /** onnxruntime intra-op threads. Default 1. */
  threads?: number;
  decoding?: DecodingOptions;
}

/** Milliseconds spent in each stage of the last transcribe() call. */
export interface StageTimings {
  features: number;
  model: number;
  search: number;
}
