/**
 * The configuration reference, generated from the schema (docs/configuration.md, `hushscribe config docs`): one
 * table per section with each setting's default, allowed values, environment variable, whether it needs a restart
 * and its description. `scripts/config-docs.ts` writes the file; test/config-reference.test.ts fails when it is stale.
 */
import { ENV_OPTIONS } from './env.js';
import { CONFIG_GROUPS, CONFIG_SETTINGS, type SettingSchema } from './settings.js';

/** `a|b` would end a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function code(value: unknown): string {
  return `\`${JSON.stringify(value)}\``;
}

function typeName(schema: SettingSchema): string {
  if (schema.enum) return `one of ${schema.enum.map((v) => code(v)).join(', ')}`;
  const types = schema.type === undefined ? [] : typeof schema.type === 'string' ? [schema.type] : [...schema.type];
  const named = types.map((t) => {
    if (t === 'array' && schema.items) return `list of (${typeName(schema.items)})`;
    if (t === 'object' && schema.propertyNames && typeof schema.additionalProperties === 'object')
      return `map from (${typeName(schema.propertyNames)}) to (${typeName(schema.additionalProperties)})`;
    return t;
  });
  return named.join(' or ') || 'any';
}

/** The limits the schema puts on a value, in words. */
function limits(schema: SettingSchema): string {
  const parts: string[] = [];
  if (schema.minimum !== undefined) parts.push(`>= ${schema.minimum}`);
  if (schema.exclusiveMinimum !== undefined) parts.push(`> ${schema.exclusiveMinimum}`);
  if (schema.maximum !== undefined) parts.push(`<= ${schema.maximum}`);
  if (schema.exclusiveMaximum !== undefined) parts.push(`< ${schema.exclusiveMaximum}`);
  if (schema.minLength !== undefined && schema.minLength > 1) parts.push(`at least ${schema.minLength} characters`);
  if (schema.maxLength !== undefined) parts.push(`at most ${schema.maxLength} characters`);
  if (schema.pattern !== undefined) parts.push(`matches \`${schema.pattern}\``);
  if (schema.minItems !== undefined) parts.push(`at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}`);
  if (schema.uniqueItems) parts.push('no repeats');
  return parts.join(', ');
}

/** The reference as Markdown. */
export function configReference(): string {
  const variables = new Map(ENV_OPTIONS.map((o) => [o.path.join('.'), o.variable]));
  const lines = [
    '# Configuration reference',
    '',
    '<!-- Generated from daemon/config/schema.ts by `npm run config:docs`; do not edit by hand. -->',
    '',
    'Options of `/etc/hushscribe/config.yaml` (or `--config PATH`). Every option has a default, so an empty file works.',
    'Precedence: defaults < file < `HUSHSCRIBE_*` environment < command-line flags. Options marked *live* are applied',
    'by a running daemon on `config.reload` (`hushscribe config set`, SIGHUP); every other change needs a restart.',
  ];
  const topLevel = CONFIG_SETTINGS.filter((s) => s.path.length === 1);
  const sections: Array<{ title: string; description: string; prefix: string[] }> = [
    ...(topLevel.length > 0 ? [{ title: '(top level)', description: '', prefix: [] }] : []),
    ...CONFIG_GROUPS.map((g) => ({ title: `\`${g.path.join('.')}\``, description: g.description, prefix: g.path })),
  ];
  for (const section of sections) {
    // A section lists the settings directly in it; its sub-sections follow with their own tables.
    const own = CONFIG_SETTINGS.filter((s) => s.path.length === section.prefix.length + 1 && section.prefix.every((p, i) => s.path[i] === p));
    lines.push('', `## ${section.title}`);
    if (section.description) lines.push('', section.description);
    if (own.length === 0) continue;
    lines.push('', '| Option | Type | Default | Limits | Environment | Applies | Description |', '|---|---|---|---|---|---|---|');
    for (const { path, schema } of own) {
      const dotted = path.join('.');
      lines.push(
        `| \`${dotted}\` | ${cell(typeName(schema))} | ${cell(code(schema.default))} | ${cell(limits(schema))} | \`${variables.get(dotted)}\` | ${schema.requiresRestart === false ? 'live' : 'restart'} | ${cell(schema.description ?? '')} |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
