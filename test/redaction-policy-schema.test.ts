import t from 'tap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, validateConfig } from '../daemon/config/index.js';
import { CONFIG_SETTINGS } from '../daemon/config/settings.js';
import { redactionPolicy } from '../daemon/redaction/redactor.js';
import { ExitCode } from '../daemon/cli/command.js';
import { createRedactor, OPERATORS, PolicyError, validatePolicy } from '../redaction/index.js';
import { runInMemory } from './fixtures/cli/run.js';

const KEY = 'a-test-key-of-32-bytes-0123456789';

/** Policies as a config file or a library caller would write them: each is either valid or has one bad value. */
const POLICIES: unknown[] = [
  {},
  { types: ['PERSON'] },
  { types: ['PERSON', 'NAME'] },
  { types: ['PERSON', 'PERSON'] },
  { types: 'PERSON' },
  { operator: 'mask' },
  { operator: 'replace' },
  { operator: 'blur' },
  { operator: 7 },
  { operators: { PERSON: 'drop', CREDIT_CARD: 'hash' } },
  { operators: { PERSON: 'erase' } },
  { operators: { NAME: 'mask' } },
  { operators: ['mask'] },
  { mask: { char: '#', per: 'word' } },
  { mask: { char: '😀' } },
  { mask: { char: '**' } },
  { mask: { char: ' ' } },
  { mask: { char: '' } },
  { mask: { per: 'letter' } },
  { mask: { shape: 'x' } },
  { mask: 'x' },
  { thresholds: { PERSON: 0.9, LOCATION: 0 } },
  { thresholds: { PERSON: 2 } },
  { thresholds: { PERSON: '0.5' } },
  { thresholds: { NAME: 0.5 } },
  { thresholds: 3 },
  { longNumbers: true },
  { longNumbers: 'yes' },
  { operater: 'mask' },
];

function libraryAccepts(policy: unknown): boolean {
  try {
    // With a key, so that the one rule outside the schema (hash needs a key) never decides.
    validatePolicy({ ...(policy as object), hashKey: KEY });
    return true;
  } catch (err) {
    if (err instanceof PolicyError) return false;
    throw err;
  }
}

function configAccepts(policy: unknown): boolean {
  try {
    validateConfig({ redaction: policy });
    return true;
  } catch (err) {
    if (err instanceof ConfigError) return false;
    throw err;
  }
}

t.test('the config accepts exactly the policies the library accepts (one schema)', async (t) => {
  let rejected = 0;
  for (const policy of POLICIES) {
    const accepted = libraryAccepts(policy);
    if (!accepted) rejected++;
    t.equal(configAccepts(policy), accepted, `${JSON.stringify(policy)}: ${accepted ? 'accepted' : 'rejected'} by both`);
  }
  t.ok(rejected >= 15 && rejected < POLICIES.length - 5, `both bad and good policies are tried (${rejected} rejected)`);
});

t.test("the config's redaction options are the library's, operators listed once", async (t) => {
  const schemaOf = (path: string) => CONFIG_SETTINGS.find((s) => s.path.join('.') === path)?.schema;
  t.same(schemaOf('redaction.operator')?.enum, OPERATORS);
  t.same(schemaOf('wyoming.redact.operators')?.additionalProperties, schemaOf('redaction.operators')?.additionalProperties);
  t.equal(schemaOf('redaction.mask.per')?.requiresRestart, true);
});

t.test("the config's operator and mask reach the redactor the daemon builds", async (t) => {
  const { redaction } = validateConfig({ redaction: { operator: 'mask', mask: { char: '#', per: 'word' }, operators: { CREDIT_CARD: 'drop' } } });
  const redactor = createRedactor(redactionPolicy(redaction));
  t.equal(redactor.redact('my name is sarah connor').text, 'my name is # #');
  t.equal(redactor.redact('my card is four five three two zero one five one one two eight three zero three six six').dropped, true);
  const defaults = createRedactor(redactionPolicy(validateConfig({}).redaction));
  t.equal(defaults.redact('my name is sarah connor').text, 'my name is [PERSON]', 'the defaults are the library defaults');
});

t.test('a bad operator is a friendly error in the config, in the library and on the command line', async (t) => {
  const issues = (() => {
    try {
      validateConfig({ redaction: { operator: 'blur', mask: { per: 'letter' } } });
    } catch (err) {
      return (err as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
    }
    return [];
  })();
  t.ok(issues.includes('redaction.operator: must be one of placeholder, replace, mask, hash, drop (got "blur")'), issues.join('\n'));
  t.ok(issues.includes('redaction.mask.per: must be one of character, word (got "letter")'), issues.join('\n'));
  t.throws(() => validatePolicy({ operator: 'blur' } as never), {
    message: "operator: unknown operator 'blur' (known: placeholder, replace, mask, hash, drop)",
  });
  t.throws(() => validatePolicy({ mask: { per: 'letter' } } as never), { message: `mask.per must be 'character' or 'word', but received "letter"` });

  const badOperator = await runInMemory(['redact', '--operator', 'PERSON=blur'], { stdin: 'my name is sarah\n' });
  t.equal(badOperator.code, ExitCode.usage);
  t.match(badOperator.err, /operators\.PERSON: unknown operator 'blur' \(known: placeholder, replace, mask, hash, drop\)/);
  const badUnit = await runInMemory(['redact', '--mask-per', 'letter'], { stdin: 'my name is sarah\n' });
  t.equal(badUnit.code, ExitCode.usage);
  t.match(badUnit.err, /mask\.per must be 'character' or 'word', but received "letter"/);
  for (const r of [badOperator, badUnit]) t.notMatch(r.out + r.err, /sarah/, 'the input is never echoed');
});

t.test("--mask-per keeps the config's mask character; a bad config policy is a usage error", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hs-policy-'));
  const file = join(dir, 'config.yaml');
  writeFileSync(file, 'redaction:\n  operator: mask\n  mask:\n    char: "#"\n  tagger:\n    enabled: false\n');
  t.equal(loadConfig({ path: file, env: {} }).config.redaction.mask.char, '#');
  const masked = await runInMemory(['redact', '--config', file, '--mask-per', 'word'], { stdin: 'my name is sarah connor\n' });
  t.equal(masked.code, ExitCode.ok, masked.err);
  t.equal(masked.out, 'my name is # #\n');
  writeFileSync(file, 'redaction:\n  operator: blur\n');
  const bad = await runInMemory(['redact', '--config', file], { stdin: 'hello\n' });
  t.equal(bad.code, ExitCode.usage);
  t.match(bad.err, /redaction\.operator: must be one of placeholder, replace, mask, hash, drop \(got "blur"\)/);
});
