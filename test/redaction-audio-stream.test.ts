// Redacted audio written while it is heard (live sessions), unit level: commit/close give the same bytes as
// RedactedAudioWriter.write on the whole session, spans across a commit point are masked on both sides, RAM holds
// only what is not yet written, the temp file is renamed at close, opus through one ffmpeg, and failures.
import t from 'tap';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeAudioFile, readWavFile } from '../daemon/audio/index.js';
import { RedactedAudioError, RedactedAudioWriter, StreamingRedactedAudio, TEMP_SUFFIX, TONE_AMPLITUDE, TONE_HZ } from '../daemon/redacted-audio/index.js';
import { tempDir } from './fixtures/daemon/harness.js';

const RATE = 16000;

function speechLike(n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = 0.3 * Math.sin((2 * Math.PI * 220 * i) / RATE) + 0.2 + (0.1 * i) / n;
  return out;
}

/** Pushes `samples` in chunks of `chunk`, committing after each up to `lag` seconds behind what was pushed. */
async function stream(
  writer: StreamingRedactedAudio,
  samples: Float32Array,
  chunk: number,
  lag: number,
  spans: { start: number; end: number }[],
): Promise<number[]> {
  const buffered: number[] = [];
  for (let at = 0; at < samples.length; at += chunk) {
    const piece = samples.slice(at, Math.min(samples.length, at + chunk));
    writer.push(piece);
    await writer.commit((at + piece.length) / RATE - lag, spans);
    buffered.push(writer.bufferedSamples);
  }
  return buffered;
}

t.test('wav: commit + close write the bytes RedactedAudioWriter.write writes for the whole session', async (t) => {
  const dir = tempDir('stream-wav');
  const original = speechLike(10 * RATE + 123);
  const spans = [
    { start: 0.5, end: 1.2 },
    { start: 2.95, end: 3.05 },
    { start: 4.0, end: 6.5 },
    { start: 9.9, end: 11 },
  ];
  for (const mode of ['tone', 'silence'] as const) {
    const whole = new RedactedAudioWriter(join(dir, `whole-${mode}`), { mode, padMs: 80, format: 'wav' });
    const expected = readFileSync((await whole.write('rec', original.slice(), spans)).path);
    const writer = new RedactedAudioWriter(join(dir, `stream-${mode}`), { mode, padMs: 80, format: 'wav' }).stream('rec');
    t.ok(existsSync(writer.tempPath), 'the temp file exists from the start');
    // Commit points every 0.7 s, 0.2 s behind: several fall inside the padded spans (3 s, 5 s, 6 s).
    const buffered = await stream(writer, original, Math.round(0.7 * RATE), 0.2, spans);
    t.ok(
      buffered.every((n) => n <= 0.9 * RATE),
      `RAM holds at most one chunk + the lag (max ${Math.max(...buffered)} samples)`,
    );
    t.ok(existsSync(writer.tempPath) && !existsSync(writer.path), `.rec.wav${TEMP_SUFFIX} before close, no final file`);
    const { path, bytes } = await writer.close(spans);
    t.equal(path, join(dir, `stream-${mode}`, 'rec.wav'));
    t.same(readdirSync(join(dir, `stream-${mode}`)), ['rec.wav'], 'renamed: no temp file left');
    const got = readFileSync(path);
    t.equal(bytes, got.length);
    t.ok(got.equals(expected), `${mode}: byte for byte the same as the whole-session write`);
    t.equal(writer.bufferedSamples, 0);
    t.equal(writer.writtenSec, original.length / RATE);
  }
});

t.test('a span across a commit point is masked on both sides; RAM drops after each commit', async (t) => {
  const dir = tempDir('stream-straddle');
  const writer = new StreamingRedactedAudio(dir, 'rec', { mode: 'tone', padMs: 0, format: 'wav' });
  const original = speechLike(4 * RATE);
  writer.push(original.slice(0, 2 * RATE));
  t.equal(writer.bufferedSamples, 2 * RATE);
  const spans = [{ start: 1.5, end: 2.5 }];
  await writer.commit(2, spans);
  t.equal(writer.bufferedSamples, 0, 'all before the commit point dropped from RAM');
  await writer.commit(1, spans);
  t.equal(writer.writtenSec, 2, 'a commit point already written is a no-op');
  writer.push(original.slice(2 * RATE));
  await writer.commit(3, spans);
  t.equal(writer.bufferedSamples, RATE, 'the second after the commit point stays');
  const { path } = await writer.close(spans);
  const { samples } = await readWavFile(path);
  t.equal(samples.length, original.length);
  const mismatches: number[] = [];
  for (let i = 0; i < samples.length; i++) {
    const inside = i >= 1.5 * RATE && i < 2.5 * RATE;
    const expected = inside ? TONE_AMPLITUDE * Math.sin((2 * Math.PI * TONE_HZ * i) / RATE) : original[i]!;
    if (Math.abs(samples[i]! - expected) > 2 / 32768) mismatches.push(i);
  }
  t.same(mismatches.slice(0, 5), [], 'tone on both sides of 2 s, in phase with the session clock; the rest untouched');
  await t.rejects(writer.commit(5, spans), RedactedAudioError, 'closed: no more commits');
  writer.push(new Float32Array(10));
  t.equal(writer.bufferedSamples, 0, 'pushes after close are ignored');
  writer.abort();
  t.ok(existsSync(path), 'abort after close keeps the finished file');
});

t.test('opus: one ffmpeg per session, decodable, as long as the session', async (t) => {
  const dir = tempDir('stream-opus');
  const writer = new RedactedAudioWriter(dir, { mode: 'tone', padMs: 80, format: 'opus' }).stream('rec');
  const original = speechLike(3 * RATE);
  await stream(writer, original.subarray(0, RATE), 4096, 0.3, [{ start: 1, end: 2 }]);
  // Two seconds at once: more than a pipe holds, so the write waits for ffmpeg to drain it.
  writer.push(original.slice(RATE));
  await writer.commit(2.9, [{ start: 1, end: 2 }]);
  t.ok(existsSync(writer.tempPath), 'temp file before close');
  const { path, bytes } = await writer.close([{ start: 1, end: 2 }]);
  t.equal(path, join(dir, 'rec.opus'));
  t.ok(bytes > 1000);
  t.same(readdirSync(dir), ['rec.opus']);
  const decoded = (await decodeAudioFile(path)).samples;
  t.ok(Math.abs(decoded.length - original.length) < 0.05 * RATE, `decodes to the session's length (${decoded.length} samples)`);
  // The middle of the masked second is the tone: its level is the tone's (-20 dBFS), not the input's.
  let energy = 0;
  for (let i = 1.3 * RATE; i < 1.7 * RATE; i++) energy += decoded[i]! ** 2;
  const rms = Math.sqrt(energy / (0.4 * RATE));
  t.ok(Math.abs(rms - TONE_AMPLITUDE / Math.SQRT2) < 0.02, `tone level inside the span (rms ${rms.toFixed(3)})`);
});

t.test('failures: RedactedAudioError, temp file removed, writer unusable', async (t) => {
  const dir = tempDir('stream-fail');
  writeFileSync(join(dir, 'file'), '');
  t.throws(
    () => new StreamingRedactedAudio(join(dir, 'file', 'sub'), 'rec', { mode: 'tone', padMs: 80, format: 'wav' }),
    RedactedAudioError,
    'folder cannot be made',
  );

  const opus = new StreamingRedactedAudio(dir, 'bad', { mode: 'tone', padMs: 80, format: 'opus' });
  opus.push(speechLike(RATE));
  opus.abort();
  t.notOk(existsSync(opus.tempPath), 'abort removes the temp file and stops ffmpeg');
  await t.rejects(opus.commit(1, []), RedactedAudioError);

  const aborted = new StreamingRedactedAudio(dir, 'cut', { mode: 'tone', padMs: 80, format: 'wav' });
  aborted.push(speechLike(RATE));
  await aborted.commit(0.5, []);
  aborted.abort();
  t.same(
    readdirSync(dir).filter((n) => n.includes('cut')),
    [],
    'a wav session aborted mid-way leaves nothing',
  );

  // The output folder vanishes mid-session: the rename at close fails.
  const sub = join(dir, 'gone');
  const wav = new StreamingRedactedAudio(sub, 'rec', { mode: 'tone', padMs: 80, format: 'wav' });
  wav.push(speechLike(RATE));
  await wav.commit(0.5, []);
  rmSync(sub, { recursive: true });
  await t.rejects(wav.close([]), { name: 'RedactedAudioError', code: 'REDACTED_AUDIO_FAILED' });
  await t.rejects(wav.commit(1, []), RedactedAudioError, 'failed: stays failed');

  // ffmpeg cannot write its output: reported when the session closes.
  const ro = join(dir, 'ro');
  const enc = new StreamingRedactedAudio(ro, 'rec', { mode: 'tone', padMs: 80, format: 'opus' });
  rmSync(ro, { recursive: true });
  writeFileSync(ro, '');
  enc.push(speechLike(10 * RATE));
  await t.rejects(
    async () => {
      await enc.commit(10, []);
      await enc.close([]);
    },
    RedactedAudioError,
    'ffmpeg failure surfaces',
  );
  chmodSync(dir, 0o755);
});
