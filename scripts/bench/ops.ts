// Where the acoustic model spends its time, per variant: onnxruntime's own profiler (kernel time of every node,
// one thread, as the recognizer runs) on the features of the same LibriSpeech utterances, summed by the part of
// the network a node belongs to (from the exported node names: /model/subsampling/..., /model/layers.N/attn/...)
// and by operator type. Shows what pruning heads and feed-forward channels saves and what it leaves untouched.
//   npm run bench -- ops [--model DIR] [--seconds N]
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { readManifest, resolveModel } from '../../daemon/asr/index.js';
import { computeFeatures } from '../../daemon/asr/features.js';
import { readAudio } from '../../daemon/audio/index.js';
import { packageRoot } from '../../common/package-root.js';
import { sharedSpeechDir } from '../../daemon/util/shared-data.js';
import type { Benchmark } from './run.js';

const SAMPLE_RATE = 16000;

/** The part of the network a node name belongs to. */
export function partOf(node: string): string {
  if (node.includes('/subsampling/')) return 'subsampling (2-D conv front end)';
  const layer = /\/layers\.\d+\/([a-z_]+\d*)\//.exec(node);
  if (layer) {
    const part = layer[1]!;
    if (part === 'attn' || part === 'attn_norm') return 'attention';
    if (part.startsWith('ff')) return 'feed-forward';
    if (part.startsWith('conv')) return 'convolution module';
    return `layer ${part}`;
  }
  return 'other (residuals, norms, positions, output)';
}

interface ProfileEvent {
  cat?: string;
  name: string;
  dur: number;
  args?: { op_name?: string };
}

async function profile(modelPath: string, features: { data: Float32Array; numFrames: number; numBins: number }[], dir: string, name: string) {
  const session = await ort.InferenceSession.create(readFileSync(modelPath), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    enableProfiling: true,
    profileFilePrefix: join(dir, name),
  });
  for (const f of features) {
    await session.run({
      x: new ort.Tensor('float32', f.data, [1, f.numFrames, f.numBins]),
      x_lens: new ort.Tensor('int64', BigInt64Array.of(BigInt(f.numFrames)), [1]),
    });
  }
  session.endProfiling(); // writes <prefix>_<date>.json
  await session.release();
  const file = readdirSync(dir).find((f) => f.startsWith(`${name}_`) && f.endsWith('.json'));
  if (file === undefined) throw new Error(`onnxruntime wrote no profile for ${name} in ${dir}`);
  const events = JSON.parse(readFileSync(join(dir, file), 'utf8')) as ProfileEvent[];
  const byPart = new Map<string, number>();
  const byOp = new Map<string, number>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
    const ms = e.dur / 1000;
    const part = partOf(e.name);
    byPart.set(part, (byPart.get(part) ?? 0) + ms);
    const op = e.args?.op_name ?? '?';
    byOp.set(op, (byOp.get(op) ?? 0) + ms);
  }
  return { byPart, byOp, total: [...byPart.values()].reduce((a, b) => a + b, 0) };
}

export const benchmark: Benchmark = {
  description: 'onnxruntime kernel time per part of the network (front end, attention, feed-forward, ...) for each variant',
  async run(args) {
    const { values } = parseArgs({ args, options: { model: { type: 'string' }, seconds: { type: 'string', default: '120' } } });
    const modelDir = values.model ?? join(packageRoot(), 'models', 'hushscribe-en-v1');
    const variants = Object.keys(readManifest(modelDir).variants);
    const spec = resolveModel(modelDir);
    const dir = sharedSpeechDir();
    const rows = readFileSync(join(dir, 'speech.tsv'), 'utf8').split('\n').slice(1);
    const features = [];
    let audio = 0;
    for (const row of rows) {
      const [corpus, , path] = row.split('\t');
      if (corpus !== 'librispeech' || path === undefined) continue;
      const samples = (await readAudio(join(dir, path))).samples;
      features.push(await computeFeatures(spec.features, samples));
      audio += samples.length / SAMPLE_RATE;
      if (audio >= Number(values.seconds)) break;
    }
    const out = mkdtempSync(join(tmpdir(), 'hs-bench-ops-'));
    try {
      const results: Record<string, Awaited<ReturnType<typeof profile>>> = {};
      for (const variant of variants) results[variant] = await profile(resolveModel(modelDir, variant).modelPath, features, out, variant);
      const dense = results[spec.variant]!;
      const header = (title: string) => `${title.padEnd(44)}${variants.map((v) => v.padStart(10)).join('')}`;
      const row = (label: string, get: (r: (typeof results)[string]) => number) =>
        `${label.padEnd(44)}${variants.map((v) => get(results[v]!).toFixed(0).padStart(10)).join('')}`;
      console.log(`${features.length} LibriSpeech utterances, ${audio.toFixed(1)} s of audio, 1 thread; kernel milliseconds`);
      console.log(header('part'));
      const parts = [...dense.byPart.keys()].sort((a, b) => dense.byPart.get(b)! - dense.byPart.get(a)!);
      for (const part of parts) console.log(row(part, (r) => r.byPart.get(part) ?? 0));
      console.log(row('total', (r) => r.total));
      console.log(header('operator (top 10 in the default variant)'));
      const ops = [...dense.byOp.keys()].sort((a, b) => dense.byOp.get(b)! - dense.byOp.get(a)!).slice(0, 10);
      for (const op of ops) console.log(row(op, (r) => r.byOp.get(op) ?? 0));
      const round = (x: number) => Number(x.toFixed(1));
      console.log(
        JSON.stringify({
          benchmark: 'ops',
          audioSec: round(audio),
          kernelMs: Object.fromEntries(
            variants.map((v) => [v, { total: round(results[v]!.total), ...Object.fromEntries([...results[v]!.byPart].map(([k, ms]) => [k, round(ms)])) }]),
          ),
        }),
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  },
};
