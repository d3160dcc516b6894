/**
 * Evaluation entry point: `npm run eval -- <name> [options]`. Each evaluation prints its figures and ends with
 * one JSON line holding all of them.
 */
import { runAsrEval } from './asr.js';
import { runRedactionEval } from './redaction.js';
import { runHotwordEval } from './hotwords.js';
import { runEndpointEval } from './endpoint.js';
import { runPartialNamesEval } from './partial-names.js';
import { EvalToolError } from './process.js';

const EVALUATIONS: Record<string, { about: string; run: (argv: readonly string[]) => Promise<number> }> = {
  asr: { about: 'WER / CER of the recognizer and the pocketsphinx baseline on held-out synthetic and real speech', run: runAsrEval },
  hotwords: {
    about: 'hotword recall with and without the list (made-up names, held-out voices), WER cost of 500 phrases; --split dev|test, --boosts',
    run: runHotwordEval,
  },
  endpoint: {
    about: 'live endpointing: segments and WER when segments end at shorter silences, and the opt-in fast rule (LJSpeech read sentences)',
    run: runEndpointEval,
  },
  'partial-names': {
    about: 'partials: names that are also ordinary words, over-redaction and recall of the mid-partial name rule vs the previous one',
    run: runPartialNamesEval,
  },
  redaction: { about: 'per-type P / R / F2, leak rate and over-redaction vs a written-text regex baseline, held-out spoken form', run: runRedactionEval },
};

function usage(): string {
  const lines = Object.entries(EVALUATIONS).map(([name, e]) => `  ${name.padEnd(11)}${e.about}`);
  return `usage: npm run eval -- <name> [options]   (add --help after a name for its options)\n${lines.join('\n')}`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  const evaluation = Object.hasOwn(EVALUATIONS, name) ? EVALUATIONS[name] : undefined;
  if (!evaluation) {
    console.error(`unknown evaluation "${name}"\n${usage()}`);
    return 2;
  }
  try {
    return await evaluation.run(rest);
  } catch (err) {
    if (err instanceof EvalToolError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
      console.error(`eval ${name}: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

process.exitCode = await main(process.argv.slice(2));
