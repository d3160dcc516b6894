// The C++ kernel tests (native/test): built for x86-64 (scalar vs AVX2) and cross-built statically for
// arm64, run under qemu-aarch64 (scalar vs NEON). Every SIMD kernel must agree with the scalar reference.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../common/package-root.js';

const testDir = join(packageRoot(), 'native', 'test');

function runMake(target: string) {
  // On an arm64 host the arm64 build is native: the host compiler, no emulator.
  const native = process.arch === 'arm64' ? ['ARM_CXX=g++', 'QEMU='] : [];
  const result = spawnSync('make', ['-C', testDir, '-j2', ...native, target], { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

// x86-64 hosts run both builds (arm64 through qemu-aarch64); arm64 hosts have no x86-64 compiler.
const targets =
  process.arch === 'arm64'
    ? ([['test-aarch64', 'neon']] as const)
    : ([
        ['test-x86_64', 'avx2'],
        ['test-aarch64', 'neon'],
      ] as const);
for (const [target, simdName] of targets) {
  t.test(`${target}: ${simdName} kernels agree with scalar`, async (t) => {
    const { status, output } = runMake(target);
    t.equal(status, 0, `make ${target} succeeds`, { output: output.slice(-4000) });
    const results = output.split('\n').filter((line) => /^(ok|FAIL) - /.test(line));
    t.notOk(
      results.some((line) => line.startsWith('FAIL')),
      'no kernel check failed',
    );
    t.ok(
      results.some((line) => line.startsWith(`ok - ${simdName} kaldi mel_log`)),
      `${simdName} mel kernels were compared`,
    );
    t.ok(
      results.some((line) => line.startsWith(`ok - ${simdName} kaldi prepare+fft_power`)),
      `${simdName} FFT kernels were compared`,
    );
    t.ok(
      results.some((line) => line.startsWith(`ok - ${simdName} streamed fbank`)),
      `${simdName} streaming extractor was compared`,
    );
    t.ok(
      results.some((line) => line.startsWith('ok - scalar FFT power matches a double DFT')),
      'scalar FFT checked against a DFT',
    );
    t.match(output, new RegExp(`SIMD kernel sets tested against scalar: ${simdName}`));
  });
}
