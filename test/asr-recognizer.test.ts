import t from 'tap';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isModelLoadError, loadRecognizer, resolveDecoding } from '../daemon/asr/index.js';
import { readAudio } from '../daemon/audio/index.js';
import { speechWav } from './fixtures/audio/make.js';
import { batOrPatAudio, concat, RATE, TONES, toneAudio } from './fixtures/models/tone-audio.js';

const MODELS = join(import.meta.dirname, 'fixtures', 'models');

t.test('each layout transcribes tone-spelled audio into the predicted words', async (t) => {
  for (const [dir, tones] of [
    ['hushscribe-tiny', TONES.kaldiFbank],
    ['sherpa-ctc-tiny', TONES.kaldiFbank],
    ['nemo-ctc-tiny', TONES.nemoMel],
  ] as const) {
    const rec = await loadRecognizer({ modelDir: join(MODELS, dir), decoding: { lm: null } });
    const audio = toneAudio('hi there', tones);
    const tr = await rec.transcribe(audio);
    t.equal(tr.text, 'hi there', dir);
    t.equal(tr.durationSec, audio.length / RATE);
    t.equal(tr.segments.length, 1);
    const [hi, there] = tr.segments[0]!.words;
    // 'h' sounds from 0.2 s; 'i' ends at 0.2 + 0.35 + 0.2 = 0.75 s; frames are 40 ms
    t.ok(Math.abs(hi!.start - 0.2) <= 0.04, `${dir}: hi starts at ${hi!.start}`);
    t.ok(Math.abs(hi!.end - 0.75) <= 0.08, `${dir}: hi ends at ${hi!.end}`);
    t.ok(there!.start > hi!.end);
    for (const w of tr.segments[0]!.words) t.ok(w.confidence > 0 && w.confidence <= 1);
    t.ok(rec.lastTimings!.features >= 0 && rec.lastTimings!.model >= 0 && rec.lastTimings!.search >= 0);
    await rec.close();
  }
});

t.test("the manifest's LM steers beam search where the acoustics are ambiguous", async (t) => {
  const audio = batOrPatAudio();
  const dir = join(MODELS, 'hushscribe-tiny');
  const greedy = await loadRecognizer({ modelDir: dir, decoding: { method: 'greedy' } });
  t.equal(greedy.decoding.lmPath, null, 'greedy drops the manifest LM');
  t.equal((await greedy.transcribe(audio)).text, 'the pat');
  const beamNoLm = await loadRecognizer({ modelDir: dir, decoding: { beamSize: 8, lm: null } });
  t.equal((await beamNoLm.transcribe(audio)).text, 'the pat', 'beam without LM agrees with greedy');
  const withLm = await loadRecognizer({ modelDir: dir });
  t.match(withLm.decoding, { method: 'beam', beamSize: 8, lmPath: /lm\.arpa$/ });
  const tr = await withLm.transcribe(audio);
  t.equal(tr.text, 'the bat');
  const bat = tr.segments[0]!.words[1]!;
  t.ok(bat.confidence < 0.9, `the uncertain word has a lower confidence (${bat.confidence})`);
  t.ok(tr.segments[0]!.words[0]!.confidence > bat.confidence);
  const explicit = await loadRecognizer({ modelDir: join(MODELS, 'sherpa-ctc-tiny'), decoding: { lm: join(dir, 'lm.arpa'), lmWeight: 0.5 } });
  t.equal((await explicit.transcribe(audio)).text, 'the bat', 'an LM path works for a directory without a manifest');
  for (const r of [greedy, beamNoLm, withLm, explicit]) await r.close();
});

t.test('long audio is decoded in pieces of at most 20 s with times relative to the whole recording', async (t) => {
  const tones = TONES.kaldiFbank;
  const silence = (sec: number): Float32Array => new Float32Array(Math.round(sec * RATE));
  // ' hi there' (2.72 s incl. lead) then 1.2 s of silence (a segment break), repeated 7 times: 27.4 s. The gaps
  // between letters are shorter than the 100 ms window, so the cut must fall into a pause between blocks.
  const block = concat(toneAudio(' hi there', tones, 0.2, 0.08), silence(1.2));
  const audio = concat(block, block, block, block, block, block, block);
  const rec = await loadRecognizer({ modelDir: join(MODELS, 'hushscribe-tiny'), decoding: { lm: null } });
  const tr = await rec.transcribe(audio);
  t.equal(tr.text, Array(7).fill('hi there').join(' '));
  t.equal(tr.segments.length, 7, 'one segment per block: pauses of 1.2 s split them');
  const blockSec = block.length / RATE;
  tr.segments.forEach((s, k) => {
    t.equal(s.text, 'hi there');
    t.ok(Math.abs(s.start - (k * blockSec + 0.48)) <= 0.04, `segment ${k} starts at ${s.start}`);
  });
  await rec.close();
});

t.test('options are checked before the model is loaded', async (t) => {
  const dir = join(MODELS, 'hushscribe-tiny');
  const cases: Array<[Parameters<typeof loadRecognizer>[0], RegExp]> = [
    [{ modelDir: dir, threads: 0 }, /threads must be an integer from 1 to 64/],
    [{ modelDir: dir, decoding: { beamSize: 0 } }, /beamSize must be an integer from 1 to 256/],
    [{ modelDir: dir, decoding: { method: 'viterbi' as 'beam' } }, /method must be 'greedy' or 'beam'/],
    [{ modelDir: dir, decoding: { lmWeight: -1 } }, /lmWeight must be a number >= 0/],
    [{ modelDir: dir, decoding: { wordBonus: Number.NaN } }, /wordBonus must be a number/],
    [{ modelDir: dir, decoding: { lm: '' } }, /decoding\.lm must be a file path, or null/],
    [{ modelDir: dir, decoding: { method: 'greedy', lm: 'x.arpa' } }, /an LM needs decoding\.method 'beam'/],
    [{ modelDir: join(MODELS, 'nowhere'), decoding: { beamSize: 0 } }, /beamSize/],
    [{ modelDir: dir, decoding: { extraLms: [{ path: 'user.bin', weight: 1 }] } }, /extraLms\[0\]\.weight must be a number between 0 and 1/],
    [
      {
        modelDir: dir,
        decoding: {
          extraLms: [
            { path: 'a.bin', weight: 0.6 },
            { path: 'b.bin', weight: 0.5 },
          ],
        },
      },
      /extraLms weights must sum to less than 1/,
    ],
    [{ modelDir: join(MODELS, 'wrong-io') }, /expected inputs x, x_lens/],
  ];
  for (const [options, message] of cases) {
    await t.rejects(loadRecognizer(options), message);
    await loadRecognizer(options).catch((err) => t.ok(isModelLoadError(err), (err as Error).message));
  }
  // feature options the addon would refuse are reported at load, naming the manifest
  const tmp = mkdtempSync(join(tmpdir(), 'asr-features-'));
  t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
  cpSync(dir, tmp, { recursive: true });
  const manifest = JSON.parse(readFileSync(join(tmp, 'manifest.json'), 'utf8'));
  manifest.features.lowFreq = 9000;
  writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest));
  await t.rejects(loadRecognizer({ modelDir: tmp }), {
    code: 'BAD_MANIFEST',
    message: /manifest\.json: bad feature options: features\.lowFreq = 9000 is invalid/,
  });
  t.same(resolveDecoding(dir), { method: 'greedy', beamSize: 8, lmPath: null, lmWeight: 0.5, wordBonus: 0, extraLms: [], hotwords: [] });
  // a missing LM costs accuracy, not the recognizer
  const noLm = await loadRecognizer({ modelDir: dir, decoding: { lm: join(MODELS, 'none.arpa') } });
  t.match(noLm.decoding, { method: 'greedy', lmPath: null, lmError: /none\.arpa: cannot read the language model/ });
  await noLm.close();
  t.equal(resolveDecoding(dir, { beamSize: 4 }).method, 'beam');
  t.equal(resolveDecoding(dir, {}, 'lm.arpa').method, 'beam');
  t.equal(resolveDecoding(dir, { lm: null }, 'lm.arpa').method, 'greedy');
});

t.test('silence, and audio shorter than 100 ms, give an empty transcript', async (t) => {
  const rec = await loadRecognizer({ modelDir: join(MODELS, 'nemo-ctc-tiny') });
  t.same(await rec.transcribe(new Float32Array(0)), { text: '', durationSec: 0, segments: [] });
  t.same((await rec.transcribe(new Float32Array(RATE))).segments, []);
  // a 60 ms letter alone is below the 10-frame minimum; a 0.2 s one is not
  const blip = toneAudio('a', TONES.nemoMel, 0, 0).subarray(0, Math.round(0.06 * RATE));
  t.equal((await rec.transcribe(blip)).text, '');
  t.equal((await rec.transcribe(toneAudio('a', TONES.nemoMel, 0, 0))).text, 'a');
  await rec.close();
});

t.test('sherpa-onnx reads the fixtures the same way: same features, same greedy text', async (t) => {
  const require = createRequire(import.meta.url);
  const sherpa = require('sherpa-onnx-node') as {
    OfflineRecognizer: new (
      config: object,
    ) => {
      createStream(): { acceptWaveform(w: { sampleRate: number; samples: Float32Array }): void };
      decode(stream: unknown): void;
      getResult(stream: unknown): { text: string; timestamps: number[] };
    };
  };
  const dir = join(MODELS, 'sherpa-ctc-tiny');
  const reference = new sherpa.OfflineRecognizer({
    featConfig: { sampleRate: RATE, featureDim: 80 },
    modelConfig: { zipformerCtc: { model: join(dir, 'model.int8.onnx') }, tokens: join(dir, 'tokens.txt'), numThreads: 1, provider: 'cpu', debug: 0 },
  });
  const ours = await loadRecognizer({ modelDir: dir });
  const tmp = mkdtempSync(join(tmpdir(), 'asr-sherpa-'));
  t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
  const speech = (await readAudio(speechWav(tmp))).samples;
  for (const [name, samples] of [
    ['tones', toneAudio('hi there', TONES.kaldiFbank)],
    ['espeak-ng speech', speech],
  ] as const) {
    const stream = reference.createStream();
    stream.acceptWaveform({ sampleRate: RATE, samples });
    reference.decode(stream);
    const theirs = reference.getResult(stream);
    const mine = await ours.transcribe(samples);
    t.equal(mine.text, theirs.text.trim().split(/\s+/).join(' '), `${name}: ${JSON.stringify(mine.text)}`);
    t.ok(mine.text.length > 0);
  }
  await ours.close();
  // NeMo: sherpa-onnx approximates NeMo's features with Kaldi-style framing, ours follow NeMo exactly, so only
  // clear-cut input must agree.
  const nemoDir = join(MODELS, 'nemo-ctc-tiny');
  const nemoReference = new sherpa.OfflineRecognizer({
    featConfig: { sampleRate: RATE, featureDim: 80 },
    modelConfig: { nemoCtc: { model: join(nemoDir, 'model.onnx') }, tokens: join(nemoDir, 'tokens.txt'), numThreads: 1, provider: 'cpu', debug: 0 },
  });
  const nemo = await loadRecognizer({ modelDir: nemoDir });
  const tones = toneAudio('hi there', TONES.nemoMel);
  const stream = nemoReference.createStream();
  stream.acceptWaveform({ sampleRate: RATE, samples: tones });
  nemoReference.decode(stream);
  t.equal(nemoReference.getResult(stream).text.trim(), 'hi there');
  t.equal((await nemo.transcribe(tones)).text, 'hi there');
  await nemo.close();
});

t.test("the LM's end-of-sentence evidence (live.endpoint.fast): a finished phrase scores above one cut after 'the'", async (t) => {
  const modelDir = join(import.meta.dirname, '..', 'models', 'hushscribe-en-v1');
  const beam = await loadRecognizer({ modelDir });
  const finished = beam.endOfSentenceLogProb('please turn off the lights')!;
  const cut = beam.endOfSentenceLogProb('please turn off the')!;
  t.ok(finished > cut + 2, `ln p(eos): '...the lights' ${finished.toFixed(2)} vs '...the' ${cut.toFixed(2)}`);
  t.ok(finished <= 0 && Number.isFinite(cut), 'log probabilities');
  t.equal(beam.endOfSentenceLogProb(''), undefined, 'no words, no evidence');
  await beam.close();
  const greedy = await loadRecognizer({ modelDir, decoding: { method: 'greedy' } });
  t.equal(greedy.endOfSentenceLogProb('please turn off the lights'), undefined, 'no LM, no evidence');
  await greedy.close();
});

t.test('context audio is decoded in front of the samples: its words are left out and times stay relative to the samples', async (t) => {
  const tones = TONES.kaldiFbank;
  const first = toneAudio(' hi', tones);
  const second = toneAudio(' there', tones, 0.1);
  const rec = await loadRecognizer({ modelDir: join(MODELS, 'hushscribe-tiny'), decoding: { lm: null } });
  const whole = await rec.transcribe(concat(first, second), { posteriors: true });
  t.equal(whole.text, 'hi there');
  const after = await rec.transcribe(second, { context: first, posteriors: true });
  t.equal(after.text, 'there', "the context's word is not returned");
  t.equal(after.durationSec, second.length / RATE);
  // The same audio was decoded: the same word, shifted by the context's length.
  const shift = first.length / RATE;
  const there = whole.segments.flatMap((s) => s.words).at(-1)!;
  const got = after.segments[0]!.words[0]!;
  t.ok(
    Math.abs(got.start - (there.start - shift)) <= 0.002 && Math.abs(got.end - (there.end - shift)) <= 0.002,
    `times relative to the samples (${got.start})`,
  );
  t.equal(got.confidence, there.confidence);
  const posteriors = after.segments[0]!.posteriors!;
  t.ok(posteriors.start >= 0 && posteriors.start < 0.04, `posteriors start at the samples (${posteriors.start})`);
  const frames = whole.segments.reduce((n, s) => n + s.posteriors!.frames, 0);
  t.ok(Math.abs(posteriors.frames - (frames - shift / posteriors.frameSec)) <= 1, "the context's frames are dropped");
  // A context longer than a decoding piece (20 s): the pieces of context alone are not decoded.
  const long = concat(new Float32Array(25 * RATE), first);
  t.equal((await rec.transcribe(second, { context: long })).text, 'there');
  t.equal((await rec.transcribe(second, { context: new Float32Array(0) })).text, (await rec.transcribe(second)).text, 'an empty context is none');
  await rec.close();
});
