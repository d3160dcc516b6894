import t from 'tap';
import { tokenize } from '../redaction/tokens.js';
import { findNumberRuns } from '../redaction/spoken-numbers.js';
import { findCodeRuns, findLetterRuns } from '../redaction/spoken-letters.js';

const digitsOf = (text: string) => findNumberRuns(tokenize(text)).map((r) => r.digits);

t.test('spoken numbers become digit strings', async (t) => {
  const cases: Array<[string, string[]]> = [
    ['four five three two', ['4532']],
    ['forty two', ['42']],
    ['nineteen eighty two', ['1982']],
    ['twenty twenty three', ['2023']],
    ['nineteen oh five', ['1905']],
    ['one hundred and twelve', ['112']],
    ['nine hundred forty two', ['942']],
    ['three hundred', ['300']],
    ['two thousand five', ['2005']],
    ['twenty thousand', ['20000']],
    ['four thousand and one hundred', ['4100']],
    ['double five triple seven', ['55777']],
    ['double oh seven', ['007']],
    ['oh two oh', ['020']],
    ['zero nought', ['00']],
    ['one eight hundred five five five', ['1800555']],
    ['two hundred five', ['205']],
    ['five five five dash one two three four', ['5551234']],
    ['call 555 0143 now', ['5550143']],
    ['ten dot zero', ['10', '0']],
  ];
  for (const [text, want] of cases) t.same(digitsOf(text), want, text);
});

t.test('runs end at ordinary words; connectors and repeats need a number after them', async (t) => {
  t.same(digitsOf('i have two cats and three dogs'), ['2', '3']);
  t.same(digitsOf('one hundred and then some'), ['100']);
  t.same(digitsOf('dash five'), ['5']);
  t.same(digitsOf('five dash'), ['5']);
  t.same(digitsOf('double trouble'), []);
  t.same(digitsOf('oh well oh dear'), [], 'a lone "oh" is an interjection');
});

t.test('runs carry exact token spans', async (t) => {
  const tokens = tokenize('my pin is  four  five and forty two');
  const runs = findNumberRuns(tokens);
  t.same(
    runs.map((r) => [r.start, r.end, r.digits]),
    [
      [3, 5, '45'],
      [6, 8, '42'],
    ],
  );
  t.same(
    runs[1]!.chunks.map((c) => [c.start, c.end, c.value]),
    [[6, 8, 42]],
  );
});

t.test('letters and codes', async (t) => {
  t.same(
    findLetterRuns(tokenize('s m i t h is my name')).map((r) => r.text),
    ['SMITH'],
  );
  t.same(
    findLetterRuns(tokenize('i have a dog')).map((r) => r.text),
    [],
    'a lone "i" or "a" is a word',
  );
  t.same(
    findCodeRuns(tokenize('g b eight two w e s t')).map((r) => r.text),
    ['GB82WEST'],
  );
  t.same(
    findCodeRuns(tokenize('j o h n')).map((r) => r.text),
    ['JOHN'],
  );
  t.same(
    findCodeRuns(tokenize('k oh l')).map((r) => r.text),
    ['KOL'],
    '"oh" between letters is the letter O',
  );
  t.same(
    findCodeRuns(tokenize('a one two')).map((r) => r.text),
    ['A12'],
  );
  t.same(
    findCodeRuns(tokenize('i went out')).map((r) => r.text),
    [],
  );
});
