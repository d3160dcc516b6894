/**
 * Wyoming audio-chunk payloads (any rate, 8/16/32-bit, interleaved channels) to 16 kHz mono float samples for
 * the recogniser: channels are averaged, then the native polyphase Resampler converts the rate. A chunk may end
 * inside a sample frame; the rest is kept for the next chunk.
 */
import { Resampler } from '../../native/index.js';
import { ASR_SAMPLE_RATE } from '../audio/index.js';
import type { PcmFormat } from './messages.js';

export const PCM_WIDTHS = [1, 2, 4] as const;
export const MIN_RATE = 4000;
export const MAX_RATE = 192_000;
export const MAX_CHANNELS = 8;

/** A friendly reason why `format` cannot be decoded, or null when it can. */
export function pcmFormatProblem(format: { rate?: unknown; width?: unknown; channels?: unknown }): string | null {
  const { rate, width, channels } = format;
  if (typeof rate !== 'number' || !Number.isInteger(rate) || rate < MIN_RATE || rate > MAX_RATE)
    return `Expected integer ${MIN_RATE}..${MAX_RATE} for rate but received ${JSON.stringify(rate)}`;
  if (!(PCM_WIDTHS as readonly unknown[]).includes(width)) return `Expected 1, 2 or 4 for width (bytes per sample) but received ${JSON.stringify(width)}`;
  if (typeof channels !== 'number' || !Number.isInteger(channels) || channels < 1 || channels > MAX_CHANNELS)
    return `Expected integer 1..${MAX_CHANNELS} for channels but received ${JSON.stringify(channels)}`;
  return null;
}

export class PcmConverter {
  private readonly frameBytes: number;
  private readonly resampler: Resampler | null;
  private rest: Buffer = Buffer.alloc(0);
  /** 16 kHz samples produced so far. */
  produced = 0;

  constructor(private readonly format: PcmFormat) {
    this.frameBytes = format.width * format.channels;
    this.resampler = format.rate === ASR_SAMPLE_RATE ? null : new Resampler(format.rate, ASR_SAMPLE_RATE);
  }

  push(bytes: Uint8Array): Float32Array {
    const all = this.rest.length > 0 ? Buffer.concat([this.rest, bytes]) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    const whole = all.length - (all.length % this.frameBytes);
    this.rest = Buffer.from(all.subarray(whole));
    const mono = this.mono(all.subarray(0, whole));
    return this.count(this.resampler ? this.resampler.process(mono) : mono);
  }

  /** The resampler's tail at the end of the audio. */
  flush(): Float32Array {
    return this.count(this.resampler ? this.resampler.flush() : new Float32Array(0));
  }

  private count(samples: Float32Array): Float32Array {
    this.produced += samples.length;
    return samples;
  }

  private mono(bytes: Buffer): Float32Array {
    const { width, channels } = this.format;
    const frames = bytes.length / this.frameBytes;
    const out = new Float32Array(frames);
    const read =
      width === 2
        ? (at: number) => bytes.readInt16LE(at) / 32768
        : width === 4
          ? (at: number) => bytes.readInt32LE(at) / 2147483648
          : (at: number) => (bytes[at]! - 128) / 128;
    for (let f = 0, at = 0; f < frames; f++) {
      let sum = 0;
      for (let c = 0; c < channels; c++, at += width) sum += read(at);
      out[f] = sum / channels;
    }
    return out;
  }
}
