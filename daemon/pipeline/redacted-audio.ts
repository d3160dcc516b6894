/**
 * Redacted audio: the recording with every personal-data span replaced by a tone or silence, computed from the
 * audio times of the redacted entities. Runs where the 16 kHz samples already are (the transcription worker, the
 * transcribe CLI); only masked samples are ever written, to a temp file in the output dir that is then renamed,
 * so a killed process leaves no partial file under the final name.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ASR_SAMPLE_RATE, encodeWav16, toPcm16 } from '../audio/index.js';

export const REDACTED_AUDIO_MODES = ['tone', 'silence'] as const;
export const REDACTED_AUDIO_FORMATS = ['wav', 'opus'] as const;
export type RedactedAudioMode = (typeof REDACTED_AUDIO_MODES)[number];
export type RedactedAudioFormat = (typeof REDACTED_AUDIO_FORMATS)[number];

export interface RedactedAudioOptions {
  mode: RedactedAudioMode;
  /** Added on each side of a span: CTC word times are approximate. */
  padMs: number;
  format: RedactedAudioFormat;
}

/** 1 kHz at -20 dBFS: clearly a bleep, never clipping. */
export const TONE_HZ = 1000;
export const TONE_AMPLITUDE = 10 ** (-20 / 20);
/** Temp files carry this suffix until renamed; one left by a killed process is removed at the next start. */
export const TEMP_SUFFIX = '.partial';

export interface TimeSpan {
  start: number;
  end: number;
}

/**
 * Sample ranges [from, to) to mask: each span widened by padMs on both sides, clamped to the recording, sorted,
 * overlapping or touching ranges merged. Spans without a time (null) or empty after clamping are skipped.
 */
export function maskRanges(spans: readonly { start: number | null; end: number | null }[], padMs: number, totalSamples: number, rate = ASR_SAMPLE_RATE): [number, number][] {
  const pad = (padMs / 1000) * rate;
  const ranges = spans
    .filter((s): s is TimeSpan => s.start !== null && s.end !== null)
    .map((s): [number, number] => [Math.max(0, Math.floor(s.start * rate - pad)), Math.min(totalSamples, Math.ceil(s.end * rate + pad))])
    .filter(([from, to]) => to > from)
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const range of ranges) {
    const last = merged[merged.length - 1];
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push(range);
  }
  return merged;
}

/** Overwrites the ranges in place: a tone in phase with the recording's own clock, or zeros. */
export function applyMask(samples: Float32Array, ranges: readonly [number, number][], mode: RedactedAudioMode, rate = ASR_SAMPLE_RATE): void {
  const step = (2 * Math.PI * TONE_HZ) / rate;
  for (const [from, to] of ranges) {
    if (mode === 'silence') samples.fill(0, from, to);
    else for (let i = from; i < to; i++) samples[i] = TONE_AMPLITUDE * Math.sin(step * i);
  }
}

/** 16-bit PCM little-endian, rounded and clipped. */
export class RedactedAudioError extends Error {
  override name = 'RedactedAudioError';
  readonly code = 'REDACTED_AUDIO_FAILED';
}

/** Opus in Ogg through ffmpeg; masked PCM goes in on stdin, so nothing unmasked ever reaches the encoder. */
function encodeOpus(samples: Float32Array, out: string, rate: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const args = ['-nostdin', '-v', 'error', '-y', '-f', 's16le', '-ar', String(rate), '-ac', '1', '-i', 'pipe:0', '-c:a', 'libopus', '-b:a', '32k', '-f', 'ogg', out];
    const child = spawn('ffmpeg', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.on('error', (err) => reject(new RedactedAudioError(`cannot run ffmpeg to encode opus (${(err as NodeJS.ErrnoException).code ?? err.message})`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new RedactedAudioError(`ffmpeg could not encode opus (exit code ${code}): ${stderr.trim()}`))));
    child.stdin.on('error', () => {}); // a failing ffmpeg closes its stdin; 'close' reports why
    child.stdin.end(toPcm16(samples));
  });
}

/** Writes redacted recordings into one directory, named by recording id. */
export class RedactedAudioWriter {
  constructor(
    readonly dir: string,
    readonly options: RedactedAudioOptions,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /** Removes temp files a killed process left behind; returns their names. Call once at start. */
  cleanStale(): string[] {
    const stale = readdirSync(this.dir).filter((n) => n.startsWith('.') && n.endsWith(TEMP_SUFFIX));
    for (const name of stale) rmSync(join(this.dir, name), { force: true });
    return stale;
  }

  /** Masks `samples` in place and writes them as `<name>.<format>`; returns the final path and its size. */
  async write(name: string, samples: Float32Array, spans: readonly { start: number | null; end: number | null }[], rate = ASR_SAMPLE_RATE): Promise<{ path: string; bytes: number }> {
    applyMask(samples, maskRanges(spans, this.options.padMs, samples.length, rate), this.options.mode, rate);
    const path = join(this.dir, `${name}.${this.options.format}`);
    const temp = join(this.dir, `.${name}.${this.options.format}${TEMP_SUFFIX}`);
    try {
      if (this.options.format === 'wav') writeFileSync(temp, encodeWav16(samples, rate));
      else await encodeOpus(samples, temp, rate);
      renameSync(temp, path);
    } catch (err) {
      rmSync(temp, { force: true });
      if (err instanceof RedactedAudioError) throw err;
      throw new RedactedAudioError(`cannot write the redacted audio to ${this.dir} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    return { path, bytes: statSync(path).size };
  }
}

/** The worker's writer for redaction.audio (stale temp files removed), or null when it is disabled. */
export function openRedactedAudioWriter(config: RedactedAudioOptions & { enabled: boolean; dir: string | null }): RedactedAudioWriter | null {
  if (!config.enabled) return null;
  if (!config.dir) throw new RedactedAudioError('redaction.audio.dir is not set (validateConfig fills in <dataDir>/audio)');
  const writer = new RedactedAudioWriter(config.dir, { mode: config.mode, padMs: config.padMs, format: config.format });
  writer.cleanStale();
  return writer;
}

/** Collects one recording's 16 kHz samples as they are decoded (in RAM only), for writing once its entities are known. */
export class SampleCollector {
  private parts: Float32Array[] = [];
  private length = 0;

  push(samples: Float32Array): void {
    this.parts.push(samples);
    this.length += samples.length;
  }

  take(): Float32Array {
    const all = new Float32Array(this.length);
    let at = 0;
    for (const p of this.parts) {
      all.set(p, at);
      at += p.length;
    }
    this.parts = [];
    this.length = 0;
    return all;
  }
}
