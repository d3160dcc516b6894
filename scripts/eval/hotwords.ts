/**
 * Hotwords: recall of listed phrases with and without the list, and the general WER cost of a 500-phrase list.
 *
 *   npm run eval -- hotwords [--split test|dev] [--boosts 1,2] [--speech-tsv FILE] [--cache DIR]
 *
 * The phrase sets were written for this test: 40 sentences, each with a made-up name or product word (never in
 * any training or LM text), spoken by the held-out synthetic voices (scripts/data/voices.py) the model never heard.
 * Recall: the share of sentences whose hypothesis holds the listed phrase. General WER: held-out sets decoded with
 * and without 500 other made-up phrases loaded. The acoustic model runs once per recording (posteriors cached on
 * disk); each decoding then searches the same posteriors with the model's LM and tuned settings.
 *
 * Two splits that share no phrase, template, voice seed or recording: `dev` (for choosing the boost and the
 * search's hotword settings: its own phrases, templates and distractors, with the dev-synthetic / dev-real sets)
 * and `test` (the figures reported in the model card: heldout-synthetic / heldout-real).
 */
import { writeFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ContextGraph, loadRecognizer, loadWordLm, resolveDecoding, resolveModel, type Hotword } from '../../daemon/asr/index.js';
import { beamSearch } from '../../daemon/asr/ctc-beam.js';
import type { LogProbs } from '../../daemon/asr/ctc.js';
import { readTokens, type TokenTable } from '../../daemon/asr/tokens.js';
import { packageRoot } from '../../common/package-root.js';
import { sharedSpeechDir } from '../../daemon/util/shared-data.js';
import { buildOnce, buildSet, type DevSetName, type SetName } from './asr-sets.js';
import { corpusRates, scoreUtterance } from './error-rate.js';
import { hotwordDistractors } from './hotword-lists.js';
import { PosteriorCache } from './posterior-cache.js';
import { CORES, EvalToolError, runProgram } from './process.js';

interface Split {
  /** Cache folder of the synthesized sentences. */
  folder: string;
  templates: string[];
  phraseSeed: number;
  voiceSeed: number;
  distractorSeed: number;
  generalSets: ReadonlyArray<SetName | DevSetName>;
}

const SPLITS: Record<'test' | 'dev', Split> = {
  test: {
    folder: 'hotwords-v1',
    templates: [
      'please call {} back tomorrow morning',
      'i spoke to {} about the invoice',
      'the {} order has not arrived yet',
      'can you put me through to {}',
      'we are switching our account to {}',
      'my manager {} will sign the form',
    ],
    phraseSeed: 99,
    voiceSeed: 7,
    distractorSeed: 16,
    generalSets: ['heldout-synthetic', 'heldout-real'],
  },
  dev: {
    folder: 'hotwords-dev-v1',
    templates: [
      'is {} still on the delivery list',
      'send the quote to {} before friday',
      'our new supplier is called {}',
      'i would like to cancel the {} subscription',
      'tell {} that the meeting moved',
    ],
    phraseSeed: 98,
    voiceSeed: 8,
    distractorSeed: 17,
    generalSets: ['dev-synthetic', 'dev-real'],
  },
};

/** Phrases of the other split (target phrases and distractors), which a split's own lists must not contain. */
function otherPhrases(split: 'test' | 'dev'): Set<string> {
  const other = SPLITS[split === 'test' ? 'dev' : 'test'];
  return new Set([...hotwordDistractors(40, other.phraseSeed), ...hotwordDistractors(500, other.distractorSeed)]);
}

/** The sentence set: each target phrase in one template, deterministic. */
export function hotwordSentences(split: 'test' | 'dev' = 'test'): Array<{ phrase: string; text: string }> {
  const { templates, phraseSeed } = SPLITS[split];
  const other = split === 'dev' ? otherPhrases(split) : new Set<string>();
  return hotwordDistractors(40, phraseSeed)
    .filter((p) => !other.has(p))
    .map((phrase, i) => ({ phrase, text: templates[i % templates.length]!.replace('{}', phrase) }));
}

/** The 500 phrases loaded for the general-WER cost: none of them is a target phrase of either split. */
function distractorList(split: 'test' | 'dev'): string[] {
  const targets = new Set([...hotwordSentences('test'), ...hotwordSentences('dev')].map((s) => s.phrase));
  const other = split === 'dev' ? otherPhrases(split) : new Set<string>();
  // The first 500 of a longer draw are the 500-phrase draw itself: dropping a clash keeps the list at 500.
  return hotwordDistractors(520, SPLITS[split].distractorSeed)
    .filter((p) => !targets.has(p) && !other.has(p))
    .slice(0, 500);
}

function tokensToText(tokens: Int32Array, table: TokenTable): string {
  let text = '';
  for (const t of tokens) text += (table.startsWord[t] ? ' ' : '') + table.body[t]!;
  return text.trim().replace(/\s+/g, ' ');
}

export async function runHotwordEval(argv: readonly string[]): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: { split: { type: 'string', default: 'test' }, boosts: { type: 'string' }, 'speech-tsv': { type: 'string' }, cache: { type: 'string' } },
  });
  const splitName = values.split as 'test' | 'dev';
  if (!(splitName in SPLITS)) throw new EvalToolError(`--split must be test or dev (got ${JSON.stringify(values.split)})`);
  const split = SPLITS[splitName];
  const boosts = (values.boosts ?? '')
    .split(',')
    .filter((b) => b.trim() !== '')
    .map(Number);
  if (boosts.some((b) => !Number.isFinite(b) || b <= 0)) throw new EvalToolError(`--boosts: expected numbers > 0 but received ${values.boosts}`);
  const root = packageRoot();
  const cacheDir = resolve(values.cache ?? join(tmpdir(), 'hushscribe-eval'));
  const modelDir = join(root, 'models', 'hushscribe-en-v1');
  const spec = resolveModel(modelDir);
  const table = readTokens(spec.tokensPath, spec.wordBoundary, spec.blank);
  const decoding = resolveDecoding(modelDir, {}, spec.lmPath, spec.lmDecoding);
  const lm = loadWordLm(decoding.lmPath!);

  const sentences = hotwordSentences(splitName);
  const dir = join(cacheDir, split.folder);
  await buildOnce(dir, async (tmp) => {
    await writeFile(join(tmp, 'text.txt'), `${sentences.map((s) => s.text).join('\n')}\n`);
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
      String(split.voiceSeed),
    ]);
  });
  const rows = (await readFile(join(dir, 'manifest.tsv'), 'utf8'))
    .trim()
    .split('\n')
    .slice(1)
    .map((r) => r.split('\t'));

  const recognizer = await loadRecognizer({ modelDir, decoding: { method: 'greedy' } });
  const posteriors = new PosteriorCache(cacheDir, spec.modelPath, recognizer, table.symbols.length);
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

  const targetItems = [];
  for (const [path, reference] of rows) {
    const phrase = sentences.find((s) => s.text === reference)!.phrase;
    targetItems.push({ phrase, reference: reference!, lps: await posteriors.get(join(dir, path!)) });
  }
  const setOptions = {
    root,
    cacheDir,
    speechTsv: resolve(values['speech-tsv'] ?? join(sharedSpeechDir(), 'speech.tsv')),
    syntheticCount: 100,
    realCount: 150,
    seed: 0,
  };
  const generalItems: Record<string, Array<{ reference: string; lps: LogProbs[] }>> = {};
  for (const name of split.generalSets) {
    const set = await buildSet(name, setOptions);
    generalItems[name] = [];
    for (const item of set.items) generalItems[name].push({ reference: item.reference, lps: await posteriors.get(item.wav) });
  }
  await recognizer.close();

  const n = targetItems.length;
  const plain = targetItems.map((item) => decode(item.lps));
  const hitWithout = targetItems.filter((item, i) => ` ${plain[i]} `.includes(` ${item.phrase} `)).length;
  const sentenceWerWithout = corpusRates(targetItems.map((item, i) => scoreUtterance(item.reference, plain[i]!))).wer;
  const generalWithout: Record<string, number> = {};
  for (const [name, items] of Object.entries(generalItems))
    generalWithout[name] = corpusRates(items.map((item) => scoreUtterance(item.reference, decode(item.lps)))).wer;
  console.log(`${splitName} split: ${n} hotword sentences (made-up names, held-out voices); beam ${decoding.beamSize} + LM`);
  console.log(`without a list: recall ${hitWithout}/${n}, WER of those sentences ${(sentenceWerWithout * 100).toFixed(1)}%`);

  const results = [];
  for (const boost of boosts.length > 0 ? boosts : [undefined]) {
    const withBoost = (phrase: string): Hotword => ({ phrase, ...(boost !== undefined ? { boost } : {}) });
    const targetGraph = new ContextGraph(
      targetItems.map((item) => withBoost(item.phrase)),
      table,
    );
    const boosted = targetItems.map((item) => decode(item.lps, targetGraph));
    const hitWith = targetItems.filter((item, i) => ` ${boosted[i]} `.includes(` ${item.phrase} `)).length;
    const sentenceWerWith = corpusRates(targetItems.map((item, i) => scoreUtterance(item.reference, boosted[i]!))).wer;
    const distractors = new ContextGraph(distractorList(splitName).map(withBoost), table);
    const general: Record<string, { without: number; with500: number }> = {};
    for (const [name, items] of Object.entries(generalItems)) {
      const with500 = corpusRates(items.map((item) => scoreUtterance(item.reference, decode(item.lps, distractors)))).wer;
      general[name] = { without: Number(generalWithout[name]!.toFixed(4)), with500: Number(with500.toFixed(4)) };
    }
    console.log(`boost ${boost ?? 'default'}: recall ${hitWith}/${n}, WER of those sentences ${(sentenceWerWith * 100).toFixed(1)}%`);
    for (const [name, g] of Object.entries(general))
      console.log(`  ${name}: WER ${(g.without * 100).toFixed(1)}% without, ${(g.with500 * 100).toFixed(1)}% with ${distractors.phrases} phrases loaded`);
    results.push({
      boost: boost ?? 'default',
      recallWithout: Number((hitWithout / n).toFixed(4)),
      recallWith: Number((hitWith / n).toFixed(4)),
      sentenceWerWithout: Number(sentenceWerWithout.toFixed(4)),
      sentenceWerWith: Number(sentenceWerWith.toFixed(4)),
      general,
    });
  }
  console.log(JSON.stringify({ eval: 'hotwords', split: splitName, sentences: n, results }));
  return 0;
}
