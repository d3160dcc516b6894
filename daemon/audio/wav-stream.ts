/**
 * WAV recordings read without ffmpeg, streaming: the header here, the samples in blocks, channels averaged, so
 * memory stays flat whatever the file's length. Only plain layouts are taken: little-endian RIFF, integer PCM (float
 * WAVs may hold values beyond full scale, which ffmpeg passes through), the data chunk within the first 64 KiB with a
 * real size (not the 0 or 0xFFFFFFFF of an unfinished header). Anything else is null here and goes through ffmpeg as
 * before, so its errors and quirks stay ffmpeg's.
 */
import { open } from 'node:fs/promises';
import { Framer } from './framer.js';
import { monoSamples, parseWavFormat, type WavFormat } from './wav.js';

const HEADER_BYTES = 65536;
/** Bytes read per block: about 2 s of 16-bit stereo at 16 kHz. */
const BLOCK_BYTES = 1 << 17;

export interface WavLayout {
  format: WavFormat;
  /** Byte offset of the first sample. */
  dataStart: number;
  /** Sample bytes present: the data chunk's declared size, or less when the file was cut short. */
  dataBytes: number;
}

/**
 * The WAV header at the start of `head`, walked chunk by chunk up to the data chunk: its format, where its samples
 * start and the size the data chunk declares; 'more' when the header goes on past `head`; null when it is not a
 * little-endian RIFF/WAVE header with a format read here (`name` only names it in errors ffmpeg would report).
 */
export function wavHeaderLayout(head: Buffer, name: string): { format: WavFormat; dataStart: number; declaredBytes: number } | 'more' | null {
  if (head.length >= 4 && head.toString('latin1', 0, 4) !== 'RIFF') return null;
  if (head.length < 12) return 'more';
  if (head.toString('latin1', 8, 12) !== 'WAVE') return null;
  let format: WavFormat | null = null;
  for (let at = 12; ; ) {
    if (at + 8 > head.length) return 'more';
    const id = head.toString('latin1', at, at + 4);
    const chunkSize = head.readUInt32LE(at + 4);
    if (id === 'data') return format ? { format, dataStart: at + 8, declaredBytes: chunkSize } : null;
    if (at + 8 + chunkSize > head.length) return 'more';
    if (id === 'fmt ') {
      try {
        format = parseWavFormat(head.subarray(at + 8, at + 8 + chunkSize), name);
      } catch {
        return null; // ffmpeg decodes it or says what is wrong, as before
      }
    }
    // Odd-sized chunks are padded to an even size.
    at += 8 + chunkSize + (chunkSize % 2);
  }
}

/** The layout of a plain PCM WAV file (see above), or null for anything that goes through ffmpeg. */
export async function plainWavLayout(file: string): Promise<WavLayout | null> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(Math.min(size, HEADER_BYTES));
    await handle.read(head, 0, head.length, 0);
    const header = wavHeaderLayout(head, file);
    if (header === null || header === 'more') return null;
    const { format, dataStart, declaredBytes } = header;
    if (format.encoding !== 'int' || declaredBytes === 0 || declaredBytes === 0xffffffff) return null;
    const dataBytes = Math.min(declaredBytes, size - dataStart);
    return dataBytes > 0 ? { format, dataStart, dataBytes } : null;
  } finally {
    await handle.close();
  }
}

/** The file's samples as mono at its own rate, in frames of `frameSamples` (the last may be shorter) or as read. */
export async function* streamWav(file: string, layout: WavLayout, frameSamples?: number): AsyncGenerator<Float32Array, void, undefined> {
  const frameBytes = (layout.format.bitsPerSample / 8) * layout.format.channels;
  const blockBytes = BLOCK_BYTES - (BLOCK_BYTES % frameBytes);
  const framer = frameSamples === undefined ? null : new Framer(frameSamples);
  const emit = function* (samples: Float32Array): Generator<Float32Array> {
    if (samples.length === 0) return;
    if (framer) yield* framer.push(samples);
    else yield samples;
  };
  const handle = await open(file, 'r');
  try {
    const block = Buffer.alloc(blockBytes);
    // Whole frames only: a partial last frame means the writer stopped mid-sample.
    const total = layout.dataBytes - (layout.dataBytes % frameBytes);
    for (let done = 0; done < total; ) {
      const want = Math.min(blockBytes, total - done);
      const { bytesRead } = await handle.read(block, 0, want, layout.dataStart + done);
      const samples = monoSamples(block.subarray(0, bytesRead - (bytesRead % frameBytes)), layout.format);
      yield* emit(samples);
      if (bytesRead < want) break; // the file shrank while it was read: what was there is what it held
      done += bytesRead;
    }
    const rest = framer?.flush();
    if (rest) yield rest;
  } finally {
    await handle.close();
  }
}
