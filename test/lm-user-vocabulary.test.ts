import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHotwords, readHotwords } from '../daemon/asr/index.js';
import { ExitCode } from '../daemon/cli/command.js';
import { validateConfig } from '../daemon/config/load.js';
import { BinaryLm } from '../daemon/lm/binary-lm.js';
import { loadStages } from '../daemon/pipeline/stages.js';
import { findKnownPii } from '../redaction/known.js';
import { SessionRedactor } from '../redaction/session.js';
import { runInMemory } from './fixtures/cli/run.js';
import { wavBytes } from './fixtures/daemon/harness.js';
import { batOrPatAudio } from './fixtures/models/tone-audio.js';

const TINY = join(import.meta.dirname, 'fixtures', 'models', 'hushscribe-tiny');
const dir = mkdtempSync(join(tmpdir(), 'lm-user-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

t.test('hushscribe lm build: the user text in spoken form, as a binary LM', async (t) => {
  writeFileSync(join(dir, 'notes.txt'), 'Call Dr. Kowalski at 10:30 about Zentrova.\nZentrova ships on the 3rd.\n\n');
  const r = await runInMemory(['lm', 'build', '--text', join(dir, 'notes.txt'), '--out', join(dir, 'user'), '--json']);
  t.equal(r.code, ExitCode.ok, r.err);
  const summary = JSON.parse(r.out);
  t.match(summary, { sentences: 2, order: 3 });
  t.same(JSON.parse(readFileSync(join(dir, 'user', 'lm.json'), 'utf8')).counts, summary.counts);
  const lm = BinaryLm.load(join(dir, 'user', 'lm.bin'));
  for (const w of ['doctor', 'kowalski', 'ten', 'thirty', 'zentrova', 'third']) t.not(lm.wordId(w), lm.unkId, `'${w}' is in the vocabulary`);
  t.equal(lm.wordId('dr'), lm.unkId, 'abbreviations were expanded');
  t.ok(lm.logProb([lm.wordId('about')], lm.wordId('zentrova')) > Math.log(0.3));
  t.equal((await runInMemory(['lm', 'build', '--text', join(dir, 'missing.txt'), '--out', join(dir, 'x')])).code, ExitCode.inputError);
  t.equal((await runInMemory(['lm', 'build', '--out', join(dir, 'x')])).code, ExitCode.usage);
  t.equal((await runInMemory(['lm', 'build', '--text', join(dir, 'notes.txt'), '--out', join(dir, 'x'), '--order', '9'])).code, ExitCode.usage);
  t.equal((await runInMemory(['lm', 'frobnicate'])).code, ExitCode.usage);
});

t.test('hotword list files: spoken form, boost, pii, clear errors', async (t) => {
  t.same(parseHotwords("# customers\nDr. Anna Kowalski  boost=2 pii\nZentrova Cloud\n\n  Mr. O'Brien pii # trailing comment\n", 'list.txt'), [
    { phrase: 'doctor anna kowalski', boost: 2, pii: true },
    { phrase: 'zentrova cloud' },
    { phrase: "mister o'brien", pii: true },
  ]);
  t.throws(() => parseHotwords('anna boost=-1\n', 'list.txt'), /list\.txt line 1: Expected a number > 0 for boost but received "-1"/);
  t.throws(() => parseHotwords('ok\n東京\n', 'list.txt'), /list\.txt line 2: no words the recognizer can spell/);
  t.throws(() => readHotwords(join(dir, 'nope.txt')), /cannot read the hotword list .*nope\.txt: ENOENT/);
});

t.test('known personal data: every occurrence of a listed phrase is an entity', async (t) => {
  const words = 'please call anna kowalski or anna later'.split(' ');
  t.match(findKnownPii(words, [{ phrase: 'anna kowalski' }]), [{ type: 'PERSON', start: 2, end: 4, score: 1, source: 'known' }]);
  t.same(findKnownPii(words, [{ phrase: 'bob' }]), []);
  // "zentrova" is no name the rules know; listed as pii it is redacted
  const plain = new SessionRedactor({}, {});
  t.equal((await plain.redact('the zentrova account is ready')).text, 'the zentrova account is ready');
  const known = new SessionRedactor({}, { knownPii: [{ phrase: 'zentrova' }] });
  t.equal((await known.redact('the zentrova account is ready')).text, 'the [PERSON] account is ready');
});

t.test('config: asr.lm.extra and asr.hotwords reach the recognizer and the redactor', async (t) => {
  t.throws(() => validateConfig({ asr: { lm: { extra: [{ dir: '/x', weight: 1.5 }] } } }), /asr\.lm\.extra/);
  const config = validateConfig({ asr: { hotwords: join(dir, 'hot.txt'), lm: { extra: [{ dir: join(dir, 'user'), weight: 0.2 }] } } });
  t.same(config.asr.lm.extra, [{ dir: join(dir, 'user'), weight: 0.2 }]);
  writeFileSync(join(dir, 'hot.txt'), 'bat boost=0.5 pii\n');
  const stages = await loadStages({
    modelDir: TINY,
    variant: null,
    threads: 1,
    lm: config.asr.lm,
    hotwords: config.asr.hotwords,
    vad: { ...config.vad, enabled: false },
    redaction: config.redaction,
  });
  t.equal((await stages.recognizer.transcribe(batOrPatAudio())).text, 'the bat');
  t.equal((await stages.newRedactor().redact('the bat')).text, 'the [PERSON]', 'the pii hotword is redacted');
  await stages.recognizer.close();
});

// The tone model's audio holds no speech for Silero: --no-vad decodes it whole, as the other CLI tests do.
t.test('transcribe --hotwords FILE', async (t) => {
  const wav = join(dir, 'bat-or-pat.wav');
  writeFileSync(wav, wavBytes(batOrPatAudio()));
  writeFileSync(join(dir, 'hot2.txt'), 'bat boost=0.5\n');
  const r = await runInMemory(['transcribe', '--no-vad', '--no-redact', '--model', TINY, '--no-lm', '--hotwords', join(dir, 'hot2.txt'), wav]);
  t.equal(r.out, `${wav}: the bat\n`, r.err);
  writeFileSync(join(dir, 'hot3.txt'), 'bat boost=0.5 pii\n');
  t.equal(
    (await runInMemory(['transcribe', '--no-vad', '--model', TINY, '--no-lm', '--detectors', 'rules', '--hotwords', join(dir, 'hot3.txt'), wav])).out,
    `${wav}: the [PERSON]\n`,
  );
  t.equal((await runInMemory(['transcribe', '--model', TINY, '--hotwords', join(dir, 'none.txt'), wav])).code, ExitCode.inputError);
});
