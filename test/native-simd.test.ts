// Every SIMD kernel set agrees with the scalar reference within 1e-4: in-process via simd.use(), and
// in child processes selected by HUSHSCRIBE_SIMD (which also must reject sets this CPU lacks).
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { computeFbank, computeNemoMel, simd, type SimdName } from '../native/index.js';

function signal(length: number): Float32Array {
  const out = new Float32Array(length);
  let state = 17;
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    out[i] = 0.3 * Math.sin(i * 0.031) * Math.sin(i * 0.0007) + 0.05 * (state / 2 ** 32 - 0.5) + (i % 4000 < 50 ? 0.9 : 0);
  }
  return out;
}

/** Child mode: print the active set and the features computed with it, for the parent to compare. */
if (process.env.HUSHSCRIBE_SIMD_TEST_CHILD === '1') {
  const samples = signal(24000);
  const fbank = computeFbank(samples, { snipEdges: false });
  const nemo = computeNemoMel(samples);
  process.stdout.write(
    JSON.stringify({
      active: simd.active(),
      fbank: Buffer.from(fbank.data.buffer).toString('base64'),
      nemo: Buffer.from(nemo.data.buffer).toString('base64'),
    }),
  );
} else {
  const self = fileURLToPath(import.meta.url);
  const decode = (text: string) => {
    const bytes = Buffer.from(text, 'base64');
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  };
  const maxDiff = (a: Float32Array, b: Float32Array) => {
    if (a.length !== b.length) return Infinity;
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    return worst;
  };
  const child = (choice: string) =>
    spawnSync(process.execPath, [...process.execArgv, self], {
      env: { ...process.env, HUSHSCRIBE_SIMD_TEST_CHILD: '1', HUSHSCRIBE_SIMD: choice },
      encoding: 'utf8',
    });

  t.test('the CPU offers scalar plus its SIMD set, and the best is active by default', async (t) => {
    const available = simd.available();
    t.equal(available[0], 'scalar');
    t.ok(available.length >= 2, `a SIMD set is available: ${available.join(', ')}`);
    t.ok(available.includes(process.arch === 'arm64' ? 'neon' : 'avx2'));
    t.equal(simd.active(), available.at(-1));
  });

  t.test('in-process: every set agrees with scalar within 1e-4', async (t) => {
    const samples = signal(32000);
    simd.use('scalar');
    t.equal(simd.active(), 'scalar');
    const reference = [computeFbank(samples).data, computeFbank(samples, { window: 'hamming', numBins: 23 }).data, computeNemoMel(samples).data];
    for (const name of simd.available() as SimdName[]) {
      simd.use(name);
      t.equal(simd.active(), name);
      const candidate = [computeFbank(samples).data, computeFbank(samples, { window: 'hamming', numBins: 23 }).data, computeNemoMel(samples).data];
      candidate.forEach((data, i) => {
        const worst = maxDiff(reference[i]!, data);
        t.ok(worst <= 1e-4, `${name} case ${i}: max |diff| ${worst.toExponential(2)} <= 1e-4`);
      });
    }
    t.throws(() => simd.use('sse9' as SimdName), /simd = "sse9" is invalid; allowed: one of scalar/);
    simd.use(simd.available().at(-1) as SimdName);
  });

  t.test('HUSHSCRIBE_SIMD selects the set in a fresh process; results agree with scalar', async (t) => {
    const results = new Map<string, { active: string; fbank: Float32Array; nemo: Float32Array }>();
    for (const name of simd.available()) {
      const run = child(name);
      t.equal(run.status, 0, `child with HUSHSCRIBE_SIMD=${name} succeeds`, { stderr: run.stderr });
      const parsed = JSON.parse(run.stdout) as { active: string; fbank: string; nemo: string };
      results.set(name, { active: parsed.active, fbank: decode(parsed.fbank), nemo: decode(parsed.nemo) });
      t.equal(parsed.active, name, `child reports ${name} active`);
    }
    const scalar = results.get('scalar')!;
    for (const [name, result] of results) {
      t.ok(maxDiff(scalar.fbank, result.fbank) <= 1e-4, `${name} fbank within 1e-4 of scalar`);
      t.ok(maxDiff(scalar.nemo, result.nemo) <= 1e-4, `${name} nemo mel within 1e-4 of scalar`);
    }
  });

  t.test('HUSHSCRIBE_SIMD naming a set this CPU lacks fails with a clear error', async (t) => {
    const missing = process.arch === 'arm64' ? 'avx2' : 'neon';
    for (const choice of [missing, 'avx512']) {
      const run = child(choice);
      t.not(run.status, 0, `HUSHSCRIBE_SIMD=${choice} is refused`);
      t.match(run.stderr, new RegExp(`HUSHSCRIBE_SIMD = "${choice}" is invalid; allowed: one of scalar, `));
    }
  });
}
