/**
 * Environment overrides: every option has a variable named HUSHSCRIBE_<PATH>, its path segments upper-cased and
 * camelCase split by underscores, e.g. vad.threshold -> HUSHSCRIBE_VAD_THRESHOLD,
 * asr.modelDir -> HUSHSCRIBE_ASR_MODEL_DIR, sources.watch.settleMs -> HUSHSCRIBE_SOURCES_WATCH_SETTLE_MS.
 * Values are parsed by the option's type: numbers, true/false, `null`, lists as JSON or comma-separated.
 */
import { CONFIG_SETTINGS, type SettingSchema } from './settings.js';

export interface EnvOption {
  path: string[];
  variable: string;
  schema: SettingSchema;
}

function envName(path: string[]): string {
  return `HUSHSCRIBE_${path.map((p) => p.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('_')}`;
}

/** Every option that can be set from the environment, in schema order. */
export const ENV_OPTIONS: readonly EnvOption[] = CONFIG_SETTINGS.map(({ path, schema }) => ({ path, variable: envName(path), schema }));

function types(schema: SettingSchema): string[] {
  if (schema.type) return typeof schema.type === 'string' ? [schema.type] : [...schema.type];
  if (schema.enum) return [...new Set(schema.enum.map((v) => (typeof v === 'number' ? 'number' : typeof v)))];
  return ['string'];
}

/** Turns a variable's text into the JSON value the schema expects; ajv reports anything that still does not fit. */
export function parseEnvValue(raw: string, schema: SettingSchema): unknown {
  const t = types(schema);
  const text = raw.trim();
  if (text === 'null' && t.includes('null')) return null;
  if ((t.includes('number') || t.includes('integer')) && text !== '' && Number.isFinite(Number(text))) return Number(text);
  if (t.includes('boolean')) {
    if (/^(true|1|yes|on)$/i.test(text)) return true;
    if (/^(false|0|no|off)$/i.test(text)) return false;
  }
  if (t.includes('array')) {
    if (text.startsWith('[')) return JSON.parse(text) as unknown;
    return text === '' ? [] : text.split(',').map((s) => s.trim());
  }
  if (t.includes('object')) return JSON.parse(text) as unknown;
  return raw;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

/**
 * Applies HUSHSCRIBE_* variables onto a raw (not yet validated) config object.
 * Returns which config paths came from which variable, so errors can name the variable.
 */
export function applyEnv(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): Map<string, string> {
  const origins = new Map<string, string>();
  for (const option of ENV_OPTIONS) {
    const value = env[option.variable];
    if (value === undefined) continue;
    let parsed: unknown;
    try {
      parsed = parseEnvValue(value, option.schema);
    } catch {
      parsed = value; // not JSON: let the schema say what was expected
    }
    setPath(raw, option.path, parsed);
    origins.set(option.path.join('.'), option.variable);
  }
  return origins;
}
