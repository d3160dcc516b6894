/** Cuts the stream into fixed windows of speech-to-be: the segmenter when vad.enabled is false. */
import type { SpeechSegment } from './segmenter.js';

const RATE = 16000;

export class WindowSegmenter {
  private parts: Float32Array[] = [];
  private length = 0;
  private start = 0;
  constructor(private readonly window: number) {}

  get processedSec(): number {
    return (this.start + this.length) / RATE;
  }

  get heldFromSec(): number {
    return this.start / RATE;
  }

  /** Without a VAD there is no silence to end on: windows end at their length. */
  readonly silenceSec = 0;

  endNow(): null {
    return null;
  }

  closingSpeech(): null {
    return null;
  }

  /** The window being filled, for partial results. */
  openSpeech(): SpeechSegment | null {
    if (this.length === 0) return null;
    const samples = new Float32Array(this.length);
    let at = 0;
    for (const p of this.parts) {
      samples.set(p, at);
      at += p.length;
    }
    return { start: this.start / RATE, end: (this.start + this.length) / RATE, samples };
  }

  push(samples: Float32Array): SpeechSegment[] {
    this.parts.push(samples);
    this.length += samples.length;
    return this.length >= this.window ? this.flush() : [];
  }

  flush(): SpeechSegment[] {
    const seg = this.openSpeech();
    if (!seg) return [];
    this.start += this.length;
    this.parts = [];
    this.length = 0;
    return [seg];
  }
}
