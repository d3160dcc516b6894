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
  /** samples: 16 kHz mono, [-1, 1]. */
  transcribe(samples: Float32Array): Promise<Transcript>;
  close(): Promise<void>;
}
