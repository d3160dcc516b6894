/** Reads config.yaml, applies environment and command-line overrides, validates against the one schema. */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { packageRoot } from '../../common/package-root.js';
import { addPolicyKeywords } from '../../redaction/policy-schema.js';
import { applyEnv } from './env.js';
import { configSchema, type HushscribeConfig } from './schema.js';
import { parseWyomingUri } from '../wyoming/address.js';
import { showValue, valueAtPointer } from '../../common/validation-errors.js';

export const DEFAULT_CONFIG_PATH = '/etc/hushscribe/config.yaml';
export const DEFAULT_MODEL_NAME = 'hushscribe-en-v1';

/** One problem with the config, e.g. `vad.threshold: must be <= 1 (got 3)`. */
export interface ConfigIssue {
  path: string;
  message: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly file: string | null,
    readonly issues: ConfigIssue[],
  ) {
    super(`invalid config${file ? ` ${file}` : ''}:\n${issues.map((i) => `  ${i.path || '(top level)'}: ${i.message}`).join('\n')}`);
  }
}

const ajv = new Ajv({ useDefaults: true, allErrors: true, strict: true, allowUnionTypes: true });
// An annotation for people and docs (schema.ts), not a rule: known to ajv so that strict mode accepts it.
ajv.addKeyword({ keyword: 'requiresRestart', schemaType: 'boolean' });
// So are the words of the redaction policy's own error messages, in the options the `redaction` section embeds.
addPolicyKeywords(ajv);
const validate = ajv.compile<HushscribeConfig>(configSchema);

function describe(err: ErrorObject, root: unknown, origins: Map<string, string>): ConfigIssue {
  let path = err.instancePath.split('/').slice(1).join('.');
  let message: string;
  if (err.keyword === 'additionalProperties') {
    path = [path, (err.params as { additionalProperty: string }).additionalProperty].filter(Boolean).join('.');
    message = 'unknown option';
  } else if (err.keyword === 'enum') {
    const allowed = (err.params as { allowedValues: unknown[] }).allowedValues.map((v) => String(v)).join(', ');
    message = `must be one of ${allowed} (got ${showValue(valueAtPointer(root, err.instancePath))})`;
  } else if (err.keyword === 'propertyNames') {
    message = `has an unknown key ${showValue((err.params as { propertyName: string }).propertyName)}`;
  } else {
    message = `${err.message ?? 'is invalid'} (got ${showValue(valueAtPointer(root, err.instancePath))})`;
  }
  const variable = origins.get(path);
  return { path: variable ? `${path} (from ${variable})` : path, message };
}

/** Validates a raw config object in place (filling defaults); throws ConfigError naming every bad option. */
export function validateConfig(raw: unknown, file: string | null = null, origins = new Map<string, string>()): HushscribeConfig {
  const copy = structuredClone(raw ?? {});
  if (validate(copy)) {
    const issues = crossFieldIssues(copy);
    if (issues.length > 0) throw new ConfigError(file, issues);
    // Filled in here, not as a schema default, so it follows dataDir (and is resolved with it).
    copy.redaction.audio.dir ??= join(copy.dataDir, 'audio');
    return copy;
  }
  const seen = new Set<string>();
  const issues = (validate.errors ?? [])
    // propertyNames failures also report a generic error at the parent; the specific one is enough.
    .filter((e) => !(e.keyword === 'propertyNames' && e.params && !('propertyName' in e.params)))
    .map((e) => describe(e, copy, origins))
    .filter((i) => {
      const key = `${i.path}:${i.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  throw new ConfigError(file, issues);
}

/** Rules one option's schema cannot say: hysteresis needs its leave threshold below its enter threshold. */
function crossFieldIssues(config: HushscribeConfig): ConfigIssue[] {
  const { backlog, thermal } = config.power;
  const issues: ConfigIssue[] = [];
  if (backlog.leaveQueued >= backlog.enterQueued)
    issues.push({
      path: 'power.backlog.leaveQueued',
      message: `must be below power.backlog.enterQueued (${backlog.enterQueued}) (got ${backlog.leaveQueued})`,
    });
  if (thermal.leaveC >= thermal.enterC)
    issues.push({ path: 'power.thermal.leaveC', message: `must be below power.thermal.enterC (${thermal.enterC}) (got ${thermal.leaveC})` });
  try {
    parseWyomingUri(config.wyoming.uri);
  } catch (err) {
    issues.push({ path: 'wyoming.uri', message: (err as Error).message });
  }
  return issues;
}

/** Parses YAML text; a syntax error becomes a ConfigError with the line and column. */
export function parseConfigText(text: string, file: string | null): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = parseYaml(text, { prettyErrors: true });
  } catch (err) {
    if (err instanceof YAMLParseError) {
      const pos = err.linePos?.[0];
      throw new ConfigError(file, [{ path: pos ? `line ${pos.line}, column ${pos.col}` : '', message: err.message.split('\n')[0]! }]);
    }
    throw err;
  }
  if (raw === null || raw === undefined) return {};
  if (typeof raw !== 'object' || Array.isArray(raw))
    throw new ConfigError(file, [{ path: '', message: `must be a mapping of options (got ${showValue(raw)})` }]);
  return raw as Record<string, unknown>;
}

export interface LoadOptions {
  /** Explicit --config: must exist. Without it the default path is used if present. */
  path?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** Command-line flags, highest precedence, as a partial config object. */
  overrides?: Record<string, unknown>;
}

export interface LoadedConfig {
  config: HushscribeConfig;
  /** The file read, or null when running on defaults. */
  file: string | null;
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(over)) {
    const current = base[key];
    if (value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object' && !Array.isArray(current)) {
      merge(current as Record<string, unknown>, value as Record<string, unknown>);
    } else {
      base[key] = value;
    }
  }
  return base;
}

/** defaults < config file < HUSHSCRIBE_* environment < command-line flags. */
export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const file = options.path ? resolve(options.path) : DEFAULT_CONFIG_PATH;
  let text: string | null = null;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (options.path || code !== 'ENOENT') throw new ConfigError(file, [{ path: '', message: `cannot read the file (${code ?? String(err)})` }]);
  }
  const raw = text === null ? {} : parseConfigText(text, file);
  const origins = applyEnv(raw, options.env ?? process.env);
  merge(raw, options.overrides ?? {});
  const config = validateConfig(raw, text === null ? null : file, origins);
  resolveRelativePaths(config, text === null ? process.cwd() : dirname(file));
  return { config, file: text === null ? null : file };
}

/** Relative paths in a config file are relative to the file, not to wherever the daemon was started. */
function resolveRelativePaths(config: HushscribeConfig, base: string): void {
  const fix = (p: string | null) => (p === null || isAbsolute(p) ? p : resolve(base, p));
  config.dataDir = fix(config.dataDir)!;
  const watch = config.sources.watch;
  watch.dir = fix(watch.dir);
  watch.doneDir = fix(watch.doneDir);
  config.asr.modelDir = fix(config.asr.modelDir);
  config.redaction.hashKeyFile = fix(config.redaction.hashKeyFile);
  config.redaction.audio.dir = fix(config.redaction.audio.dir);
  config.redaction.tagger.modelDir = fix(config.redaction.tagger.modelDir);
  config.control.socketPath = fix(config.control.socketPath);
}

/** What happens to a watch-folder recording's original file once transcribed, in words (status, doctor). */
export interface OriginalsPolicy {
  kept: boolean;
  dir: string | null;
  detail: string;
}

export function originalsPolicy(config: HushscribeConfig): OriginalsPolicy {
  const dir = doneDir(config);
  if (!config.sources.watch.dir) return { kept: false, dir: null, detail: 'no watch folder' };
  if (dir === null) return { kept: false, dir, detail: 'deleted once transcribed (sources.watch.keepOriginals: false)' };
  const { maxAgeDays, maxBytes } = config.store.retention;
  const limits = [maxAgeDays > 0 ? `after ${maxAgeDays} days` : '', maxBytes > 0 ? `beyond ${maxBytes} bytes in all` : ''].filter(Boolean);
  return {
    kept: true,
    dir,
    detail: `kept in ${dir} (sources.watch.keepOriginals: true), ${limits.length > 0 ? `deleted with their recording by store.retention ${limits.join(' or ')}` : 'with no store.retention limit: kept until you delete them'}`,
  };
}

/** Paths the config leaves to defaults, made concrete. */
export function controlSocketPath(config: HushscribeConfig): string {
  return config.control.socketPath ?? join(config.dataDir, 'control.sock');
}

export function databasePath(config: HushscribeConfig): string {
  return join(config.dataDir, 'hushscribe.db');
}

export function modelDir(config: HushscribeConfig): string {
  return config.asr.modelDir ?? join(packageRoot(), 'models', DEFAULT_MODEL_NAME);
}

export function doneDir(config: HushscribeConfig): string | null {
  const watch = config.sources.watch;
  if (!watch.dir || !watch.keepOriginals) return null;
  return watch.doneDir ?? join(watch.dir, 'done');
}
