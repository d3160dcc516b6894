import t from 'tap';
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeAudioFile } from '../daemon/audio/index.js';
import { validateConfig } from '../daemon/config/load.js';
import { loadStages } from '../daemon/pipeline/stages.js';
import { loadSileroVad, SpeechSegmenter, type SpeechSegment } from '../daemon/vad/index.js';
import { transcribeRecording } from '../daemon/pipeline/transcribe.js';
import { alignedText, buildRedactedSegment } from '../daemon/redaction/segment.js';
import { wavShortfall } from '../daemon/audio/index.js';
import { PipelineError } from '../daemon/pipeline/messages.js';
import { arpaToBinary } from '../daemon/lm/binary-lm-writer.js';
import type { RedactedSegment } from '../daemon/redaction/segment.js';
import { speechFile, tempDir, TINY_MODEL, toneSamples, wavBytes } from './fixtures/daemon/harness.js';
import { batOrPatAudio } from './fixtures/models/tone-audio.js';

const dir = tempDir('pipeline');
const defaults = validateConfig({});
const RATE = 16000;

/** espeak speech, 2 s of silence, more speech: as 16 kHz samples. */
async function twoUtterances(): Promise<Float32Array> {
  const a = speechFile(join(dir, 'a.wav'), 'The first sentence ends here.');
  const b = speechFile(join(dir, 'b.wav'), 'And after a pause, a second one.');
  const out = join(dir, 'two.wav');
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-i',
    a,
    '-f',
    'lavfi',
    '-t',
    '2',
    '-i',
    'anullsrc=r=22050:cl=mono',
    '-i',
    b,
    '-filter_complex',
    '[0:a][1:a][2:a]concat=n=3:v=0:a=1',
    '-ar',
    '16000',
    out,
  ]);
  return (await decodeAudioFile(out)).samples;
}

async function segment(samples: Float32Array, options: Partial<typeof defaults.vad> = {}, chunk = 3000): Promise<SpeechSegment[]> {
  const segmenter = new SpeechSegmenter(await loadSileroVad(), { ...defaults.vad, ...options });
  const out: SpeechSegment[] = [];
  for (let at = 0; at < samples.length; at += chunk) out.push(...(await segmenter.push(samples.subarray(at, at + chunk))));
  out.push(...segmenter.flush());
  t.equal(segmenter.processedSec, samples.length / RATE);
  return out;
}

t.test('Silero segmentation splits speech at pauses, pads, and bounds segment length', async (t) => {
  const samples = await twoUtterances();
  const segs = await segment(samples);
  t.equal(segs.length, 2, 'two utterances');
  t.ok(segs[0]!.end < segs[1]!.start, 'in order, not overlapping');
  t.ok(segs[1]!.start - segs[0]!.end > 1, 'the pause is left out');
  for (const s of segs) t.equal(s.samples.length, Math.round((s.end - s.start) * RATE));
  const cut = await segment(samples, { maxSegmentSec: 1 });
  t.ok(cut.length > 2, 'long speech is cut at maxSegmentSec');
  t.ok(cut.every((s) => s.end - s.start <= 1 + 2 * (defaults.vad.speechPadMs / 1000) + 0.05));
  t.same(await segment(new Float32Array(RATE * 2)), [], 'silence has no segments');
  t.same(await segment(samples, { minSpeechMs: 10_000 }), [], 'shorter than minSpeechMs is dropped');
});

t.test('a recording goes through VAD, ASR and redaction; only redacted segments come out', async (t) => {
  const file = join(dir, 'pii.wav');
  writeFileSync(file, wavBytes(toneSamples('my name is john smith')));
  const settings = { modelDir: TINY_MODEL, variant: null, threads: 1, vad: { ...defaults.vad, enabled: false }, redaction: defaults.redaction };
  const stages = await loadStages(settings);
  const segments: RedactedSegment[] = [];
  const progress: [number, number | null][] = [];
  const result = await transcribeRecording(file, stages, settings.vad, { segment: (s) => segments.push(s), progress: (sec, d) => progress.push([sec, d]) });
  t.equal(result.segmentCount, 1);
  t.equal(segments[0]!.redactedText, 'my name is [PERSON]');
  t.equal(segments[0]!.model, 'hushscribe-tiny');
  t.notOk(JSON.stringify(segments).includes('john'));
  t.same(progress.at(-1), [result.durationSec, result.durationSec]);

  const key = join(dir, 'key');
  writeFileSync(key, 'a secret key of more than sixteen bytes\n');
  const hashing = await loadStages({ ...settings, redaction: { ...defaults.redaction, operators: { PERSON: 'hash' }, hashKeyFile: key } });
  const hashed: RedactedSegment[] = [];
  await transcribeRecording(file, hashing, settings.vad, { segment: (s) => hashed.push(s), progress: () => undefined });
  t.match(hashed[0]!.redactedText, /^my name is \[PERSON:[0-9a-f]{8}\]$/);

  const dropping = await loadStages({ ...settings, redaction: { ...defaults.redaction, operators: { PERSON: 'drop' } } });
  const dropped: RedactedSegment[] = [];
  const none = await transcribeRecording(file, dropping, settings.vad, { segment: (s) => dropped.push(s), progress: () => undefined });
  t.equal(none.segmentCount, 0, 'policy drops the whole segment');
  t.same(dropped, []);
  await t.rejects(
    loadStages({ ...settings, redaction: { ...defaults.redaction, operators: { PERSON: 'hash' } } }),
    /hashKey/,
    'hashing without a key is refused up front',
  );
  await t.rejects(
    loadStages({ ...settings, redaction: { ...defaults.redaction, longNumbers: 'yes' as never } }),
    /longNumbers must be true or false/,
    'redaction.longNumbers reaches the policy',
  );

  const withVad = await loadStages({ ...settings, vad: defaults.vad });
  const speech = speechFile(join(dir, 'speech.wav'), 'Hello there, this is a test recording.');
  const spoken: RedactedSegment[] = [];
  const r = await transcribeRecording(speech, withVad, defaults.vad, { segment: (s) => spoken.push(s), progress: () => undefined });
  t.ok(r.segmentCount >= 1 && spoken.length === r.segmentCount);
  t.same(
    spoken.map((s) => s.seq),
    [...Array(r.segmentCount).keys()],
  );
  await stages.recognizer.close();
});

t.test('too short, broken rate and truncated files are typed errors', async (t) => {
  const settings = { modelDir: TINY_MODEL, variant: null, threads: 1, vad: defaults.vad, redaction: defaults.redaction };
  const stages = await loadStages(settings);
  const on = { segment: () => undefined, progress: () => undefined };
  const blip = join(dir, 'blip.wav');
  writeFileSync(blip, wavBytes(new Float32Array(1600)));
  await t.rejects(
    transcribeRecording(blip, stages, settings.vad, on),
    new PipelineError('TOO_SHORT', 'blip.wav: is 0.10 s long; recordings shorter than 0.3 s cannot hold speech'),
  );
  const bytes = wavBytes(toneSamples('hi there'));
  const cut = join(dir, 'cut.wav');
  writeFileSync(cut, bytes.subarray(0, bytes.length / 2));
  await t.rejects(transcribeRecording(cut, stages, settings.vad, on), { code: 'TRUNCATED' });
  t.same(await wavShortfall(cut), { declaredSec: (bytes.length - 44) / 32000, presentSec: (bytes.length / 2 - 44) / 32000 });
  t.equal(await wavShortfall(join(dir, 'pii.wav')), null, 'complete file');
  const streamed = Buffer.from(bytes);
  streamed.writeUInt32LE(0xffffffff, 40);
  writeFileSync(join(dir, 'streamed.wav'), streamed);
  t.equal(await wavShortfall(join(dir, 'streamed.wav')), null, 'unknown size is not truncation');
  writeFileSync(join(dir, 'text.txt'), 'RIFF but not really');
  t.equal(await wavShortfall(join(dir, 'text.txt')), null);
  const slow = Buffer.from(bytes);
  slow.writeUInt32LE(2, 24);
  writeFileSync(join(dir, 'slow.wav'), slow);
  await t.rejects(transcribeRecording(join(dir, 'slow.wav'), stages, settings.vad, on), { code: 'BAD_SAMPLE_RATE' });
  await stages.recognizer.close();
});

t.test('words inside an entity become one placeholder word with the entity audio span', async (t) => {
  const seg = {
    start: 0.5,
    end: 3,
    text: 'call jane doe now',
    words: [
      { word: 'call', start: 0.5, end: 0.8, confidence: 0.9 },
      { word: 'jane', start: 1, end: 1.3, confidence: 0.8 },
      { word: 'doe', start: 1.4, end: 1.7, confidence: 0.7 },
      { word: 'now', start: 2, end: 3, confidence: 0.95 },
    ],
  };
  const { text, ranges } = alignedText(seg);
  t.equal(text, seg.text);
  const result = {
    text: 'call [PERSON] now',
    dropped: false,
    entities: [
      { type: 'PERSON' as const, start: 5, end: 13, redactedStart: 5, redactedEnd: 13, replacement: '[PERSON]', score: 0.9, source: 'gazetteer:person' },
    ],
  };
  const out = buildRedactedSegment(seg, ranges, result, { seq: 3, offsetSec: 10, model: 'm', variant: 'v' })!;
  t.same(out.words, [
    { word: 'call', start: 10.5, end: 10.8, confidence: 0.9 },
    { word: '[PERSON]', start: 11, end: 11.7, confidence: 0.7, entity: 'PERSON' },
    { word: 'now', start: 12, end: 13, confidence: 0.95 },
  ]);
  t.same(out.entities, [{ type: 'PERSON', redactedStart: 5, redactedEnd: 13, audioStart: 11, audioEnd: 11.7, score: 0.9, detector: 'gazetteer:person' }]);
  t.equal(out.start, 10.5);
  t.equal(buildRedactedSegment(seg, ranges, { ...result, dropped: true }, { seq: 0, offsetSec: 0, model: 'm', variant: 'v' }), null);
  // Text and words that disagree: the words are what is redacted and stored.
  const odd = alignedText({ ...seg, text: 'Call Jane Doe, now!' });
  t.equal(odd.text, 'call jane doe now');
  t.same(odd.ranges[1], [5, 9]);
});

t.test('a damaged LM in the model directory: the stages load, decode greedily and say why', async (t) => {
  const model = join(dir, 'model-damaged-lm');
  cpSync(TINY_MODEL, model, { recursive: true });
  await arpaToBinary(join(TINY_MODEL, 'lm.arpa'), join(model, 'lm.bin'));
  const bytes = readFileSync(join(model, 'lm.bin'));
  writeFileSync(join(model, 'lm.arpa'), bytes.subarray(0, bytes.length - 16)); // the manifest's LM, truncated
  const settings = { modelDir: model, variant: null, threads: 1, vad: { ...defaults.vad, enabled: false }, redaction: defaults.redaction };
  const stages = await loadStages(settings);
  t.match(stages.recognizer.decoding, { lmError: /lm\.arpa: truncated or damaged binary LM/ });
  const file = join(dir, 'pii-damaged-lm.wav');
  writeFileSync(file, wavBytes(toneSamples('my name is john smith')));
  const segments: RedactedSegment[] = [];
  await transcribeRecording(file, stages, settings.vad, { segment: (s) => segments.push(s), progress: () => {} });
  t.equal(segments[0]!.redactedText, 'my name is [PERSON]', 'transcribed and redacted all the same');
});

t.test("a request's hotwords steer this recording's decoding, and its pii ones are redacted in it", async (t) => {
  const file = join(dir, 'bat-or-pat.wav');
  writeFileSync(file, wavBytes(batOrPatAudio()));
  const settings = { modelDir: TINY_MODEL, variant: null, threads: 1, vad: { ...defaults.vad, enabled: false }, redaction: defaults.redaction };
  const stages = await loadStages(settings);
  const texts = async (hotwords?: Array<{ phrase: string; boost?: number; pii?: boolean }>): Promise<string[]> => {
    const segments: RedactedSegment[] = [];
    await transcribeRecording(file, stages, settings.vad, { segment: (s) => segments.push(s), progress: () => {}, ...(hotwords ? { hotwords } : {}) });
    return segments.map((s) => s.redactedText);
  };
  t.same(await texts(), ['the bat'], "the manifest's LM alone");
  t.same(await texts([{ phrase: 'bat', boost: 0.5, pii: true }]), ['the [PERSON]']);
  t.same(await texts(), ['the bat'], 'the next recording has no pii list');
});
