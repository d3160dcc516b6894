import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArpaLm } from '../daemon/asr/arpa.js';
import { alignPath, greedyPath, type LogProbs } from '../daemon/asr/ctc.js';
import { beamSearch } from '../daemon/asr/ctc-beam.js';
import { isModelLoadError } from '../daemon/asr/errors.js';
import { makeTokenTable, readTokens } from '../daemon/asr/tokens.js';
import { pathToWords, segmentWords } from '../daemon/asr/words.js';

// Our model's vocabulary: <blk>, ▁ (word boundary), a..z, '
const SYMBOLS = ['<blk>', '▁', ...'abcdefghijklmnopqrstuvwxyz', "'"];
const table = makeTokenTable(SYMBOLS, 0);
const id = (ch: string): number => SYMBOLS.indexOf(ch === ' ' ? '▁' : ch);

/** Frames given as {symbol: posterior}; the rest of each frame's mass is spread over the other tokens. */
function frames(spec: Array<Record<string, number>>): LogProbs {
  const vocab = SYMBOLS.length;
  const data = new Float32Array(spec.length * vocab);
  spec.forEach((f, t) => {
    const named = Object.entries(f);
    const used = named.reduce((s, [, p]) => s + p, 0);
    const rest = (1 - used) / (vocab - named.length);
    for (let v = 0; v < vocab; v++) data[t * vocab + v] = Math.log(rest);
    for (const [sym, p] of named) data[t * vocab + id(sym)] = Math.log(p);
  });
  return { data, frames: spec.length, vocab };
}

/** One peaky frame per character of `text` ('_' = blank), posterior p. */
function spell(text: string, p = 0.9): Array<Record<string, number>> {
  return [...text].map((ch) => ({ [ch === '_' ? '<blk>' : ch]: p }));
}

const textOf = (tokens: Int32Array): string =>
  Array.from(tokens, (k) => (table.startsWord[k] ? ' ' : '') + table.body[k])
    .join('')
    .trim();

t.test('greedy decoding merges repeats, drops blanks, keeps double letters split by a blank', async (t) => {
  const lp = frames(spell('__hh_ee_ll_ll_oo__ wwoo_rr_lldd__'));
  const path = greedyPath(lp, table.blankId);
  t.equal(textOf(path.tokens), 'hello world');
  const words = pathToWords(path, table, 0.04);
  t.same(
    words.map((w) => w.word),
    ['hello', 'world'],
  );
  // 'hello' spans frames 2 (first h) .. 15 (last o); 'world' 19 .. 30
  t.equal(words[0]!.start, 0.08);
  t.equal(words[0]!.end, 0.6);
  t.equal(words[1]!.start, 0.76);
  t.equal(words[1]!.end, 1.2);
  for (const w of words) t.ok(Math.abs(w.confidence - 0.9) < 1e-3, `confidence of ${w.word} is the frames' max posterior`);
});

t.test('timestamps take the piece offset and seconds per output frame', async (t) => {
  const path = greedyPath(frames(spell('_a_')), table.blankId);
  const [w] = pathToWords(path, table, 0.04, 10);
  t.same(w, { word: 'a', start: 10.04, end: 10.04, confidence: 0.9 });
});

t.test("confidence is the mean posterior over the word's token frames and stays within 0..1", async (t) => {
  const lp = frames([{ o: 0.5 }, { o: 0.7 }, { '<blk>': 0.9 }, { k: 0.3 }]);
  const [w] = pathToWords(greedyPath(lp, table.blankId), table, 0.04);
  t.equal(w!.word, 'ok');
  t.equal(w!.confidence, 0.5);
  t.ok(w!.confidence > 0 && w!.confidence <= 1);
});

t.test('forced alignment of the greedy answer reproduces the greedy frames', async (t) => {
  const lp = frames(spell('_cc_aa_t__ ss_aa_tt'));
  const greedy = greedyPath(lp, table.blankId);
  const aligned = alignPath(lp, greedy.tokens, table.blankId);
  t.same(Array.from(aligned.firstFrame), Array.from(greedy.firstFrame));
  t.same(Array.from(aligned.lastFrame), Array.from(greedy.lastFrame));
  t.same(Array.from(aligned.frameCount), Array.from(greedy.frameCount));
  t.same(alignPath(lp, new Int32Array(0), table.blankId).tokens.length, 0);
  t.throws(() => alignPath(frames(spell('a')), new Int32Array([id('a'), id('b')]), table.blankId), /cannot align 2 tokens to 1 frames/);
});

t.test('segments split at pauses longer than 0.8 s', async (t) => {
  const lp = frames(spell(`_hi_${'_'.repeat(19)} yo${'_'.repeat(21)} ok_`));
  const words = pathToWords(greedyPath(lp, table.blankId), table, 0.04);
  const segments = segmentWords(words);
  // hi ends at frame 2, yo starts at 24 (gap 0.88 s); yo ends at 25, ok starts at 48 (gap 0.92 s)
  t.same(
    segments.map((s) => s.text),
    ['hi', 'yo', 'ok'],
  );
  const close = segmentWords(words, 1);
  t.same(
    close.map((s) => s.text),
    ['hi yo ok'],
  );
  t.equal(close[0]!.start, words[0]!.start);
  t.equal(close[0]!.end, words[2]!.end);
  t.same(segmentWords([]), []);
});

/** Deterministic pseudo-random peaky posteriors. */
function randomFrames(n: number, seed: number): LogProbs {
  let s = seed;
  const rand = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const vocab = SYMBOLS.length;
  const data = new Float32Array(n * vocab);
  for (let t = 0; t < n; t++) {
    let sum = 0;
    const row = new Float64Array(vocab);
    for (let v = 0; v < vocab; v++) sum += row[v] = Math.exp(6 * rand() * rand());
    const peak = rand() < 0.5 ? 0 : Math.floor(rand() * vocab);
    row[peak]! += sum * 3;
    sum *= 4;
    for (let v = 0; v < vocab; v++) data[t * vocab + v] = Math.log(row[v]! / sum);
  }
  return { data, frames: n, vocab };
}

t.test('beam search without an LM agrees with greedy decoding on peaky posteriors', async (t) => {
  for (let seed = 1; seed <= 20; seed++) {
    const lp = randomFrames(60, seed);
    const greedy = textOf(greedyPath(lp, table.blankId).tokens);
    t.equal(textOf(beamSearch(lp, table, { beamSize: 8 })), greedy, `seed ${seed}`);
  }
  const lp = frames(spell('__hh_ee_ll_ll_oo__'));
  t.equal(textOf(beamSearch(lp, table, { beamSize: 1 })), 'hello', 'beam of one');
});

t.test('beam search sums the paths of a prefix, which greedy cannot', async (t) => {
  // Each frame: blank 0.4, 'a' 0.35, 'b' 0.25. Best single path is all blank (empty), but "a" collects more mass.
  const lp = frames([
    { '<blk>': 0.4, a: 0.35, b: 0.25 },
    { '<blk>': 0.4, a: 0.35, b: 0.25 },
    { '<blk>': 0.4, a: 0.35, b: 0.25 },
  ]);
  t.equal(textOf(greedyPath(lp, table.blankId).tokens), '');
  t.equal(textOf(beamSearch(lp, table, { beamSize: 4 })), 'a');
});

// "the bat": acoustics slightly prefer "pat"; an LM that knows "the bat" flips it.
const ARPA = `\\data\\
ngram 1=6
ngram 2=3

\\1-grams:
-99\t<s>\t-0.3
-1.0\t</s>
-0.7\tthe\t-0.2
-1.2\tbat\t-0.1
-2.5\tpat\t-0.1
-3.0\t<unk>

\\2-grams:
-0.1\t<s> the
-0.2\tthe bat
-0.3\tbat </s>

\\end\\
`;

function batOrPat(): LogProbs {
  return frames([...spell('_tt_hh_ee_'), { '▁': 0.9 }, { '<blk>': 0.9 }, { p: 0.5, b: 0.45 }, { '<blk>': 0.9 }, ...spell('aa_t_')]);
}

t.test('the LM changes the result where acoustics are ambiguous', async (t) => {
  const lp = batOrPat();
  const lm = new ArpaLm(ARPA);
  t.equal(textOf(greedyPath(lp, table.blankId).tokens), 'the pat');
  t.equal(textOf(beamSearch(lp, table, { beamSize: 8 })), 'the pat');
  t.equal(textOf(beamSearch(lp, table, { beamSize: 8, lm, lmWeight: 0.5 })), 'the bat');
  t.equal(textOf(beamSearch(lp, table, { beamSize: 8, lm, lmWeight: 0 })), 'the pat', 'weight 0 is acoustics only');
  // Confident acoustics are not overridden.
  const clear = frames(spell('_tt_hh_ee_ ppaatt_'));
  t.equal(textOf(beamSearch(clear, table, { beamSize: 8, lm, lmWeight: 0.5 })), 'the pat');
});

t.test('ARPA reader: backoff, <unk>, interning of states', async (t) => {
  const lm = new ArpaLm(ARPA);
  t.equal(lm.order, 2);
  const the = lm.wordId('the');
  const bat = lm.wordId('bat');
  const pat = lm.wordId('pat');
  const close = (a: number, b: number): boolean => Math.abs(a - b) < 1e-9;
  t.ok(close(lm.logProb([lm.bosId], the), -0.1 * Math.LN10), 'seen bigram');
  t.ok(close(lm.logProb([the], pat), (-0.2 - 2.5) * Math.LN10), 'backoff(the) + p(pat)');
  t.ok(close(lm.logProb([lm.eosId], bat), -1.2 * Math.LN10), 'context without a backoff weight');
  t.ok(close(lm.logProb([pat], bat), (-0.1 - 1.2) * Math.LN10), 'backoff(pat) + p(bat)');
  t.equal(lm.wordId('zebra'), lm.unkId);
  t.ok(close(lm.logProb([the], lm.wordId('zebra')), (-0.2 - 3.0) * Math.LN10), 'OOV scores as <unk>');
  const s0 = lm.initialState();
  const s1 = lm.advance(s0, the);
  t.ok(close(lm.lastLogProb, -0.1 * Math.LN10));
  t.equal(lm.advance(s0, the), s1, 'transitions are cached');
  lm.advance(s1, bat);
  t.ok(close(lm.lastLogProb, -0.2 * Math.LN10));
  lm.trimCache(100);
  t.equal(lm.advance(s0, the), s1, 'a small cache is kept');
  lm.trimCache(0);
  const fresh = lm.initialState();
  lm.advance(fresh, the);
  t.ok(close(lm.lastLogProb, -0.1 * Math.LN10), 'scores are the same after the cache is dropped');
  t.ok(lm.isWordPrefix('ba'));
  t.ok(lm.isWordPrefix('pat'));
  t.notOk(lm.isWordPrefix('bx'));
  t.notOk(lm.isWordPrefix('patio'));
  t.notOk(lm.isWordPrefix('zz'), 'past the last word');
  t.notOk(lm.isWordPrefix('<s'), 'sentence markers are not words');
});

t.test('ARPA reader without <unk> gives unknown words a fixed floor', async (t) => {
  const lm = new ArpaLm('\\data\\\nngram 1=2\n\n\\1-grams:\n-0.5 a\n-0.5 </s>\n\\end\\\n');
  t.equal(lm.unkId, -1);
  t.ok(lm.logProb([], lm.wordId('b')) < -20);
  t.ok(lm.logProb([], lm.bosId) < -20, '<s> not listed: floor');
  const s = lm.advance(lm.initialState(), -1);
  t.equal(lm.advance(s, -1), s, 'an OOV word does not extend the history');
});

t.test('ARPA reader rejects malformed files with a typed error', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['hello', /no \\data\\ header/],
    ['\\data\\\n\\1-grams:\n', /no "ngram N=count" lines/],
    ['\\data\\\nngram 1=2\n\\1-grams:\n-1 a\n\\end\\\n', /declares 2 1-grams, found 1/],
    ['\\data\\\nngram 1=1\n-1 a\n', /outside any n-gram section/],
    ['\\data\\\nngram 1=1\n\\3-grams:\n', /unexpected section/],
    ['\\data\\\nngram 1=1\n\\1-grams:\n-1 a b c\n', /does not hold a 1-gram/],
    ['\\data\\\nngram 1=1\n\\1-grams:\nx a\n', /non-numeric/],
  ];
  for (const [text, msg] of cases) {
    t.throws(() => new ArpaLm(text, 'lm.arpa'), msg);
    try {
      new ArpaLm(text, 'lm.arpa');
    } catch (err) {
      t.ok(isModelLoadError(err, 'BAD_LM'));
    }
  }
  t.throws(() => ArpaLm.load('/nonexistent/lm.arpa'), /cannot read the ARPA language model/);
});

t.test('tokens.txt reader', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'asr-tokens-'));
  const file = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const ours = readTokens(file('ours.txt', `${SYMBOLS.map((s, i) => `${s} ${i}`).join('\n')}\n`));
  t.equal(ours.blankId, 0);
  t.equal(ours.symbols.length, 29);
  t.equal(ours.startsWord[1], 1);
  t.equal(ours.body[1], '');
  const bpe = readTokens(file('bpe.txt', '<unk> 0\r\n▁the 2\r\ns 1\r\n<blk> 3\r\n'), '▁', 'last');
  t.same(bpe.symbols, ['<unk>', 's', '▁the', '<blk>']);
  t.equal(bpe.blankId, 3);
  t.same(bpe.body, ['', 's', 'the', '']);
  t.equal(readTokens(file('noblk.txt', 'x 0\ny 1\n')).blankId, 0);
  t.throws(() => readTokens(file('bad1.txt', 'a\n')), /line 1 is not "symbol id"/);
  t.throws(() => readTokens(file('bad2.txt', 'a 0\nb 0\n')), /id 0 appears twice/);
  t.throws(() => readTokens(file('bad3.txt', 'a 0\nb 2\n')), /id 1 is missing/);
  t.throws(() => readTokens(file('bad4.txt', '\n')), /no tokens/);
  t.throws(() => readTokens(join(dir, 'none.txt')), /cannot read the tokens file/);
});

t.test('BPE vocabularies: a ▁-prefixed token starts a word and scores the previous one', async (t) => {
  const bpe = makeTokenTable(['<unk>', '▁the', '▁ca', 't', 's', '<blk>'], 5);
  const vocab = 6;
  const seq = [5, 1, 5, 2, 3, 5, 4, 5];
  const data = new Float32Array(seq.length * vocab).fill(Math.log(0.02));
  seq.forEach((k, i) => {
    data[i * vocab + k] = Math.log(0.9);
  });
  const lp = { data, frames: seq.length, vocab };
  const words = pathToWords(greedyPath(lp, 5), bpe, 0.04);
  t.same(
    words.map((w) => w.word),
    ['the', 'cats'],
  );
  const lm = new ArpaLm('\\data\\\nngram 1=4\n\n\\1-grams:\n-1 the\n-1 cats\n-1 </s>\n-99 <s>\n\\end\\\n');
  const tokens = beamSearch(lp, bpe, { beamSize: 4, lm, lmWeight: 0.3, wordBonus: 1 });
  t.same(
    pathToWords(alignPath(lp, tokens, 5), bpe, 0.04).map((w) => w.word),
    ['the', 'cats'],
  );
});
