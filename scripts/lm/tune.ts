/**
 * Decoding sweep on the DEV sets (never the test sets): the acoustic model runs once per utterance (posteriors
 * cached on disk, scripts/eval/posterior-cache.ts), then every
 * combination of LM, LM weight, word bonus and beam size is searched over the cached posteriors.
 *
 *   npm run build:ts && node dist/scripts/lm/tune.js --lm A.bin[,B.bin] [--weights 0.3,0.5] [--bonuses 0,1]
 *     [--beams 8] [--lookahead on,off] [--sets dev-real,dev-synthetic] [--speech-tsv FILE] [--model DIR]
 *
 * Prints one line per combination and set, then a JSON line with every result.
 */
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { loadRecognizer, loadWordLm } from '../../daemon/asr/index.js';
import { beamSearch } from '../../daemon/asr/ctc-beam.js';
import type { LogProbs } from '../../daemon/asr/ctc.js';
import { readTokens, type TokenTable } from '../../daemon/asr/tokens.js';
import { resolveModel } from '../../daemon/asr/model-layout.js';
import { packageRoot } from '../../common/package-root.js';
import { sharedSpeechDir } from '../../daemon/util/shared-data.js';
import { buildSet, DEV_SET_NAMES, type DevSetName } from '../eval/asr-sets.js';
import { corpusRates, scoreUtterance } from '../eval/error-rate.js';
import { PosteriorCache } from '../eval/posterior-cache.js';

/** The words of a token sequence. */
export function tokensToText(tokens: Int32Array, table: TokenTable): string {
  let text = '';
  for (const t of tokens) text += (table.startsWord[t] ? ' ' : '') + table.body[t]!;
  return text.trim().replace(/\s+/g, ' ');
}

const list = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      lm: { type: 'string' },
      weights: { type: 'string', default: '0.5' },
      bonuses: { type: 'string', default: '0' },
      beams: { type: 'string', default: '8' },
      lookahead: { type: 'string', default: 'off' },
      sets: { type: 'string', default: DEV_SET_NAMES.join(',') },
      'speech-tsv': { type: 'string' },
      model: { type: 'string' },
      cache: { type: 'string' },
    },
  });
  const root = packageRoot();
  const modelDir = resolve(values.model ?? join(root, 'models', 'hushscribe-en-v1'));
  const sets = list(values.sets!) as DevSetName[];
  for (const s of sets) if (!DEV_SET_NAMES.includes(s)) throw new Error(`--sets: only dev sets (${DEV_SET_NAMES.join(', ')}) may be tuned on, not ${s}`);
  const spec = resolveModel(modelDir);
  const table = readTokens(spec.tokensPath, spec.wordBoundary, spec.blank);
  const recognizer = await loadRecognizer({ modelDir, decoding: { method: 'greedy' } });
  const cacheDir = resolve(values.cache ?? join(tmpdir(), 'hushscribe-eval'));
  const posteriors = new PosteriorCache(cacheDir, spec.modelPath, recognizer, table.symbols.length);
  const setOptions = {
    root,
    cacheDir,
    speechTsv: resolve(values['speech-tsv'] ?? join(sharedSpeechDir(), 'speech.tsv')),
    syntheticCount: 100,
    realCount: 150,
    seed: 0,
  };
  const cached: Record<string, Array<{ lp: LogProbs[]; reference: string }>> = {};
  for (const name of sets) {
    const set = await buildSet(name, setOptions);
    cached[name] = [];
    for (const item of set.items) cached[name].push({ lp: await posteriors.get(item.wav), reference: item.reference });
    process.stderr.write(`${name}: ${set.items.length} utterances\n`);
  }
  await recognizer.close();
  const results: Array<Record<string, unknown>> = [];
  for (const lmPath of list(values.lm ?? '')) {
    const lm = loadWordLm(lmPath);
    for (const beamSize of list(values.beams!).map(Number)) {
      for (const lmWeight of list(values.weights!).map(Number)) {
        for (const wordBonus of list(values.bonuses!).map(Number))
          for (const look of list(values.lookahead!)) {
            const lookahead = look === 'on';
            const row: Record<string, unknown> = { lm: lmPath, beamSize, lmWeight, wordBonus, lookahead };
            for (const name of sets) {
              const scores = cached[name]!.map(({ lp, reference }) =>
                scoreUtterance(reference, lp.map((p) => tokensToText(beamSearch(p, table, { beamSize, lm, lmWeight, wordBonus, lookahead }), table)).join(' ')),
              );
              row[name] = Number(corpusRates(scores).wer.toFixed(4));
            }
            results.push(row);
            process.stdout.write(`${JSON.stringify(row)}\n`);
          }
      }
    }
  }
  process.stdout.write(`${JSON.stringify({ results })}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
