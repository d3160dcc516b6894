/** `config set`: changes one option in config.yaml, keeping comments, validating first, writing atomically. */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { Document, parseDocument } from 'yaml';
import { ENV_OPTIONS } from './env.js';
import { ConfigError, parseConfigText, validateConfig } from './load.js';
import { HOT_RELOADABLE } from './settings.js';

export interface ConfigChange {
  path: string;
  before: unknown;
  after: unknown;
  /** False when a running daemon applies it on `config.reload`. */
  restartRequired: boolean;
}

function knownPath(path: string[]): boolean {
  return ENV_OPTIONS.some(
    (o) => o.path.join('.') === path.join('.') || (o.path.length < path.length && o.path.join('.') === path.slice(0, o.path.length).join('.')),
  );
}

/** Writes via a temp file in the same folder + rename, so a crash leaves the old or the new file, never half of one. */
export function writeFileAtomic(file: string, text: string): void {
  let mode = 0o640;
  try {
    mode = statSync(file).mode & 0o777;
  } catch {
    // new file: keep the default mode
  }
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    renameSync(tmp, file);
  } catch (err) {
    unlinkSync(tmp);
    throw err;
  }
}

/** The value an option had, defaults included; what the file says when the old file does not validate. */
function effectiveValue(raw: unknown, path: string[]): unknown {
  let node: unknown;
  try {
    node = validateConfig(raw ?? {});
  } catch {
    node = raw;
  }
  for (const key of path) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined;
  return node ?? null;
}

/** value is YAML text (`0.6`, `true`, `[PERSON, EMAIL_ADDRESS]`, `null`). Throws ConfigError and leaves the file alone if the result is invalid. */
export function setConfigValue(file: string, dottedPath: string, value: string): ConfigChange {
  const path = dottedPath.split('.').filter(Boolean);
  if (path.length === 0 || !knownPath(path)) throw new ConfigError(file, [{ path: dottedPath, message: 'unknown option' }]);
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  parseConfigText(text, file); // syntax errors first, with line numbers
  const parsed = parseDocument(text);
  // A file with only comments has no mapping to set into; start one.
  const doc = parsed.contents === null ? new Document({}) : parsed;
  const before = effectiveValue(doc.toJS(), path);
  const parsedValue = parseConfigText(`v: ${value}`, null).v;
  doc.setIn(path, parsedValue);
  validateConfig(doc.toJS(), file);
  writeFileAtomic(file, doc.toString());
  return {
    path: path.join('.'),
    before,
    after: parsedValue,
    restartRequired: !HOT_RELOADABLE.includes(path.join('.')),
  };
}
