// A live source's capture: its command's stdout as 16 kHz mono samples. A 16 kHz WAV stream (arecord's) is read
// without ffmpeg, sample for sample and as soon as its bytes arrive; WAV at other rates is resampled by ffmpeg,
// named to it and read in small packets; other formats are still probed; commands that write little or nothing end
// cleanly.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pcm16WavHeader } from '../daemon/audio/wav-writer.js';
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

const work = mkdtempSync(join(tmpdir(), 'hs-capture-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));
let written = 0;

/** A command writing `bytes` to stdout in pieces of `piece` bytes, then waiting `holdMs` before it exits. */
function writer(bytes: Buffer, piece: number, holdMs = 0): string[] {
  const file = join(work, `stream-${written++}`);
  writeFileSync(file, bytes);
  const script = `const b = require('node:fs').readFileSync(process.argv[1]);
    for (let at = 0; at < b.length; at += ${piece}) process.stdout.write(b.subarray(at, at + ${piece}));
    setTimeout(() => {}, ${holdMs});`;
  return [process.execPath, '-e', script, file];
}

t.test('a 16 kHz WAV stream split at odd byte counts loses no sample', async (t) => {
  const wav = execFileSync('ffmpeg', ['-v', 'error', '-i', sample, '-t', '2', '-f', 'wav', 'pipe:1']);
  const { samples } = await drain(writer(wav, 333));
  t.equal(samples.length, 32000);
  t.ok(
    samples.every((x, i) => x === reference[i]),
    'the same values as ffmpeg gives',
  );
});

t.test('a 16 kHz stereo WAV stream is averaged to mono', async (t) => {
  // Left: the sample; right: silence. 16-bit, with arecord's streaming header (length unknown).
  const frames = 16000;
  const data = Buffer.alloc(frames * 4);
  for (let i = 0; i < frames; i++) data.writeInt16LE(Math.round(reference[i]! * 32768), 4 * i);
  const header = pcm16WavHeader(16000, 0xffffffff);
  header.writeUInt16LE(2, 22); // channels
  header.writeUInt32LE(16000 * 4, 28); // byte rate
  header.writeUInt16LE(4, 32); // block align
  const { samples } = await drain(writer(Buffer.concat([header, data]), 4095));
  t.equal(samples.length, frames);
  t.ok(
    samples.every((x, i) => x === reference[i]! / 2),
    'half the left channel',
  );
});

t.test("a 16 kHz WAV stream's samples arrive before 1024 bytes are written (no ffmpeg packet to fill)", async (t) => {
  const header = execFileSync('ffmpeg', ['-v', 'error', '-i', sample, '-t', '0.01', '-f', 'wav', 'pipe:1']); // 160 samples
  const capture = startCapture(writer(header, header.length, 60_000));
  const first = await capture.samples[Symbol.asyncIterator]().next();
  t.equal(first.value?.length, 160, 'the 320 bytes written, while the command still runs');
  capture.stop();
  t.equal((await capture.exited).signal, 'SIGTERM');
});

t.test('a WAV stream at another rate is resampled by ffmpeg', async (t) => {
  const wav = execFileSync('ffmpeg', ['-v', 'error', '-i', sample, '-t', '2', '-ar', '44100', '-f', 'wav', 'pipe:1']);
  const { samples, exit } = await drain(writer(wav, 4096));
  t.same(exit, { code: 0, signal: null });
  t.ok(Math.abs(samples.length - 32000) <= 16, `2 s at 16 kHz (${samples.length} samples)`);
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
