// Partials are redacted recall-first: an entity cut off by the end of a partial is redacted before it can be
// validated, and the session's carried context is left as it was for the final segment.
import t from 'tap';
import { SessionRedactor } from '../redaction/session.js';
import { namesInPartial, unfinishedTail } from '../redaction/unfinished.js';
import { validatePolicy } from '../redaction/policy.js';

t.test('an unfinished entity at the end of a partial is redacted', async (t) => {
  const r = new SessionRedactor({});
  const cases: [string, string][] = [
    ['my card number is four five three', 'my card number is [CREDIT_CARD]'],
    ['my card number is four five three two zero on', 'my card number is [CREDIT_CARD]'],
    ['my card number is four five three thre', 'my card number is [CREDIT_CARD]'],
    ['please transfer it to account one two', 'please transfer it to account [BANK_ACCOUNT]'],
    ['my social security number is one two three', 'my social security number is [US_SSN]'],
    ['call me on five five five', 'call me on [PHONE_NUMBER]'],
    ['my name is jo', 'my name is [PERSON]'],
    ['hi this is john smi', 'hi this is [PERSON]'],
    // A misheard first name: the surname is still a name, wherever it is in the partial.
    ['hi this is done smith my card number', 'hi this is done [PERSON] my card number'],
    ['i will send nguyen the may invoice today', 'i will send [PERSON] the may invoice today'],
    // A name that is also an ordinary word is kept unless a name rule supports it; a real name still goes.
    ['the young people were singing', 'the young people were singing'],
    ['my name is anna kowal', 'my name is [PERSON]'],
    ['hi this is anna young and i', 'hi this is [PERSON] and i'],
    ['ask mister brown about it', 'ask mister [PERSON] about it'],
    ['may nguyen called', '[PERSON] called'],
    ['please ask for', 'please ask for'],
    ['i have two dogs', 'i have two dogs'],
    ['turn off the lights in the kitchen', 'turn off the lights in the kitchen'],
    ['', ''],
  ];
  for (const [partial, want] of cases) t.equal((await r.preview(partial)).text, want, partial);
});

t.test('previews leave the session context to the final segment', async (t) => {
  const r = new SessionRedactor({});
  await r.redact('my card number is');
  await r.preview('four five three two');
  // The final segment still sees "my card number is" as its left context, not the preview's words.
  const final = await r.redact('four five three two zero one five one one two eight three zero three six six');
  t.equal(final.text, '[CREDIT_CARD]');
});

t.test('the tail rule follows the policy types', async (t) => {
  const noPhones = validatePolicy({ types: ['PERSON'] });
  t.same(unfinishedTail(['call', 'me', 'on', 'five', 'five'], noPhones), []);
  t.same(unfinishedTail([], noPhones), []);
  t.same(unfinishedTail(['my', 'name', 'is', 'anna'], validatePolicy({ types: ['PHONE_NUMBER'] })), []);
  t.match(unfinishedTail(['i', 'am', 'okonkwo'], noPhones), [{ type: 'PERSON', start: 2, end: 3 }]);
  t.match(unfinishedTail(['hello', 'smith'], noPhones, 'PERSON'), [{ type: 'PERSON', start: 1, end: 2 }]);
});

t.test('a name that is also an ordinary word needs support in the middle of a partial', async (t) => {
  const persons = validatePolicy({ types: ['PERSON'] });
  const names = (text: string) => namesInPartial(text.split(' '), persons).map((c) => c.value);
  t.same(names('young people like brown bread'), []);
  t.same(names('the doctor young said'), ['young']);
  t.same(names('her name is holly and'), ['holly']);
  t.same(names('anna brown and drew'), ['anna', 'brown']);
  t.same(names('young people'), [], 'no PERSON without the type in the policy either way');
  t.same(namesInPartial(['anna', 'young'], validatePolicy({ types: ['PHONE_NUMBER'] })), []);
});

t.test('endsUnfinished: the live endpoint waits for the longer pause after what may be half an entity', async (t) => {
  const session = new SessionRedactor();
  t.ok(session.endsUnfinished('my card number is four five three two'), 'a trailing number run');
  t.ok(session.endsUnfinished('hi this is anna'), 'a trailing first name');
  t.ok(session.endsUnfinished('please call marek'), 'a word after a name cue');
  t.notOk(session.endsUnfinished('the meeting is over'), 'an ordinary sentence end');
  t.notOk(session.endsUnfinished(''), 'nothing heard');
  await session.redact('my card number is');
  t.ok(session.endsUnfinished('four five'), "the session's earlier words count: a number run after 'card number is'");
});

t.test('endsUnfinished: a whole card number (Luhn-valid, its full length) does not wait', async (t) => {
  const session = new SessionRedactor();
  const card = 'four five three two zero one five one one two eight three zero three six six'; // 4532015112830366
  t.notOk(session.endsUnfinished(`my card number is ${card}`), '16 digits passing Luhn');
  t.ok(session.endsUnfinished(`my card number is ${card.replace(/six$/, 'seven')}`), '16 digits failing Luhn: a misheard digit, or not yet all of it');
  t.ok(session.endsUnfinished(`my card number is ${card.split(' ').slice(0, 12).join(' ')}`), '12 of its digits');
  t.notOk(session.endsUnfinished('amex three seven eight two eight two two four six three one zero zero zero five'), '15 digits of an American Express number');
  t.ok(session.endsUnfinished(`my card number is ${card} exp`), 'a half-heard word after it: more may follow');
});
