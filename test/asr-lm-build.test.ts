import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArpaLm } from '../daemon/asr/arpa.js';
import { buildArpaFile } from '../scripts/lm/build-arpa.js';
import { BOS, discounts, EOS, estimate, normalizeSentence, toArpa, UNK } from '../daemon/lm/kneser-ney.js';

const TEXT = `The cat sat on the mat.
The dog sat on the log!
A cat and a dog met on the mat
the cat saw the dog
the dog saw the cat and the cat ran
we went to san francisco
san francisco is in california
i left my heart in san francisco
they said san francisco again
the cat is on the mat again
a dog is a dog
we saw a cat in california`;

const sentences = TEXT.split('\n').map(normalizeSentence);

t.test('text normalisation keeps what the model can spell', async (t) => {
  t.same(normalizeSentence("  It's 5 O'Clock -- 'quoted' words, OK?  "), ["it's", "o'clock", 'quoted', 'words', 'ok']);
  t.same(normalizeSentence('123 !!'), []);
});

t.test('every context distribution sums to one, through the ARPA reader and its backoff', async (t) => {
  for (const order of [1, 2, 3, 4]) {
    const model = estimate(sentences, order);
    const lm = new ArpaLm(toArpa(model));
    t.equal(lm.order, order);
    const vocab = [...model.logProbs[0]!.keys()].filter((w) => w !== BOS).map((w) => lm.wordId(w));
    t.ok(vocab.includes(lm.wordId(UNK)) && lm.unkId >= 0, '<unk> is in the vocabulary');
    // every seen context, plus unseen ones made of seen words
    const contexts = new Set<string>(['']);
    for (let n = 1; n < order; n++) for (const key of model.logProbs[n]!.keys()) contexts.add(key.split(' ').slice(0, -1).join(' '));
    contexts.add('mat cat');
    contexts.add(`${BOS} dog`);
    contexts.add('zebra');
    let checked = 0;
    for (const context of contexts) {
      const history = context === '' ? [] : context.split(' ').map((w) => lm.wordId(w));
      let sum = 0;
      for (const w of vocab) sum += Math.exp(lm.logProb(history, w));
      if (Math.abs(sum - 1) > 1e-5) t.fail(`order ${order}, context '${context}': probabilities sum to ${sum}`);
      checked++;
    }
    t.ok(checked >= (order === 1 ? 1 : 10), `order ${order}: ${checked} contexts sum to one`);
  }
});

t.test('hand-computed probabilities and backoff weights on a one-sentence text', async (t) => {
  // "<s> a b </s>": each bigram seen once; each unigram continuation count 1; too little text for
  // Chen-Goodman discounts, so D = 0.5 / 1 / 1.5.
  const model = estimate([['a', 'b']], 2);
  t.same(model.discounts, [
    [0.5, 1, 1.5],
    [0.5, 1, 1.5],
  ]);
  const p = (n: number, key: string): number => 10 ** model.logProbs[n - 1]!.get(key)!;
  const bow = (key: string): number => 10 ** model.logBackoffs[0]!.get(key)!;
  // unigrams: (1 - 0.5) / 3 + gamma * 1/4, gamma = 0.5 * 3 / 3; vocabulary a, b, </s>, <unk>
  t.ok(Math.abs(p(1, 'a') - (0.5 / 3 + 0.5 / 4)) < 1e-12);
  t.ok(Math.abs(p(1, UNK) - 0.5 / 4) < 1e-12);
  t.equal(model.logProbs[0]!.get(BOS), -99);
  // bigram a b: (1 - 0.5) / 1 + gamma(a) * p(b), gamma(a) = 0.5
  t.ok(Math.abs(p(2, 'a b') - (0.5 + 0.5 * p(1, 'b'))) < 1e-12);
  t.ok(Math.abs(bow('a') - 0.5) < 1e-12);
  t.ok(Math.abs(bow(BOS) - 0.5) < 1e-12);
  t.equal(model.logBackoffs[0]!.get(EOS), undefined, '</s> is never a context');
  const arpa = toArpa(model);
  t.match(arpa, /^\\data\\\nngram 1=5\nngram 2=3\n\n\\1-grams:\n/);
  t.match(arpa, /\n-99\t<s>\t-0\.30103\n/);
  t.match(arpa, /\\end\\\n$/);
});

t.test('Kneser-Ney: a frequent word seen after one word only gets a small unigram share', async (t) => {
  const model = estimate(sentences, 3);
  const uni = model.logProbs[0]!;
  // "francisco" occurs 4 times, always after "san"; "on" occurs 4 times after 3 different words
  t.ok(uni.get('francisco')! < uni.get('on')!, 'continuation counts, not raw counts');
  const lm = new ArpaLm(toArpa(model));
  const id = (w: string): number => lm.wordId(w);
  const afterSan = [...model.logProbs[0]!.keys()].filter((w) => w !== BOS && w !== 'francisco');
  const francisco = lm.logProb([id('san')], id('francisco'));
  t.ok(
    afterSan.every((w) => francisco > lm.logProb([id('san')], id(w))),
    'but after "san", "francisco" is the likeliest word',
  );
  t.ok(francisco > Math.log(0.3));
  t.ok(lm.logProb([id('the'), id('cat')], id('sat')) > lm.logProb([id('the'), id('cat')], id('california')));
});

t.test('discounts: Chen-Goodman estimates when valid', async (t) => {
  const [d1, d2, d3] = discounts([100, 40, 20, 10]);
  const y = 100 / (100 + 80);
  t.ok(Math.abs(d1 - (1 - (2 * y * 40) / 100)) < 1e-12);
  t.ok(Math.abs(d2 - (2 - (3 * y * 20) / 40)) < 1e-12);
  t.ok(Math.abs(d3 - (3 - (4 * y * 10) / 20)) < 1e-12);
  t.same(discounts([10, 1, 10, 1]), [0.5, 1, 1.5], 'invalid estimates (D2 < 0) fall back');
  t.same(discounts([10, 0, 10, 1]), [0.5, 1, 1.5], 'so do missing counts of counts');
  t.throws(() => estimate([], 3), /no words/);
  t.throws(() => estimate(sentences, 0), /order must be a positive integer/);
});

t.test('buildArpaFile: text file in, ARPA file the recognizer reads out', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'asr-lm-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'text.txt'), `${TEXT}\r\n\r\n123\n`);
  const stats = await buildArpaFile(join(dir, 'text.txt'), join(dir, 'lm.arpa'), 3);
  t.equal(stats.sentences, 12);
  t.equal(stats.ngrams.length, 3);
  const lm = ArpaLm.load(join(dir, 'lm.arpa'));
  t.equal(lm.order, 3);
  t.ok(lm.isWordPrefix('francis'));
  t.equal(readFileSync(join(dir, 'lm.arpa'), 'utf8'), toArpa(estimate(sentences, 3)), 'deterministic');
});
