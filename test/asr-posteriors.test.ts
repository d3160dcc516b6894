// transcribe(samples, { posteriors: true }): each segment carries a copy of its CTC log-posteriors, frames x vocab,
// 25 frames a second; the segments of a piece tile its frames; nothing is attached by default.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRecognizer, type SegmentPosteriors } from '../daemon/asr/index.js';
import { readAudio } from '../daemon/audio/index.js';
import { speechWav } from './fixtures/audio/make.js';
import { concat, RATE, TONES, toneAudio } from './fixtures/models/tone-audio.js';

const MODELS = join(import.meta.dirname, 'fixtures', 'models');

/** Largest |log(sum(exp(row)))| over the rows: 0 when every row is a log-probability distribution. */
function worstRowLogSum(p: SegmentPosteriors): number {
  let worst = 0;
  for (let f = 0; f < p.frames; f++) {
    let sum = 0;
    for (let v = 0; v < p.vocab; v++) sum += Math.exp(p.data[f * p.vocab + v]!);
    worst = Math.max(worst, Math.abs(Math.log(sum)));
  }
  return worst;
}

t.test('one segment: frames = audio length / 40 ms, the model vocabulary, rows of log-probabilities', async (t) => {
  const rec = await loadRecognizer({ modelDir: join(MODELS, 'hushscribe-tiny') });
  const audio = toneAudio('hi there', TONES.kaldiFbank);
  t.equal((await rec.transcribe(audio)).segments[0]!.posteriors, undefined, 'not attached unless asked');
  const tr = await rec.transcribe(audio, { posteriors: true });
  t.equal(tr.text, 'hi there', 'same text with posteriors');
  const p = tr.segments[0]!.posteriors!;
  t.equal(p.vocab, 29);
  t.equal(p.frameSec, 0.04);
  t.equal(p.start, 0);
  t.ok(Math.abs(p.frames - audio.length / RATE / 0.04) <= 2, `${p.frames} frames for ${audio.length / RATE} s`);
  t.equal(p.data.length, p.frames * p.vocab);
  t.ok(worstRowLogSum(p) < 1e-3, 'exp of each row sums to 1');
  await rec.close();
});

t.test('segments split by a pause tile the frames of their piece, cut mid-pause', async (t) => {
  const rec = await loadRecognizer({ modelDir: join(MODELS, 'hushscribe-tiny'), decoding: { lm: null } });
  const block = toneAudio(' hi there', TONES.kaldiFbank, 0.2, 0.08);
  const audio = concat(block, new Float32Array(1.2 * RATE), block);
  const tr = await rec.transcribe(audio, { posteriors: true });
  t.equal(tr.segments.length, 2);
  const [a, b] = tr.segments.map((s) => s.posteriors!);
  t.equal(a!.start, 0);
  t.equal(b!.start, Math.round(a!.frames * 0.04 * 1000) / 1000, 'the second starts where the first ends');
  t.ok(b!.start > tr.segments[0]!.end && b!.start < tr.segments[1]!.start, `cut at ${b!.start} s, inside the pause`);
  t.ok(Math.abs(a!.frames + b!.frames - audio.length / RATE / 0.04) <= 2, 'together they cover the audio');
  await rec.close();
});

t.test('the bundled model on espeak-ng speech: 29 tokens, 25 frames a second', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'asr-posteriors-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { samples } = await readAudio(speechWav(dir));
  const rec = await loadRecognizer({ modelDir: join(import.meta.dirname, '..', 'models', 'hushscribe-en-v1') });
  const tr = await rec.transcribe(samples, { posteriors: true });
  t.match(tr.text, /quick/);
  const frames = tr.segments.reduce((n, s) => n + s.posteriors!.frames, 0);
  t.ok(Math.abs(frames - samples.length / RATE / 0.04) <= 2, `${frames} frames for ${samples.length / RATE} s`);
  for (const s of tr.segments) {
    t.equal(s.posteriors!.vocab, 29);
    t.ok(worstRowLogSum(s.posteriors!) < 1e-3);
  }
  await rec.close();
});
