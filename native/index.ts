// hushscribe's native addon: Kaldi/NeMo feature extraction, resampling, sd_notify and SIMD selection.
// Every option is validated here with a friendly error before the C++ side sees it; the binary is loaded
// lazily, so importing this module never fails, and a missing or broken binary gets an explanation.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../common/package-root.js';

/** torchaudio.compliance.kaldi.fbank options (use_energy=False, use_log_fbank=True, use_power=True). */
export interface KaldiFbankOptions {
  sampleRate?: number;
  numBins?: number;
  frameLengthMs?: number;
  frameShiftMs?: number;
  preemphasis?: number;
  removeDcOffset?: boolean;
  window?: KaldiWindow;
  dither?: number;
  ditherSeed?: number;
  snipEdges?: boolean;
  lowFreq?: number;
  /** <= 0: offset from the Nyquist frequency, as Kaldi. */
  highFreq?: number;
  energyFloor?: number;
}
/** 'hanning' is torchaudio's name for 'hann', accepted so its option sets can be used as they are. */
export type KaldiWindow = 'povey' | 'hann' | 'hanning' | 'hamming' | 'rectangular' | 'blackman';

/** NeMo AudioToMelSpectrogramPreprocessor options. */
export interface NemoMelOptions {
  sampleRate?: number;
  numBins?: number;
  nFft?: number;
  windowLengthMs?: number;
  hopMs?: number;
  preemphasis?: number;
  window?: NemoWindow;
  lowFreq?: number;
  /** null: Nyquist. */
  highFreq?: number | null;
  logGuard?: number;
  normalize?: 'per_feature' | 'none';
  dither?: number;
}
export type NemoWindow = 'hann' | 'hamming' | 'blackman' | 'bartlett' | 'rectangular';

/** Log mel features, row-major [numFrames][numBins]. */
export interface Features {
  data: Float32Array;
  numFrames: number;
  numBins: number;
}

export type SimdName = 'scalar' | 'avx2' | 'neon';

export const KALDI_FBANK_DEFAULTS: Readonly<Required<KaldiFbankOptions>> = Object.freeze({
  sampleRate: 16000,
  numBins: 80,
  frameLengthMs: 25,
  frameShiftMs: 10,
  preemphasis: 0.97,
  removeDcOffset: true,
  window: 'povey',
  dither: 0,
  ditherSeed: 0,
  snipEdges: true,
  lowFreq: 20,
  highFreq: 0,
  energyFloor: 0,
});

export const NEMO_MEL_DEFAULTS: Readonly<Required<NemoMelOptions>> = Object.freeze({
  sampleRate: 16000,
  numBins: 80,
  nFft: 512,
  windowLengthMs: 25,
  hopMs: 10,
  preemphasis: 0.97,
  window: 'hann',
  lowFreq: 0,
  highFreq: null,
  logGuard: 2 ** -24,
  normalize: 'per_feature',
  dither: 0,
});

/** Sample rates the Resampler is tested from (any integer rate pair with a small ratio works). */
export const RESAMPLER_RATES: readonly number[] = Object.freeze([8000, 11025, 16000, 22050, 32000, 44100, 48000]);

/** A bad option or argument: names the option, the value given and what is allowed. */
export class NativeOptionError extends RangeError {
  constructor(
    readonly option: string,
    readonly value: unknown,
    readonly allowed: string,
  ) {
    super(`hushscribe native: ${option} = ${describe(value)} is invalid; allowed: ${allowed}`);
    this.name = 'NativeOptionError';
  }
}

/** The addon binary is missing or cannot be loaded. */
export class NativeLoadError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`hushscribe native addon could not be loaded from ${path}: ${reason}\nBuild it with: npm run build:native (needs g++, make and python3).`);
    this.name = 'NativeLoadError';
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined || typeof value !== 'object') return String(value);
  return Object.prototype.toString.call(value);
}

interface NativeAddon {
  computeFbank(samples: Float32Array, options: Required<KaldiFbankOptions>): Features;
  computeFbankAsync(samples: Float32Array, options: Required<KaldiFbankOptions>): Promise<Features>;
  computeNemoMel(samples: Float32Array, options: Required<NemoMelOptions>): Features;
  computeNemoMelAsync(samples: Float32Array, options: Required<NemoMelOptions>): Promise<Features>;
  Resampler: new (fromRate: number, toRate: number) => { process(samples: Float32Array): Float32Array; flush(): Float32Array };
  NgramLm: new (path: string) => NativeNgramLm;
  sdNotify(socketName: string, message: string): void;
  tryLockFile(fd: number): boolean;
  releaseFreeMemory(): boolean;
  mapLargeAllocations(thresholdBytes: number): boolean;
  simdAvailable(): string[];
  simdActive(): string;
  simdUse(name: string): void;
}

/** Where the addon binary lives (native/build/Release, found from native/ or dist/native/). */
export function addonPath(): string {
  return join(packageRoot(), 'native', 'build', 'Release', 'hushscribe_native.node');
}

/** Loads an addon binary, explaining failures (path tried, the loader's error, how to build it). */
export function loadAddon(path: string): NativeAddon {
  const require = createRequire(import.meta.url);
  let addon: NativeAddon;
  try {
    addon = require(path) as NativeAddon;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new NativeLoadError(path, reason.includes('Cannot find module') ? 'the file does not exist' : reason);
  }
  const requested = process.env.HUSHSCRIBE_SIMD;
  if (requested !== undefined && requested !== '') {
    if (!addon.simdAvailable().includes(requested)) {
      throw new NativeOptionError('HUSHSCRIBE_SIMD', requested, `one of ${addon.simdAvailable().join(', ')} on this CPU`);
    }
    addon.simdUse(requested);
  }
  return addon;
}

let loaded: NativeAddon | undefined;
function native(): NativeAddon {
  loaded ??= loadAddon(addonPath());
  return loaded;
}

// ---- option validation ----

function checkNumber(option: string, value: unknown, min: number, max: number, opts: { integer?: boolean; minExclusive?: boolean } = {}): number {
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (opts.minExclusive ? value > min : value >= min) &&
    value <= max &&
    (!opts.integer || Number.isInteger(value));
  if (!ok) {
    const range = `${opts.minExclusive ? '(' : '['}${min}, ${max}]`;
    throw new NativeOptionError(option, value, `${opts.integer ? 'an integer' : 'a number'} in ${range}`);
  }
  return value as number;
}

function checkBoolean(option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new NativeOptionError(option, value, 'true or false');
  return value;
}

function checkChoice<T extends string>(option: string, value: unknown, choices: readonly T[]): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new NativeOptionError(option, value, choices.map((c) => `'${c}'`).join(', '));
  }
  return value as T;
}

function checkKnownKeys(kind: string, options: object, defaults: object): void {
  for (const key of Object.keys(options)) {
    if (!(key in defaults))
      throw new NativeOptionError(`${kind}.${key}`, (options as Record<string, unknown>)[key], `known options: ${Object.keys(defaults).join(', ')}`);
  }
}

function optionsObject(kind: string, options: unknown): object {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new NativeOptionError(kind, options, 'an options object or undefined');
  }
  return options;
}

/** Fills defaults and validates Kaldi fbank options; throws NativeOptionError. */
export function resolveFbankOptions(options?: KaldiFbankOptions): Required<KaldiFbankOptions> {
  checkKnownKeys('KaldiFbankOptions', optionsObject('KaldiFbankOptions', options), KALDI_FBANK_DEFAULTS);
  const o = { ...KALDI_FBANK_DEFAULTS, ...options };
  const sampleRate = checkNumber('sampleRate', o.sampleRate, 1000, 384000);
  checkNumber('numBins', o.numBins, 1, 1024, { integer: true });
  const windowSize = Math.trunc(sampleRate * checkNumber('frameLengthMs', o.frameLengthMs, 0, 1000, { minExclusive: true }) * 0.001);
  if (windowSize < 2 || windowSize > 65536) {
    throw new NativeOptionError('frameLengthMs', o.frameLengthMs, `a length giving 2 to 65536 samples at ${sampleRate} Hz`);
  }
  const shift = Math.trunc(sampleRate * checkNumber('frameShiftMs', o.frameShiftMs, 0, 1000, { minExclusive: true }) * 0.001);
  if (shift < 1) throw new NativeOptionError('frameShiftMs', o.frameShiftMs, `a shift of at least one sample at ${sampleRate} Hz`);
  checkNumber('preemphasis', o.preemphasis, 0, 1);
  checkBoolean('removeDcOffset', o.removeDcOffset);
  checkChoice('window', o.window, ['povey', 'hann', 'hanning', 'hamming', 'rectangular', 'blackman'] as const);
  checkNumber('dither', o.dither, 0, 1e6);
  checkNumber('ditherSeed', o.ditherSeed, 0, 2 ** 32 - 1, { integer: true });
  checkBoolean('snipEdges', o.snipEdges);
  const nyquist = sampleRate / 2;
  const lowFreq = checkNumber('lowFreq', o.lowFreq, 0, nyquist);
  if (lowFreq >= nyquist) throw new NativeOptionError('lowFreq', lowFreq, `[0, ${nyquist}) (below Nyquist)`);
  const highFreq = checkNumber('highFreq', o.highFreq, -nyquist, nyquist);
  const effectiveHigh = highFreq <= 0 ? highFreq + nyquist : highFreq;
  if (effectiveHigh <= lowFreq) {
    throw new NativeOptionError('highFreq', highFreq, `above lowFreq (${lowFreq}) once <= 0 is taken as an offset from Nyquist (${nyquist})`);
  }
  checkNumber('energyFloor', o.energyFloor, 0, Number.MAX_VALUE);
  return o;
}

/** Fills defaults and validates NeMo mel options; throws NativeOptionError. */
export function resolveNemoMelOptions(options?: NemoMelOptions): Required<NemoMelOptions> {
  checkKnownKeys('NemoMelOptions', optionsObject('NemoMelOptions', options), NEMO_MEL_DEFAULTS);
  const o = { ...NEMO_MEL_DEFAULTS, ...options };
  const sampleRate = checkNumber('sampleRate', o.sampleRate, 1000, 384000);
  checkNumber('numBins', o.numBins, 1, 1024, { integer: true });
  const nFft = checkNumber('nFft', o.nFft, 4, 65536, { integer: true });
  if ((nFft & (nFft - 1)) !== 0) throw new NativeOptionError('nFft', nFft, 'a power of two in [4, 65536]');
  const windowLength = Math.round((checkNumber('windowLengthMs', o.windowLengthMs, 0, 1000, { minExclusive: true }) / 1000) * sampleRate);
  if (windowLength < 2 || windowLength > nFft) {
    throw new NativeOptionError('windowLengthMs', o.windowLengthMs, `a length giving 2 to nFft (${nFft}) samples at ${sampleRate} Hz`);
  }
  const hop = Math.round((checkNumber('hopMs', o.hopMs, 0, 1000, { minExclusive: true }) / 1000) * sampleRate);
  if (hop < 1) throw new NativeOptionError('hopMs', o.hopMs, `a hop of at least one sample at ${sampleRate} Hz`);
  checkNumber('preemphasis', o.preemphasis, 0, 1);
  checkChoice('window', o.window, ['hann', 'hamming', 'blackman', 'bartlett', 'rectangular'] as const);
  const nyquist = sampleRate / 2;
  const lowFreq = checkNumber('lowFreq', o.lowFreq, 0, nyquist);
  if (lowFreq >= nyquist) throw new NativeOptionError('lowFreq', lowFreq, `[0, ${nyquist}) (below Nyquist)`);
  if (o.highFreq !== null) {
    checkNumber('highFreq', o.highFreq, lowFreq, nyquist, { minExclusive: true });
  }
  checkNumber('logGuard', o.logGuard, 0, 1, { minExclusive: true });
  checkChoice('normalize', o.normalize, ['per_feature', 'none'] as const);
  checkNumber('dither', o.dither, 0, 1e6);
  return o;
}

function checkSamples(samples: unknown): Float32Array {
  if (!(samples instanceof Float32Array)) throw new NativeOptionError('samples', samples, 'a Float32Array');
  return samples;
}

// ---- features ----

/** Kaldi log mel filterbank of a whole signal (torchaudio.compliance.kaldi.fbank semantics). */
export function computeFbank(samples: Float32Array, options?: KaldiFbankOptions): Features {
  const resolved = resolveFbankOptions(options);
  return native().computeFbank(checkSamples(samples), resolved);
}

/** computeFbank on a worker thread; the samples are copied first, so the caller may reuse the array. */
export async function computeFbankAsync(samples: Float32Array, options?: KaldiFbankOptions): Promise<Features> {
  const resolved = resolveFbankOptions(options);
  return native().computeFbankAsync(checkSamples(samples), resolved);
}

/** NeMo mel spectrogram features of a whole signal. */
export function computeNemoMel(samples: Float32Array, options?: NemoMelOptions): Features {
  const resolved = resolveNemoMelOptions(options);
  return native().computeNemoMel(checkSamples(samples), resolved);
}

/** computeNemoMel on a worker thread. */
export async function computeNemoMelAsync(samples: Float32Array, options?: NemoMelOptions): Promise<Features> {
  const resolved = resolveNemoMelOptions(options);
  return native().computeNemoMelAsync(checkSamples(samples), resolved);
}

/** Band-limited streaming resampler (Kaiser-windowed sinc, polyphase); chunked output equals whole output. */
export class Resampler {
  readonly fromRate: number;
  readonly toRate: number;
  readonly #resampler: InstanceType<NativeAddon['Resampler']>;

  constructor(fromRate: number, toRate = 16000) {
    this.fromRate = checkNumber('fromRate', fromRate, 1000, 384000, { integer: true });
    this.toRate = checkNumber('toRate', toRate, 1000, 384000, { integer: true });
    let divisor = fromRate;
    let rest = toRate;
    while (rest !== 0) [divisor, rest] = [rest, divisor % rest];
    const up = toRate / divisor;
    const down = fromRate / divisor;
    if (up > 4096) throw new NativeOptionError('toRate', toRate, `a rate whose ratio to fromRate (${fromRate}) reduces to a numerator <= 4096`);
    // Polyphase table size with ResamplerConfig's defaults (32 zero crossings, rolloff 0.92).
    if (up !== down && up * 2 * Math.ceil(32 / (0.92 * Math.min(1, up / down))) > 2 ** 22) {
      throw new NativeOptionError('toRate', toRate, `a rate whose ratio to fromRate (${fromRate}) needs at most 4M filter taps`);
    }
    this.#resampler = new (native().Resampler)(fromRate, toRate);
  }

  /** Resamples a chunk; returns the output samples that are complete so far. */
  process(samples: Float32Array): Float32Array {
    return this.#resampler.process(checkSamples(samples));
  }

  /** Returns the remaining output (the signal is taken as silent after its end) and resets the stream. */
  flush(): Float32Array {
    return this.#resampler.flush();
  }
}

/** The mapped binary n-gram LM (native/src/ngram_lm.h describes the format). */
export interface NativeNgramLm {
  /** ln p(word | history); history ids oldest first, as separate arguments. */
  logProb(word: number, ...history: number[]): number;
  /** The vocabulary, byte-sorted, each word followed by '\0' (a word's id is its rank). */
  vocabulary(): string;
  info(): { order: number; counts: number[]; bos: number; eos: number; unk: number; fileBytes: number };
  /** Unmaps the file; later calls throw. */
  close(): void;
}

/** Maps a binary LM file; throws an Error naming the file and what is wrong (missing, truncated, corrupt). */
export function openNgramLm(path: string): NativeNgramLm {
  if (typeof path !== 'string' || path === '') throw new NativeOptionError('path', path, 'a file path');
  return new (native().NgramLm)(path);
}

/**
 * Sends a systemd notification (READY=1, WATCHDOG=1, STATUS=..., STOPPING=1) to $NOTIFY_SOCKET, a path or
 * an abstract '@name'. Returns false when NOTIFY_SOCKET is unset (not running under systemd); throws when
 * sending fails.
 */
export function sdNotify(message: string): boolean {
  if (typeof message !== 'string' || message === '') throw new NativeOptionError('message', message, 'a non-empty string');
  const socketName = process.env.NOTIFY_SOCKET;
  if (socketName === undefined || socketName === '') return false;
  native().sdNotify(socketName, message);
  return true;
}

/**
 * Takes an exclusive advisory lock (flock) on an open file without waiting: true when taken, false when another
 * open file holds it. The lock goes with the file descriptor: closing it, or the process ending in any way,
 * releases it.
 */
export function tryLockFile(fd: number): boolean {
  if (!Number.isInteger(fd) || fd < 0) throw new NativeOptionError('fd', fd, 'an open file descriptor');
  return native().tryLockFile(fd);
}

/**
 * Hands the memory allocator's free pages back to the system (glibc malloc_trim): onnxruntime and the decoder
 * free tens of MB after a long utterance that glibc would otherwise keep. False where there is nothing to do (musl).
 */
export function releaseFreeMemory(): boolean {
  return native().releaseFreeMemory();
}

/**
 * Makes the allocator (glibc) map every block of `thresholdBytes` or more on its own and unmap it when freed, so the
 * tensors of a long utterance go back to the system at once instead of staying in the heap (see addon.cc). Process
 * wide; call it before the models load. False where there is nothing to do (musl).
 */
export function mapLargeAllocations(thresholdBytes: number): boolean {
  if (!Number.isInteger(thresholdBytes) || thresholdBytes < 0) throw new NativeOptionError('thresholdBytes', thresholdBytes, 'a whole number of bytes');
  return native().mapLargeAllocations(thresholdBytes);
}

/** SIMD kernel sets: which this CPU runs, which is in use, and switching (HUSHSCRIBE_SIMD sets it at load). */
export const simd = {
  available(): string[] {
    return native().simdAvailable();
  },
  active(): string {
    return native().simdActive();
  },
  /** Switches the kernel set for later calls (benchmarks, tests); throws when the CPU lacks it. */
  use(name: SimdName): void {
    const available = native().simdAvailable();
    if (!available.includes(name)) throw new NativeOptionError('simd', name, `one of ${available.join(', ')} on this CPU`);
    native().simdUse(name);
  },
};
