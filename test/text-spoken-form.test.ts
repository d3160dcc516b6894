import t from 'tap';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { packageRoot } from '../common/package-root.js';
import { cardinal, normalise, ordinal, year } from '../daemon/text/spoken-form.js';

const CASES: Array<[string, string]> = [
  ['Hello, World!', 'hello world'],
  ["It's John's \u2018book\u2019 - don't.", "it's john's book don't"],
  ["'quoted' rock 'n' roll", 'quoted rock n roll'],
  ['Café naïve façade', 'cafe naive facade'],
  ['I was born in 1982.', 'i was born in nineteen eighty two'],
  ['in 2005 and 2023 and 1900 and 1905', 'in two thousand five and twenty twenty three and nineteen hundred and nineteen oh five'],
  ['3:45pm', 'three forty five pm'],
  ['room 101, 007 and 0', 'room one hundred one oh oh seven and zero'],
  ['1,234,567 people', 'one million two hundred thirty four thousand five hundred sixty seven people'],
  ['$5.50 and £1 and €12.01 and $3.00', 'five dollars fifty cents and one pound and twelve euros one cent and three dollars'],
  ['£2.40', 'two pounds forty pence'],
  ['the 1st, 2nd, 3rd, 12th and 21st', 'the first second third twelfth and twenty first'],
  ['pi is 3.14 or 50%', 'pi is three point one four or fifty percent'],
  ['card 4111111111111111', 'card four one one one one one one one one one one one one one one one'],
  ['R&D at john@example', 'r and d at john at example'],
  ['Mr. and Mrs. Smith; Dr. Who', 'mister and missus smith doctor who'],
  ['St. Paul at 10:00, the dr. and 3 st. lanes', "saint paul at ten o'clock the dr and three st lanes"],
  ['No. 5 at 9:05 and 14:30', 'number five at nine oh five and fourteen thirty'],
  ['cats, dogs etc. vs. birds, e.g. owls, i.e. hunters', 'cats dogs et cetera versus birds for example owls that is hunters'],
  ['  \t\n ', ''],
  ['constructor toString __proto__', 'constructor tostring proto'],
];

t.test('normalise maps written English to the spoken alphabet', async (t) => {
  for (const [input, expected] of CASES) t.equal(normalise(input), expected, JSON.stringify(input));
});

t.test('number words', async (t) => {
  t.equal(cardinal(0), 'zero');
  t.equal(cardinal(15), 'fifteen');
  t.equal(cardinal(40), 'forty');
  t.equal(cardinal(999), 'nine hundred ninety nine');
  t.equal(cardinal(1000000), 'one million');
  t.equal(cardinal(-3), 'minus three');
  t.equal(cardinal(2_000_000_001), 'two billion one');
  t.equal(ordinal(20), 'twentieth');
  t.equal(ordinal(100), 'one hundredth');
  t.equal(ordinal(103), 'one hundred third');
  t.equal(year(1066), 'ten sixty six');
  t.equal(year(2000), 'two thousand');
  t.equal(year(1801), 'eighteen oh one');
});

t.test('output stays inside the alphabet', async (t) => {
  for (const input of ['Ünïcödé ½ ² — “smart” ‘quotes’ ☃ 東京', "''it''s''", '9'.repeat(30)]) {
    t.match(normalise(input), /^(?:[a-z']+(?: [a-z']+)*)?$/, JSON.stringify(input));
  }
});

t.test('agrees with scripts/data/spoken.py, which prepares the training text', async (t) => {
  const inputs = [...CASES.map(([input]) => input), 'Ünïcödé ½ ² — “smart” ‘quotes’', '9'.repeat(30), '12345 $1,000,000.99 10:07'];
  const script = [
    'import json, sys',
    `sys.path.insert(0, ${JSON.stringify(join(packageRoot(), 'scripts', 'data'))})`,
    'sys.dont_write_bytecode = True',
    'from spoken import normalise',
    'print(json.dumps([normalise(s) for s in json.load(sys.stdin)]))',
  ].join('\n');
  const fromPython = JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify(inputs), encoding: 'utf8' })) as string[];
  t.same(
    inputs.map((s) => normalise(s)),
    fromPython,
  );
});
