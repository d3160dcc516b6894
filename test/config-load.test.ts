import t from 'tap';
import { mkdtempSync, readFileSync, writeFileSync, statSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  ENV_OPTIONS,
  loadConfig,
  setConfigValue,
  validateConfig,
  controlSocketPath,
  databasePath,
  doneDir,
  modelDir,
} from '../daemon/config/index.js';

const dir = mkdtempSync(join(tmpdir(), 'hs-config-'));
const write = (name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};
const issuesOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  throw new Error('expected a ConfigError');
};

t.test('an empty config is a complete config', async (t) => {
  const { config, file } = loadConfig({ path: write('empty.yaml', ''), env: {} });
  t.equal(file, join(dir, 'empty.yaml'));
  t.equal(config.dataDir, '/var/lib/hushscribe');
  t.equal(config.vad.threshold, 0.5);
  t.equal(config.sources.watch.dir, null);
  t.equal(config.control.mode, '0660');
  t.equal(config.power.mode, 'auto');
  t.ok(config.redaction.types.includes('PERSON'));
  t.equal(controlSocketPath(config), '/var/lib/hushscribe/control.sock');
  t.equal(databasePath(config), '/var/lib/hushscribe/hushscribe.db');
  t.match(modelDir(config), /models\/hushscribe-en-v1$/);
  t.equal(doneDir(config), null);
});

t.test('a missing default file means defaults; a missing explicit file is an error', async (t) => {
  const loaded = loadConfig({ env: {} });
  t.equal(loaded.config.log.level, 'info');
  t.match(issuesOf(() => loadConfig({ path: join(dir, 'nope.yaml'), env: {} }))[0], /cannot read the file \(ENOENT\)/);
});

t.test('errors name the path and the bad value', async (t) => {
  const file = write(
    'bad.yaml',
    'vad:\n  threshold: 3\n  minSpeechMs: -1\nsources:\n  watch:\n    pollMs: fast\npower:\n  mode: turbo\nlog:\n  levle: debug\nredaction:\n  operators:\n    PERSON: shred\n    NOBODY: mask\n',
  );
  const issues = issuesOf(() => loadConfig({ path: file, env: {} }));
  t.ok(issues.includes('vad.threshold: must be <= 1 (got 3)'), issues.join('\n'));
  t.ok(issues.includes('vad.minSpeechMs: must be >= 0 (got -1)'));
  t.ok(issues.includes('sources.watch.pollMs: must be integer (got "fast")'));
  t.ok(issues.includes('power.mode: must be one of dense, sparse, auto (got "turbo")'));
  t.ok(issues.includes('log.levle: unknown option'));
  t.ok(issues.some((i) => i.startsWith('redaction.operators.PERSON: must be one of placeholder, replace, mask, hash, drop')));
  t.ok(
    issues.some((i) => i === 'redaction.operators: has an unknown key "NOBODY"'),
    issues.join('\n'),
  );
  try {
    loadConfig({ path: file, env: {} });
  } catch (err) {
    t.match((err as Error).message, `invalid config ${file}:\n  `);
  }
});

t.test('YAML syntax errors give the line', async (t) => {
  const issues = issuesOf(() => loadConfig({ path: write('syntax.yaml', 'vad:\n  threshold: [1\n'), env: {} }));
  t.match(issues[0], /^line \d+, column \d+: /);
  t.same(
    issuesOf(() => loadConfig({ path: write('list.yaml', '- a\n- b\n'), env: {} })),
    [': must be a mapping of options (got ["a","b"])'],
  );
});

t.test('environment overrides file, flags override environment', async (t) => {
  const file = write('env.yaml', 'vad:\n  threshold: 0.4\nasr:\n  threads: 2\n');
  const env = {
    HUSHSCRIBE_VAD_THRESHOLD: '0.7',
    HUSHSCRIBE_ASR_MODEL_DIR: '/models/x',
    HUSHSCRIBE_SOURCES_WATCH_KEEP_ORIGINALS: 'true',
    HUSHSCRIBE_SOURCES_WATCH_DIR: '/in',
    HUSHSCRIBE_SOURCES_COMMAND_ARGV: 'arecord, -f, S16_LE',
    HUSHSCRIBE_REDACTION_TYPES: '["PERSON"]',
    HUSHSCRIBE_SOURCES_MIC_DEVICE: 'null',
    HUSHSCRIBE_REDACTION_OPERATORS: '{"PERSON":"hash"}',
  };
  const { config } = loadConfig({ path: file, env, overrides: { asr: { threads: 3 } } });
  t.equal(config.vad.threshold, 0.7);
  t.equal(config.asr.modelDir, '/models/x');
  t.equal(config.asr.threads, 3);
  t.equal(config.sources.watch.keepOriginals, true);
  t.same(config.sources.command.argv, ['arecord', '-f', 'S16_LE']);
  t.same(config.redaction.types, ['PERSON']);
  t.same(config.redaction.operators, { PERSON: 'hash' });
  t.equal(config.sources.mic.device, null);
  const issues = issuesOf(() => loadConfig({ path: file, env: { HUSHSCRIBE_VAD_THRESHOLD: '3', HUSHSCRIBE_REDACTION_OPERATORS: '{oops' } }));
  t.ok(issues.includes('vad.threshold (from HUSHSCRIBE_VAD_THRESHOLD): must be <= 1 (got 3)'), issues.join('\n'));
  t.ok(issues.some((i) => i.startsWith('redaction.operators (from HUSHSCRIBE_REDACTION_OPERATORS): must be object')));
  t.ok(ENV_OPTIONS.some((o) => o.variable === 'HUSHSCRIBE_STORE_RETENTION_MAX_AGE_DAYS'));
  t.ok(ENV_OPTIONS.some((o) => o.variable === 'HUSHSCRIBE_DATA_DIR'));
});

t.test('relative paths in a file are relative to the file', async (t) => {
  const { config } = loadConfig({ path: write('rel.yaml', 'dataDir: data\nsources:\n  watch:\n    dir: inbox\n    keepOriginals: true\n'), env: {} });
  t.equal(config.dataDir, join(dir, 'data'));
  t.equal(doneDir(config), join(dir, 'inbox', 'done'));
});

t.test('validateConfig does not modify its input', async (t) => {
  const raw = { vad: {} };
  validateConfig(raw);
  t.same(raw, { vad: {} });
});

t.test('config set keeps comments, validates, writes atomically and says what needs a restart', async (t) => {
  const file = write('set.yaml', '# my appliance\nvad:\n  threshold: 0.5 # tuned\n');
  chmodSync(file, 0o600);
  const change = setConfigValue(file, 'vad.threshold', '0.6');
  t.same(change, { path: 'vad.threshold', before: 0.5, after: 0.6, restartRequired: true });
  const text = readFileSync(file, 'utf8');
  t.match(text, '# my appliance');
  t.match(text, 'threshold: 0.6');
  t.equal(statSync(file).mode & 0o777, 0o600);
  t.equal(setConfigValue(file, 'store.retention.maxBytes', '1000000').restartRequired, false);
  t.equal(setConfigValue(file, 'log.level', 'debug').restartRequired, true);
  t.same(setConfigValue(file, 'redaction.types', '[PERSON, EMAIL_ADDRESS]').after, ['PERSON', 'EMAIL_ADDRESS']);
  t.equal(setConfigValue(file, 'redaction.operators.PERSON', 'hash').after, 'hash');
  t.same(
    issuesOf(() => setConfigValue(file, 'vad.threshold', '7')),
    ['vad.threshold: must be <= 1 (got 7)'],
  );
  t.same(
    issuesOf(() => setConfigValue(file, 'vad.nope', '1')),
    ['vad.nope: unknown option'],
  );
  t.match(readFileSync(file, 'utf8'), 'threshold: 0.6');
  t.equal(loadConfig({ path: file, env: {} }).config.log.level, 'debug');
  const fresh = join(dir, 'fresh.yaml');
  setConfigValue(fresh, 'dataDir', '/srv/hs');
  t.equal(loadConfig({ path: fresh, env: {} }).config.dataDir, '/srv/hs');
  const commentOnly = write('comments.yaml', '# nothing yet\n');
  setConfigValue(commentOnly, 'log.level', 'warn');
  t.equal(loadConfig({ path: commentOnly, env: {} }).config.log.level, 'warn');
});
