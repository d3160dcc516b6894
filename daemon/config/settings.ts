/**
 * Every setting of the config, walked from the schema in its order: its dotted path, its schema (type, limits,
 * default) and the annotations the schema gives it. The environment variables, `config set`'s restart notice, the
 * daemon's `config.reload` and the configuration reference all read this list, so none of them repeats the schema.
 */
import { configSchema } from './schema.js';

/** The JSON-schema keywords a setting may have that the code reads. */
export interface SettingSchema {
  type?: string | readonly string[];
  enum?: readonly unknown[];
  properties?: Record<string, SettingSchema>;
  items?: SettingSchema;
  propertyNames?: SettingSchema;
  additionalProperties?: SettingSchema | boolean;
  default?: unknown;
  description?: string;
  requiresRestart?: boolean;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  minItems?: number;
  uniqueItems?: boolean;
}

export interface Setting {
  path: string[];
  schema: SettingSchema;
}

/** A group of settings (a section) and the settings under it. */
export interface SettingGroup {
  path: string[];
  description: string;
}

function walk(schema: SettingSchema, path: string[], settings: Setting[], groups: SettingGroup[]): void {
  if (!schema.properties) {
    settings.push({ path, schema });
    return;
  }
  if (path.length > 0) groups.push({ path, description: schema.description ?? '' });
  for (const [key, child] of Object.entries(schema.properties)) walk(child, [...path, key], settings, groups);
}

const settings: Setting[] = [];
const groups: SettingGroup[] = [];
walk(configSchema as SettingSchema, [], settings, groups);

/** Every setting, in schema order. */
export const CONFIG_SETTINGS: readonly Setting[] = settings;
/** Every section, in schema order. */
export const CONFIG_GROUPS: readonly SettingGroup[] = groups;

/** Settings a running daemon applies on `config.reload` (`requiresRestart: false`); changing anything else needs a restart. */
export const HOT_RELOADABLE: readonly string[] = settings.filter((s) => s.schema.requiresRestart === false).map((s) => s.path.join('.'));
