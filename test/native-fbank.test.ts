// Kaldi fbank / NeMo mel behaviour through the public API: async, validation,
// the loader's explanations.
import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  KALDI_FBANK_DEFAULTS,
  NativeLoadError,
  NativeOptionError,
  addonPath,
  computeFbank,
  computeFbankAsync,
  computeNemoMel,
  computeNemoMelAsync,
  loadAddon,
  resolveFbankOptions,
  resolveNemoMelOptions,
  type KaldiFbankOptions,
} from '../native/index.js';

/** Deterministic speech-like test signal: a gliding harmonic voice with noise, amplitude-modulated. */
function voice(seconds: number, sampleRate = 16000, seed = 1): Float32Array {
  const out = new Float32Array(Math.round(seconds * sampleRate));
  let state = seed;
  let phase = 0;
  for (let i = 0; i < out.length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    const time = i / sampleRate;
    phase += (2 * Math.PI * (120 + 40 * Math.sin(2 * Math.PI * 2 * time))) / sampleRate;
    let harmonics = 0;
    for (let k = 1; k <= 12; k++) harmonics += Math.sin(k * phase) / k;
    out[i] = 0.2 * (0.6 + 0.4 * Math.sin(2 * Math.PI * 3 * time)) * harmonics + 0.01 * (state / 2 ** 32 - 0.5);
  }
  return out;
}

/** True when both arrays hold exactly the same bits. */
function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

const signal = voice(1.37);

t.test('computeFbank: frame count and shape follow Kaldi framing', async (t) => {
  const snipped = computeFbank(signal);
  t.equal(snipped.numBins, 80);
  t.equal(snipped.numFrames, 1 + Math.floor((signal.length - 400) / 160));
  t.equal(snipped.data.length, snipped.numFrames * 80);
  const padded = computeFbank(signal, { snipEdges: false, numBins: 40 });
  t.equal(padded.numFrames, Math.floor((signal.length + 80) / 160));
  t.equal(padded.numBins, 40);
  t.ok(snipped.data.every(Number.isFinite), 'all values finite');
  t.equal(computeFbank(new Float32Array(399)).numFrames, 0, 'shorter than one frame with snipEdges gives no frame');
  t.equal(computeFbank(new Float32Array(0), { snipEdges: false }).numFrames, 0, 'empty input gives no frame');
});

t.test('computeFbank: louder input raises every log energy by the gain in dB', async (t) => {
  const base = computeFbank(signal);
  const louder = computeFbank(signal.map((x) => x * 2));
  let worst = 0;
  for (let i = 0; i < base.data.length; i++) worst = Math.max(worst, Math.abs(louder.data[i]! - base.data[i]! - Math.log(4)));
  t.ok(worst < 1e-3, `log energy shifts by log(4) (worst deviation ${worst})`);
  const hanning = computeFbank(signal, { window: 'hanning' });
  t.ok(sameBits(hanning.data, computeFbank(signal, { window: 'hann' }).data), "torchaudio's 'hanning' is 'hann'");
  const silent = computeFbank(new Float32Array(4000));
  t.ok(
    silent.data.every((v) => Math.abs(v - Math.log(1.1920928955078125e-7)) < 1e-6),
    'silence is floored at log(float epsilon)',
  );
});

t.test('dither is deterministic per seed', async (t) => {
  const options: KaldiFbankOptions = { dither: 1e-3, ditherSeed: 9, snipEdges: false };
  const whole = computeFbank(signal, options);
  t.ok(sameBits(computeFbank(signal, options).data, whole.data), 'same seed, same features');
  const other = computeFbank(signal, { ...options, ditherSeed: 10 });
  t.notOk(sameBits(other.data, whole.data), 'another seed dithers differently');
  const quiet = computeFbank(new Float32Array(4000), { dither: 1 });
  t.ok(
    quiet.data.every((v) => v > Math.log(1.1920928955078125e-7) + 1),
    'dither lifts silence off the floor',
  );
});

t.test('async variants give the same features as the sync ones', async (t) => {
  const copy = signal.slice();
  const pending = computeFbankAsync(copy, { snipEdges: false });
  copy.fill(0); // the worker owns a copy
  t.ok(sameBits((await pending).data, computeFbank(signal, { snipEdges: false }).data), 'fbank');
  t.ok(sameBits((await computeNemoMelAsync(signal)).data, computeNemoMel(signal).data), 'nemo mel');
  await t.rejects(computeFbankAsync(signal, { numBins: 0 }), NativeOptionError);
  await t.rejects(computeNemoMelAsync(signal, { nFft: 500 }), NativeOptionError);
});

t.test('computeNemoMel: centred frames, per-feature normalisation', async (t) => {
  const features = computeNemoMel(signal);
  t.equal(features.numFrames, Math.floor(signal.length / 160) + 1);
  t.equal(features.numBins, 80);
  for (const bin of [0, 40, 79]) {
    let mean = 0;
    for (let f = 0; f < features.numFrames; f++) mean += features.data[f * 80 + bin]!;
    mean /= features.numFrames;
    let variance = 0;
    for (let f = 0; f < features.numFrames; f++) variance += (features.data[f * 80 + bin]! - mean) ** 2;
    variance /= features.numFrames - 1;
    t.ok(Math.abs(mean) < 1e-4, `bin ${bin} has zero mean (${mean})`);
    t.ok(Math.abs(Math.sqrt(variance) - 1) < 1e-3, `bin ${bin} has unit std (${Math.sqrt(variance)})`);
  }
  const raw = computeNemoMel(signal, { normalize: 'none', numBins: 64, highFreq: 7000, window: 'hamming' });
  t.equal(raw.numBins, 64);
  t.ok(raw.data.some((v) => v > Math.log(2 ** -24) + 10) && raw.data.every(Number.isFinite), 'unnormalised log mel values');
  const silent = computeNemoMel(new Float32Array(1000), { normalize: 'none' });
  t.ok(
    silent.data.every((v) => Math.abs(v - Math.log(2 ** -24)) < 1e-5),
    'silence gives log(guard)',
  );
  const single = computeNemoMel(signal.subarray(0, 100));
  t.equal(single.numFrames, 1);
  t.ok(
    single.data.every((v) => v === 0),
    'one frame normalises to zeros (std taken as 0, as NeMo)',
  );
  t.equal(computeNemoMel(new Float32Array(0)).numFrames, 0);
});

t.test('options are validated with the option name, the value and the allowed range', async (t) => {
  const bad: [KaldiFbankOptions, RegExp][] = [
    [{ numBins: 0 }, /numBins = 0 is invalid; allowed: an integer in \[1, 1024\]/],
    [{ numBins: 2.5 }, /numBins = 2\.5/],
    [{ sampleRate: Number.NaN }, /sampleRate = NaN/],
    [{ frameLengthMs: 0.01 }, /frameLengthMs = 0\.01 is invalid; allowed: a length giving 2 to 65536 samples/],
    [{ frameShiftMs: 0.01 }, /frameShiftMs = 0\.01 is invalid; allowed: a shift of at least one sample/],
    [{ frameShiftMs: -1 }, /frameShiftMs = -1/],
    [{ preemphasis: 1.5 }, /preemphasis = 1\.5/],
    [{ window: 'kaiser' as 'hann' }, /window = "kaiser" is invalid; allowed: 'povey', 'hann', 'hanning', 'hamming', 'rectangular', 'blackman'/],
    [{ removeDcOffset: 'yes' as unknown as boolean }, /removeDcOffset = "yes" is invalid; allowed: true or false/],
    [{ dither: -1 }, /dither = -1/],
    [{ ditherSeed: 1.5 }, /ditherSeed = 1\.5/],
    [{ lowFreq: 8000 }, /lowFreq = 8000 is invalid; allowed: \[0, 8000\) \(below Nyquist\)/],
    [{ lowFreq: 500, highFreq: 400 }, /highFreq = 400 is invalid; allowed: above lowFreq/],
    [{ highFreq: -8000 }, /highFreq = -8000/],
    [{ energyFloor: -1 }, /energyFloor = -1/],
    [{ numbins: 80 } as KaldiFbankOptions, /KaldiFbankOptions\.numbins = 80 is invalid; allowed: known options: sampleRate/],
  ];
  for (const [options, message] of bad) {
    t.throws(() => computeFbank(signal, options), message, JSON.stringify(options));
  }
  t.throws(() => resolveFbankOptions('fast' as unknown as KaldiFbankOptions), /KaldiFbankOptions = "fast" is invalid; allowed: an options object/);
  const nemoBad: [object, RegExp][] = [
    [{ nFft: 500 }, /nFft = 500 is invalid; allowed: a power of two/],
    [{ nFft: 256 }, /windowLengthMs = 25 is invalid; allowed: a length giving 2 to nFft \(256\) samples/],
    [{ hopMs: 0.001 }, /hopMs = 0\.001/],
    [{ normalize: 'all_features' }, /normalize = "all_features"/],
    [{ highFreq: 9000 }, /highFreq = 9000/],
    [{ lowFreq: 8000 }, /lowFreq = 8000/],
    [{ logGuard: 0 }, /logGuard = 0/],
    [{ window: 'povey' }, /window = "povey"/],
    [{ hop: 10 }, /NemoMelOptions\.hop = 10/],
  ];
  for (const [options, message] of nemoBad) t.throws(() => computeNemoMel(signal, options), message, JSON.stringify(options));
  t.throws(() => resolveNemoMelOptions(null as unknown as object), /NemoMelOptions = null/);
  t.throws(() => computeFbank([0.1, 0.2] as unknown as Float32Array), /samples = \[object Array\] is invalid; allowed: a Float32Array/);
  t.throws(() => computeFbank(new Float32Array([0, Number.NaN])), /samples\[1\] is nan; samples must be finite/);
  t.throws(() => computeFbank(new Float32Array([Infinity])), /samples\[0\] is inf/);
  t.same(resolveFbankOptions(), KALDI_FBANK_DEFAULTS, 'defaults as documented');
  t.equal(resolveNemoMelOptions().logGuard, 2 ** -24);
});

t.test('the C++ side validates again, naming the whole configuration', async (t) => {
  const raw = loadAddon(addonPath());
  t.throws(
    () => raw.computeFbank(new Float32Array(10), { ...KALDI_FBANK_DEFAULTS, numBins: 0 }),
    /KaldiFbankConfig: num_bins must be in \[1, 1024\] in KaldiFbankConfig\(sample_rate=16000, num_bins=0, /,
  );
  t.throws(
    () => raw.computeNemoMel(new Float32Array(10), { ...resolveNemoMelOptions(), nFft: 500 }),
    /NemoMelConfig: n_fft must be a power of two in \[4, 65536\] in NemoMelConfig\(/,
  );
  t.throws(() => new raw.Resampler(383999, 4096), /ResamplerConfig: from_rate and to_rate need a filter table of more than 4M taps/);
  t.throws(() => new raw.Resampler(44101, 16000), /ResamplerConfig: to_rate \/ gcd\(from_rate, to_rate\) must be <= 4096 in ResamplerConfig\(from_rate=44101/);
  t.throws(() => raw.computeFbank(new Float32Array(10), { ...KALDI_FBANK_DEFAULTS, window: 7 as unknown as 'hann' }), /option window must be a string/);
});

t.test('the loader explains a missing or broken binary', async (t) => {
  t.match(addonPath(), /native\/build\/Release\/hushscribe_native\.node$/);
  const missing = '/nonexistent/hushscribe_native.node';
  t.throws(() => loadAddon(missing), NativeLoadError);
  t.throws(
    () => loadAddon(missing),
    /could not be loaded from \/nonexistent\/hushscribe_native\.node: the file does not exist\nBuild it with: npm run build:native/,
  );
  const broken = join(mkdtempSync(join(tmpdir(), 'hushscribe-native-')), 'broken.node');
  writeFileSync(broken, 'not a shared object');
  t.throws(() => loadAddon(broken), /could not be loaded from .*broken\.node: .*(invalid ELF header|file too short).*\nBuild it with: npm run build:native/s);
  const error = (() => {
    try {
      loadAddon(broken);
    } catch (caught) {
      return caught as NativeLoadError;
    }
    return undefined;
  })();
  t.equal(error?.path, broken);
  t.match(error?.reason, /ELF|too short/);
});
