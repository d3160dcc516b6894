/** `hushscribe config get|set|validate|env|docs`: read, change (atomically), check and document the daemon's config. */
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify as toYaml } from 'yaml';
import { ExitCode, UsageError, type Command, type CommandIo } from '../command.js';
import { ConfigError, DEFAULT_CONFIG_PATH } from '../../config/load.js';
import { ENV_OPTIONS } from '../../config/env.js';
import { configReference } from '../../config/reference.js';
import { setConfigValue } from '../../config/edit.js';
import { DaemonNotRunningError } from '../../control/client.js';
import { cliConfig, COMMON_OPTIONS, COMMON_USAGE, daemonRequest, InputError, reportError } from '../../control/cli-support.js';

const usage = `Usage: hushscribe config <get [KEY] | set KEY VALUE | validate | env | docs> [--config PATH] [--json]

  get [KEY]        the effective config (file + HUSHSCRIBE_* environment + defaults), or one option (e.g. vad.threshold)
  set KEY VALUE    change one option in the config file (VALUE is YAML: 0.6, true, [PERSON, EMAIL_ADDRESS]);
                   validated first, written atomically, comments kept. Says whether the daemon needs a restart;
                   options that need none are applied to a running daemon at once.
  validate         check the config file and environment; lists every problem
  env              the HUSHSCRIBE_* variable for every option
  docs             the configuration reference (Markdown, generated from the schema; docs/configuration.md)

Options:
${COMMON_USAGE}

Exit codes: 0 ok, 2 usage, 3 invalid config (each problem named: path, rule, bad value).`;

function pick(config: unknown, key: string): unknown {
  let node = config;
  for (const part of key.split('.')) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, part)) throw new ConfigError(null, [{ path: key, message: 'unknown option' }]);
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** The file system's refusals, said in words: no /etc/hushscribe yet (service not installed), or not root. */
function writableConfig<T>(file: string, change: () => T): T {
  try {
    return change();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new InputError(
        `cannot write ${file}: the folder ${dirname(file)} does not exist. Install the service first (sudo scripts/install-service creates it), or name another file with --config PATH`,
      );
    if (code === 'EACCES' || code === 'EPERM')
      throw new InputError(`cannot write ${file} (${code}): the config belongs to root; run: sudo hushscribe config set ...`);
    throw err;
  }
}

export const configCommand: Command = {
  name: 'config',
  summary: 'Show, change and validate the daemon configuration',
  usage,
  async run(argv: string[], io: CommandIo): Promise<number> {
    const { values, positionals } = parseArgs({ args: argv, options: COMMON_OPTIONS, allowPositionals: true });
    const [action, ...rest] = positionals;
    const json = values.json ?? false;
    const out = (value: unknown) =>
      io.stdout.write(json ? `${JSON.stringify(value)}\n` : typeof value === 'object' && value !== null ? toYaml(value) : `${String(value)}\n`);
    try {
      switch (action) {
        case 'get': {
          if (rest.length > 1) throw new UsageError('get takes at most one option name');
          const { config } = cliConfig(values);
          out(rest[0] ? pick(config, rest[0]) : config);
          return ExitCode.ok;
        }
        case 'validate': {
          if (rest.length > 0) throw new UsageError('validate takes no arguments (use --config PATH)');
          const { file } = cliConfig(values);
          if (json) io.stdout.write(`${JSON.stringify({ ok: true, file })}\n`);
          else io.stdout.write(`config ok (${file ?? 'no file: defaults and environment'})\n`);
          return ExitCode.ok;
        }
        case 'set': {
          if (rest.length !== 2) throw new UsageError('set takes an option name and a value');
          const file = values.config ?? DEFAULT_CONFIG_PATH;
          const change = writableConfig(file, () => setConfigValue(file, rest[0]!, rest[1]!));
          let applied = false;
          if (!change.restartRequired) {
            try {
              await daemonRequest(cliConfig(values), 'config.reload', {}, 10_000);
              applied = true;
            } catch (err) {
              if (!(err instanceof DaemonNotRunningError)) throw err;
            }
          }
          if (json) io.stdout.write(`${JSON.stringify({ file, ...change, applied })}\n`);
          else
            io.stdout.write(
              `${change.path}: ${JSON.stringify(change.before ?? null)} -> ${JSON.stringify(change.after)} (${file})\n` +
                (change.restartRequired
                  ? 'restart the daemon to apply it (systemctl restart hushscribe)\n'
                  : applied
                    ? 'applied to the running daemon\n'
                    : 'takes effect when the daemon starts\n'),
            );
          return ExitCode.ok;
        }
        case 'env': {
          const rows = ENV_OPTIONS.map((o) => ({ option: o.path.join('.'), variable: o.variable }));
          if (json) for (const r of rows) io.stdout.write(`${JSON.stringify(r)}\n`);
          else for (const r of rows) io.stdout.write(`${r.variable.padEnd(44)} ${r.option}\n`);
          return ExitCode.ok;
        }
        case 'docs':
          io.stdout.write(configReference());
          return ExitCode.ok;
        default:
          throw new UsageError(action ? `unknown action '${action}'` : 'which action? get, set, validate, env or docs');
      }
    } catch (err) {
      if (err instanceof UsageError) throw err;
      if (err instanceof ConfigError && json) {
        io.stdout.write(`${JSON.stringify({ ok: false, file: err.file, issues: err.issues })}\n`);
        return ExitCode.inputError;
      }
      return reportError(err, io, 'config', json);
    }
  },
};
