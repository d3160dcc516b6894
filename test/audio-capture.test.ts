// A live source's capture: its command's stdout decoded by ffmpeg. WAV input is named to ffmpeg and read in small
// packets (low latency); other formats are still probed; commands that write little or nothing end cleanly.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startCapture } from '../daemon/audio/index.js';
import { ROOT } from './fixtures/daemon/harness.js';

const sample = join(ROOT, 'models', 'samples', 'human-librivox-0880.wav');

async function drain(argv: string[]): Promise<{ samples: Float32Array; exit: Awaited<ReturnType<typeof startCapture>['exited']>; tail: string }> {
  const capture = startCapture(argv);
  const chunks: Float32Array[] = [];
  for await (const chunk of capture.samples) chunks.push(chunk);
  const samples = new Float32Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    samples.set(c, at);
    at += c.length;
  }
  return { samples, exit: await capture.exited, tail: capture.stderrTail() };
}

const reference = (() => {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', sample, '-f', 'f32le', '-ac', '1', '-ar', '16000', 'pipe:1']);
  return new Float32Array(raw.buffer, raw.byteOffset, raw.length / 4);
})();

t.test('a WAV stream is decoded sample for sample', async (t) => {
  const { samples, exit } = await drain(['ffmpeg', '-v', 'error', '-i', sample, '-f', 'wav', 'pipe:1']);
  t.same(exit, { code: 0, signal: null });
  t.equal(samples.length, reference.length, 'every sample');
  t.ok(
    samples.every((x, i) => x === reference[i]),
    'the same values',
  );
});

t.test('other formats are still probed: an Ogg/FLAC stream', async (t) => {
  const { samples, exit } = await drain(['ffmpeg', '-v', 'error', '-i', sample, '-c:a', 'flac', '-f', 'ogg', 'pipe:1']);
  t.same(exit, { code: 0, signal: null });
  t.equal(samples.length, reference.length, 'every sample (FLAC is lossless)');
});

t.test('a command that writes a few bytes or none ends cleanly', async (t) => {
  const short = await drain(['printf', 'RIF']);
  t.equal(short.samples.length, 0);
  t.equal(short.exit.code, 0);
  const none = await drain(['true']);
  t.equal(none.samples.length, 0);
  const missing = await drain(['/nonexistent/capture-command']);
  t.equal(missing.samples.length, 0);
  t.match(missing.exit.error, /cannot start .*ENOENT/);
});
