// Kaldi fbank and NeMo mel against reference vectors generated with torchaudio (test/fixtures/fbank/,
// produced by the lead on the GPU machine). Missing fixtures are a failure, never a skip.
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeFbank, computeNemoMel, simd, type KaldiFbankOptions, type NemoMelOptions } from '../native/index.js';
import { packageRoot } from '../common/package-root.js';

interface FixtureCase {
  name: string;
  kind: 'kaldi' | 'nemo';
  options: Record<string, unknown>;
  input: string;
  output: string;
  numFrames: number;
  numBins: number;
}

const TOLERANCE = 1e-3;
// HUSHSCRIBE_FBANK_FIXTURES points at another directory of the same format (used for self-checks).
const dir = process.env.HUSHSCRIBE_FBANK_FIXTURES ?? join(packageRoot(), 'test', 'fixtures', 'fbank');
const casesFile = join(dir, 'cases.json');

function readF32(file: string): Float32Array {
  const bytes = readFileSync(join(dir, file));
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

t.ok(existsSync(casesFile), `reference fixtures must exist at ${casesFile} (generated with torchaudio by the lead)`);
if (existsSync(casesFile)) {
  const { cases } = JSON.parse(readFileSync(casesFile, 'utf8')) as { cases: FixtureCase[] };
  t.ok(cases.length > 0, 'cases.json lists cases');
  t.ok(cases.some((c) => c.kind === 'kaldi') && cases.some((c) => c.kind === 'nemo'), 'both kinds are covered');

  for (const kernels of simd.available()) {
    t.test(`fixtures with ${kernels} kernels`, async (t) => {
      simd.use(kernels as 'scalar');
      for (const c of cases) {
        const input = readF32(c.input);
        const expected = readF32(c.output);
        const actual =
          c.kind === 'kaldi'
            ? computeFbank(input, c.options as KaldiFbankOptions)
            : computeNemoMel(input, { ...c.options, highFreq: (c.options.highFreq ?? null) as number | null } as NemoMelOptions);
        t.equal(actual.numFrames, c.numFrames, `${c.name}: frame count`);
        t.equal(actual.numBins, c.numBins, `${c.name}: bin count`);
        t.equal(expected.length, c.numFrames * c.numBins, `${c.name}: reference size`);
        let worst = 0;
        for (let i = 0; i < Math.min(expected.length, actual.data.length); i++) {
          worst = Math.max(worst, Math.abs(expected[i]! - actual.data[i]!));
        }
        t.ok(worst <= TOLERANCE, `${c.name}: max abs difference ${worst.toExponential(3)} <= ${TOLERANCE}`);
      }
    });
  }
}
