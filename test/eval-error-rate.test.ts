import t from 'tap';
import { corpusRates, editCounts, errors, scoreUtterance } from '../scripts/eval/error-rate.js';

t.test('identical sequences have no edits', async (t) => {
  t.same(editCounts(['a', 'b', 'c'], ['a', 'b', 'c']), { substitutions: 0, deletions: 0, insertions: 0, referenceLength: 3 });
});

t.test('edit counts split into substitutions, deletions and insertions', async (t) => {
  t.same(editCounts(['the', 'cat', 'sat'], ['the', 'bat', 'sat']), { substitutions: 1, deletions: 0, insertions: 0, referenceLength: 3 });
  t.same(editCounts(['the', 'cat', 'sat'], ['the', 'sat']), { substitutions: 0, deletions: 1, insertions: 0, referenceLength: 3 });
  t.same(editCounts(['the', 'cat'], ['the', 'fat', 'cat']), { substitutions: 0, deletions: 0, insertions: 1, referenceLength: 2 });
  t.same(editCounts([], ['a', 'b']), { substitutions: 0, deletions: 0, insertions: 2, referenceLength: 0 });
  t.same(editCounts(['a', 'b'], []), { substitutions: 0, deletions: 2, insertions: 0, referenceLength: 2 });
});

t.test('the edit total is the Levenshtein distance', async (t) => {
  t.equal(errors(editCounts([...'kitten'], [...'sitting'])), 3);
  t.equal(errors(editCounts([...'flaw'], [...'lawn'])), 2);
  t.equal(errors(editCounts([...'intention'], [...'execution'])), 5);
  t.equal(errors(editCounts([...'abc'], [...'cba'])), 2);
});

t.test('utterances are normalised before scoring', async (t) => {
  const s = scoreUtterance('Mr. Smith paid $5 on the 4th.', 'mister smith paid five dollars on the fourth');
  t.equal(s.reference, 'mister smith paid five dollars on the fourth');
  t.equal(errors(s.words), 0);
  t.equal(errors(s.chars), 0);
});

t.test('character errors count spaces', async (t) => {
  const s = scoreUtterance('ice cream', 'icecream');
  t.same(s.words, { substitutions: 1, deletions: 1, insertions: 0, referenceLength: 2 });
  t.same(s.chars, { substitutions: 0, deletions: 1, insertions: 0, referenceLength: 9 });
});

t.test('corpus rates are total edits over total reference length', async (t) => {
  const rates = corpusRates([scoreUtterance('one two three four', 'one two three four'), scoreUtterance('five six', 'five seven eight')]);
  t.equal(rates.utterances, 2);
  t.equal(rates.referenceWords, 6);
  t.equal(rates.wordErrors, 2);
  t.equal(rates.wer, 2 / 6);
  t.equal(rates.referenceChars, 'one two three four'.length + 'five six'.length);
  t.equal(rates.charErrors, errors(editCounts([...'five six'], [...'five seven eight'])));
});

t.test('an empty reference scores 0 when matched and 1 when anything is inserted', async (t) => {
  t.equal(corpusRates([scoreUtterance('', '')]).wer, 0);
  t.equal(corpusRates([scoreUtterance('...', 'hello')]).wer, 1);
  t.equal(corpusRates([]).wer, 0);
});
