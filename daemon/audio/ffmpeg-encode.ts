/**
 * Encoding through ffmpeg: 16-bit mono PCM in on stdin, Ogg Opus out to a file. The caller hands over only what
 * may be written (redacted audio hands over masked samples), so nothing else ever reaches the encoder.
 */
import { spawn } from 'node:child_process';

export class AudioEncodeError extends Error {
  override name = 'AudioEncodeError';
}

export interface OpusEncoder {
  /** Writes s16le PCM; resolves once ffmpeg has taken it (back-pressure), rejects when ffmpeg has failed. */
  write(pcm: Buffer): Promise<void>;
  /** Ends the input (after `last`, if given) and waits until ffmpeg has finished the file. */
  end(last?: Buffer): Promise<void>;
  /** Stops ffmpeg at once; the caller removes the unfinished file. */
  kill(): void;
}

/** One ffmpeg encoding s16le at `rate` from stdin to Ogg Opus (32 kbit/s) at `out`. */
export function startOpusEncoder(out: string, rate: number): OpusEncoder {
  const args = [
    '-nostdin',
    '-v',
    'error',
    '-y',
    '-f',
    's16le',
    '-ar',
    String(rate),
    '-ac',
    '1',
    '-i',
    'pipe:0',
    '-c:a',
    'libopus',
    '-b:a',
    '32k',
    '-f',
    'ogg',
    out,
  ];
  const child = spawn('ffmpeg', args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  child.stdin.on('error', () => {}); // a failing ffmpeg closes its stdin; 'close' reports why
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (err) => reject(new AudioEncodeError(`cannot run ffmpeg to encode opus (${(err as NodeJS.ErrnoException).code ?? err.message})`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new AudioEncodeError(`ffmpeg could not encode opus (exit code ${code}): ${stderr.trim()}`))));
  });
  done.catch(() => undefined); // observed by write() and end()
  return {
    write: (pcm) =>
      new Promise((resolve, reject) => {
        done.catch(reject);
        if (child.stdin.write(pcm)) resolve();
        else child.stdin.once('drain', resolve);
      }),
    end: async (last) => {
      if (last) child.stdin.end(last);
      else child.stdin.end();
      await done;
    },
    kill: () => void child.kill('SIGKILL'),
  };
}

/** Encodes one whole recording's PCM to Ogg Opus at `out`. */
export function encodeOpus(pcm: Buffer, out: string, rate: number): Promise<void> {
  return startOpusEncoder(out, rate).end(pcm);
}
