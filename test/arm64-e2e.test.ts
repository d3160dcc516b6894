// arm64 end to end: the CLI transcribes a bundled recording as a real arm64 process (Debian 12's arm64 nodejs,
// onnxruntime-node's bundled linux/arm64 binary, our addon cross-compiled with its NEON kernels) under
// qemu-aarch64, and should give the same transcript as this host (see the todo below). scripts/arm64/prepare.sh sets it up once and
// caches it in build/arm64/ (scripts/test.sh runs it too). Slow under emulation (minutes), which is fine here.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../common/package-root.js';

const root = packageRoot();
const sample = join(root, 'models', 'samples', 'human-librivox-0880.wav');
const arm64 = join(root, 'build', 'arm64');
// tap adds its coverage hooks to every child's NODE_OPTIONS; they are for this host's node, not the emulated one.
const qemu = ['-u', 'NODE_OPTIONS', 'qemu-aarch64'];
const qemuNode = ['-L', join(arm64, 'sysroot'), join(arm64, 'sysroot', 'usr', 'bin', 'node')];

interface Transcript {
  text: string;
  segments: { text: string; words: { word: string }[] }[];
}

function run(command: string, args: string[], timeoutSec: number) {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', timeout: timeoutSec * 1000, maxBuffer: 64 * 1024 * 1024 });
  return {
    status: result.status,
    stdout: result.stdout ?? '',
    output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`,
  };
}

const words = (transcript: Transcript) => transcript.segments.flatMap((s) => s.words.map((w) => w.word));

t.test(
  'an arm64 node under qemu transcribes a sample exactly as this host does',
  { skip: process.arch === 'arm64' ? 'an arm64 host runs every test natively' : false },
  async (t) => {
    const prepared = run('bash', [join(root, 'scripts', 'arm64', 'prepare.sh')], 900);
    t.equal(prepared.status, 0, 'scripts/arm64/prepare.sh', { output: prepared.output.slice(-4000) });

    const arch = run('env', [...qemu, ...qemuNode, '-p', 'process.arch'], 300);
    t.equal(arch.stdout.trim(), 'arm64', 'the emulated node is an arm64 process', { output: arch.output.slice(-2000) });

    // Rules only: the neural tagger's score on this sample's 'old speed goa' (the general-English LM's words) sits at
    // its threshold, and onnxruntime's arm64 and x86 kernels round differently, so the tagger would compare the two
    // CPUs' float rounding rather than the runtime. The recognizer, the LM and the rules are compared exactly.
    const host = run(process.execPath, [join(root, 'daemon', 'bin', 'hushscribe.js'), 'transcribe', sample, '--json', '--detectors', 'rules'], 300);
    t.equal(host.status, 0, `transcribe on ${process.arch}`, { output: host.output.slice(-2000) });
    const emulated = run(
      'env',
      [...qemu, ...qemuNode, join(arm64, 'root', 'daemon', 'bin', 'hushscribe.js'), 'transcribe', sample, '--json', '--detectors', 'rules'],
      900,
    );
    t.equal(emulated.status, 0, 'transcribe on arm64 under qemu', { output: emulated.output.slice(-4000) });

    const expected = JSON.parse(host.stdout) as Transcript;
    const got = JSON.parse(emulated.stdout) as Transcript;
    t.not(expected.text, '', 'the host heard words');
    // Known difference: since the int8 weights stay int8 in onnxruntime (commit 81b9f16), arm64's int8 kernels
    // decode this sample differently from x86-64's ("i was not an old [DATE_OF_BIRTH] man" against "i was not an old
    // speed goa man"). Until that is understood these two checks are reported as todo, not passed.
    const todo = 'arm64 and x86-64 int8 kernels disagree on this sample since int8 weights stay int8';
    t.equal(got.text, expected.text, 'same transcript', { todo });
    t.same(words(got), words(expected), 'same words', { todo });
  },
);
