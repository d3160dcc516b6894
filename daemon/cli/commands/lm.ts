/** `hushscribe lm build`: a language model from the user's own text, to mix with the model's (asr.lm.extra). */
import { parseArgs } from 'node:util';
import { ExitCode, UsageError, type Command, type CommandIo } from '../command.js';
import { buildUserLm, type UserLmSummary } from '../../lm/build-user-lm.js';

const usage = `Usage: hushscribe lm build --text FILE [--text FILE...] --out DIR [--order N] [--json]

Builds a word n-gram LM (interpolated modified Kneser-Ney) from your own text - product names, customer names,
the way your team talks - and writes DIR/lm.bin and DIR/lm.json. Text is one sentence or paragraph a line, as
written; it is put in spoken form first ("Dr. Smith at 10:30" -> "doctor smith at ten thirty").
Use it with the config option asr.lm.extra: [{dir: DIR, weight: 0.3}] (the model's own LM keeps 1 - weight).

Options:
  --text FILE   input text (repeat for several files)
  --out DIR     output folder (created if missing)
  --order N     n-gram order, 2 to 6 (default 3)
  --json        print the summary as JSON
  -h, --help    show this help
`;

export const lmCommand: Command = {
  name: 'lm',
  summary: 'Build a language model from your own text (lm build)',
  usage,
  async run(argv: string[], io: CommandIo): Promise<number> {
    const [verb, ...rest] = argv;
    if (verb !== 'build') throw new UsageError(verb === undefined ? 'missing subcommand (build)' : `unknown subcommand '${verb}' (build)`);
    const { values } = parseArgs({
      args: rest,
      options: {
        text: { type: 'string', multiple: true },
        out: { type: 'string' },
        order: { type: 'string', default: '3' },
        json: { type: 'boolean', default: false },
      },
      allowPositionals: false,
    });
    if (!values.text || values.text.length === 0) throw new UsageError('--text FILE is required');
    if (!values.out) throw new UsageError('--out DIR is required');
    const order = Number(values.order);
    if (!Number.isInteger(order) || order < 2 || order > 6) throw new UsageError(`Expected an integer from 2 to 6 for --order but received ${values.order}`);
    let summary: UserLmSummary;
    try {
      summary = await buildUserLm(values.text, values.out, order);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EACCES' || err instanceof RangeError) {
        io.stderr.write(`hushscribe lm build: ${code ? `cannot read ${(err as NodeJS.ErrnoException).path}: ${code}` : (err as Error).message}\n`);
        return ExitCode.inputError;
      }
      throw err;
    }
    io.stdout.write(
      values.json
        ? `${JSON.stringify({ out: values.out, ...summary })}\n`
        : `${values.out}/lm.bin: ${summary.sentences} sentences, ${summary.words} words; n-grams ${summary.counts.join(' / ')}; ${summary.bytes} bytes\n`,
    );
    return ExitCode.ok;
  },
};
