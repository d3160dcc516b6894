import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { AudioInputError } from './errors.js';
import { Framer } from './framer.js';
import { checkInputFile } from './input-file.js';
import type { AudioClip } from './wav.js';

/** The rate every later stage (VAD, features, ASR) works at. */
export const ASR_SAMPLE_RATE = 16000;

export interface FfmpegOptions {
  /** ffmpeg binary: a name looked up on PATH, or a path. Default 'ffmpeg'. */
  ffmpegPath?: string;
  /** ffprobe binary, as ffmpegPath. Default 'ffprobe'. */
  ffprobePath?: string;
  /** Output sample rate in Hz. Default 16000. */
  sampleRate?: number;
  /** Yield frames of exactly this many samples (the last one may be shorter). Default: chunks as ffmpeg delivers them. */
  frameSamples?: number;
}

export interface AudioProbe {
  /** Seconds the container declares; undefined when it does not say (raw streams, some Ogg files). */
  durationSec: number | undefined;
  channels: number;
  sampleRate: number;
  codec: string;
}

interface ResolvedOptions {
  ffmpegPath: string;
  ffprobePath: string;
  sampleRate: number;
  frameSamples: number | undefined;
}

function resolveOptions(options: FfmpegOptions): ResolvedOptions {
  const { ffmpegPath = 'ffmpeg', ffprobePath = 'ffprobe', sampleRate = ASR_SAMPLE_RATE, frameSamples } = options;
  for (const [name, value] of Object.entries({ ffmpegPath, ffprobePath })) {
    if (typeof value !== 'string' || value === '') throw new TypeError(`${name} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  if (!Number.isInteger(sampleRate) || sampleRate < 1000 || sampleRate > 384000) {
    throw new RangeError(`sampleRate must be an integer between 1000 and 384000 Hz, got ${sampleRate}`);
  }
  if (frameSamples !== undefined && (!Number.isInteger(frameSamples) || frameSamples < 1)) {
    throw new RangeError(`frameSamples must be a positive integer, got ${frameSamples}`);
  }
  return { ffmpegPath, ffprobePath, sampleRate, frameSamples };
}

/**
 * Decodes any file ffmpeg reads into mono float frames at `sampleRate` (16 kHz by default), streaming:
 * ffmpeg blocks while the consumer is not reading, and is killed when the consumer stops early.
 */
export async function* decodeAudioStream(file: string, options: FfmpegOptions = {}): AsyncGenerator<Float32Array, void, undefined> {
  const opts = resolveOptions(options);
  await checkInputFile(file);
  // `file:` keeps names with ':' or a leading '-' from being read as protocols or options; `-v error` keeps
  // metadata tags (file contents) out of stderr, which ends up in error messages. rematrix_maxval 1 makes the
  // mono downmix keep the level (stereo: (L+R)/2) instead of summing channels past full scale.
  const args = [
    '-hide_banner',
    '-nostdin',
    '-nostats',
    '-v',
    'error',
    '-i',
    `file:${resolve(file)}`,
    '-map',
    '0:a:0',
    '-rematrix_maxval',
    '1.0',
    '-f',
    'f32le',
    '-ac',
    '1',
    '-ar',
    String(opts.sampleRate),
    'pipe:1',
  ];
  const tool = await startTool('ffmpeg', opts.ffmpegPath, args, file);
  const framer = opts.frameSamples === undefined ? undefined : new Framer(opts.frameSamples);
  const floats = new FloatAssembler();
  let decoded = 0;
  try {
    for await (const chunk of tool.child.stdout) {
      const samples = floats.push(chunk as Buffer);
      decoded += samples.length;
      if (!framer) {
        if (samples.length > 0) yield samples;
      } else {
        yield* framer.push(samples);
      }
    }
    const exit = await tool.closed;
    if (exit.code !== 0) throw failure(file, exit, tool.stderrTail());
    if (decoded === 0) throw new AudioInputError('EMPTY_FILE', file, 'has an audio stream with no samples', { stderrTail: tool.stderrTail() });
    const rest = framer?.flush();
    if (rest) yield rest;
  } finally {
    if (tool.child.exitCode === null && tool.child.signalCode === null) tool.child.kill('SIGKILL');
    await tool.closed;
  }
}

export interface DecodedAudio extends AudioClip {
  /** Duration the container declares (ffprobe); undefined when unknown. */
  declaredDurationSec: number | undefined;
}

/** Decodes a whole file to one mono Float32Array at `sampleRate`; flags files that end before their declared duration. */
export async function decodeAudioFile(file: string, options: FfmpegOptions = {}): Promise<DecodedAudio> {
  const { frameSamples: _ignored, ...rest } = options;
  const opts = resolveOptions(rest);
  const [probe, decoded] = await Promise.allSettled([probeAudio(file, opts), collect(decodeAudioStream(file, opts))]);
  if (decoded.status === 'rejected') throw decoded.reason;
  if (probe.status === 'rejected') throw probe.reason;
  const samples = decoded.value;
  const durationSec = samples.length / opts.sampleRate;
  const declaredDurationSec = probe.value.durationSec;
  // Encoder delay and padding make decoded lengths differ a little from the declared one.
  const tolerance = declaredDurationSec === undefined ? 0 : Math.max(0.25, declaredDurationSec * 0.02);
  const truncated = declaredDurationSec !== undefined && durationSec < declaredDurationSec - tolerance;
  return { sampleRate: opts.sampleRate, channels: probe.value.channels, durationSec, samples, truncated, declaredDurationSec };
}

/** Reads duration, channels, rate and codec of the first audio stream (for progress bars and reports). */
export async function probeAudio(file: string, options: Pick<FfmpegOptions, 'ffprobePath'> = {}): Promise<AudioProbe> {
  const opts = resolveOptions(options);
  await checkInputFile(file);
  const args = [
    '-v',
    'error',
    '-select_streams',
    'a:0',
    '-show_entries',
    'format=duration:stream=codec_name,channels,sample_rate',
    '-of',
    'json',
    `file:${resolve(file)}`,
  ];
  const tool = await startTool('ffprobe', opts.ffprobePath, args, file);
  const chunks: Buffer[] = [];
  for await (const chunk of tool.child.stdout) chunks.push(chunk as Buffer);
  const exit = await tool.closed;
  if (exit.code !== 0) throw failure(file, exit, tool.stderrTail());
  const report = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
    format?: { duration?: string };
    streams?: { codec_name?: string; channels?: number; sample_rate?: string }[];
  };
  const stream = report.streams?.[0];
  if (!stream) throw new AudioInputError('NOT_AUDIO', file, 'contains no audio stream', { stderrTail: tool.stderrTail() });
  const duration = Number.parseFloat(report.format?.duration ?? '');
  return {
    durationSec: Number.isFinite(duration) ? duration : undefined,
    channels: stream.channels ?? 0,
    sampleRate: Number.parseInt(stream.sample_rate ?? '0', 10),
    codec: stream.codec_name ?? 'unknown',
  };
}

async function collect(frames: AsyncIterable<Float32Array>): Promise<Float32Array> {
  const parts: Float32Array[] = [];
  let length = 0;
  for await (const frame of frames) {
    parts.push(frame);
    length += frame.length;
  }
  const out = new Float32Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

interface ToolExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface RunningTool {
  child: ChildProcessByStdio<null, Readable, Readable>;
  closed: Promise<ToolExit>;
  stderrTail(): string;
}

const STDERR_TAIL_BYTES = 2048;

async function startTool(tool: 'ffmpeg' | 'ffprobe', binary: string, args: string[], file: string): Promise<RunningTool> {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    stderr = (stderr + text).slice(-STDERR_TAIL_BYTES);
  });
  const closed = new Promise<ToolExit>((done) => child.once('close', (code, signal) => done({ code, signal })));
  try {
    await new Promise<void>((started, failed) => {
      child.once('spawn', started);
      child.once('error', failed);
    });
  } catch (err) {
    throw new AudioInputError(
      'FFMPEG_MISSING',
      file,
      `cannot be decoded: ${tool} could not be started as '${binary}' (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). ` +
        `Install it (apt-get install ffmpeg) or pass its path.`,
      { cause: err },
    );
  }
  // Later errors (e.g. a failed kill) must not crash the process; the exit status tells the story.
  child.on('error', () => undefined);
  return { child, closed, stderrTail: () => stderr.split('\n').slice(-12).join('\n') };
}

/** Turns a failed ffmpeg/ffprobe run into a typed error, from what it printed. */
function failure(file: string, exit: ToolExit, stderrTail: string): AudioInputError {
  const details = { stderrTail };
  if (/does not contain any stream|matches no streams/i.test(stderrTail)) {
    return new AudioInputError('NOT_AUDIO', file, 'contains no audio stream', details);
  }
  if (/Invalid data found when processing input/i.test(stderrTail)) {
    return new AudioInputError('NOT_AUDIO', file, 'is not in an audio format ffmpeg recognises', details);
  }
  if (/End of file|Could not seek|Invalid frame size|could not find codec parameters|truncat|partial file/i.test(stderrTail)) {
    return new AudioInputError('TRUNCATED', file, 'has no complete audio frame (cut off or damaged)', details);
  }
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  return new AudioInputError('DECODE_FAILED', file, `could not be decoded (the decoder ${how})`, details);
}

/** Reassembles little-endian float32 samples from pipe chunks that may split a sample. */
export class FloatAssembler {
  private pending = Buffer.alloc(0);

  push(chunk: Buffer): Float32Array {
    const bytes = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    const whole = bytes.length - (bytes.length % 4);
    this.pending = Buffer.from(bytes.subarray(whole));
    const out = new Float32Array(whole / 4);
    // Copy rather than view: chunk offsets are not 4-byte aligned. Pi and Jetson CPUs are little-endian, like f32le.
    new Uint8Array(out.buffer).set(bytes.subarray(0, whole));
    return out;
  }
}
