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
  const ffmpeg = spawn(
    'ffmpeg',
    ['-hide_banner', '-nostdin', '-v', 'error', '-i', 'pipe:0', '-flush_packets', '1', '-f', 'f32le', '-ac', '1', '-ar', String(ASR_SAMPLE_RATE), 'pipe:1'],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  source.stderr.on('data', keepTail);
  ffmpeg.stderr.on('data', keepTail);
  source.stdout.pipe(ffmpeg.stdin);
  ffmpeg.stdin.on('error', () => undefined); // ffmpeg gone first: its exit status tells why
  const exited = new Promise<CaptureExit>((done) => {
    source.once('error', (err) => done({ code: null, signal: null, error: `cannot start ${cmd}: ${(err as NodeJS.ErrnoException).code ?? err.message}` }));
    source.once('exit', (code, signal) => done({ code, signal }));
  });
  return {
    samples: decoded(ffmpeg.stdout),
    exited,
    stderrTail: () => stderr.trim().split('\n').slice(-3).join(' | '),
    stop: () => void source.kill('SIGTERM'),
  };
}
