// The C++ kernel tests (native/test): built for x86-64 (scalar vs AVX2) and cross-built statically for
// arm64, run under qemu-aarch64 (scalar vs NEON). Every SIMD kernel must agree with the scalar reference.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../daemon/util/package-root.js';

const testDir = join(packageRoot(), 'native', 'test');

function runMake(target: string) {
  const result = spawnSync('make', ['-C', testDir, '-j2', target], { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

for (const [target, simdName] of [
  ['test-x86_64', 'avx2'],
  ['test-aarch64', 'neon'],
] as const) {
  t.test(`${target}: ${simdName} kernels agree with scalar`, async (t) => {
    const { status, output } = runMake(target);
    t.equal(status, 0, `make ${target} succeeds`, { output: output.slice(-4000) });
    const results = output.split('\n').filter((line) => /^(ok|FAIL) - /.test(line));
    t.notOk(results.some((line) => line.startsWith('FAIL')), 'no kernel check failed');
    t.ok(results.some((line) => line.startsWith(`ok - ${simdName} kaldi mel_log`)), `${simdName} mel kernels were compared`);
    t.ok(results.some((line) => line.startsWith(`ok - ${simdName} kaldi prepare+fft_power`)), `${simdName} FFT kernels were compared`);
    t.ok(results.some((line) => line.startsWith(`ok - ${simdName} streamed fbank`)), `${simdName} streaming extractor was compared`);
    t.ok(results.some((line) => line.startsWith('ok - scalar FFT power matches a double DFT')), 'scalar FFT checked against a DFT');
    t.match(output, new RegExp(`SIMD kernel sets tested against scalar: ${simdName}`));
  });
}
