// Kaldi fbank throughput, scalar reference against the best SIMD kernels, on the same minute of real speech
// (LibriSpeech from ../shared/data beside the checkout, decoded by ffmpeg), single-threaded. Figures: seconds of audio per
// second of compute (median of several runs).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { computeFbank, simd, type SimdName } from '../../native/index.js';
import type { Benchmark } from './run.js';
import { sharedSpeechDir } from '../../daemon/util/shared-data.js';

const SAMPLE_RATE = 16000;
const AUDIO_SECONDS = 60;
const RUNS = 7;
const DATA_DIR = sharedSpeechDir();

function decode(file: string): Float32Array {
  const result = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'f32le', '-ac', '1', '-ar', String(SAMPLE_RATE), '-'], {
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`ffmpeg could not decode ${file}: ${result.stderr.toString().trim()}`);
  const bytes = new Uint8Array(result.stdout);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

/** The first AUDIO_SECONDS of LibriSpeech utterances listed in speech.tsv, back to back. */
function loadSpeech(): Float32Array {
  const audio = new Float32Array(AUDIO_SECONDS * SAMPLE_RATE);
  const rows = readFileSync(join(DATA_DIR, 'speech.tsv'), 'utf8').split('\n').slice(1);
  let filled = 0;
  for (const row of rows) {
    const [corpus, , path] = row.split('\t');
    if (corpus !== 'librispeech' || path === undefined) continue;
    const clip = decode(join(DATA_DIR, path));
    const take = Math.min(clip.length, audio.length - filled);
    audio.set(clip.subarray(0, take), filled);
    filled += take;
    if (filled === audio.length) return audio;
  }
  throw new Error(`only ${filled / SAMPLE_RATE} s of LibriSpeech found under ${DATA_DIR}`);
}

function measure(name: SimdName, audio: Float32Array): { realtime: number; data: Float32Array } {
  simd.use(name);
  const data = computeFbank(audio).data; // warm-up (page faults, caches)
  const seconds: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now();
    computeFbank(audio);
    seconds.push((performance.now() - start) / 1000);
  }
  seconds.sort((a, b) => a - b);
  return { realtime: AUDIO_SECONDS / seconds[Math.floor(RUNS / 2)]!, data };
}

export const benchmark: Benchmark = {
  description: 'Kaldi fbank, scalar vs SIMD kernels, one core, 60 s of speech',
  async run() {
    const audio = loadSpeech();
    const best = simd.available().at(-1) as SimdName;
    if (best === 'scalar') throw new Error('no SIMD kernel set is available on this CPU; nothing to compare');
    const scalar = measure('scalar', audio);
    const vector = measure(best, audio);
    let maxDiff = 0;
    for (let i = 0; i < scalar.data.length; i++) maxDiff = Math.max(maxDiff, Math.abs(scalar.data[i]! - vector.data[i]!));
    const round = (x: number) => Math.round(x * 100) / 100;
    console.log(`audio: ${AUDIO_SECONDS} s LibriSpeech, ${scalar.data.length / 80} frames x 80 bins; median of ${RUNS} runs`);
    console.log(`scalar: ${round(scalar.realtime)}x realtime`);
    console.log(`${best}: ${round(vector.realtime)}x realtime (max |scalar - ${best}| = ${maxDiff.toExponential(2)})`);
    console.log(
      JSON.stringify({
        scalarRealtime: round(scalar.realtime),
        simdRealtime: round(vector.realtime),
        speedup: round(vector.realtime / scalar.realtime),
        simd: best,
      }),
    );
  },
};
