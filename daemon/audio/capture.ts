/**
 * A live source's audio: its capture command (arecord for the microphone, or any command writing audio in a
 * format ffmpeg reads to stdout) decoded to 16 kHz mono float samples. A plain PCM/float WAV stream already at
 * 16 kHz (what the microphone source asks arecord for) is converted here as it arrives; anything else is piped into
 * ffmpeg, which decodes and resamples it. ffmpeg's WAV demuxer hands on nothing before a 1024-byte packet is full
 * (32 ms of 16 kHz 16-bit mono, its minimum): time a live endpoint would wait for on every segment, so ffmpeg is
 * skipped where nothing needs resampling (`npm run bench -- live`, stage captureLagMs).
 */
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { ASR_SAMPLE_RATE, FloatAssembler } from './ffmpeg.js';
import { monoSamples, type WavFormat } from './wav.js';
import { wavHeaderLayout } from './wav-stream.js';

const STDERR_TAIL = 1024;

export interface CaptureExit {
  code: number | null;
  signal: string | null;
  /** Set when the command could not be started. */
  error?: string;
}

export interface Capture {
  /** Decoded samples as they arrive; ends when the command's output ends. */
  readonly samples: AsyncIterable<Float32Array>;
  /** How the capture command ended. */
  readonly exited: Promise<CaptureExit>;
  /** The last lines the command (and ffmpeg, when used) wrote to stderr (for the reason a capture ended). */
  stderrTail(): string;
  /** Asks the capture command to end (SIGTERM); the samples then drain and `samples` ends. */
  stop(): void;
}

async function* fromFfmpeg(stdout: Readable): AsyncGenerator<Float32Array> {
  const floats = new FloatAssembler();
  for await (const chunk of stdout) yield floats.push(chunk as Buffer);
}

/** A 16 kHz WAV stream's samples, channels averaged: `first`, the data bytes read with the header, then the rest. */
async function* fromWav(format: WavFormat, first: Buffer, rest: Readable, ended: boolean): AsyncGenerator<Float32Array> {
  const frameBytes = (format.bitsPerSample / 8) * format.channels;
  let pending = Buffer.alloc(0);
  const take = (chunk: Buffer) => {
    const bytes = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    const whole = bytes.length - (bytes.length % frameBytes);
    pending = Buffer.from(bytes.subarray(whole)); // a sample frame split between two reads
    return monoSamples(bytes.subarray(0, whole), format);
  };
  if (first.length > 0) yield take(first);
  if (ended) return;
  for await (const chunk of rest) yield take(chunk as Buffer);
}

export function startCapture(argv: readonly string[]): Capture {
  const [cmd, ...args] = argv;
  let stderr = '';
  const keepTail = (d: Buffer) => (stderr = (stderr + d.toString()).slice(-STDERR_TAIL));
  const source = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  source.stderr.on('data', keepTail);
  const exited = new Promise<CaptureExit>((done) => {
    source.once('error', (err) => done({ code: null, signal: null, error: `cannot start ${cmd}: ${(err as NodeJS.ErrnoException).code ?? err.message}` }));
    source.once('exit', (code, signal) => done({ code, signal }));
  });
  // The first bytes tell the input's format: a 16 kHz WAV is read here, anything else goes through ffmpeg.
  const samples = streamHead(source.stdout).then(({ head, wav, ended }): AsyncIterable<Float32Array> => {
    if (wav && wav.format.sampleRate === ASR_SAMPLE_RATE) return fromWav(wav.format, head.subarray(wav.dataStart), source.stdout, ended);
    const decoder = spawn(
      'ffmpeg',
      [
        '-hide_banner',
        '-nostdin',
        '-v',
        'error',
        ...inputOptions(head),
        '-i',
        'pipe:0',
        '-flush_packets',
        '1',
        '-f',
        'f32le',
        '-ac',
        '1',
        '-ar',
        String(ASR_SAMPLE_RATE),
        'pipe:1',
      ],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    decoder.stderr.on('data', keepTail);
    decoder.stdin.on('error', () => undefined); // ffmpeg gone first: its exit status tells why
    decoder.stdin.write(head);
    if (ended) decoder.stdin.end();
    else source.stdout.pipe(decoder.stdin);
    return fromFfmpeg(decoder.stdout);
  });
  return {
    samples: (async function* () {
      yield* await samples;
    })(),
    exited,
    stderrTail: () => stderr.trim().split('\n').slice(-3).join(' | '),
    stop: () => void source.kill('SIGTERM'),
  };
}

/**
 * ffmpeg's WAV demuxer reads 4096-byte packets and decodes nothing before a packet is full: 128 ms of 16 kHz 16-bit
 * mono waiting in ffmpeg. For a WAV stream (one that needs resampling, or a layout only ffmpeg reads), the input
 * is named (no probing) and packets are 1024 bytes (the demuxer's minimum). Other formats keep ffmpeg's probing and
 * packet sizes.
 */
function inputOptions(head: Buffer): string[] {
  const wav = head.length >= WAV_MAGIC_BYTES && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WAVE';
  return wav ? ['-f', 'wav', '-max_size', '1024'] : [];
}

/** "RIFF", length, "WAVE". */
const WAV_MAGIC_BYTES = 12;
/** Bytes read at most while looking for a WAV stream's data chunk (arecord's header is 44). */
const WAV_HEAD_LIMIT = 65536;

interface StreamHead {
  /** Everything read so far; the stream is paused after it. */
  head: Buffer;
  /** A little-endian PCM/float WAV header, whole: its format and where its samples start in `head`. */
  wav: { format: WavFormat; dataStart: number } | null;
  ended: boolean;
}

/**
 * The stream's first bytes: a WAV stream's whole header (up to its first sample), or for anything else its first
 * WAV_MAGIC_BYTES (all there is when it ends first).
 */
function streamHead(stream: Readable): Promise<StreamHead> {
  return new Promise((done) => {
    const parts: Buffer[] = [];
    let have = 0;
    const finish = (ended: boolean) => {
      stream.off('data', onData);
      stream.off('close', onEnd);
      stream.pause();
      const head = Buffer.concat(parts);
      const layout = wavHeaderLayout(head, 'the capture stream');
      done({ head, wav: layout === 'more' ? null : layout, ended });
    };
    const onData = (chunk: Buffer) => {
      parts.push(chunk);
      have += chunk.length;
      if (have >= WAV_MAGIC_BYTES && (have >= WAV_HEAD_LIMIT || wavHeaderLayout(Buffer.concat(parts), 'the capture stream') !== 'more')) finish(false);
    };
    const onEnd = () => finish(true);
    stream.on('data', onData);
    stream.once('close', onEnd);
  });
}
