/**
 * A cut-short WAV file still decodes (ffmpeg and ffprobe go by the bytes present), so truncation is found by
 * comparing the data size its header declares with what the file holds. Reads only the first 64 KiB.
 */
import { open } from 'node:fs/promises';

export interface WavShortfall {
  declaredSec: number;
  presentSec: number;
}

/** Null when the file is not a RIFF WAV, or holds all the data its header declares. */
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
