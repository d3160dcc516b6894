// Power modes: what keeping the sparse variant loaded next to the dense one costs in memory, and how fast each
// transcribes the same LibriSpeech utterances (sparse against dense, measured in the same run).
//   npm run bench -- power [--model DIR] [--seconds N]
// DIR: a hushscribe model directory (default models/hushscribe-en-v1, whose manifest has a real, pruned `sparse`
// variant). For a model without one, a copy of the directory with the dense file under the sparse name stands in
// (reported as sparseIsStandIn): the memory figure then shows the cost of a second session, the speed ratio is ~1
// by construction. CPU per audio second of each variant against sherpa-onnx: `npm run bench -- asr`.
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { loadRecognizer, readManifest, type Recognizer } from '../../daemon/asr/index.js';
import { packageRoot } from '../../common/package-root.js';
import type { Benchmark } from './run.js';
import { loadUtterances } from './librispeech.js';

const SAMPLE_RATE = 16000;
const MiB = 1024 * 1024;

/** Seconds of audio per second of compute. */
async function realtime(recognizer: Recognizer, clips: Float32Array[]): Promise<number> {
  const start = performance.now();
  for (const clip of clips) await recognizer.transcribe(clip);
  return clips.reduce((n, c) => n + c.length, 0) / SAMPLE_RATE / ((performance.now() - start) / 1000);
}

/** A copy of the model with the dense file also listed as `sparse`. */
function standIn(modelDir: string): { dir: string; cleanup(): void } {
  const root = mkdtempSync(join(tmpdir(), 'hs-bench-power-'));
  const dir = join(root, 'model');
  cpSync(modelDir, dir, { recursive: true });
  const manifest = readManifest(dir);
  const dense = manifest.variants[manifest.defaultVariant]!;
  copyFileSync(join(dir, dense.file), join(dir, `sparse-${dense.file}`));
  const raw = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { variants: Record<string, unknown> };
  raw.variants.sparse = { ...dense, file: `sparse-${dense.file}` };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(raw, null, 2));
  return { dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export const benchmark: Benchmark = {
  description: 'power modes: memory of keeping dense + sparse loaded vs dense only; sparse speed vs dense',
  async run(args) {
    const { values } = parseArgs({ args, options: { model: { type: 'string' }, seconds: { type: 'string', default: '30' } } });
    const requested = values.model ?? join(packageRoot(), 'models', 'hushscribe-en-v1');
    const sparseIsStandIn = !('sparse' in readManifest(requested).variants);
    const model = sparseIsStandIn ? standIn(requested) : { dir: requested, cleanup: () => undefined };
    try {
      const clips = await loadUtterances(Number(values.seconds));
      const rss = () => process.memoryUsage().rss;
      const before = rss();
      const dense = await loadRecognizer({ modelDir: model.dir, threads: 1 });
      await dense.transcribe(clips[0]!); // the session's working buffers are allocated on the first run
      const denseOnly = rss();
      const sparse = await loadRecognizer({ modelDir: model.dir, threads: 1, variant: 'sparse' });
      await sparse.transcribe(clips[0]!);
      const both = rss();
      const denseRealtime = await realtime(dense, clips);
      const sparseRealtime = await realtime(sparse, clips);
      await dense.close();
      await sparse.close();
      const denseMiB = (denseOnly - before) / MiB;
      const extraMiB = (both - denseOnly) / MiB;
      process.stdout.write(`dense loaded: +${denseMiB.toFixed(1)} MiB RSS; sparse alongside: +${extraMiB.toFixed(1)} MiB more\n`);
      process.stdout.write(`realtime factor (audio s per compute s): dense ${denseRealtime.toFixed(1)}, sparse ${sparseRealtime.toFixed(1)}\n`);
      process.stdout.write(
        `${JSON.stringify({
          benchmark: 'power',
          model: requested,
          sparseIsStandIn,
          audioSec: Number((clips.reduce((n, c) => n + c.length, 0) / SAMPLE_RATE).toFixed(1)),
          memory: {
            denseOnlyMiB: Number(denseMiB.toFixed(1)),
            sparseExtraMiB: Number(extraMiB.toFixed(1)),
            bothVsDenseOnly: Number(((denseMiB + extraMiB) / denseMiB).toFixed(2)),
          },
          speed: {
            denseRealtime: Number(denseRealtime.toFixed(2)),
            sparseRealtime: Number(sparseRealtime.toFixed(2)),
            sparseVsDense: Number((sparseRealtime / denseRealtime).toFixed(2)),
          },
        })}\n`,
      );
    } finally {
      model.cleanup();
    }
  },
};
