/**
 * The acoustic model's posteriors of an evaluation WAV, kept on disk so that decoding sweeps (hotword boosts, LM
 * settings) rerun the search alone. One file per WAV and model, keyed by the model file's name, size and mtime and the
 * WAV's path, size and mtime: a retrained model or a rebuilt set is never read from a stale entry.
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { LogProbs } from '../../daemon/asr/ctc.js';
import type { Recognizer } from '../../daemon/asr/index.js';
import { readAudio } from '../../daemon/audio/index.js';

/** Reassembles one piece's posteriors from its segments (they tile the piece's frames). */
export function joinPosteriors(parts: ReadonlyArray<{ data: Float32Array; frames: number; vocab: number }>, vocab: number): LogProbs {
  const frames = parts.reduce((n, p) => n + p.frames, 0);
  const data = new Float32Array(frames * vocab);
  let at = 0;
  for (const p of parts) {
    data.set(p.data, at);
    at += p.data.length;
  }
  return { data, frames, vocab };
}

const stamp = (path: string, name = path): string => {
  const s = statSync(path);
  return `${name}:${s.size}:${s.mtimeMs}`;
};

export class PosteriorCache {
  private readonly dir: string;

  /** `recognizer` decodes greedily (the posteriors do not depend on the search); `modelPath` keys the cache. */
  constructor(
    cacheDir: string,
    modelPath: string,
    private readonly recognizer: Recognizer,
    private readonly vocab: number,
  ) {
    this.dir = join(
      cacheDir,
      `posteriors-${createHash('sha1')
        .update(stamp(modelPath, basename(modelPath)))
        .digest('hex')
        .slice(0, 12)}`,
    );
  }

  /** The recording's posteriors (none when it is too short to decode); its pieces are joined, as tune.ts does. */
  async get(wav: string): Promise<LogProbs[]> {
    const file = join(this.dir, `${createHash('sha1').update(stamp(wav)).digest('hex')}.f32`);
    if (existsSync(file)) return this.decode(await readFile(file));
    const t = await this.recognizer.transcribe((await readAudio(wav)).samples, { posteriors: true });
    // Segments tile their piece's frames and pieces tile the recording: joined, they are the whole recording.
    const pieces =
      t.segments.length === 0
        ? []
        : [
            joinPosteriors(
              t.segments.map((s) => s.posteriors!),
              this.vocab,
            ),
          ];
    await mkdir(this.dir, { recursive: true });
    const tmp = `${file}.partial-${process.pid}`;
    await writeFile(tmp, this.encode(pieces));
    await rename(tmp, file);
    return pieces;
  }

  /** Layout: uint32 piece count, then per piece uint32 frames and frames * vocab float32. */
  private encode(pieces: LogProbs[]): Buffer {
    const parts: Buffer[] = [Buffer.from(new Uint32Array([pieces.length]).buffer)];
    for (const p of pieces) {
      parts.push(Buffer.from(new Uint32Array([p.frames]).buffer));
      parts.push(Buffer.from(p.data.buffer, p.data.byteOffset, p.data.byteLength));
    }
    return Buffer.concat(parts);
  }

  private decode(buf: Buffer): LogProbs[] {
    const bytes = new Uint8Array(buf.byteLength);
    bytes.set(buf);
    const view = new DataView(bytes.buffer);
    const count = view.getUint32(0, true);
    const out: LogProbs[] = [];
    let at = 4;
    for (let i = 0; i < count; i++) {
      const frames = view.getUint32(at, true);
      at += 4;
      out.push({ data: new Float32Array(bytes.buffer, at, frames * this.vocab), frames, vocab: this.vocab });
      at += frames * this.vocab * 4;
    }
    return out;
  }
}
