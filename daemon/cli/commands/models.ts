/** `hushscribe models list|verify`: installed ASR models and their sha256 checks against the manifest. */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ExitCode, UsageError, type Command, type CommandIo } from '../command.js';
import { modelDir } from '../../config/load.js';
import { cliConfig, COMMON_OPTIONS, COMMON_USAGE, reportError } from '../../control/cli-support.js';
import { isModelLoadError, MANIFEST_FILE, readManifest, verifyModelFiles } from '../../asr/index.js';
import { packageRoot } from '../../../common/package-root.js';
import { checkTaggerFiles, isTaggerDir } from '../../../redaction/tagger.js';

const usage = `Usage: hushscribe models <list | verify> [--model DIR] [--variant NAME] [--json]

  list             speech models in the package's models/ folder and the configured asr.modelDir, and the PII
                   tagger (kind "pii-tagger")
  verify           checks each variant's file size and sha256 against the model's manifest.json

Options:
  --model DIR      the model folder to verify (default: asr.modelDir from the config)
  --variant NAME   verify only this variant
${COMMON_USAGE}

Exit codes: 0 ok, 1 a file does not match its manifest, 3 no such model or variant.`;

interface ModelRow {
  dir: string;
  name: string;
  configured: boolean;
  defaultVariant: string | null;
  variants: { name: string; file: string; bytes: number; present: boolean }[];
  error: string | null;
}

function describe(dir: string, configured: boolean): ModelRow {
  try {
    const manifest = readManifest(dir);
    return {
      dir,
      name: manifest.name,
      configured,
      defaultVariant: manifest.defaultVariant ?? null,
      variants: Object.entries(manifest.variants).map(([name, v]) => ({ name, file: v.file, bytes: v.bytes, present: existsSync(join(dir, v.file)) })),
      error: null,
    };
  } catch (err) {
    return { dir, name: dir.split('/').pop() ?? dir, configured, defaultVariant: null, variants: [], error: (err as Error).message };
  }
}

export const modelsCommand: Command = {
  name: 'models',
  summary: 'List installed speech models and verify their checksums',
  usage,
  async run(argv: string[], io: CommandIo): Promise<number> {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...COMMON_OPTIONS, model: { type: 'string' }, variant: { type: 'string' } },
      allowPositionals: true,
    });
    const [action, ...rest] = positionals;
    const json = values.json ?? false;
    if (rest.length > 0) throw new UsageError(`unexpected argument '${rest[0]}'`);
    try {
      const { config } = cliConfig(values);
      const configured = values.model ? resolve(values.model) : modelDir(config);
      if (action === 'list') {
        const root = join(packageRoot(), 'models');
        const all = existsSync(root)
          ? readdirSync(root, { withFileTypes: true })
              .filter((e) => e.isDirectory() && existsSync(join(root, e.name, MANIFEST_FILE)))
              .map((e) => join(root, e.name))
          : [];
        const dirs = all.filter((d) => !isTaggerDir(d));
        if (!dirs.includes(configured)) dirs.push(configured);
        const rows = dirs.map((d) => describe(d, d === configured));
        const taggers = all.filter(isTaggerDir).map((d) => ({ dir: d, kind: 'pii-tagger', ...checkTaggerFiles(d) }));
        if (json) for (const r of [...rows, ...taggers]) io.stdout.write(`${JSON.stringify(r)}\n`);
        else {
          for (const r of rows)
            io.stdout.write(
              `${r.configured ? '*' : ' '} ${r.name}  ${r.dir}\n${r.error ? `    ${r.error}\n` : r.variants.map((v) => `    ${v.name}${v.name === r.defaultVariant ? ' (default)' : ''}  ${v.file}  ${v.bytes} bytes${v.present ? '' : '  MISSING'}\n`).join('')}`,
            );
          for (const g of taggers) io.stdout.write(`  ${g.name}  ${g.dir}\n    pii tagger  ${g.file}  ${g.bytes ?? 0} bytes${g.ok ? '' : `  ${g.detail}`}\n`);
        }
        return ExitCode.ok;
      }
      if (action === 'verify') {
        const checks = await verifyModelFiles(configured, values.variant ? [values.variant] : undefined);
        if (json) for (const c of checks) io.stdout.write(`${JSON.stringify(c)}\n`);
        else
          for (const c of checks)
            io.stdout.write(
              `${c.ok ? 'ok      ' : 'MISMATCH'} ${c.variant}  ${c.file}${c.ok ? '' : `\n         expected sha256 ${c.expectedSha256} (${c.expectedBytes} bytes)\n         found    sha256 ${c.actualSha256} (${c.actualBytes} bytes)`}\n`,
            );
        return checks.every((c) => c.ok) ? ExitCode.ok : ExitCode.failure;
      }
      throw new UsageError(action ? `unknown action '${action}'` : 'which action? list or verify');
    } catch (err) {
      if (isModelLoadError(err)) {
        if (json) io.stdout.write(`${JSON.stringify({ ok: false, error: { code: err.code, message: err.message } })}\n`);
        else io.stderr.write(`hushscribe models: ${err.message}\n`);
        return ExitCode.inputError;
      }
      if (err instanceof UsageError) throw err;
      return reportError(err, io, 'models', json);
    }
  },
};
