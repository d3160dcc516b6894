/**
 * A live source's audio: its capture command (arecord for the microphone, or any command writing audio in a
 * format ffmpeg reads to stdout) piped into ffmpeg, which decodes it to 16 kHz mono float samples.
 */
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { ASR_SAMPLE_RATE, FloatAssembler } from './ffmpeg.js';

const STDERR_TAIL = 1024;

export interface CaptureExit {
  code: number | null;
  signal: string | null;
  /** Set when the command could not be started. */
  error?: string;
}

export interface Capture {
  /** Decoded samples as ffmpeg delivers them; ends when the command's output ends. */
  readonly samples: AsyncIterable<Float32Array>;
  /** How the capture command ended. */
  readonly exited: Promise<CaptureExit>;
  /** The last lines both processes wrote to stderr (for the reason a capture ended). */
  stderrTail(): string;
  /** Asks the capture command to end (SIGTERM); ffmpeg then drains and `samples` ends. */
  stop(): void;
}

async function* decoded(stdout: Readable): AsyncGenerator<Float32Array> {
  const floats = new FloatAssembler();
  for await (const chunk of stdout) yield floats.push(chunk as Buffer);
}

export function startCapture(argv: readonly string[]): Capture {
  const [cmd, ...args] = argv;
  let stderr = '';
  const keepTail = (d: Buffer) => (stderr = (stderr + d.toString()).slice(-STDERR_TAIL));
  const source = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  source.stderr.on('data', keepTail);
  // ffmpeg starts once the first bytes tell the input's format (see inputOptions).
  const ffmpeg = firstBytes(source.stdout, WAV_MAGIC_BYTES).then(({ head, ended }) => {
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
    return decoder;
  });
  const exited = new Promise<CaptureExit>((done) => {
    source.once('error', (err) => done({ code: null, signal: null, error: `cannot start ${cmd}: ${(err as NodeJS.ErrnoException).code ?? err.message}` }));
    source.once('exit', (code, signal) => done({ code, signal }));
  });
  return {
    samples: (async function* () {
      yield* decoded((await ffmpeg).stdout);
    })(),
    exited,
    stderrTail: () => stderr.trim().split('\n').slice(-3).join(' | '),
    stop: () => void source.kill('SIGTERM'),
  };
}

/** "RIFF", length, "WAVE": what arecord and most capture commands write. */
const WAV_MAGIC_BYTES = 12;

/**
 * ffmpeg's WAV demuxer reads 4096-byte packets and decodes nothing before a packet is full: 128 ms of 16 kHz 16-bit
 * mono waiting in ffmpeg before the VAD hears it, and before a segment can end. With a WAV header, the input is
 * named (no probing) and packets are 1024 bytes (the demuxer's minimum, 32 ms at 16 kHz 16-bit mono). Other formats
 * keep ffmpeg's probing and packet sizes (the option exists only for WAV).
 */
function inputOptions(head: Buffer): string[] {
  const wav = head.length >= WAV_MAGIC_BYTES && head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WAVE';
  return wav ? ['-f', 'wav', '-max_size', '1024'] : [];
}

/** The stream's first `n` bytes (fewer if it ends first), the stream paused after them. */
function firstBytes(stream: Readable, n: number): Promise<{ head: Buffer; ended: boolean }> {
  return new Promise((done) => {
    const parts: Buffer[] = [];
    let have = 0;
    const finish = (ended: boolean) => {
      stream.off('data', onData);
      stream.off('close', onEnd);
      stream.pause();
      done({ head: Buffer.concat(parts), ended });
    };
    const onData = (chunk: Buffer) => {
      parts.push(chunk);
      have += chunk.length;
      if (have >= n) finish(false);
    };
    const onEnd = () => finish(true);
    stream.on('data', onData);
    stream.once('close', onEnd);
  });
}
