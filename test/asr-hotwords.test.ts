import t from 'tap';
import { join } from 'node:path';
import { ContextGraph, loadRecognizer, phraseTokens } from '../daemon/asr/index.js';
import { beamSearch } from '../daemon/asr/ctc-beam.js';
import { makeTokenTable } from '../daemon/asr/tokens.js';
import { ArpaLm } from '../daemon/asr/arpa.js';
import { estimate, toArpa } from '../daemon/lm/kneser-ney.js';
import { batOrPatAudio } from './fixtures/models/tone-audio.js';

const TINY = join(import.meta.dirname, 'fixtures', 'models', 'hushscribe-tiny');
// Character table: blank, word boundary, letters.
const SYMBOLS = ['<blk>', '▁', ...'abcdefghijklmnopqrstuvwxyz', "'"];
const table = makeTokenTable(SYMBOLS, 0);
const id = (c: string): number => (c === ' ' ? 1 : SYMBOLS.indexOf(c));

/** Walks the graph over a text's tokens; returns the running total after each token. */
function walk(graph: ContextGraph, text: string): number[] {
  let state = graph.root;
  let total = 0;
  const totals: number[] = [];
  for (const token of phraseTokens(text, table)!) {
    state = graph.step(state, token);
    total += graph.lastScore;
    totals.push(total);
  }
  return [...totals, total + graph.finish(state)];
}

t.test('phrases are spelled in model tokens: boundary, then characters', async (t) => {
  t.same(phraseTokens('anna kowalski', table), [1, ...'anna'].map((c) => (typeof c === 'number' ? c : id(c))).concat([1, ...[...'kowalski'].map(id)]));
  t.equal(phraseTokens('café', table), null, 'a character the model lacks');
  const bpe = makeTokenTable(['<blk>', '▁the', '▁', 'an', 'a', 'n', 'ne'], 0);
  t.same(phraseTokens('the anne', bpe), [1, 2, 3, 6], 'BPE: longest word-start piece, then longest inner pieces');
});

t.test('boost grows token by token; an abandoned phrase gives it all back', async (t) => {
  const graph = new ContextGraph([{ phrase: 'anna', boost: 2 }], table);
  // " ann" then "e": four boosted tokens, then the fifth leaves the phrase
  const totals = walk(graph, 'anne');
  t.same(totals.slice(0, 4), [2, 4, 6, 8], 'boundary, a, n, n each +2');
  t.equal(totals[4], 0, 'leaving the phrase takes the 8 back');
  t.equal(totals[5], 0, 'and nothing is left at the end');
  // unfinished at the end of the utterance
  t.same(walk(graph, 'an'), [2, 4, 6, 0], 'a partial match at the end is given back by finish()');
});

t.test('a completed phrase keeps its boost, once, whatever follows', async (t) => {
  const graph = new ContextGraph([{ phrase: 'anna', boost: 2 }], table);
  t.equal(walk(graph, 'anna').at(-1), 10, 'five tokens x 2, kept at the end');
  t.equal(walk(graph, 'anna b').at(-1), 10, 'and after the next word');
  t.equal(walk(graph, 'anna anna').at(-1), 20, 'twice said, twice boosted');
  t.equal(walk(graph, 'bob').at(-1), 0, 'other words are untouched');
});

t.test('a phrase is complete only when its last word ends', async (t) => {
  const graph = new ContextGraph([{ phrase: 'anna', boost: 2 }], table);
  const totals = walk(graph, 'annabel');
  t.same(totals.slice(0, 5), [2, 4, 6, 8, 10], 'the phrase is spelled out');
  t.equal(totals.at(-1), 0, '"annabel" is not "anna": the word went on, so the boost is given back');
  t.equal(walk(graph, 'anna bel').at(-1), 10, 'a word boundary after it completes it');
});

t.test('a phrase that starts a longer one is kept when the longer one fails', async (t) => {
  const graph = new ContextGraph(
    [
      { phrase: 'anna', boost: 2 },
      { phrase: 'anna kowalski', boost: 2 },
    ],
    table,
  );
  t.equal(walk(graph, 'anna kowalski').at(-1), 28, 'the longer phrase: 14 tokens x 2, not also the shorter one');
  t.equal(walk(graph, 'anna bel').at(-1), 10, 'the longer one fails at "b": "anna" is kept');
  t.equal(walk(graph, 'anna ko').at(-1), 10, 'the longer one is unfinished at the end: "anna" is kept');
  t.equal(walk(graph, 'anna kowalskis').at(-1), 10, 'its last word goes on: only "anna" is kept');
});

t.test('failure links: a phrase found inside a failed longer match is still boosted', async (t) => {
  const graph = new ContextGraph(
    [
      { phrase: 'ab ab', boost: 1 },
      { phrase: 'ab c', boost: 1 },
    ],
    table,
  );
  // " ab ab" shares " ab " with " ab c"; " ab ab c": the first ' ab' restarts at the second ' ab' on failure
  t.equal(walk(graph, 'ab ab').at(-1), 6);
  t.equal(walk(graph, 'ab c').at(-1), 5);
  t.equal(walk(graph, 'ab d').at(-1), 0);
});

t.test('beam search: a hotword wins where the acoustics are ambiguous, and only then', async (t) => {
  const audio = batOrPatAudio();
  const plain = await loadRecognizer({ modelDir: TINY, decoding: { lm: null, beamSize: 8 } });
  t.equal((await plain.transcribe(audio)).text, 'the pat');
  t.equal((await plain.transcribe(audio, { hotwords: [{ phrase: 'bat', boost: 0.5 }] })).text, 'the bat', 'per call');
  t.equal((await plain.transcribe(audio, { hotwords: [{ phrase: 'cat' }] })).text, 'the pat', 'a phrase the audio does not hold changes nothing');
  const configured = await loadRecognizer({ modelDir: TINY, decoding: { lm: null, hotwords: [{ phrase: 'bat', boost: 0.5 }] } });
  t.equal(configured.decoding.method, 'beam', 'hotwords make the search a beam search');
  t.equal((await configured.transcribe(audio)).text, 'the bat');
  await t.rejects(loadRecognizer({ modelDir: TINY, decoding: { hotwords: [{ phrase: ' ' }] } }), /hotwords\[0\]\.phrase must be a non-empty string/);
  await t.rejects(loadRecognizer({ modelDir: TINY, decoding: { hotwords: [{ phrase: 'x', boost: -1 }] } }), /hotwords\[0\]\.boost must be a number > 0/);
  for (const r of [plain, configured]) await r.close();
});

t.test('beam search on hand-made posteriors: the boost of an abandoned prefix does not linger', async (t) => {
  // Frames spell " ab" clearly, then "x" vs "c" nearly tied with "x" ahead. Hotword "abc": the prefix " ab" is
  // boosted, but the final choice between " abx" and " abc" must be decided by the completed phrase only.
  const frames = ['▁', 'a', 'b', 'xc'];
  const vocab = SYMBOLS.length;
  const data = new Float32Array(frames.length * vocab).fill(-20);
  frames.forEach((f, i) => {
    if (f === 'xc') {
      data[i * vocab + id('x')] = Math.log(0.55);
      data[i * vocab + id('c')] = Math.log(0.45);
    } else data[i * vocab + (f === '▁' ? 1 : id(f))] = 0;
  });
  const lp = { data, frames: frames.length, vocab };
  const text = (tokens: Int32Array): string => [...tokens].map((k) => SYMBOLS[k]).join('');
  t.equal(text(beamSearch(lp, table, { beamSize: 4 })), '▁abx');
  const graph = new ContextGraph([{ phrase: 'abc', boost: 0.1 }], table);
  t.equal(text(beamSearch(lp, table, { beamSize: 4, hotwords: graph })), '▁abc', 'completing the phrase earns +0.4 total');
  const lm = new ArpaLm(toArpa(estimate([['abx'], ['abc', 'abx']], 2)));
  t.equal(text(beamSearch(lp, table, { beamSize: 4, lm, lookahead: true })), '▁abx', 'LM lookahead ranks unfinished words by their best unigram');
  const prefixOnly = new ContextGraph([{ phrase: 'abcd', boost: 0.1 }], table);
  t.equal(text(beamSearch(lp, table, { beamSize: 4, hotwords: prefixOnly })), '▁abx', 'an unfinished phrase earns nothing');
});

t.test("beam search: a hotword's word the LM does not know skips the LM's unknown-word cost", async (t) => {
  // " zen" (an LM word) is acoustically ahead of " zed" (not in the LM). The listed "zed" must not pay for being
  // unknown to the LM, or its boost could never win; unlisted, it still does.
  const frames = ['▁', 'z', 'e', 'nd'];
  const vocab = SYMBOLS.length;
  const data = new Float32Array(frames.length * vocab).fill(-20);
  frames.forEach((f, i) => {
    if (f === 'nd') {
      data[i * vocab + id('n')] = Math.log(0.6);
      data[i * vocab + id('d')] = Math.log(0.4);
    } else data[i * vocab + (f === '▁' ? 1 : id(f))] = 0;
  });
  const lp = { data, frames: frames.length, vocab };
  const text = (tokens: Int32Array): string => [...tokens].map((k) => SYMBOLS[k]).join('');
  const lm = new ArpaLm(toArpa(estimate([['zen'], ['the', 'zen'], ['zen', 'garden'], ['the', 'garden']], 2)));
  const unknownCost = -lm.logProb([lm.bosId], lm.unkId);
  t.ok(unknownCost > 2, `the LM's unknown-word cost (${unknownCost.toFixed(2)} nats) outweighs the whole boost`);
  const options = { beamSize: 4, lm, lmWeight: 1 };
  t.equal(text(beamSearch(lp, table, options)), '▁zen');
  t.equal(text(beamSearch(lp, table, { ...options, hotwords: new ContextGraph([{ phrase: 'zed', boost: 0.5 }], table) })), '▁zed', 'listed: the boost decides');
  t.equal(
    text(beamSearch(lp, table, { ...options, hotwords: new ContextGraph([{ phrase: 'zebra', boost: 0.5 }], table) })),
    '▁zen',
    'another phrase changes nothing',
  );
});
