/**
 * A recording's audio for the daemon's file path: plain PCM WAV files at 16 kHz are read in-process (wav-stream.ts),
 * without spawning ffmpeg or ffprobe, with the very samples ffmpeg gives (test/audio-recording.test.ts); every other
 * format and rate goes through ffmpeg. Other WAV rates keep ffmpeg because the native Resampler's output differs from
 * ffmpeg's by up to about 1e-4: 8 kHz speech was then heard a word differently, and the daemon's redacted audio would
 * no longer be the input as ffmpeg decodes it outside the masked spans (test/redaction-audio-e2e.test.ts).
 */
import { ASR_SAMPLE_RATE, decodeAudioStream, probeAudio, type AudioProbe } from './ffmpeg.js';
import { checkInputFile } from './input-file.js';
import { plainWavLayout, streamWav, type WavLayout } from './wav-stream.js';

/** The layout of a WAV file read in-process, or null for one that goes through ffmpeg. */
async function inProcessLayout(file: string): Promise<WavLayout | null> {
  const layout = await plainWavLayout(file);
  return layout?.format.sampleRate === ASR_SAMPLE_RATE ? layout : null;
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
  if (layout) yield* streamWav(file, layout, options.frameSamples);
  else yield* decodeAudioStream(file, options);
}
