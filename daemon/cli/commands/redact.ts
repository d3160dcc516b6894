/** `hushscribe redact`: spoken-form transcript lines on stdin -> redacted lines (or JSON) on stdout. */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { ExitCode, UsageError, type Command, type CommandIo } from '../command.js';
import { SessionRedactor } from '../../../redaction/session.js';
import { PiiTagger } from '../../../redaction/tagger.js';
import { checkPolicyOptions, PolicyError, validatePolicy, type RedactionPolicyConfig } from '../../../redaction/policy.js';
import { parseDetectors } from './detectors.js';
import { ConfigError, loadConfig } from '../../config/load.js';
import type { HushscribeConfig } from '../../config/schema.js';
import { redactionPolicy } from '../../redaction/redactor.js';
import type { RedactionResult } from '../../../redaction/types.js';

const DEFAULT_KEY_ENV = 'HUSHSCRIBE_REDACTION_KEY';

const usage = `Usage: hushscribe redact [options] < transcript.txt

Reads spoken-form transcript lines on stdin and writes one redacted line per input line.
Input text is never logged.

Options:
  --json                  one JSON object per line: {"text","entities":[{"type","start","end","replacement"}],"dropped"}
                          (start/end are character offsets into the input line)
  --types A,B             entity types to redact (default: all)
  --operator OP           operator for every type: placeholder (replace), mask, hash, drop
  --operator TYPE=OP,...  operator per type, e.g. PERSON=hash,CREDIT_CARD=mask (may be combined with a default OP)
  --mask-per UNIT         mask 'character' (default) or 'word'
  --hash-key-file PATH    secret for the hash operator (file contents, trailing newline ignored)
                          (default: environment variable ${DEFAULT_KEY_ENV})
  --long-numbers          also redact runs of 8 or more digits that no rule validates (as BANK_ACCOUNT), unless
                          an ordinary-reference word ("order", "ticket", "page") is near
  --session               treat lines as consecutive segments of one recording as the daemon and \`transcribe\` do:
                          PII split across lines is caught (each line is written once the next one has been read)
  --stream                treat lines as consecutive segments of a live session as the daemon does: each line is
                          written at once, redacted with the words of the lines before it as context
  --config PATH           config file whose redaction section is the policy (default /etc/hushscribe/config.yaml
                          if present, as for the daemon); the options above override it
  --detectors LIST        rules, tagger or rules,tagger (default: rules, and the tagger unless the config's
                          redaction.tagger.enabled is false): the rule recognizers and/or the neural tagger
                          (models/hushscribe-pii-tagger-v1, text-only here)
  -h, --help              show this help
`;

/**
 * The config's policy (`base`) with the command-line options on top, checked against the policy schema (a bad
 * value is a PolicyError naming the option, as in the library).
 */
function policyFrom(
  values: { types?: string; operator?: string[]; 'mask-per'?: string; 'hash-key-file'?: string; 'long-numbers'?: boolean },
  base: RedactionPolicyConfig,
): RedactionPolicyConfig {
  const { hashKey: baseKey, ...options } = base;
  const raw: Record<string, unknown> & { operators: Record<string, string> } = { ...options, operators: { ...options.operators } };
  if (values['long-numbers']) raw.longNumbers = true;
  if (values.types !== undefined)
    raw.types = values.types
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean);
  for (const spec of values.operator ?? []) {
    for (const part of spec
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      const [type, op] = part.includes('=') ? part.split('=', 2) : [undefined, part];
      if (type === undefined) raw.operator = op;
      else raw.operators[type.trim()] = op!.trim();
    }
  }
  if (values['mask-per'] !== undefined) raw.mask = { ...options.mask, per: values['mask-per'] };
  const key =
    values['hash-key-file'] !== undefined ? readFileSync(values['hash-key-file'], 'utf8').replace(/\r?\n$/, '') : (baseKey ?? process.env[DEFAULT_KEY_ENV]);
  return { ...checkPolicyOptions(raw), ...(key ? { hashKey: key } : {}) };
}

function format(result: RedactionResult, json: boolean): string {
  if (!json) return result.text;
  const entities = result.entities.map(({ type, start, end, replacement }) => ({ type, start, end, replacement }));
  return JSON.stringify({ text: result.text, entities, dropped: result.dropped });
}

export const redactCommand: Command = {
  name: 'redact',
  summary: 'Redact personal data from spoken-form transcript lines (stdin -> stdout)',
  usage,
  async run(argv: string[], io: CommandIo): Promise<number> {
    const { values } = parseArgs({
      args: argv,
      options: {
        json: { type: 'boolean', default: false },
        types: { type: 'string' },
        operator: { type: 'string', multiple: true },
        'mask-per': { type: 'string' },
        'hash-key-file': { type: 'string' },
        'long-numbers': { type: 'boolean', default: false },
        session: { type: 'boolean', default: false },
        stream: { type: 'boolean', default: false },
        config: { type: 'string' },
        detectors: { type: 'string' },
      },
      allowPositionals: false,
    });
    if (values.session && values.stream) throw new UsageError('--session and --stream cannot be combined');
    let settings: HushscribeConfig;
    let config: RedactionPolicyConfig;
    try {
      settings = loadConfig({ path: values.config }).config;
      config = policyFrom(values, redactionPolicy(settings.redaction));
      validatePolicy(config); // before the tagger loads: a bad policy is a quick usage error
    } catch (err) {
      if (err instanceof ConfigError) throw new UsageError(`invalid config: ${err.message}`);
      if (err instanceof PolicyError) {
        const hint = /needs hashKey/.test(err.message) ? ` (give --hash-key-file PATH or set ${DEFAULT_KEY_ENV})` : '';
        throw new UsageError(`${err.message}${hint}`);
      }
      throw err;
    }
    const detectors = values.detectors === undefined ? { rules: true, tagger: settings.redaction.tagger.enabled } : parseDetectors(values.detectors);
    const taggerDir = settings.redaction.tagger.modelDir;
    const tagger = detectors.tagger ? await (taggerDir ? PiiTagger.load(taggerDir) : PiiTagger.load()) : null;
    const session = new SessionRedactor(config, { tagger, rules: detectors.rules });
    // One line in, one line out; in session mode each line is written once the next has been read (look-ahead).
    // --session is the daemon's way for recordings; --stream its way for live sessions: each line at once, with the
    // earlier lines as context.
    // Without either every line is its own session: no context carries from one line to the next.
    const push = values.session
      ? (line: string) => session.push(line)
      : values.stream
        ? (line: string) => session.redact(line)
        : async (line: string) => {
            const result = await session.redact(line);
            session.end();
            return result;
          };
    const flush = async () => (values.session ? session.flush() : null);
    const write = async (result: RedactionResult | null) => {
      if (result && !io.stdout.write(`${format(result, values.json)}\n`)) await new Promise((resolve) => io.stdout.once('drain', resolve));
    };
    try {
      for await (const line of createInterface({ input: io.stdin, crlfDelay: Infinity })) await write(await push(line));
      await write(await flush());
    } finally {
      session.end();
      await tagger?.close();
    }
    return ExitCode.ok;
  },
};
