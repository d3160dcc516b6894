/**
 * Hotwords: recall of listed phrases with and without the list, and the general WER cost of a 500-phrase list.
 *
 *   npm run eval -- hotwords [--speech-tsv FILE] [--cache DIR] [--boost B]
 *
 * The phrase set was written for this test: 40 sentences, each with a made-up name or product word (never in any
 * training or LM text), spoken by the held-out synthetic voices (scripts/data/voices.py) the model never heard.
 * Recall: the share of sentences whose hypothesis holds the listed phrase. General WER: the held-out test sets
 * (eval asr) decoded with and without 500 other made-up phrases loaded. The acoustic model runs once per
 * utterance; each decoding then searches the same posteriors with the model's LM and tuned settings.
 */
import { writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ContextGraph, loadRecognizer, loadWordLm, resolveDecoding, resolveModel, type Hotword } from '../../daemon/asr/index.js';
import { beamSearch } from '../../daemon/asr/ctc-beam.js';
import type { LogProbs } from '../../daemon/asr/ctc.js';
import { readTokens, type TokenTable } from '../../daemon/asr/tokens.js';
import { readAudio } from '../../daemon/audio/index.js';
import { packageRoot } from '../../common/package-root.js';
import { sharedSpeechDir } from '../../daemon/util/shared-data.js';
import { buildOnce, buildSet } from './asr-sets.js';
import { corpusRates, scoreUtterance } from './error-rate.js';
import { hotwordDistractors } from './hotword-lists.js';
import { CORES, runProgram } from './process.js';

const TEMPLATES = [
  'please call {} back tomorrow morning',
  'i spoke to {} about the invoice',
  'the {} order has not arrived yet',
  'can you put me through to {}',
  'we are switching our account to {}',
  'my manager {} will sign the form',
];

/** The sentence set: each target phrase in one template, deterministic. */
export function hotwordSentences(): Array<{ phrase: string; text: string }> {
  return hotwordDistractors(40, 99).map((phrase, i) => ({ phrase, text: TEMPLATES[i % TEMPLATES.length]!.replace('{}', phrase) }));
}

function tokensToText(tokens: Int32Array, table: TokenTable): string {
  let text = '';
  for (const t of tokens) text += (table.startsWord[t] ? ' ' : '') + table.body[t]!;
  return text.trim().replace(/\s+/g, ' ');
}

export async function runHotwordEval(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({ args: [...argv], options: { 'speech-tsv': { type: 'string' }, cache: { type: 'string' }, boost: { type: 'string' } } });
  const root = packageRoot();
  const cacheDir = resolve(values.cache ?? join(tmpdir(), 'hushscribe-eval'));
  const modelDir = join(root, 'models', 'hushscribe-en-v1');
  const spec = resolveModel(modelDir);
  const table = readTokens(spec.tokensPath, spec.wordBoundary, spec.blank);
  const decoding = resolveDecoding(modelDir, {}, spec.lmPath, spec.lmDecoding);
  const lm = loadWordLm(decoding.lmPath!);
  const boost = values.boost === undefined ? undefined : Number(values.boost);

  const sentences = hotwordSentences();
  const dir = join(cacheDir, 'hotwords-v1');
  await buildOnce(dir, async (tmp) => {
    await writeFile(join(tmp, 'text.txt'), sentences.map((s) => s.text).join('\n') + '\n');
    await runProgram('python3', [
      join(root, 'scripts', 'data', 'synthesize.py'),
      '--text',
      join(tmp, 'text.txt'),
      '--out',
      tmp,
      '--split',
      'heldout',
      '--prefix',
      '/',
      '--jobs',
      String(CORES),
      '--seed',
      '7',
    ]);
  });
  const rows = (await readFile(join(dir, 'manifest.tsv'), 'utf8'))
    .trim()
    .split('\n')
    .slice(1)
    .map((r) => r.split('\t'));

  const recognizer = await loadRecognizer({ modelDir, decoding: { method: 'greedy' } });
  const posteriors = async (wav: string): Promise<LogProbs[]> => {
    const t = await recognizer.transcribe((await readAudio(wav)).samples, { posteriors: true });
    return t.segments.map((s) => ({ data: s.posteriors!.data, frames: s.posteriors!.frames, vocab: s.posteriors!.vocab }));
  };
  const decode = (lps: LogProbs[], hotwords?: ContextGraph): string =>
    lps
      .map((lp) =>
        tokensToText(
          beamSearch(lp, table, {
            beamSize: decoding.beamSize,
            lm,
            lmWeight: decoding.lmWeight,
            wordBonus: decoding.wordBonus,
            ...(hotwords ? { hotwords } : {}),
          }),
          table,
        ),
      )
      .join(' ');

  const targets: Hotword[] = sentences.map((s) => ({ phrase: s.phrase, ...(boost !== undefined ? { boost } : {}) }));
  const targetGraph = new ContextGraph(targets, table);
  let hitWithout = 0;
  let hitWith = 0;
  const withoutScores = [];
  const withScores = [];
  for (const [path, reference] of rows) {
    const phrase = sentences.find((s) => s.text === reference)!.phrase;
    const lps = await posteriors(join(dir, path!));
    const plain = decode(lps);
    const boosted = decode(lps, targetGraph);
    if (` ${plain} `.includes(` ${phrase} `)) hitWithout++;
    if (` ${boosted} `.includes(` ${phrase} `)) hitWith++;
    withoutScores.push(scoreUtterance(reference!, plain));
    withScores.push(scoreUtterance(reference!, boosted));
  }

  const distractors = new ContextGraph(
    hotwordDistractors(500).map((phrase) => ({ phrase, ...(boost !== undefined ? { boost } : {}) })),
    table,
  );
  const setOptions = {
    root,
    cacheDir,
    speechTsv: resolve(values['speech-tsv'] ?? join(sharedSpeechDir(), 'speech.tsv')),
    syntheticCount: 100,
    realCount: 150,
    seed: 0,
  };
  const general: Record<string, { without: number; with500: number }> = {};
  for (const name of ['heldout-synthetic', 'heldout-real'] as const) {
    const set = await buildSet(name, setOptions);
    const a = [];
    const b = [];
    for (const item of set.items) {
      const lps = await posteriors(item.wav);
      a.push(scoreUtterance(item.reference, decode(lps)));
      b.push(scoreUtterance(item.reference, decode(lps, distractors)));
    }
    general[name] = { without: Number(corpusRates(a).wer.toFixed(4)), with500: Number(corpusRates(b).wer.toFixed(4)) };
  }
  await recognizer.close();
  const n = rows.length;
  console.log(`hotword sentences: ${n} (made-up names, held-out voices); beam ${decoding.beamSize} + LM, boost ${boost ?? 'default'}`);
  console.log(`recall of the listed phrase: without the list ${hitWithout}/${n}, with it ${hitWith}/${n}`);
  console.log(`WER of those sentences: ${(corpusRates(withoutScores).wer * 100).toFixed(1)}% -> ${(corpusRates(withScores).wer * 100).toFixed(1)}%`);
  for (const [name, g] of Object.entries(general))
    console.log(`${name}: WER ${(g.without * 100).toFixed(1)}% without, ${(g.with500 * 100).toFixed(1)}% with 500 phrases loaded`);
  console.log(
    JSON.stringify({
      eval: 'hotwords',
      sentences: n,
      recallWithout: Number((hitWithout / n).toFixed(4)),
      recallWith: Number((hitWith / n).toFixed(4)),
      sentenceWerWithout: Number(corpusRates(withoutScores).wer.toFixed(4)),
      sentenceWerWith: Number(corpusRates(withScores).wer.toFixed(4)),
      general,
    }),
  );
  return 0;
}
