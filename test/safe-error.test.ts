import t from 'tap';
import { describeUnexpectedError } from '../daemon/util/safe-error.js';

t.test('an unexpected error is described by class, code and location, never its message', async (t) => {
  let thrown: unknown;
  try {
    JSON.parse('{"text": "my card number is four five three two"');
  } catch (err) {
    thrown = err;
  }
  const description = describeUnexpectedError(thrown);
  t.match(description, /^SyntaxError at .+:\d+:\d+$/);
  t.notMatch(description, /card|four|five/);

  const withCode = Object.assign(new Error('EACCES: /data/john-smith.wav'), { code: 'EACCES' });
  const coded = describeUnexpectedError(withCode);
  t.match(coded, /^Error \[EACCES\] at /);
  t.notMatch(coded, /john/);
});

t.test('values that are not Errors are described by their type only', async (t) => {
  t.equal(describeUnexpectedError('john smith'), 'non-Error value thrown (string)');
  t.equal(describeUnexpectedError(undefined), 'non-Error value thrown (undefined)');
});

t.test('an error without a stack still gets its class', async (t) => {
  const err = new RangeError('value 4532 out of range');
  err.stack = undefined;
  t.equal(describeUnexpectedError(err), 'RangeError');
});
