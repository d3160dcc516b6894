import t from 'tap';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRecognizer } from '../daemon/asr/index.js';
import { readAudio } from '../daemon/audio/index.js';
import { ExitCode } from '../daemon/cli/command.js';
import { createTranscribeCommand, DEFAULT_MODEL, redactTranscript } from '../daemon/cli/commands/transcribe.js';
import { runInMemory, type CliResult } from './fixtures/cli/run.js';
import { packageRoot } from '../common/package-root.js';
import { PiiTagger } from '../redaction/tagger.js';
import { ffmpegEncode, speechWav, wavBytes } from './fixtures/audio/make.js';
import { batOrPatAudio, RATE, TONES, toneAudio } from './fixtures/models/tone-audio.js';

const MODELS = join(import.meta.dirname, 'fixtures', 'models');
const TINY = join(MODELS, 'hushscribe-tiny');

async function cli(argv: string[], command?: ReturnType<typeof createTranscribeCommand>): Promise<CliResult> {
  return runInMemory(argv, command ? { command } : {});
}

const dir = mkdtempSync(join(tmpdir(), 'asr-cli-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const wav = (name: string, samples: Float32Array): string => {
  const path = join(dir, name);
  writeFileSync(path, wavBytes({ sampleRate: RATE, bitsPerSample: 16, samples: Array.from(samples) }));
  return path;
};
const hiThere = wav('hi-there.wav', toneAudio('hi there', TONES.kaldiFbank));
const batOrPat = wav('bat-or-pat.wav', batOrPatAudio());
// The same tones through ffmpeg: FLAC at 44.1 kHz, resampled on the way in.
const hiThereFlac = ffmpegEncode(hiThere, join(dir, 'hi-there.flac'), ['-ar', '44100', '-c:a', 'flac']);
const speech = speechWav(dir);
const notAudio = join(dir, 'notes.wav');
writeFileSync(notAudio, 'this is a text file, not a recording\n');
const missing = join(dir, 'missing.ogg');

t.test('--json: one object per file; a bad file among good ones gives an error object and exit code 3', async (t) => {
  const { code, out, err } = await cli(['transcribe', '--no-vad', '--json', '--model', TINY, '--no-lm', hiThere, notAudio, hiThereFlac, missing, speech]);
  t.equal(code, ExitCode.inputError);
  const lines = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  t.equal(lines.length, 5);
  const [a, bad, flac, gone, spoken] = lines;
  t.match(a, { file: hiThere, text: 'hi there', model: { name: 'hushscribe-tiny', variant: 'dense' }, redaction: 'applied' });
  t.equal(a.durationSec, 3);
  t.same(Object.keys(a.timingsMs), ['decode', 'features', 'model', 'search', 'total']);
  t.ok(Object.values(a.timingsMs).every((ms) => typeof ms === 'number' && ms >= 0));
  t.equal(a.segments.length, 1);
  t.same(Object.keys(a.segments[0]), ['start', 'end', 'text', 'words']);
  t.same(
    a.segments[0].words.map((w: { word: string }) => w.word),
    ['hi', 'there'],
  );
  t.same(Object.keys(a.segments[0].words[0]), ['word', 'start', 'end', 'confidence']);
  t.match(bad, { file: notAudio, error: /notes\.wav/, code: /^[A-Z_]+$/ });
  t.equal(flac.text, 'hi there', 'FLAC at 44.1 kHz decodes to the same words');
  t.match(gone, { file: missing, code: 'NOT_FOUND' });
  // espeak-ng speech through a toy model: whatever it says, it is what the API says for the same file.
  const rec = await loadRecognizer({ modelDir: TINY, decoding: { lm: null } });
  const direct = await rec.transcribe((await readAudio(speech)).samples);
  await rec.close();
  const tagger = await PiiTagger.load();
  t.equal(spoken.text, (await redactTranscript(direct, {}, [], { tagger })).text, 'the CLI redacts with rules and tagger');
  await tagger.close();
  t.ok(spoken.durationSec > 1.5 && spoken.durationSec < 4, `espeak sentence lasts ${spoken.durationSec} s`);
  for (const seg of spoken.segments) {
    for (const w of seg.words) t.ok(w.start <= w.end && w.end <= spoken.durationSec && w.confidence > 0 && w.confidence <= 1);
  }
  t.match(err, /notes\.wav/);
  t.match(err, /missing\.ogg/);
});

t.test('plain output: "file: text" per file', async (t) => {
  const { code, out } = await cli(['transcribe', '--no-vad', '--model', TINY, '--no-lm', hiThere, hiThereFlac]);
  t.equal(code, ExitCode.ok);
  t.equal(out, `${hiThere}: hi there\n${hiThereFlac}: hi there\n`);
});

t.test("beam search and the model's LM from the command line", async (t) => {
  t.equal((await cli(['transcribe', '--no-vad', '--no-redact', '--model', TINY, batOrPat])).out, `${batOrPat}: the bat\n`, "the manifest's LM by default");
  t.equal((await cli(['transcribe', '--no-vad', '--no-redact', '--model', TINY, '--no-lm', batOrPat])).out, `${batOrPat}: the pat\n`);
  t.equal((await cli(['transcribe', '--no-vad', '--no-redact', '--model', TINY, '--no-lm', '--beam', '4', batOrPat])).out, `${batOrPat}: the pat\n`);
  const sherpa = join(MODELS, 'sherpa-ctc-tiny');
  const lm = join(TINY, 'lm.arpa');
  t.equal(
    (await cli(['transcribe', '--no-vad', '--no-redact', '--model', sherpa, '--lm', lm, '--lm-weight', '0.5', '--word-bonus', '0', batOrPat])).out,
    `${batOrPat}: the bat\n`,
  );
  t.equal((await cli(['transcribe', '--no-vad', '--no-redact', '--model', sherpa, '--lm', lm, '--lm-weight', '0', batOrPat])).out, `${batOrPat}: the pat\n`);
  const { code, out } = await cli(['transcribe', '--no-vad', '--json', '--model', TINY, '--variant', 'dense', '--threads', '2', '--no-redact', hiThere]);
  t.equal(code, 0);
  t.match(JSON.parse(out), { redaction: 'off', text: 'hi there' });
});

t.test('personal data is redacted by default: words of an entity become its placeholder', async (t) => {
  const callJohn = wav('phone-call.wav', toneAudio('call john', TONES.kaldiFbank));
  const { code, out } = await cli(['transcribe', '--no-vad', '--json', '--model', TINY, '--no-lm', callJohn]);
  t.equal(code, ExitCode.ok);
  const result = JSON.parse(out);
  t.match(result, { text: 'call [PERSON]', redaction: 'applied' });
  t.notMatch(out, /john/, 'the name appears nowhere in the output');
  const [call, person] = result.segments[0].words;
  t.equal(call.word, 'call');
  t.equal(person.word, '[PERSON]');
  // the placeholder keeps the name's audio times: 'j' sounds from 0.2 + 5 * 0.35 = 1.95 s
  t.ok(Math.abs(person.start - 1.95) <= 0.04, `placeholder starts at ${person.start}`);
  const rulesOnly = await cli(['transcribe', '--no-vad', '--model', TINY, '--no-lm', '--detectors', 'rules', callJohn]);
  t.equal(rulesOnly.out, `${callJohn}: call [PERSON]\n`, '--detectors rules');
  const raw = await cli(['transcribe', '--no-vad', '--no-redact', '--model', TINY, '--no-lm', callJohn]);
  t.equal(raw.out, `${callJohn}: call john\n`);
  // "pat" is a first name and a word; after a determiner it is the word (redaction/recognizers/person.ts).
  t.equal((await cli(['transcribe', '--no-vad', '--model', TINY, '--no-lm', batOrPat])).out, `${batOrPat}: the pat\n`, '"the pat" is no name');
});

t.test('the redaction hook sees every transcript before it is printed', async (t) => {
  const seen: string[] = [];
  const command = createTranscribeCommand(async (tr) => {
    seen.push(tr.text);
    return { ...tr, text: '[redacted]', segments: [] };
  });
  const { out } = await cli(['--no-vad', '--json', '--model', TINY, '--no-lm', hiThere], command);
  t.same(seen, ['hi there']);
  t.match(JSON.parse(out), { text: '[redacted]', segments: [], redaction: 'applied' });
  const off = await cli(['--no-vad', '--model', TINY, '--no-lm', '--no-redact', hiThere], command);
  t.equal(off.out, `${hiThere}: hi there\n`, '--no-redact skips the hook');
  t.same(seen, ['hi there']);
});

t.test('usage errors and model problems', async (t) => {
  const usage: string[][] = [
    ['transcribe'],
    ['transcribe', '--no-vad', '--lm', 'x.arpa', '--no-lm', hiThere],
    ['transcribe', '--no-vad', '--beam', '0', hiThere],
    ['transcribe', '--no-vad', '--threads', 'two', hiThere],
    ['transcribe', '--no-vad', '--lm-weight', 'heavy', hiThere],
    ['transcribe', '--no-vad', '--frobnicate', hiThere],
    ['transcribe', '--no-vad', '--model', TINY, '--variant', 'int4', hiThere],
    ['transcribe', '--no-vad', '--model', TINY, '--detectors', 'magic', hiThere],
  ];
  for (const argv of usage) {
    const { code, err } = await cli(argv);
    t.equal(code, ExitCode.usage, argv.join(' '));
    t.ok(err.length > 0);
  }
  const noModel = await cli(['transcribe', '--no-vad', '--model', join(dir, 'no-such-model'), hiThere]);
  t.equal(noModel.code, ExitCode.unavailable);
  t.match(noModel.err, /cannot load the model: .*no-such-model: model directory not found/);
  const broken = await cli(['transcribe', '--no-vad', '--model', join(MODELS, 'wrong-io'), hiThere]);
  t.equal(broken.code, ExitCode.failure);
  t.match(broken.err, /expected inputs x, x_lens and outputs log_probs, log_probs_len/);
  const help = await cli(['transcribe', '--no-vad', '--help']);
  t.equal(help.code, 0);
  t.match(help.out, /Usage: hushscribe transcribe FILE\.\.\./);
  const overview = await cli(['--help']);
  t.match(overview.out, /transcribe\s+Transcribe recordings/);
});

t.test(`without --model the package's ${DEFAULT_MODEL} is used`, async (t) => {
  const installed = existsSync(join(packageRoot(), DEFAULT_MODEL, 'manifest.json'));
  const { code, err } = await cli(['transcribe', hiThere]);
  if (installed) t.equal(code, ExitCode.ok, 'the trained model is installed');
  else {
    t.equal(code, ExitCode.unavailable);
    t.match(err, DEFAULT_MODEL);
    t.match(err, /install the model there, or pass --model DIR/);
  }
});

t.test('redactTranscript: one session per transcript, dropped segments left out', async (t) => {
  const word = (w: string, start: number) => ({ word: w, start, end: start + 0.3, confidence: 0.9 });
  const transcript = {
    text: 'my name is john hello there',
    durationSec: 5,
    segments: [
      { start: 0, end: 1.5, text: 'my name is john', words: [word('my', 0), word('name', 0.4), word('is', 0.8), word('john', 1.2)] },
      { start: 3, end: 3.7, text: 'hello there', words: [word('hello', 3), word('there', 3.4)] },
    ],
  };
  const redacted = await redactTranscript(transcript);
  t.equal(redacted.text, 'my name is [PERSON] hello there');
  t.same(
    redacted.segments[0]!.words.map((w) => w.word),
    ['my', 'name', 'is', '[PERSON]'],
  );
  const dropped = await redactTranscript(transcript, { operator: 'drop' });
  t.same(
    dropped.segments.map((s) => s.text),
    ['hello there'],
    'the segment with a name is dropped',
  );
  t.equal(dropped.durationSec, 5);
});
