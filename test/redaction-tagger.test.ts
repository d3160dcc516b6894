import t from 'tap';
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PiiTagger, TaggerLoadError, checkTaggerFiles, defaultTaggerDir, isTaggerDir } from '../redaction/tagger.js';
import { SessionRedactor } from '../redaction/session.js';
import { detect } from '../redaction/redactor.js';
import { validatePolicy } from '../redaction/policy.js';
import { tokenize } from '../redaction/tokens.js';
import type { Candidate } from '../redaction/context.js';

const CARD = 'four five three two one one two two three three four four five five six six';
const tagger = await PiiTagger.load();
t.teardown(() => tagger.close());

const words = (text: string) => text.split(' ');

t.test('the bundled tagger finds spoken personal data in text alone', async (t) => {
  t.equal(tagger.name, 'hushscribe-pii-tagger-v1');
  const sentence = `the long number on the front is ${CARD}`;
  const found = await tagger.tag(words(sentence));
  t.equal(found.length, 1);
  t.match(found[0], { type: 'CREDIT_CARD', start: 7, end: 23, source: 'tagger', value: CARD });
  t.ok(found[0]!.score >= 0.95 && found[0]!.score <= 1, `score ${found[0]!.score}`);
  t.same(await tagger.tag(words('it was a dark and stormy night and we went home')), [], 'nothing in plain speech');
  t.same(await tagger.tag([]), [], 'no words, no entities');
});

t.test('long inputs are tagged in windows and offsets stay right', async (t) => {
  const filler = Array.from({ length: 110 }, (_, i) => (i % 2 ? 'and' : 'then')).join(' ');
  const found = await tagger.tag(words(`${filler} my card number is ${CARD}`));
  const card = found.find((c) => c.type === 'CREDIT_CARD');
  t.ok(card, 'the card after the first window is found');
  t.equal(card!.start, 114);
  t.equal(card!.end, 130);
});

t.test('posteriors are attended to when their vocabulary matches, else ignored', async (t) => {
  const sentence = words(`my card number is ${CARD}`);
  t.ok(tagger.acceptsPosteriors(29));
  t.notOk(tagger.acceptsPosteriors(500), 'a bring-your-own model with another vocabulary: text only');
  // Posteriors of a silent clip (all blank), as our 29-token model gives them: the digits still come from the text.
  const frames = 120;
  const data = new Float32Array(frames * 29).fill(-20);
  for (let f = 0; f < frames; f++) data[f * 29] = 0;
  const withAudio = await tagger.tag(sentence, { data, frames, vocab: 29 });
  t.ok(
    withAudio.some((c) => c.type === 'CREDIT_CARD' && c.start === 4),
    'card found with audio memory',
  );
  const foreign = await tagger.tag(sentence, { data: new Float32Array(10 * 500), frames: 10, vocab: 500 });
  t.same(foreign, await tagger.tag(sentence), 'foreign posteriors are ignored');
});

t.test('load errors explain what is wrong', async (t) => {
  const dir = t.testdir({});
  await t.rejects(PiiTagger.load(join(dir, 'missing')), TaggerLoadError);
  await t.rejects(PiiTagger.load(join(dir, 'missing')), /cannot read the manifest/);
  const copy = join(dir, 'copy');
  cpSync(defaultTaggerDir(), copy, { recursive: true });
  const manifestPath = join(copy, 'manifest.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const write = (m: object) => writeFileSync(manifestPath, JSON.stringify(m));
  write({ ...manifest, sha256: '0'.repeat(64) });
  await t.rejects(PiiTagger.load(copy), /does not match the manifest/);
  write({ ...manifest, labels: ['B-PERSON', 'O'] });
  await t.rejects(PiiTagger.load(copy), /first label must be 'O'/);
  write({ ...manifest, labels: ['O', 'B-SECRET'] });
  await t.rejects(PiiTagger.load(copy), /unknown entity labels: B-SECRET/);
  write({ ...manifest, minScore: undefined });
  await t.rejects(PiiTagger.load(copy), /expected file, sha256, chars, labels, memory.vocab and minScore/);
  write(manifest);
  await t.rejects(PiiTagger.load(copy, { minScore: 1.5 }), RangeError);
  writeFileSync(join(copy, manifest.file), 'not onnx');
  write({ ...manifest, sha256: createHash('sha256').update('not onnx').digest('hex') });
  await t.rejects(PiiTagger.load(copy), /onnxruntime cannot load it/);
  writeFileSync(manifestPath, '{');
  await t.rejects(PiiTagger.load(copy), /cannot read the manifest/);
});

t.test('checkTaggerFiles and isTaggerDir (doctor, models list)', async (t) => {
  t.ok(isTaggerDir(defaultTaggerDir()));
  t.notOk(isTaggerDir(join(defaultTaggerDir(), '..', 'hushscribe-en-v1')), 'a speech model is not a tagger');
  t.notOk(isTaggerDir(t.testdir({})), 'no manifest');
  t.match(checkTaggerFiles(), { name: 'hushscribe-pii-tagger-v1', ok: true, detail: /verified$/ });
  const copy = join(t.testdir({}), 'copy');
  cpSync(defaultTaggerDir(), copy, { recursive: true });
  writeFileSync(join(copy, 'tagger.int8.onnx'), 'tampered');
  t.match(checkTaggerFiles(copy), { ok: false, bytes: 8, detail: /does not match the manifest/ });
  rmSync(join(copy, 'tagger.int8.onnx'));
  t.match(checkTaggerFiles(copy), { ok: false, bytes: null, detail: /cannot read .*ENOENT/ });
});

t.test('a lower minScore proposes more', async (t) => {
  const eager = await PiiTagger.load(defaultTaggerDir(), { minScore: 0 });
  const text = words('the order reference is four four two one and the gate code is nine nine');
  t.ok((await eager.tag(text)).length >= (await tagger.tag(text)).length);
  await eager.close();
});

t.test('tagger candidates fill in around rule spans, never displace or split them', (t) => {
  const tokens = tokenize(`card ${CARD} thanks`);
  const policy = validatePolicy({});
  const inside: Candidate = { type: 'PHONE_NUMBER', start: 3, end: 7, score: 1, source: 'tagger', value: '' };
  const spill: Candidate = { type: 'CREDIT_CARD', start: 14, end: 18, score: 0.99, source: 'tagger', value: '' };
  const found = detect(tokens, policy, 0, tokens.length, { extra: [inside, spill] });
  t.match(found[0], { type: 'CREDIT_CARD', start: 1, end: 17, source: 'rule:credit_card' }, 'the rule span wins whole');
  t.match(found[1], { type: 'CREDIT_CARD', start: 17, end: 18, source: 'tagger', value: 'thanks' }, 'only the uncovered rest of a tagger span');
  t.equal(found.length, 2);
  const taggerOnly = detect(tokens, policy, 0, tokens.length, { rules: false, extra: [inside] });
  t.same(
    taggerOnly.map((c) => [c.start, c.end, c.source]),
    [[3, 7, 'tagger']],
  );
  const otherSegment = detect(tokens, policy, 0, 2, { rules: false, extra: [spill] });
  t.same(otherSegment, [], "a tagger span in the context words is not the segment's");
  t.end();
});

t.test("the rules' ordinary-reference contexts veto the tagger's digit spans, not its names", (t) => {
  const tokens = tokenize('your order number is four one five two six oh nine for adaeze');
  const policy = validatePolicy({});
  const digits: Candidate = { type: 'BANK_ACCOUNT', start: 4, end: 11, score: 0.99, source: 'tagger', value: '' };
  const name: Candidate = { type: 'PERSON', start: 12, end: 13, score: 0.99, source: 'tagger', value: '' };
  const found = detect(tokens, policy, 0, tokens.length, { rules: false, extra: [digits, name] });
  t.same(
    found.map((c) => [c.type, c.start, c.end]),
    [['PERSON', 12, 13]],
    'the order number stays, the name goes',
  );
  const account = tokenize('my account is four one five two six oh nine');
  const kept = detect(account, policy, 0, account.length, { rules: false, extra: [{ ...digits, start: 3, end: 10 }] });
  t.same(
    kept.map((c) => [c.type, c.start, c.end]),
    [['BANK_ACCOUNT', 3, 10]],
    'without such context the digit span stays',
  );
  t.end();
});

t.test('SessionRedactor with the tagger: rules + tagger, or the tagger alone', async (t) => {
  t.throws(() => new SessionRedactor({}, { rules: false }), /with rules off, a tagger is needed/);
  const line = 'you can get me on two six oh seven six four eight six seven four';
  const both = new SessionRedactor({}, { tagger });
  t.match((await both.redact(line)).text, /^you can get me (on )?\[PHONE_NUMBER\]/);
  const alone = new SessionRedactor({}, { tagger, rules: false });
  const result = await alone.redact(line);
  t.ok(result.entities.length > 0 && result.entities.every((e) => e.source === 'tagger'));
  t.notMatch(result.text, /six oh seven/);
  const typesOff = new SessionRedactor({ types: ['PERSON'] }, { tagger, rules: false });
  t.equal((await typesOff.redact(line)).text, line, 'policy types apply to tagger entities too');
});
