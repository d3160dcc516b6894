import { open, readFile } from 'node:fs/promises';
import { isAudioInputError } from './errors.js';
import { ASR_SAMPLE_RATE, decodeAudioFile, type FfmpegOptions } from './ffmpeg.js';
import { checkInputFile } from './input-file.js';
import { decodeWav, type AudioClip } from './wav.js';

/** Larger WAV files go through ffmpeg, which streams, instead of being read into memory whole. */
const WAV_IN_MEMORY_LIMIT = 256 * 1024 * 1024;

export type ReadAudioOptions = Omit<FfmpegOptions, 'sampleRate' | 'frameSamples'>;

/**
 * Reads any recording as 16 kHz mono samples for the pipeline. 16 kHz WAV files are decoded here without a
 * subprocess; everything else (other rates, compressed formats, WAV variants not read directly) goes through ffmpeg.
 */
export async function readAudio(file: string, options: ReadAudioOptions = {}): Promise<AudioClip> {
  const size = await checkInputFile(file);
  if (size <= WAV_IN_MEMORY_LIMIT && (await startsLikeWav(file))) {
    try {
      const wav = decodeWav(await readFile(file), file);
      if (wav.sampleRate === ASR_SAMPLE_RATE) return wav;
      const resampled = await decodeAudioFile(file, options);
      return { ...resampled, channels: wav.channels, truncated: wav.truncated || resampled.truncated };
    } catch (err) {
      if (!isAudioInputError(err, 'UNSUPPORTED_WAV')) throw err;
    }
  }
  return decodeAudioFile(file, options);
}

async function startsLikeWav(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(12), 0, 12, 0);
    return bytesRead === 12 && buffer.toString('latin1', 8, 12) === 'WAVE';
  } finally {
    await handle.close();
  }
}
