/**
 * Redacted audio: the recording with every personal-data span replaced by a tone or silence, computed from the
 * audio times of the redacted entities. Runs where the 16 kHz samples already are (the transcription worker, the
 * transcribe CLI); only masked samples are ever written, to a temp file in the output dir that is then renamed,
 * so a killed process leaves no partial file under the final name.
 */
import { closeSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ASR_SAMPLE_RATE, AudioEncodeError, encodeOpus, encodeWav16, pcm16WavHeader, startOpusEncoder, toPcm16, type OpusEncoder } from '../audio/index.js';
import { applyMask, maskRanges, type RedactedAudioMode } from './mask.js';

/** Temp files carry this suffix until renamed; one left by a killed process is removed at the next start. */
export const TEMP_SUFFIX = '.partial';

export const REDACTED_AUDIO_FORMATS = ['wav', 'opus'] as const;
export type RedactedAudioFormat = (typeof REDACTED_AUDIO_FORMATS)[number];

export interface RedactedAudioOptions {
  mode: RedactedAudioMode;
  /** Added on each side of a span: CTC word times are approximate. */
  padMs: number;
  format: RedactedAudioFormat;
}

/** Why redacted audio could not be written (the folder, the disk, the encoder). */
export class RedactedAudioError extends Error {
  override name = 'RedactedAudioError';
  readonly code = 'REDACTED_AUDIO_FAILED';
}

/** Writes redacted recordings into one directory, named by recording id. */
export class RedactedAudioWriter {
  constructor(
    readonly dir: string,
    readonly options: RedactedAudioOptions,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /**
   * Removes temp files a killed process left behind; returns their names. Call once at start. `prefix`: only
   * those of recordings whose id starts with it (the file worker, restarted while live sessions write theirs).
   */
  cleanStale(prefix = ''): string[] {
    const stale = readdirSync(this.dir).filter((n) => n.startsWith(`.${prefix}`) && n.endsWith(TEMP_SUFFIX));
    for (const name of stale) rmSync(join(this.dir, name), { force: true });
    return stale;
  }

  /** Masks `samples` in place and writes them as `<name>.<format>`; returns the final path and its size. */
  async write(
    name: string,
    samples: Float32Array,
    spans: readonly { start: number | null; end: number | null }[],
    rate = ASR_SAMPLE_RATE,
  ): Promise<{ path: string; bytes: number }> {
    applyMask(samples, maskRanges(spans, this.options.padMs, samples.length, rate), this.options.mode, rate);
    const path = join(this.dir, `${name}.${this.options.format}`);
    const temp = join(this.dir, `.${name}.${this.options.format}${TEMP_SUFFIX}`);
    try {
      if (this.options.format === 'wav') writeFileSync(temp, encodeWav16(samples, rate));
      else await encodeOpus(toPcm16(samples), temp, rate);
      renameSync(temp, path);
    } catch (err) {
      rmSync(temp, { force: true });
      if (err instanceof RedactedAudioError) throw err;
      if (err instanceof AudioEncodeError) throw new RedactedAudioError(err.message);
      throw new RedactedAudioError(`cannot write the redacted audio to ${this.dir} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    return { path, bytes: statSync(path).size };
  }

  /** Starts a live session's recording, written as it is heard (see StreamingRedactedAudio). */
  stream(name: string, rate = ASR_SAMPLE_RATE): StreamingRedactedAudio {
    return new StreamingRedactedAudio(this.dir, name, this.options, rate);
  }
}

/**
 * The worker's writer for redaction.audio, or null when it is disabled. `cleanPrefix`: stale temp files of
 * recordings whose id starts with it are removed (null: none).
 */
export function openRedactedAudioWriter(
  config: RedactedAudioOptions & { enabled: boolean; dir: string | null },
  cleanPrefix: string | null = '',
): RedactedAudioWriter | null {
  if (!config.enabled) return null;
  if (!config.dir) throw new RedactedAudioError('redaction.audio.dir is not set (validateConfig fills in <dataDir>/audio)');
  const writer = new RedactedAudioWriter(config.dir, { mode: config.mode, padMs: config.padMs, format: config.format });
  if (cleanPrefix !== null) writer.cleanStale(cleanPrefix);
  return writer;
}

type Spans = readonly { start: number | null; end: number | null }[];

/**
 * A live session's redacted recording, written while it is heard so that RAM holds only the audio whose entities
 * may still be found. push() buffers decoded samples; commit(upToSec, spans) masks and appends everything before
 * upToSec to `.<name>.<format>.partial` and drops it from RAM; close(spans) appends the rest and renames the file
 * to `<name>.<format>`. The caller picks upToSec so that no later span (padded) can reach before it; spans are in
 * session time, the whole list each time (those before the written audio are ignored). Masking is that of
 * RedactedAudioWriter.write on the whole session: the same bytes. WAV: a header patched at close; opus: one
 * ffmpeg per session fed masked s16le on stdin. Any failure throws RedactedAudioError and removes the temp file;
 * the writer is then unusable.
 */
export class StreamingRedactedAudio {
  readonly path: string;
  readonly tempPath: string;
  private parts: Float32Array[] = [];
  /** Session sample index of the first buffered sample (= samples written so far). */
  private written = 0;
  private buffered = 0;
  private fd: number | null = null;
  private encoder: OpusEncoder | null = null;
  private failed: RedactedAudioError | null = null;
  private closed = false;

  constructor(
    readonly dir: string,
    readonly name: string,
    readonly options: RedactedAudioOptions,
    readonly rate = ASR_SAMPLE_RATE,
  ) {
    this.path = join(dir, `${name}.${options.format}`);
    this.tempPath = join(dir, `.${name}.${options.format}${TEMP_SUFFIX}`);
    try {
      mkdirSync(dir, { recursive: true });
      if (options.format === 'wav') {
        this.fd = openSync(this.tempPath, 'w');
        writeSync(this.fd, pcm16WavHeader(rate, 0));
      } else {
        writeFileSync(this.tempPath, ''); // ffmpeg creates it only once it has output: the temp file exists from the start
        this.encoder = startOpusEncoder(this.tempPath, rate);
      }
    } catch (err) {
      throw this.fail(err);
    }
  }

  /** Samples held in RAM, not yet written. */
  get bufferedSamples(): number {
    return this.buffered;
  }

  /** Session seconds written to the temp file so far. */
  get writtenSec(): number {
    return this.written / this.rate;
  }

  push(samples: Float32Array): void {
    if (this.closed || this.failed) return;
    if (samples.length === 0) return;
    this.parts.push(samples);
    this.buffered += samples.length;
  }

  /** Masks and writes the buffered audio before session time `upToSec`, then drops it from RAM. */
  async commit(upToSec: number, spans: Spans): Promise<void> {
    if (this.failed) throw this.failed;
    if (this.closed) throw new RedactedAudioError('the redacted audio of this session is already closed');
    const end = this.written + this.buffered;
    const upTo = Math.min(end, Number.isFinite(upToSec) ? Math.floor(upToSec * this.rate) : end);
    if (upTo <= this.written) return;
    const piece = this.take(upTo - this.written);
    applyMask(piece, maskRanges(spans, this.options.padMs, upTo, this.rate), this.options.mode, this.rate, this.written);
    this.written = upTo;
    try {
      const pcm = toPcm16(piece);
      if (this.fd !== null) writeSync(this.fd, pcm);
      else await this.encoder!.write(pcm);
    } catch (err) {
      throw this.fail(err);
    }
  }

  /** Writes the rest and renames the temp file to `<name>.<format>`; returns the final path and its size. */
  async close(spans: Spans): Promise<{ path: string; bytes: number }> {
    await this.commit(Infinity, spans);
    this.closed = true;
    try {
      if (this.fd !== null) {
        const header = pcm16WavHeader(this.rate, this.written * 2);
        writeSync(this.fd, header.subarray(4, 8), 0, 4, 4); // RIFF size
        writeSync(this.fd, header.subarray(40, 44), 0, 4, 40); // data size
        closeSync(this.fd);
        this.fd = null;
      } else if (this.encoder) {
        await this.encoder.end();
        this.encoder = null;
      }
      renameSync(this.tempPath, this.path);
    } catch (err) {
      throw this.fail(err);
    }
    return { path: this.path, bytes: statSync(this.path).size };
  }

  /** Gives up on this recording: stops the encoder and removes the temp file. */
  abort(): void {
    if (this.closed && !this.failed) return;
    this.closed = true;
    this.parts = [];
    this.buffered = 0;
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        // already unusable; the file is removed below
      }
      this.fd = null;
    }
    if (this.encoder) {
      this.encoder.kill();
      this.encoder = null;
    }
    try {
      rmSync(this.tempPath, { force: true });
    } catch {
      // the folder itself is gone or unusable: nothing of ours is left in it
    }
  }

  private take(count: number): Float32Array {
    const out = new Float32Array(count);
    let at = 0;
    while (at < count) {
      const part = this.parts[0]!;
      const n = Math.min(part.length, count - at);
      out.set(n === part.length ? part : part.subarray(0, n), at);
      if (n === part.length) this.parts.shift();
      else this.parts[0] = part.slice(n);
      at += n;
    }
    this.buffered -= count;
    return out;
  }

  private fail(err: unknown): RedactedAudioError {
    const error =
      err instanceof RedactedAudioError
        ? err
        : err instanceof AudioEncodeError
          ? new RedactedAudioError(err.message)
          : new RedactedAudioError(`cannot write the redacted audio to ${this.dir} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    this.failed = error;
    this.abort();
    return error;
  }
}
