/**
 * The audio a segment is decoded after (TranscribeOptions.context): the last maxSec seconds of the stream's
 * previous speech segments, while they follow each other with at most maxGapSec of silence between them. A
 * sentence the VAD or the endpoint cut at a pause is then decoded with what was said before the pause, as if it
 * had not been cut (`npm run eval -- endpoint`). Holds at most maxSec of audio, in this worker's RAM only.
 */
/** A speech segment (vad/'s SpeechSegment) as far as context needs it: no import, so the config schema may use the defaults. */
interface HeardSegment {
  /** Seconds from the start of the stream. */
  start: number;
  end: number;
  samples: Float32Array;
}

const RATE = 16000;

export interface LeftContextOptions {
  /** Seconds of earlier speech decoded before a segment; 0: none. */
  maxSec: number;
  /** A segment starting more than this many seconds after the previous one ended gets no context. */
  maxGapSec: number;
  /** Context and segment together are at most this many seconds: a long segment is its own context, and a decode's cost grows with its length. */
  maxTotalSec: number;
}

/** The config's defaults (asr.leftContext), chosen on the endpoint evaluation's tuning clips (README "Live transcripts"). */
export const DEFAULT_LEFT_CONTEXT: LeftContextOptions = { maxSec: 4, maxGapSec: 2, maxTotalSec: 6 };

export class LeftContext {
  /** The latest segments' audio, oldest first, with their stream times; maxSec of audio at most. */
  private held: HeardSegment[] = [];

  constructor(private readonly options: LeftContextOptions) {}

  /** A segment was decoded for good (its final): it may be context for the next ones. */
  add(speech: HeardSegment): void {
    const { maxSec } = this.options;
    if (maxSec <= 0) return;
    if (!this.follows(speech.start)) this.held = [];
    this.held.push(speech);
    let sec = 0;
    for (let i = this.held.length - 1; i >= 0; i--) {
      sec += this.held[i]!.samples.length / RATE;
      if (sec >= maxSec) {
        this.held = this.held.slice(i);
        break;
      }
    }
  }

  /** Context audio for a segment of `seconds` starting at `start` (stream seconds); undefined after a longer silence or with none held. */
  before(start: number, seconds: number): Float32Array | undefined {
    if (!this.follows(start)) return undefined;
    const parts: Float32Array[] = [];
    this.held.forEach((s, i) => {
      // Segments padded on both sides may overlap the next one's padding: that audio is taken once, from the later.
      const next = this.held[i + 1]?.start ?? start;
      const keep = Math.min(s.samples.length, Math.round((next - s.start) * RATE));
      if (keep > 0) parts.push(s.samples.subarray(0, keep));
    });
    const total = parts.reduce((n, p) => n + p.length, 0);
    const { maxSec, maxTotalSec } = this.options;
    const length = Math.max(0, Math.min(total, Math.round(Math.min(maxSec, maxTotalSec - seconds) * RATE)));
    if (length === 0) return undefined;
    const out = new Float32Array(length);
    let at = length;
    for (let i = parts.length - 1; i >= 0 && at > 0; i--) {
      const p = parts[i]!;
      const take = Math.min(at, p.length);
      out.set(p.subarray(p.length - take), at - take);
      at -= take;
    }
    return out;
  }

  private follows(start: number): boolean {
    const last = this.held.at(-1);
    return last !== undefined && start - last.end <= this.options.maxGapSec;
  }
}
