/**
 * ASR accuracy: WER and CER of hushscribe's recognizer and of the pocketsphinx baseline on the same files.
 *
 *   npm run eval -- asr [--sets a,b] [--engines hushscribe,pocketsphinx] [--model DIR] [--details]
 *
 * Sets: held-out synthetic (held-out sentences and voices, synthesized here), held-out real (split.py), and
 * Debian's pocketsphinx-testdata recordings. Prints a table, then one JSON line with every figure.
 */
import { tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot } from '../../common/package-root.js';
import { sharedSpeechDir } from '../../daemon/util/shared-data.js';
import { ensureAptPackages } from './apt.js';
import { isModelLoadError, type DecodingOptions } from '../../daemon/asr/index.js';
import { hushscribeEngine } from './asr-hushscribe.js';
import { pocketsphinxEngine, type AsrEngine } from './asr-engines.js';
import { buildSet, DEV_SET_NAMES, SET_NAMES, type DevSetName, type EvalSet, type SetName } from './asr-sets.js';
import { corpusRates, scoreUtterance, type CorpusRates, type UtteranceScore } from './error-rate.js';
import { CORES, EvalToolError, mapLimit } from './process.js';

const ENGINE_NAMES = ['hushscribe', 'pocketsphinx'] as const;
type EngineName = (typeof ENGINE_NAMES)[number];
const BASELINE: EngineName = 'pocketsphinx';
const APT_PACKAGES = ['ffmpeg', 'espeak-ng', 'flite', 'pocketsphinx', 'pocketsphinx-en-us', 'pocketsphinx-testdata'];

export const USAGE = `usage: npm run eval -- asr [options]
  --sets LIST           comma-separated, from ${SET_NAMES.join(', ')} (default: all), or the dev sets
                        ${DEV_SET_NAMES.join(', ')} (the utterances the held-out sets leave out: for choosing a model)
  --engines LIST        hushscribe, pocketsphinx (default: both; hushscribe is skipped when its model is absent)
  --model DIR           hushscribe model directory (default: models/hushscribe-en-v1)
  --variant NAME        model variant (default: the manifest's default)
  --decoding METHOD     greedy or beam (default: as the model's manifest says)
  --lm FILE             LM (binary or ARPA) for beam search (default: the manifest's)
  --compare-lm FILE     also run hushscribe with this LM instead (engine 'compare-lm'), same decoding, same run
  --lm-weight W         LM weight in beam search (default: the decoder's)
  --word-bonus B        per-word score bonus in beam search (default: the decoder's)
  --threads N           onnxruntime threads for hushscribe (default 1)
  --speech-tsv FILE     real speech list (default: ../shared/data/speech.tsv beside the checkout)
  --real-count N        held-out real utterances, a fixed sample (default 150; plus a third as many speechocean762)
  --synthetic-count N   held-out synthetic utterances (default 100)
  --seed N              synthetic text and voice seed (default 0)
  --cache DIR           where built sets are kept (default: $TMPDIR/hushscribe-eval)
  --details             print reference / hypothesis of every utterance to stderr`;

interface AsrOptions {
  sets: (SetName | DevSetName)[];
  engines: EngineName[];
  enginesExplicit: boolean;
  model: string;
  variant: string | undefined;
  decoding: DecodingOptions | undefined;
  compareLm: string | undefined;
  threads: number;
  speechTsv: string;
  realCount: number;
  syntheticCount: number;
  seed: number;
  cacheDir: string;
  details: boolean;
}

function parseList<T extends string>(value: string, allowed: readonly T[], option: string): T[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const item of items) {
    if (!allowed.includes(item as T)) throw new EvalToolError(`${option}: unknown "${item}" (choose from ${allowed.join(', ')})`);
  }
  if (items.length === 0) throw new EvalToolError(`${option}: empty list`);
  return items as T[];
}

function parseCount(value: string, option: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new EvalToolError(`${option}: expected an integer >= ${min}, got "${value}"`);
  return n;
}

function parseNumber(value: string, option: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new EvalToolError(`${option}: expected a number, got "${value}"`);
  return n;
}

interface DecodingFlags {
  method?: string;
  lm?: string;
  lmWeight?: string;
  wordBonus?: string;
}

function parseDecoding(flags: DecodingFlags): DecodingOptions | undefined {
  const { method, lm, lmWeight, wordBonus } = flags;
  if (method === undefined && lm === undefined && lmWeight === undefined && wordBonus === undefined) return undefined;
  const chosen = method ?? 'beam';
  if (chosen !== 'greedy' && chosen !== 'beam') throw new EvalToolError(`--decoding: expected greedy or beam, got "${chosen}"`);
  if ((lm ?? lmWeight ?? wordBonus) !== undefined && chosen !== 'beam') {
    throw new EvalToolError('--lm, --lm-weight and --word-bonus need --decoding beam');
  }
  return {
    method: chosen,
    ...(lm !== undefined ? { lm: resolve(lm) } : {}),
    ...(lmWeight !== undefined ? { lmWeight: parseNumber(lmWeight, '--lm-weight') } : {}),
    ...(wordBonus !== undefined ? { wordBonus: parseNumber(wordBonus, '--word-bonus') } : {}),
  };
}

export function parseAsrOptions(argv: readonly string[], root: string): AsrOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      sets: { type: 'string' },
      engines: { type: 'string' },
      model: { type: 'string' },
      variant: { type: 'string' },
      decoding: { type: 'string' },
      lm: { type: 'string' },
      'compare-lm': { type: 'string' },
      'lm-weight': { type: 'string' },
      'word-bonus': { type: 'string' },
      threads: { type: 'string' },
      'speech-tsv': { type: 'string' },
      'real-count': { type: 'string' },
      'synthetic-count': { type: 'string' },
      seed: { type: 'string' },
      cache: { type: 'string' },
      details: { type: 'boolean' },
    },
    strict: true,
  });
  return {
    sets: values.sets === undefined ? [...SET_NAMES] : parseList<SetName | DevSetName>(values.sets, [...SET_NAMES, ...DEV_SET_NAMES], '--sets'),
    engines: values.engines === undefined ? [...ENGINE_NAMES] : parseList(values.engines, ENGINE_NAMES, '--engines'),
    enginesExplicit: values.engines !== undefined,
    model: resolve(root, values.model ?? join('models', 'hushscribe-en-v1')),
    variant: values.variant,
    decoding: parseDecoding({
      method: values.decoding,
      lm: values.lm,
      lmWeight: values['lm-weight'],
      wordBonus: values['word-bonus'],
    }),
    compareLm: values['compare-lm'] === undefined ? undefined : resolve(values['compare-lm']),
    threads: parseCount(values.threads ?? '1', '--threads', 1),
    speechTsv: resolve(values['speech-tsv'] ?? join(sharedSpeechDir(), 'speech.tsv')),
    realCount: parseCount(values['real-count'] ?? '150', '--real-count', 1),
    syntheticCount: parseCount(values['synthetic-count'] ?? '100', '--synthetic-count', 1),
    seed: parseCount(values.seed ?? '0', '--seed', 0),
    cacheDir: resolve(values.cache ?? join(tmpdir(), 'hushscribe-eval')),
    details: values.details ?? false,
  };
}

interface EngineResult extends CorpusRates {
  groups: Record<string, CorpusRates>;
}

function round(rates: CorpusRates): CorpusRates {
  return { ...rates, wer: Number(rates.wer.toFixed(4)), cer: Number(rates.cer.toFixed(4)) };
}

function summarise(set: EvalSet, scores: UtteranceScore[]): EngineResult {
  const groups: Record<string, CorpusRates> = {};
  const names = [...new Set(set.items.map((item) => item.group))].sort();
  if (names.length > 1) {
    for (const group of names) groups[group] = round(corpusRates(scores.filter((_, i) => set.items[i]!.group === group)));
  }
  return { ...round(corpusRates(scores)), groups };
}

async function openEngines(options: AsrOptions, log: (line: string) => void): Promise<{ engines: AsrEngine[]; skipped: Record<string, string> }> {
  const engines: AsrEngine[] = [];
  const skipped: Record<string, string> = {};
  for (const name of options.engines) {
    if (name === 'pocketsphinx') {
      engines.push(pocketsphinxEngine(CORES));
    } else if (!existsSync(options.model) && !options.enginesExplicit) {
      skipped[name] = `no model at ${options.model}`;
      log(`hushscribe: skipped (no model at ${options.model})`);
    } else {
      try {
        engines.push(await hushscribeEngine({ modelDir: options.model, variant: options.variant, decoding: options.decoding, threads: options.threads }));
        if (options.compareLm) {
          const decoding = { ...options.decoding, method: 'beam' as const, lm: options.compareLm };
          const other = await hushscribeEngine({ modelDir: options.model, variant: options.variant, decoding, threads: options.threads });
          engines.push({ ...other, name: 'compare-lm', description: `${other.description}, LM ${options.compareLm}` });
        }
      } catch (err) {
        if (isModelLoadError(err)) throw new EvalToolError(`hushscribe: ${err.message}`);
        throw err;
      }
    }
  }
  return { engines, skipped };
}

const percent = (x: number) => `${(x * 100).toFixed(1)}%`.padStart(7);

export async function runAsrEval(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return 0;
  }
  const root = packageRoot();
  const options = parseAsrOptions(argv, root);
  const log = (line: string) => console.error(line);
  await ensureAptPackages(APT_PACKAGES, log);

  const { engines, skipped } = await openEngines(options, log);
  for (const engine of engines) log(`${engine.name}: ${engine.description}`);
  const sets: EvalSet[] = [];
  try {
    for (const name of options.sets) {
      log(`building ${name} ...`);
      sets.push(
        await buildSet(name, {
          root,
          cacheDir: options.cacheDir,
          speechTsv: options.speechTsv,
          syntheticCount: options.syntheticCount,
          realCount: options.realCount,
          seed: options.seed,
        }),
      );
    }
  } catch (err) {
    await Promise.all(engines.map((e) => e.close()));
    throw err;
  }

  const results: Record<string, { description: string; utterances: number; engines: Record<string, EngineResult> }> = {};
  try {
    for (const set of sets) {
      results[set.name] = { description: set.description, utterances: set.items.length, engines: {} };
      for (const engine of engines) {
        log(`${set.name}: ${engine.name} on ${set.items.length} utterances ...`);
        const scores = await mapLimit(set.items, engine.concurrency, async (item) => scoreUtterance(item.reference, await engine.transcribe(item.wav)));
        if (options.details) {
          scores.forEach((s, i) => {
            log(`  [${engine.name}] ${set.items[i]!.id}\n    REF: ${s.reference}\n    HYP: ${s.hypothesis}`);
          });
        }
        results[set.name]!.engines[engine.name] = summarise(set, scores);
      }
    }
  } finally {
    await Promise.all(engines.map((e) => e.close()));
  }

  const ratios: Record<string, { wer: number; cer: number }> = {};
  console.log(`${'set'.padEnd(32)}${'engine'.padEnd(14)}${'utts'.padStart(6)}${'WER'.padStart(8)}${'CER'.padStart(8)}`);
  for (const [setName, result] of Object.entries(results)) {
    for (const [engineName, r] of Object.entries(result.engines)) {
      console.log(`${setName.padEnd(32)}${engineName.padEnd(14)}${String(r.utterances).padStart(6)} ${percent(r.wer)} ${percent(r.cer)}`);
      for (const [group, g] of Object.entries(r.groups)) {
        console.log(`${`  ${group}`.padEnd(32)}${''.padEnd(14)}${String(g.utterances).padStart(6)} ${percent(g.wer)} ${percent(g.cer)}`);
      }
    }
    const ours = result.engines.hushscribe;
    const baseline = result.engines[BASELINE];
    if (ours && baseline && baseline.wer > 0 && baseline.cer > 0) {
      ratios[setName] = { wer: Number((ours.wer / baseline.wer).toFixed(4)), cer: Number((ours.cer / baseline.cer).toFixed(4)) };
    }
  }
  console.log(
    JSON.stringify({
      eval: 'asr',
      model: engines.some((e) => e.name === 'hushscribe') ? options.model : null,
      engines: Object.fromEntries(engines.map((e) => [e.name, e.description])),
      baseline: BASELINE,
      sets: results,
      ratioToBaseline: ratios,
      skipped,
    }),
  );
  return 0;
}
