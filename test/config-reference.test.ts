import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../common/package-root.js';
import { configReference } from '../daemon/config/reference.js';
import { CONFIG_GROUPS, CONFIG_SETTINGS, HOT_RELOADABLE } from '../daemon/config/settings.js';
import { ENV_OPTIONS, validateConfig } from '../daemon/config/index.js';
import { cli, ensureBuilt } from './fixtures/daemon/harness.js';

t.test('every setting in the schema says what it does and whether it needs a restart', async (t) => {
  t.ok(
    ['dataDir', 'vad.threshold', 'wyoming.maxAudioSec'].every((p) => CONFIG_SETTINGS.some((s) => s.path.join('.') === p)),
    'top-level and nested settings are listed',
  );
  for (const { path, schema } of CONFIG_SETTINGS) {
    const name = path.join('.');
    t.ok(typeof schema.description === 'string' && schema.description.length > 10, `${name} has a description`);
    t.type(schema.requiresRestart, 'boolean', `${name} says whether it needs a restart`);
    t.not(schema.default, undefined, `${name} has a default`);
  }
  for (const group of CONFIG_GROUPS) t.ok(group.description.length > 5, `section ${group.path.join('.')} has a description`);
});

t.test('only the retention limits apply without a restart', async (t) => {
  t.same(HOT_RELOADABLE, ['store.retention.maxAgeDays', 'store.retention.maxBytes']);
});

t.test('every setting has its environment variable and the defaults are those validation fills in', async (t) => {
  t.same(
    ENV_OPTIONS.map((o) => o.path.join('.')),
    CONFIG_SETTINGS.map((s) => s.path.join('.')),
  );
  const config = validateConfig({}) as unknown as Record<string, unknown>;
  for (const { path, schema } of CONFIG_SETTINGS) {
    if (path.join('.') === 'redaction.audio.dir') continue; // follows dataDir, filled in after validation
    const value = path.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], config);
    t.same(value, schema.default, `${path.join('.')} defaults to ${JSON.stringify(schema.default)}`);
  }
});

t.test('docs/configuration.md is the reference generated from the schema', async (t) => {
  const file = join(packageRoot(), 'docs', 'configuration.md');
  const generated = configReference();
  t.equal(readFileSync(file, 'utf8'), generated, 'docs/configuration.md is stale: run `npm run config:docs` and commit it');
  for (const { path } of CONFIG_SETTINGS) t.ok(generated.includes(`| \`${path.join('.')}\` |`), `${path.join('.')} has its row`);
  t.match(generated, /\| `store\.retention\.maxAgeDays` \| number \| `0` \| >= 0 \| `HUSHSCRIBE_STORE_RETENTION_MAX_AGE_DAYS` \| live \|/);
  t.match(generated, /\| `vad\.threshold` \| number \| `0\.5` \| > 0, <= 1 \| `HUSHSCRIBE_VAD_THRESHOLD` \| restart \|/);
});

t.test('hushscribe config docs prints the reference', async (t) => {
  ensureBuilt();
  const r = cli(['config', 'docs']);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, configReference());
});

t.test("the README's links into the reference land on a section", async (t) => {
  const readme = readFileSync(join(packageRoot(), 'README.md'), 'utf8');
  const anchors = new Set(CONFIG_GROUPS.map((g) => g.path.join('.').toLowerCase().replace(/\./g, '')));
  const links = [...readme.matchAll(/docs\/configuration\.md#([a-z0-9-]+)/g)].map((m) => m[1]!);
  t.ok(links.length >= 2, 'the README links to sections of the reference');
  for (const link of links) t.ok(anchors.has(link), `#${link} is a section`);
});
