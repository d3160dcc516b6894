import t from 'tap';
import { createRedactor, validatePolicy, PolicyError, ENTITY_TYPES } from '../redaction/index.js';

const KEY = 'a-test-key-of-32-bytes-0123456789';
const CARD = 'four five three two zero one five one one two eight three zero three six six';
/** The same card said in pairs: 45 32 01 51 12 83 03 66. */
const CARD_IN_PAIRS = 'forty five thirty two oh one fifty one twelve eighty three oh three sixty six';

t.test('placeholder is the default operator; replace is its alias', async (t) => {
  const text = `my name is sarah and my card is ${CARD}`;
  t.equal(createRedactor().redact(text).text, 'my name is [PERSON] and my card is [CREDIT_CARD]');
  t.equal(createRedactor({ operator: 'replace' }).redact(text).text, 'my name is [PERSON] and my card is [CREDIT_CARD]');
});

t.test('types limits what is redacted', async (t) => {
  const text = `my name is sarah and my card is ${CARD}`;
  const result = createRedactor({ types: ['CREDIT_CARD'] }).redact(text);
  t.equal(result.text, 'my name is sarah and my card is [CREDIT_CARD]');
  t.same(
    result.entities.map((e) => e.type),
    ['CREDIT_CARD'],
  );
});

t.test('mask per character keeps the shape; mask per word hides it', async (t) => {
  const perChar = createRedactor({ operator: 'mask' }).redact('my name is sarah connor');
  t.equal(perChar.text, 'my name is ***** ******');
  t.equal(perChar.entities[0]!.replacement, '***** ******');
  const perWord = createRedactor({ operators: { PERSON: 'mask' }, mask: { per: 'word', char: '#' } }).redact('my name is sarah connor');
  t.equal(perWord.text, 'my name is # #');
});

t.test('keyed hash: stable for a value, linked across phrasings, different under another key', async (t) => {
  const hashed = createRedactor({ operator: 'hash', hashKey: KEY });
  const a = hashed.redact(`card ${CARD}`).entities[0]!.replacement;
  const b = hashed.redact(`the card is ${CARD_IN_PAIRS}`).entities[0]!.replacement;
  t.match(a, /^\[CREDIT_CARD:[0-9a-f]{8}\]$/);
  t.equal(a, b, 'the same digits link however they were said');
  t.equal(createRedactor({ operator: 'hash', hashKey: KEY }).redact(`card ${CARD}`).entities[0]!.replacement, a, 'stable across redactors');
  const other = createRedactor({ operator: 'hash', hashKey: Buffer.from('another-key-of-at-least-16-bytes') }).redact(`card ${CARD}`);
  t.not(other.entities[0]!.replacement, a, 'unlinkable without the key');
  t.notMatch(a, /4532|0366/, 'reveals no digits');
  const person = hashed.redact('my name is sarah').entities[0]!.replacement;
  t.not(person.slice(-9), a.slice(-9), 'different values, different hashes');
});

t.test('keyed hash links a phone number said with or without its country code', async (t) => {
  const hashed = createRedactor({ operator: 'hash', hashKey: KEY });
  const hashOf = (text: string) => hashed.redact(text).entities.map((e) => e.replacement);
  const us = hashOf('call two oh two five five five oh one four three')[0];
  t.same(hashOf('call plus one two oh two five five five oh one four three'), [us]);
  t.same(hashOf('call one two oh two five five five oh one four three'), [us]);
  const uk = hashOf('ring oh seven nine one one one two three four five six')[0];
  t.same(hashOf('ring plus four four seven nine one one one two three four five six'), [uk]);
  t.not(uk, us);
});

t.test('drop discards the whole segment but still reports what was found', async (t) => {
  const result = createRedactor({ operators: { CREDIT_CARD: 'drop' } }).redact(`my name is sarah and my card is ${CARD}`);
  t.equal(result.dropped, true);
  t.equal(result.text, '');
  t.same(
    result.entities.map((e) => [e.type, e.replacement, e.redactedStart, e.redactedEnd]),
    [
      ['PERSON', '', 0, 0],
      ['CREDIT_CARD', '', 0, 0],
    ],
  );
  const kept = createRedactor({ operators: { CREDIT_CARD: 'drop' } }).redact('my name is sarah');
  t.equal(kept.dropped, false);
  t.equal(kept.text, 'my name is [PERSON]');
});

t.test('thresholds can demand more confidence per type', async (t) => {
  const strict = createRedactor({ thresholds: { PERSON: 0.95 } });
  t.equal(strict.redact('i met jennifer at lunch').text, 'i met jennifer at lunch');
  t.equal(createRedactor({ thresholds: { LOCATION: 0.1 } }).redact('i was reading').text, 'i was [LOCATION]');
});

t.test('invalid policies fail with a clear PolicyError', async (t) => {
  const cases: Array<[unknown, RegExp]> = [
    [{ types: ['PERSON', 'NAME'] }, /types: unknown entity type 'NAME'/],
    [{ types: 'PERSON' }, /types must be an array/],
    [{ operator: 'blur' }, /operator: unknown operator 'blur'/],
    [{ operators: { PERSON: 'erase' } }, /operators\.PERSON: unknown operator 'erase'/],
    [{ operators: { NAME: 'mask' } }, /operators: unknown entity type 'NAME'/],
    [{ operators: ['mask'] }, /operators must map/],
    [{ operators: { PERSON: 'hash' } }, /operator 'hash' \(for PERSON\) needs hashKey/],
    [{ operator: 'hash', hashKey: 'short' }, /at least 16 bytes/],
    [{ hashKey: 42 }, /hashKey must be a string or bytes/],
    [{ mask: { char: '**' } }, /mask\.char must be one visible character/],
    [{ mask: { per: 'letter' } }, /mask\.per must be 'character' or 'word'/],
    [{ mask: 'x' }, /mask must be an object/],
    [{ thresholds: { PERSON: 2 } }, /thresholds\.PERSON must be a number from 0 to 1/],
    [{ thresholds: { NAME: 0.5 } }, /thresholds: unknown entity type 'NAME'/],
    [{ thresholds: 3 }, /thresholds must map/],
    [{ operater: 'mask' }, /unknown policy option 'operater'/],
    [{ longNumbers: 'yes' }, /longNumbers must be true or false/],
    [null, /must be an object/],
  ];
  for (const [config, message] of cases) {
    t.throws(() => validatePolicy(config as never), PolicyError, JSON.stringify(config));
    t.throws(() => createRedactor(config as never), message);
  }
});

t.test('longNumbers: runs of 8+ digits no rule validates are redacted only when asked, never amounts or references', async (t) => {
  t.equal(validatePolicy().longNumbers, false, 'off by default');
  const misheard = 'my molicensis sixty eight thirty seven eighty two forty nine';
  t.equal(createRedactor().redact(misheard).text, misheard, 'by default a number without context is left');
  const strict = createRedactor({ longNumbers: true });
  t.equal(strict.redact(misheard).text, 'my molicensis [BANK_ACCOUNT]');
  t.match(strict.redact(misheard).entities, [{ source: 'rule:long_number', score: 0.5 }]);
  for (const text of [
    'we sold twelve million three hundred forty five thousand six hundred seventy eight units',
    'your tracking reference is four four one two eight eight nine three',
    'the code is four four one two eight eight nine',
  ])
    t.equal(strict.redact(text).text, text, text);
  // A validated rule keeps its own type for the same run.
  t.match(strict.redact(`call me on ${'two six oh seven six four eight six seven four'}`).entities, [{ type: 'PHONE_NUMBER' }]);
});

t.test('a hashed type outside the redacted types needs no key', async (t) => {
  const policy = validatePolicy({ types: ['PERSON'], operators: { CREDIT_CARD: 'hash' } });
  t.same([...policy.types], ['PERSON']);
  t.equal(policy.operatorFor('CREDIT_CARD'), 'hash');
  t.equal(createRedactor(policy).redact(`card ${CARD}`).text, `card ${CARD}`);
});

t.test('every contract type has a default operator and threshold', async (t) => {
  const policy = validatePolicy();
  for (const type of ENTITY_TYPES) {
    t.equal(policy.operatorFor(type), 'placeholder');
    t.equal(policy.threshold(type), 0.5);
  }
});
