/**
 * A recording's audio for the daemon's file path: plain PCM WAV files at 16 kHz or above are read in-process
 * (wav-stream.ts), without spawning ffmpeg or ffprobe; every other format, and WAV layouts not read there, go through
 * ffmpeg. Files below 16 kHz (8 kHz telephone audio) keep ffmpeg too: upsampled by the native Resampler they gave
 * transcripts that differ from ffmpeg's in a word or two (test/audio-recording.test.ts), and the daemon's
 * transcripts must not change with this path.
 */
import { ASR_SAMPLE_RATE, decodeAudioStream, probeAudio, type AudioProbe } from './ffmpeg.js';
import { checkInputFile } from './input-file.js';
import { plainWavLayout, resamplerTo16k, streamWav, type WavLayout } from './wav-stream.js';

/** The layout of a WAV file read in-process, or null for one that goes through ffmpeg. */
async function inProcessLayout(file: string): Promise<WavLayout | null> {
  const layout = await plainWavLayout(file);
  return layout && layout.format.sampleRate >= ASR_SAMPLE_RATE ? layout : null;
}

/** Duration, channels, rate and codec: from a plain WAV file's header, else ffprobe's. */
export async function probeRecording(file: string): Promise<AudioProbe> {
  await checkInputFile(file);
  const layout = await inProcessLayout(file);
  if (!layout) return probeAudio(file);
  const { channels, sampleRate, bitsPerSample } = layout.format;
  const byteRate = sampleRate * channels * (bitsPerSample / 8);
  return { durationSec: layout.dataBytes / byteRate, channels, sampleRate, codec: bitsPerSample === 8 ? 'pcm_u8' : `pcm_s${bitsPerSample}le` };
}

/** 16 kHz mono frames of `frameSamples` (the last may be shorter), streaming, as decodeAudioStream gives them. */
export async function* streamRecording(file: string, options: { frameSamples?: number } = {}): AsyncGenerator<Float32Array, void, undefined> {
  await checkInputFile(file);
  const layout = await inProcessLayout(file);
  const rate = layout?.format.sampleRate ?? ASR_SAMPLE_RATE;
  const resampler = rate === ASR_SAMPLE_RATE ? null : resamplerTo16k(rate);
  // ffmpeg for other formats, and for a rate pair the Resampler refuses.
  if (!layout || (rate !== ASR_SAMPLE_RATE && !resampler)) yield* decodeAudioStream(file, options);
  else yield* streamWav(file, layout, resampler, options.frameSamples);
}
