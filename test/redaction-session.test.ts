import t from 'tap';
import { createRedactor, SessionRedactor } from '../redaction/index.js';

t.test('a card number split by a pause is caught in both segments', async (t) => {
  const session = new SessionRedactor();
  const first = await session.redact('my card number is four five three two zero one five one');
  t.equal(first.text, 'my card number is [CREDIT_CARD]', 'the cut-off start is redacted by its context');
  t.equal(first.entities[0]!.source, 'rule:partial_at_segment_end');
  const second = await session.redact('one two eight three zero three six six thanks');
  t.equal(second.text, '[CREDIT_CARD] thanks', 'the continuation is validated with the carried digits');
  t.same(
    second.entities.map((e) => [e.type, e.start, e.end]),
    [['CREDIT_CARD', 0, 'one two eight three zero three six six'.length]],
  );
  t.equal(second.entities[0]!.source, 'rule:credit_card');
  t.equal(
    createRedactor().redact('one two eight three zero three six six thanks').text,
    'one two eight three zero three six six thanks',
    'alone, the second half is just digits',
  );
});

t.test('context said in one segment applies to the number in the next', async (t) => {
  const session = new SessionRedactor();
  t.equal((await session.redact('and my social security number is')).text, 'and my social security number is');
  t.equal((await session.redact('one two three four five six seven eight nine')).text, '[US_SSN]');
});

t.test('a name continued after a pause is still a name', async (t) => {
  const session = new SessionRedactor();
  t.equal((await session.redact('hello my name is')).text, 'hello my name is');
  t.equal((await session.redact('will and i am calling about')).text, '[PERSON] and i am calling about');
  t.equal(createRedactor().redact('will and i am calling about').text, 'will and i am calling about', 'alone, "will" is a word');
});

t.test('keyed hashes of a split value link to the whole value', async (t) => {
  const hashKey = 'session-test-key-0123456789abcdef';
  const session = new SessionRedactor({ operator: 'hash', hashKey });
  await session.redact('my card number is four five three two zero one five one');
  const continued = (await session.redact('one two eight three zero three six six')).entities[0]!.replacement;
  const whole = createRedactor({ operator: 'hash', hashKey }).redact('card four five three two zero one five one one two eight three zero three six six')
    .entities[0]!.replacement;
  t.equal(continued, whole);
});

t.test('end() forgets the carried words; contextWords bounds them', async (t) => {
  const session = new SessionRedactor();
  await session.redact('my card number is four five three two zero one five one');
  session.end();
  t.equal((await session.redact('one two eight three zero three six six')).text, 'one two eight three zero three six six');

  const narrow = new SessionRedactor({}, { contextWords: 2 });
  await narrow.redact('my social security number is');
  t.equal(
    (await narrow.redact('one two three four five six seven eight nine')).text,
    'one two three four five six seven eight nine',
    'context beyond the window is gone',
  );
  const none = new SessionRedactor({}, { contextWords: 0 });
  await none.redact('hello my name is');
  t.equal((await none.redact('will')).text, 'will');
});

t.test('options and policy are validated', async (t) => {
  t.throws(() => new SessionRedactor({}, { contextWords: -1 }), RangeError);
  t.throws(() => new SessionRedactor({}, { contextWords: 1.5 }), /whole number/);
  t.throws(() => new SessionRedactor({ operator: 'nope' }), /unknown operator 'nope'/);
});

t.test('entities already finished in an earlier segment are not repeated', async (t) => {
  const session = new SessionRedactor();
  t.equal((await session.redact('call me at two oh two five five five oh one four three')).text, 'call me at [PHONE_NUMBER]');
  const next = await session.redact('or email me');
  t.equal(next.text, 'or email me');
  t.same(next.entities, []);
});

t.test('delayed mode catches both halves of a split name, email and address', async (t) => {
  const session = new SessionRedactor();
  t.equal(await session.push('please send it to john dot'), null, 'the first segment is held');
  const first = await session.push('smith at gmail dot com thanks and i live at forty two');
  t.equal(first!.text, 'please send it to [EMAIL_ADDRESS]');
  const second = await session.push('elm avenue near the park');
  t.equal(second!.text, '[EMAIL_ADDRESS] thanks and i live at [STREET_ADDRESS]');
  const last = await session.flush();
  t.equal(last!.text, '[STREET_ADDRESS] near the park');
  t.equal(await session.flush(), null, 'nothing is left after a flush');
  const text = 'smith at gmail dot com thanks and i live at forty two';
  t.same(
    second!.entities.map((e) => text.slice(e.start, e.end)),
    ['smith at gmail dot com', 'forty two'],
  );
});

t.test('delayed mode still redacts a cut-off number when the next segment does not continue it', async (t) => {
  const session = new SessionRedactor();
  await session.push('my card number is four five three two');
  t.equal((await session.push('sorry let me find it'))!.text, 'my card number is [CREDIT_CARD]');
  t.equal((await session.flush())!.text, 'sorry let me find it');
});

t.test('immediate and delayed modes cannot be mixed until end()', async (t) => {
  const session = new SessionRedactor();
  await session.redact('hello');
  await t.rejects(session.push('there'), /cannot be mixed/);
  session.end();
  t.equal(await session.push('hello'), null);
  await t.rejects(session.redact('there'), /cannot be mixed/);
  session.end();
  t.equal(await session.flush(), null, 'end() drops a held segment');
  t.equal((await session.redact('call me maybe')).text, 'call me maybe');
});
