import t from 'tap';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArpaLm } from '../daemon/asr/arpa.js';
import { loadRecognizer, loadWordLm } from '../daemon/asr/index.js';
import { BinaryLm } from '../daemon/lm/binary-lm.js';
import { arpaToBinary, quantise } from '../daemon/lm/binary-lm-writer.js';
import { InterpolatedLm } from '../daemon/lm/interpolated-lm.js';
import { estimate, normalizeSentence, toArpa } from '../daemon/lm/kneser-ney.js';
import { packageRoot } from '../common/package-root.js';
import { batOrPatAudio } from './fixtures/models/tone-audio.js';

const TEXT = `the cat sat on the mat
the dog sat on the log
a cat and a dog met on the mat
the cat saw the dog
the dog saw the cat and the cat ran
we went to san francisco
san francisco is in california
i left my heart in san francisco
they said san francisco again
the cat is on the mat again
a dog is a dog
we saw a cat in california
the cat sat on the log again
a dog sat on the mat`;
const sentences = TEXT.split('\n').map(normalizeSentence);
const TINY = join(import.meta.dirname, 'fixtures', 'models', 'hushscribe-tiny');

const dir = mkdtempSync(join(tmpdir(), 'lm-binary-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'text.txt'), `${TEXT}\n`);

function buildWithPython(out: string, ...args: string[]): void {
  execFileSync('python3', [join(packageRoot(), 'scripts', 'lm', 'build_lm.py'), '--text', join(dir, 'text.txt'), '--out', out, ...args], { stdio: 'pipe' });
}

/** Every (history, word) of the text, plus some unseen ones, as word lists. */
function queries(): Array<[string[], string]> {
  const out: Array<[string[], string]> = [];
  for (const s of sentences) {
    const w = ['<s>', ...s, '</s>'];
    for (let i = 1; i < w.length; i++) out.push([w.slice(Math.max(0, i - 2), i), w[i]!]);
  }
  out.push([['the', 'cat'], 'california'], [['zebra', 'the'], 'dog'], [['<s>'], 'francisco'], [['mat'], 'zebra']);
  return out;
}

const score = (lm: { wordId(w: string): number; logProb(h: readonly number[], w: number): number }, h: string[], w: string): number =>
  lm.logProb(
    h.map((x) => lm.wordId(x)),
    lm.wordId(w),
  );

t.test('build_lm.py (numpy) agrees with the independent TypeScript Kneser-Ney estimator', async (t) => {
  buildWithPython(join(dir, 'py.arpa'));
  const python = ArpaLm.load(join(dir, 'py.arpa'));
  const reference = new ArpaLm(toArpa(estimate(sentences, 3)));
  let worst = 0;
  for (const [h, w] of queries()) worst = Math.max(worst, Math.abs(score(python, h, w) - score(reference, h, w)));
  t.ok(worst < 1e-4, `largest difference ${worst} nats over ${queries().length} queries`);
});

t.test('pruned: n-grams below the thresholds go, and every context still sums to one', async (t) => {
  buildWithPython(join(dir, 'pruned.arpa'), '--prune', '0,2,2');
  const arpa = readFileSync(join(dir, 'pruned.arpa'), 'utf8');
  t.match(arpa, /\tsan francisco\t/, 'a bigram seen 4 times stays');
  t.notMatch(arpa, /\tleft my\t/, 'a bigram seen once goes');
  const lm = ArpaLm.load(join(dir, 'pruned.arpa'));
  const vocab = [...new Set(sentences.flat()), '</s>', '<unk>'];
  for (const h of [[], ['<s>'], ['the'], ['the', 'cat'], ['san', 'francisco'], ['left', 'my'], ['zebra']]) {
    const sum = vocab.reduce((s, w) => s + Math.exp(score(lm, h, w)), 0);
    t.ok(Math.abs(sum - 1) < 1e-4, `p(. | ${h.join(' ') || '(none)'}) sums to ${sum}`);
  }
  t.throws(() => buildWithPython(join(dir, 'bad.arpa'), '--prune', '0,3,2'), /do not fall with the order/);
});

t.test('the binary file answers as the ARPA file does, within the quantisation', async (t) => {
  const stats = await arpaToBinary(join(dir, 'py.arpa'), join(dir, 'lm.bin'));
  t.same(stats.counts.length, 3);
  const arpa = ArpaLm.load(join(dir, 'py.arpa'));
  const binary = BinaryLm.load(join(dir, 'lm.bin'));
  t.equal(binary.order, 3);
  t.equal(binary.fileBytes, stats.bytes);
  let worst = 0;
  for (const [h, w] of queries()) worst = Math.max(worst, Math.abs(score(arpa, h, w) - score(binary, h, w)));
  t.ok(worst < 0.02, `largest difference ${worst} nats`);
  t.ok(binary.isWordPrefix('franc') && !binary.isWordPrefix('zz'));
  // lookahead: the best unigram among the words a prefix can become
  const unigram = (w: string): number => binary.logProb([], binary.wordId(w));
  t.equal(binary.prefixLogProb('san'), unigram('san'));
  t.equal(binary.prefixLogProb('ca'), Math.max(unigram('cat'), unigram('california')));
  t.equal(binary.prefixLogProb('zz'), -Infinity);
  t.equal(binary.prefixLogProb('ca'), Math.max(unigram('cat'), unigram('california')), 'cached');
  t.equal(binary.wordId('zebra'), binary.unkId);
  // beam-search interface: states and cached transitions
  let state = binary.initialState();
  state = binary.advance(state, binary.wordId('san'));
  binary.advance(state, binary.wordId('francisco'));
  t.ok(Math.abs(binary.lastLogProb - score(arpa, ['<s>', 'san'], 'francisco')) < 0.02);
  t.equal(loadWordLm(join(dir, 'lm.bin')).constructor, BinaryLm, 'loadWordLm tells the formats apart');
  t.equal(loadWordLm(join(dir, 'py.arpa')).constructor, ArpaLm);
  binary.close();
  t.throws(() => binary.logProb([], 3), /closed/);
});

t.test('quantise: 256 levels, each value to its nearest level', async (t) => {
  const values = Float32Array.from({ length: 5000 }, (_, i) => -20 * Math.sin(i) ** 2);
  const { codebook, codes } = quantise(values);
  let worst = 0;
  values.forEach((v, i) => {
    worst = Math.max(worst, Math.abs(codebook[codes[i]!]! - v));
  });
  t.ok(worst < 0.1, `worst error ${worst}`);
  for (let i = 1; i < 256; i++) if (codebook[i]! < codebook[i - 1]!) t.fail('codebook is sorted');
});

t.test('a damaged binary LM gives a clear error, never a crash', async (t) => {
  const good = readFileSync(join(dir, 'lm.bin'));
  const cases: Array<[string, Buffer, RegExp]> = [
    ['truncated', good.subarray(0, good.length - 100), /truncated or damaged binary LM/],
    ['header only', good.subarray(0, 40), /shorter than the header/],
    ['flipped byte', Buffer.concat([good.subarray(0, 500), Buffer.from([good[500]! ^ 0xff]), good.subarray(501)]), /checksum mismatch/],
    ['ARPA text under the name', Buffer.from(`\\data\\\nngram 1=1\n${'\n'.repeat(100)}`), /bad magic/],
  ];
  for (const [name, bytes, message] of cases) {
    const path = join(dir, `${name.replace(/ /g, '-')}.bin`);
    writeFileSync(path, bytes);
    t.throws(() => BinaryLm.load(path), { code: 'BAD_LM', message }, name);
  }
  t.throws(() => BinaryLm.load(join(dir, 'missing.bin')), { code: 'MODEL_NOT_FOUND' });
});

t.test('the converter rejects broken ARPA files with the reason', async (t) => {
  const write = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const head = '\\data\\\nngram 1=4\nngram 2=1\n\n\\1-grams:\n-1\t<s>\t-0.3\n-1\t</s>\n-1\ta\t-0.2\n-2\t<unk>\n\n\\2-grams:\n';
  await t.rejects(arpaToBinary(write('ok-but-cut.arpa', `${head}-0.1\t<s> a\n`), join(dir, 'x.bin')), /no \\end\\/);
  const orphan = `${head.replace('ngram 2=1\n', 'ngram 2=1\nngram 3=1\n')}-0.1\t<s> a\t-0.1\n\n\\3-grams:\n-0.1\ta a a\n\n\\end\\\n`;
  await t.rejects(arpaToBinary(write('orphan.arpa', orphan), join(dir, 'x.bin')), /'a a a' has no entry for its context/);
  await t.rejects(arpaToBinary(write('unknown.arpa', `${head}-0.1\t<s> b\n\n\\end\\\n`), join(dir, 'x.bin')), /'b' is not a unigram/);
  await t.rejects(
    arpaToBinary(write('count.arpa', `${head.replace('ngram 1=4', 'ngram 1=5')}-0.1\t<s> a\n\n\\end\\\n`), join(dir, 'x.bin')),
    /declares 5 1-grams, found 4/,
  );
  await arpaToBinary(write('fine.arpa', `${head}-0.1\t<s> a\n\n\\end\\\n`), join(dir, 'fine.bin'));
  const fine = BinaryLm.load(join(dir, 'fine.bin'));
  t.same([fine.wordId('</s>'), fine.bosId, fine.unkId, fine.wordId('a')], [0, 1, 2, 3], 'ids are byte-sorted ranks');
  t.ok(Math.abs(fine.logProb([1], 3) - -0.1 * Math.LN10) < 1e-3, 'p(a | <s>)');
});

t.test('the recognizer uses a binary LM, and decodes greedily when the LM file is damaged', async (t) => {
  await arpaToBinary(join(TINY, 'lm.arpa'), join(dir, 'tiny.bin'));
  const audio = batOrPatAudio();
  const withLm = await loadRecognizer({ modelDir: TINY, decoding: { lm: join(dir, 'tiny.bin') } });
  t.equal((await withLm.transcribe(audio)).text, 'the bat');
  t.equal(withLm.decoding.lmError, undefined);
  const bytes = readFileSync(join(dir, 'tiny.bin'));
  writeFileSync(join(dir, 'tiny-cut.bin'), bytes.subarray(0, bytes.length - 8));
  const damaged = await loadRecognizer({ modelDir: TINY, decoding: { lm: join(dir, 'tiny-cut.bin') } });
  t.equal(damaged.decoding.method, 'greedy');
  t.match(damaged.decoding.lmError, /tiny-cut\.bin: truncated or damaged binary LM/);
  t.equal((await damaged.transcribe(audio)).text, 'the pat', 'greedy: what the acoustics say');
  // the same through a model directory whose manifest names the damaged file
  const model = join(dir, 'model');
  execFileSync('cp', ['-r', TINY, model]);
  copyFileSync(join(dir, 'tiny-cut.bin'), join(model, 'lm.arpa'));
  const fromManifest = await loadRecognizer({ modelDir: model });
  t.match(fromManifest.decoding, { method: 'greedy', lmPath: null, lmError: /lm\.arpa/ });
  for (const r of [withLm, damaged, fromManifest]) await r.close();
});

t.test("an extra LM mixed in at its weight lets the user's words through", async (t) => {
  const general = ArpaLm.load(join(dir, 'py.arpa'));
  const user = new ArpaLm(
    toArpa(
      estimate(
        [
          ['the', 'cat', 'met', 'kowalski'],
          ['kowalski', 'sat'],
        ],
        3,
      ),
    ),
  );
  const mixed = new InterpolatedLm(general, [{ lm: user, weight: 0.25 }]);
  const p = (lm: typeof mixed | ArpaLm, h: string[], w: string): number => Math.exp(score(lm, h, w));
  const expected = 0.75 * p(general, ['the', 'cat'], 'sat') + 0.25 * p(user, ['the', 'cat'], 'sat');
  t.ok(Math.abs(p(mixed, ['the', 'cat'], 'sat') - expected) < 1e-9);
  t.ok(mixed.wordId('kowalski') !== mixed.unkId && general.wordId('kowalski') === general.unkId);
  t.ok(p(mixed, ['cat', 'met'], 'kowalski') > 10 * p(general, ['cat', 'met'], 'kowalski'), 'a word only the user LM knows');
  t.throws(() => new InterpolatedLm(general, [{ lm: user, weight: 1 }]), /summing to more than 0 and less than 1/);
});
