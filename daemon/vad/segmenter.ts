/**
 * Streaming speech segmentation: 16 kHz frames in, padded speech segments out, driven by a voice-activity model
 * (Silero VAD). The same code serves files and live sources; memory stays bounded by maxSegmentSec.
 */

export const VAD_FRAME = 512;
const RATE = 16000;

/** The one thing the segmenter needs from a VAD model: speech probability of one 512-sample frame. */
export interface FrameClassifier {
  processChunk(frame: Float32Array, sampleRate: number): Promise<number>;
  resetStates(): void;
}

export interface SegmenterOptions {
  threshold: number;
  minSpeechMs: number;
  minSilenceMs: number;
  speechPadMs: number;
  maxSegmentSec: number;
}

export interface SpeechSegment {
  /** Seconds from the start of the stream. */
  start: number;
  end: number;
  samples: Float32Array;
}

export class SpeechSegmenter {
  private readonly minSpeech: number;
  private readonly minSilence: number;
  private readonly pad: number;
  private readonly maxLength: number;
  private readonly negThreshold: number;
  /** Audio kept since bufStart: the pre-roll while silent, the whole segment while speaking. */
  private chunks: Float32Array[] = [];
  private bufStart = 0;
  private position = 0;
  private speechStart = -1;
  private silenceStart = -1;
  private pending: Float32Array = new Float32Array(0);

  constructor(
    private readonly vad: FrameClassifier,
    private readonly options: SegmenterOptions,
  ) {
    this.minSpeech = (options.minSpeechMs * RATE) / 1000;
    this.minSilence = (options.minSilenceMs * RATE) / 1000;
    this.pad = Math.round((options.speechPadMs * RATE) / 1000);
    this.maxLength = Math.round(options.maxSegmentSec * RATE);
    // Hysteresis as in Silero's reference: speech starts above threshold, ends only below threshold - 0.15.
    this.negThreshold = Math.max(options.threshold - 0.15, 0.01);
    vad.resetStates();
  }

  /** Seconds of audio consumed so far. */
  get processedSec(): number {
    return this.position / RATE;
  }

  /** Seconds from which audio is still held: no later segment starts before this. */
  get heldFromSec(): number {
    return this.bufStart / RATE;
  }

  /** The speech segment still being spoken (padded before, up to the audio heard so far), or null in silence. */
  openSpeech(): SpeechSegment | null {
    if (this.speechStart < 0) return null;
    const from = Math.max(this.bufStart, this.speechStart - this.pad);
    return { start: from / RATE, end: this.position / RATE, samples: this.slice(from, this.position) };
  }

  /** Seconds of trailing silence the VAD has heard in the open segment (0 while speech goes on or in silence). */
  get silenceSec(): number {
    return this.speechStart >= 0 && this.silenceStart >= 0 ? (this.position - this.silenceStart) / RATE : 0;
  }

  /**
   * The segment endNow() would give, without ending it: once the VAD has heard speechPadMs of silence its audio is
   * complete, so it can be decoded while the endpoint rules wait (null when endNow() would not end it).
   */
  closingSpeech(): SpeechSegment | null {
    if (!this.canEndNow()) return null;
    const { from, to } = this.bounds(this.silenceStart);
    return { start: from / RATE, end: to / RATE, samples: this.slice(from, to) };
  }

  /**
   * Ends the open segment now, before minSilenceMs, when other evidence says the speaker is done (the
   * recogniser's trailing blank frames): only while the VAD already hears silence, so no word is cut.
   */
  endNow(): SpeechSegment | null {
    return this.canEndNow() ? this.emit(this.silenceStart) : null;
  }

  /**
   * In silence after minSpeechMs or more of speech. A shorter burst stays open: emit() would drop it, audio and
   * all, though speech that comes back before minSilenceMs continues it under the VAD's own rule (as in a file), so
   * ending it early would cut a first word ("I ... was not") off the segment that follows.
   */
  private canEndNow(): boolean {
    return this.speechStart >= 0 && this.silenceStart >= 0 && this.silenceStart - this.speechStart >= this.minSpeech;
  }

  /** Feeds samples of any length; returns the segments they complete. */
  async push(samples: Float32Array): Promise<SpeechSegment[]> {
    const out: SpeechSegment[] = [];
    let data = samples;
    if (this.pending.length > 0) {
      data = new Float32Array(this.pending.length + samples.length);
      data.set(this.pending);
      data.set(samples, this.pending.length);
    }
    let at = 0;
    for (; at + VAD_FRAME <= data.length; at += VAD_FRAME) {
      const seg = await this.frame(data.slice(at, at + VAD_FRAME));
      if (seg) out.push(seg);
    }
    this.pending = data.slice(at);
    return out;
  }

  /** End of stream: the segment in progress, if any. */
  flush(): SpeechSegment[] {
    if (this.pending.length > 0) {
      this.keep(this.pending);
      this.position += this.pending.length;
      this.pending = new Float32Array(0);
    }
    if (this.speechStart < 0) return [];
    const seg = this.emit(this.position);
    return seg ? [seg] : [];
  }

  private async frame(frame: Float32Array): Promise<SpeechSegment | null> {
    const prob = await this.vad.processChunk(frame, RATE);
    const frameStart = this.position;
    this.keep(frame);
    this.position += frame.length;
    if (this.speechStart < 0) {
      if (prob >= this.options.threshold) {
        this.speechStart = frameStart;
        this.silenceStart = -1;
      } else {
        this.trimTo(this.position - this.pad);
      }
      return null;
    }
    if (prob >= this.options.threshold) this.silenceStart = -1;
    else if (prob < this.negThreshold && this.silenceStart < 0) this.silenceStart = frameStart;
    if (this.silenceStart >= 0 && this.position - this.silenceStart >= this.minSilence) return this.emit(this.silenceStart);
    if (this.position - this.speechStart >= this.maxLength) return this.emit(this.position);
    return null;
  }

  /** Ends the current segment at `speechEnd` (a sample index), padded on both sides. */
  private emit(speechEnd: number): SpeechSegment | null {
    const speechStart = this.speechStart;
    const { from, to } = this.bounds(speechEnd);
    this.speechStart = -1;
    this.silenceStart = -1;
    const samples = this.slice(from, to);
    this.trimTo(this.position - this.pad);
    if (speechEnd - speechStart < this.minSpeech) return null;
    return { start: from / RATE, end: to / RATE, samples };
  }

  /** Sample range of the open segment ended at `speechEnd`, padded on both sides. */
  private bounds(speechEnd: number): { from: number; to: number } {
    return { from: Math.max(this.bufStart, this.speechStart - this.pad), to: Math.min(this.position, speechEnd + this.pad) };
  }

  private keep(frame: Float32Array): void {
    this.chunks.push(frame);
  }

  private slice(from: number, to: number): Float32Array {
    const out = new Float32Array(Math.max(0, to - from));
    let chunkStart = this.bufStart;
    for (const chunk of this.chunks) {
      const a = Math.max(from, chunkStart);
      const b = Math.min(to, chunkStart + chunk.length);
      if (b > a) out.set(chunk.subarray(a - chunkStart, b - chunkStart), a - from);
      chunkStart += chunk.length;
    }
    return out;
  }

  /** Drops buffered audio before sample index `from`. */
  private trimTo(from: number): void {
    while (this.chunks.length > 0 && this.bufStart + this.chunks[0]!.length <= from) {
      this.bufStart += this.chunks[0]!.length;
      this.chunks.shift();
    }
  }
}
