// arm64 end to end: the CLI transcribes a bundled recording as a real arm64 process (Debian 12's arm64 nodejs,
// onnxruntime-node's bundled linux/arm64 binary, our addon cross-compiled with its NEON kernels) under
// qemu-aarch64, and gives the same transcript as this host. scripts/arm64/prepare.sh sets it up once and
// caches it in build/arm64/ (scripts/test.sh runs it too). Slow under emulation (minutes), which is fine here.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../common/package-root.js';

const root = packageRoot();
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

/** The transcript of a sample on this host and on the emulated arm64 node (the same CLI, rules-only redaction). */
function transcribeBoth(t: Tap.Test, sample: string): { host: Transcript; arm64: Transcript } {
  // Rules only: the neural tagger's scores sit near its threshold on some words, and onnxruntime's arm64 and x86
  // kernels round floats differently, so the tagger would compare the two CPUs' rounding rather than the runtime.
  const host = run(process.execPath, [join(root, 'daemon', 'bin', 'hushscribe.js'), 'transcribe', sample, '--json', '--detectors', 'rules'], 300);
  t.equal(host.status, 0, `transcribe on ${process.arch}`, { output: host.output.slice(-2000) });
  const emulated = run(
    'env',
    [...qemu, ...qemuNode, join(arm64, 'root', 'daemon', 'bin', 'hushscribe.js'), 'transcribe', sample, '--json', '--detectors', 'rules'],
    900,
  );
  t.equal(emulated.status, 0, 'transcribe on arm64 under qemu', { output: emulated.output.slice(-4000) });
  return { host: JSON.parse(host.stdout) as Transcript, arm64: JSON.parse(emulated.stdout) as Transcript };
}

t.test(
  'an arm64 node under qemu transcribes a sample exactly as this host does',
  { skip: process.arch === 'arm64' ? 'an arm64 host runs every test natively' : false },
  async (t) => {
    const prepared = run('bash', [join(root, 'scripts', 'arm64', 'prepare.sh')], 900);
    t.equal(prepared.status, 0, 'scripts/arm64/prepare.sh', { output: prepared.output.slice(-4000) });

    const arch = run('env', [...qemu, ...qemuNode, '-p', 'process.arch'], 300);
    t.equal(arch.stdout.trim(), 'arm64', 'the emulated node is an arm64 process', { output: arch.output.slice(-2000) });

    // Clear speech: the recogniser, the LM and the rules must agree word for word on both CPUs.
    const clear = transcribeBoth(t, join(root, 'models', 'samples', 'synthetic-card-number.wav'));
    t.match(clear.host.text, /card number/, 'the host heard the sample');
    t.equal(clear.arm64.text, clear.host.text, 'same transcript');
    t.same(words(clear.arm64), words(clear.host), 'same words');

    // A real, hard recording (a LibriVox reader): the recogniser is unsure of "old speed goa", and there arm64's and
    // x86-64's int8 kernels (the int8 weights stay int8 in onnxruntime) have once decoded it differently ("an old
    // [DATE_OF_BIRTH] man" against "an old speed goa man"). Reported, not required, until that is understood.
    const hard = transcribeBoth(t, join(root, 'models', 'samples', 'human-librivox-0880.wav'));
    t.not(hard.host.text, '', 'the host heard words');
    const todo = 'arm64 and x86-64 int8 kernels have disagreed on this uncertain recording';
    t.same(words(hard.arm64), words(hard.host), 'same words on a hard real recording', { todo });
  },
);
