import { open, readFile } from 'node:fs/promises';
import { NativeOptionError, Resampler } from '../../native/index.js';
import { isAudioInputError } from './errors.js';
import { ASR_SAMPLE_RATE, decodeAudioFile, type FfmpegOptions } from './ffmpeg.js';
import { checkInputFile } from './input-file.js';
import { decodeWav, type AudioClip } from './wav.js';

/** Larger WAV files go through ffmpeg, which streams, instead of being read into memory whole. */
const WAV_IN_MEMORY_LIMIT = 256 * 1024 * 1024;

export type ReadAudioOptions = Omit<FfmpegOptions, 'sampleRate' | 'frameSamples'>;

/**
 * Reads any recording as 16 kHz mono samples for the pipeline. WAV files are decoded here without a subprocess,
 * those at other rates resampled by the native Resampler; everything else (compressed formats, WAV variants not
 * read directly, rates the Resampler refuses) goes through ffmpeg.
 */
export async function readAudio(file: string, options: ReadAudioOptions = {}): Promise<AudioClip> {
  const size = await checkInputFile(file);
  if (size <= WAV_IN_MEMORY_LIMIT && (await startsLikeWav(file))) {
    try {
      const wav = decodeWav(await readFile(file), file);
      if (wav.sampleRate === ASR_SAMPLE_RATE) return wav;
      const samples = resampleTo16k(wav);
      if (samples) return { ...wav, sampleRate: ASR_SAMPLE_RATE, durationSec: samples.length / ASR_SAMPLE_RATE, samples };
      const resampled = await decodeAudioFile(file, options);
      return { ...resampled, channels: wav.channels, truncated: wav.truncated || resampled.truncated };
    } catch (err) {
      if (!isAudioInputError(err, 'UNSUPPORTED_WAV')) throw err;
    }
  }
  return decodeAudioFile(file, options);
}

/** The clip at 16 kHz (band-limited sinc, in-process), or null for a rate pair the Resampler refuses. */
function resampleTo16k(clip: AudioClip): Float32Array | null {
  let resampler: Resampler;
  try {
    resampler = new Resampler(clip.sampleRate, ASR_SAMPLE_RATE);
  } catch (err) {
    if (err instanceof NativeOptionError) return null;
    throw err;
  }
  const body = resampler.process(clip.samples);
  const tail = resampler.flush();
  const out = new Float32Array(body.length + tail.length);
  out.set(body);
  out.set(tail, body.length);
  return out;
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
