// The end-to-end redaction eval's entity-level leak count (scripts/eval/redaction-audio.ts) and its choice of
// sentences, on hand-made examples; the audio run itself is `npm run eval -- redaction --audio N`.
import t from 'tap';
import { entityLeaks, leakKeys, pickAudioSamples, type AudioSample } from '../scripts/eval/redaction-audio.js';
import { ENTITY_TYPES } from '../redaction/types.js';

t.test('keys: consecutive word pairs, or the single word; pairs of two stopwords left out; number words kept', async (t) => {
  t.same(leakKeys('leela oluwaseun'), [['leela', 'oluwaseun']]);
  t.same(leakKeys('kharar'), [['kharar']]);
  t.same(leakKeys('the'), [], 'a one-word value that is a stopword cannot be tested');
  t.same(
    leakKeys('four five three'),
    [
      ['four', 'five'],
      ['five', 'three'],
    ],
    'digit words are content',
  );
  t.same(leakKeys('oh seven'), [['oh', 'seven']]);
  t.same(leakKeys('the first of march'), [['of', 'march']], "'the first' and 'first of' are stopword pairs");
});

t.test('an entity leaks when a key appears as consecutive output words', async (t) => {
  t.ok(entityLeaks('four five three two', 'my card is four five [CREDIT_CARD]'), 'two digits left before the placeholder');
  t.notOk(entityLeaks('four five three two', 'my card is four [CREDIT_CARD] two'), 'single digits either side do not');
  t.notOk(entityLeaks('four five three two', 'five four and three five'), 'words present but not in reference order');
  t.ok(entityLeaks('kharar', 'my family lives in Kharar'), 'one-word value, case-insensitive');
  t.notOk(entityLeaks('kharar', 'my family lives in [LOCATION]'));
  t.notOk(entityLeaks('leela oluwaseun', 'yes it is leela wasn speaking'), 'a misheard name does not count');
  t.notOk(entityLeaks('the', 'the the the'), 'no key, no leak');
});

t.test('sentences: round robin over the types in set order, then ceil(N / 4) negatives', async (t) => {
  const perType = 3;
  const samples: AudioSample[] = [];
  for (const type of ENTITY_TYPES) for (let j = 0; j < perType; j++) samples.push({ text: `${type} ${j}`, gold: [{ type, start: 0, end: type.length }] });
  for (let j = 0; j < 10; j++) samples.push({ text: `negative ${j}`, gold: [] });
  const { positives, negatives } = pickAudioSamples(samples, perType, 20);
  t.equal(positives.length, 20);
  t.same(
    positives.slice(0, ENTITY_TYPES.length).map((s) => s.gold[0]!.type),
    ENTITY_TYPES,
    'one of each type first',
  );
  t.equal(positives[ENTITY_TYPES.length]!.text, `${ENTITY_TYPES[0]} 1`);
  t.same(
    negatives.map((s) => s.text),
    ['negative 0', 'negative 1', 'negative 2', 'negative 3', 'negative 4'],
  );
  t.equal(pickAudioSamples(samples, perType, 100).positives.length, ENTITY_TYPES.length * perType, 'at most the positives there are');
});
