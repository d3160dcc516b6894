import t from 'tap';
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PiiTagger, TaggerLoadError, checkTaggerFiles, defaultTaggerDir, isTaggerDir, numberWindows } from '../redaction/tagger.js';
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

t.test('the full graph opens only when audio needs it, and tags the same once open', async (t) => {
  const lazy = await PiiTagger.load();
  t.teardown(() => lazy.close());
  t.notOk(lazy.fullGraphLoaded, 'not opened at load');
  const sentence = words(`my card number is ${CARD}`);
  t.same(await lazy.tag(sentence), await tagger.tag(sentence), 'text alone: same candidates');
  t.notOk(lazy.fullGraphLoaded, 'text alone does not open it');
  const frames = 120;
  const data = new Float32Array(frames * 29).fill(-20);
  for (let f = 0; f < frames; f++) data[f * 29] = 0;
  const [first, second] = await Promise.all([lazy.tag(sentence, { data, frames, vocab: 29 }), lazy.tag(sentence, { data, frames, vocab: 29 })]);
  t.ok(lazy.fullGraphLoaded, 'audio with posteriors opens it');
  t.same(first, second, 'two calls racing to open it share one session');
  t.ok(
    first.some((c) => c.type === 'CREDIT_CARD' && c.start === 4),
    'card found with audio memory',
  );
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
  write({ ...manifest, textOnly: { file: manifest.textOnly.file } });
  await t.rejects(PiiTagger.load(copy), /expected textOnly to have file and sha256/);
  write({ ...manifest, textOnly: { ...manifest.textOnly, sha256: '0'.repeat(64) } });
  await t.rejects(PiiTagger.load(copy), /tagger.text.int8.onnx: sha256 .* does not match the manifest/);
  write({ ...manifest, minScore: undefined });
  await t.rejects(PiiTagger.load(copy), /expected file, sha256, chars, labels, memory.vocab and minScore/);
  write(manifest);
  await t.rejects(PiiTagger.load(copy, { minScore: 1.5 }), RangeError);
  writeFileSync(join(copy, manifest.file), 'not onnx');
  write({ ...manifest, sha256: createHash('sha256').update('not onnx').digest('hex') });
  // The full graph opens on first use (audio with posteriors): text is still tagged, the audio path says why it cannot be.
  const broken = await PiiTagger.load(copy);
  t.teardown(() => broken.close());
  t.ok((await broken.tag(words(`call me on ${CARD}`))).length > 0, 'text is tagged by the text-only graph');
  const silence = { data: new Float32Array(10 * 29), frames: 10, vocab: 29 };
  await t.rejects(broken.tag(words(`call me on ${CARD}`), silence), /onnxruntime cannot load it/);
  write({ ...manifest, sha256: createHash('sha256').update('not onnx').digest('hex'), textOnly: undefined });
  await t.rejects(PiiTagger.load(copy), /onnxruntime cannot load it/, 'without a text-only graph the full graph opens at load');
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
  const textBytes = readFileSync(join(copy, 'tagger.text.int8.onnx')).length;
  t.match(checkTaggerFiles(copy), { ok: false, bytes: 8 + textBytes, detail: /tagger.int8.onnx: sha256 .* does not match the manifest/ });
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

t.test('a number before a plural noun counts things: no age', async (t) => {
  const policy = validatePolicy({});
  const age = (text: string, start: number, end: number) => {
    const tokens = tokenize(text);
    const span: Candidate = { type: 'AGE', start, end, score: 0.99, source: 'tagger', value: '' };
    return detect(tokens, policy, 0, tokens.length, { rules: false, extra: [span] }).map((c) => c.type);
  };
  t.same(age('we ordered twenty seven boxes and eight crates', 2, 4), [], '"boxes"');
  t.same(age('she is twenty seven years old', 2, 4), ['AGE'], '"years" is an age unit');
  t.same(age('she is twenty seven and lives here', 2, 4), ['AGE']);
  t.same(age('he turned twenty seven thanks', 2, 4), ['AGE'], 'a function word is no noun');
  const session = new SessionRedactor({}, { tagger });
  t.equal(
    (await session.redact('we ordered twenty seven boxes and eight crates')).text,
    'we ordered twenty seven boxes and eight crates',
    'the bundled tagger, end to end',
  );
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

t.test('text alone, the tagger reads only the stretches around number words', async (t) => {
  const sentence = words('we met at the market and then she said call me on two six oh seven six four eight six seven four tonight');
  // With four words either side of each number word, overlapping stretches merged.
  t.same(numberWindows(sentence, 4), [[8, 23]]);
  t.same(numberWindows(words('one day and then another day and then more days and then eleven'), 4), [
    [0, 5],
    [8, 13],
  ]);
  t.same(numberWindows(words('it was a dark and stormy night')), [], 'no number word, nothing to read');
  const found = await tagger.tag(sentence);
  t.ok(
    found.some((c) => c.type === 'PHONE_NUMBER' && c.start === 12 && c.end === 22),
    'the phone number is found with offsets in the whole sentence',
  );
});

t.test('a short number said with no word around it is no one in particular: the tagger may not type it', (t) => {
  const policy = validatePolicy({});
  const bare = tokenize('zero three five one');
  const guess: Candidate = { type: 'ZIP_CODE', start: 0, end: 4, score: 0.99, source: 'tagger', value: '' };
  t.same(detect(bare, policy, 0, bare.length, { extra: [guess] }), [], 'a digit-reading line stays');
  const tail = tokenize('six seven eight nine one two');
  t.same(
    detect(tail, policy, 0, tail.length, { extra: [{ ...guess, type: 'PHONE_NUMBER', end: 6 }] }).map((c) => [c.type, c.start, c.end]),
    [['PHONE_NUMBER', 0, 6]],
    'a longer bare run (the tail of a number cut by a pause) is still redacted',
  );
  const cued = tokenize('the postcode is zero three five one');
  t.same(
    detect(cued, policy, 0, cued.length, { rules: false, extra: [{ ...guess, start: 3, end: 7 }] }).map((c) => [c.type, c.start, c.end]),
    [['ZIP_CODE', 3, 7]],
    'with a word around it the same span stays',
  );
  // In a session the carried words are context: the second half of a split number is still redacted.
  const continued = tokenize('my number is zero three five one');
  t.same(
    detect(continued, policy, 3, continued.length, { rules: false, extra: [{ ...guess, type: 'PHONE_NUMBER', start: 3, end: 7 }] }).map((c) => [
      c.type,
      c.start,
      c.end,
    ]),
    [['PHONE_NUMBER', 3, 7]],
  );
  t.end();
});

t.test('the text-only graph finds what the full graph finds with no audio', async (t) => {
  const dir = t.testdir({});
  const copy = join(dir, 'copy');
  cpSync(defaultTaggerDir(), copy, { recursive: true });
  const manifestPath = join(copy, 'manifest.json');
  const { textOnly, ...withoutTextOnly } = JSON.parse(readFileSync(manifestPath, 'utf8'));
  t.ok(textOnly, 'the bundled tagger ships a text-only graph');
  writeFileSync(manifestPath, JSON.stringify(withoutTextOnly));
  const full = await PiiTagger.load(copy);
  t.teardown(() => full.close());
  for (const line of [
    `the long number on the front is ${CARD}`,
    'you can get me on two six oh seven six four eight six seven four after five',
    'send it to flat nine forty two rue des lilas seven five zero one one paris',
  ]) {
    // Its int8 arithmetic (activations rounded per tensor) may move an entity's edge by a word, not lose one.
    const [text, reference] = [await tagger.tag(words(line)), await full.tag(words(line))];
    t.ok(reference.length > 0, line);
    t.equal(text.length, reference.length, line);
    for (const [a, b] of text.map((c, k) => [c, reference[k]!] as const)) {
      t.ok(a.type === b.type && Math.abs(a.start - b.start) <= 1 && Math.abs(a.end - b.end) <= 1, `${a.value} ~ ${b.value}`);
    }
  }
});
