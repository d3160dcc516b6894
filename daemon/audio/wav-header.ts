/**
 * What ffmpeg does not say about a WAV file, from its header (the first 64 KiB): a cut-short file still decodes
 * (ffmpeg and ffprobe go by the bytes present), so truncation is found by comparing the data size its header
 * declares with what the file holds; and ffmpeg guesses at odd bit depths (7-bit PCM decodes at twice its length),
 * so those are refused first.
 */
import { open } from 'node:fs/promises';
import { parseWavFormat } from '../audio/wav.js';

export interface WavShortfall {
  declaredSec: number;
  presentSec: number;
}

/** Throws AudioInputError UNSUPPORTED_ENCODING for PCM or float samples of an odd bit depth; other oddities are ffmpeg's to judge. */
function checkEncoding(fmt: Buffer, path: string): void {
  try {
    parseWavFormat(fmt, path);
  } catch (err) {
    if ((err as { code?: string }).code === 'UNSUPPORTED_ENCODING') throw err;
  }
}

/**
 * Null when the file is not a RIFF WAV, or holds all the data its header declares. Throws AudioInputError
 * UNSUPPORTED_ENCODING for a bit depth that cannot be decoded right.
 */
export async function wavShortfall(path: string): Promise<WavShortfall | null> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const head = Buffer.alloc(Math.min(size, 65536));
    await file.read(head, 0, head.length, 0);
    if (head.length < 12 || head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'WAVE') return null;
    let byteRate = 0;
    for (let at = 12; at + 8 <= head.length; ) {
      const id = head.toString('latin1', at, at + 4);
      const chunkSize = head.readUInt32LE(at + 4);
      if (id === 'fmt ' && at + 20 <= head.length) byteRate = head.readUInt32LE(at + 16);
      if (id === 'fmt ') checkEncoding(head.subarray(at + 8, at + 8 + chunkSize), path);
      if (id === 'data') {
        const present = size - (at + 8);
        // 0 and 0xFFFFFFFF are what streaming writers leave when they cannot seek back: unknown, not truncated.
        if (byteRate === 0 || chunkSize === 0 || chunkSize === 0xffffffff || present >= chunkSize) return null;
        return { declaredSec: chunkSize / byteRate, presentSec: present / byteRate };
      }
      at += 8 + chunkSize + (chunkSize % 2);
    }
    return null;
  } finally {
    await file.close();
  }
}
