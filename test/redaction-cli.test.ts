import t from 'tap';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInMemory } from './fixtures/cli/run.js';
import { ExitCode } from '../daemon/cli/command.js';

const CARD = 'four five three two zero one five one one two eight three zero three six six';

async function redact(args: string[], input: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const { code, out, err } = await runInMemory(['redact', ...args], { stdin: input });
    return { code, stdout: out, stderr: err };
  } finally {
    for (const key of Object.keys(env)) if (saved[key] === undefined) delete process.env[key];
  }
}

t.test('one redacted line per input line, blank lines kept', async (t) => {
  const { code, stdout, stderr } = await redact([], `my name is sarah connor\n\ncall me at two oh two five five five oh one four three\n`);
  t.equal(code, ExitCode.ok);
  t.equal(stdout, 'my name is [PERSON]\n\ncall me at [PHONE_NUMBER]\n');
  t.equal(stderr, '');
});

t.test('--json gives character offsets into each input line', async (t) => {
  const line = `my card is ${CARD} thanks`;
  const { code, stdout } = await redact(['--json'], `${line}\nnothing here`);
  t.equal(code, ExitCode.ok);
  const [first, second] = stdout
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l));
  t.same(first, {
    text: 'my card is [CREDIT_CARD] thanks',
    entities: [{ type: 'CREDIT_CARD', start: 11, end: 11 + CARD.length, replacement: '[CREDIT_CARD]' }],
    dropped: false,
  });
  t.equal(line.slice(first.entities[0].start, first.entities[0].end), CARD);
  t.same(second, { text: 'nothing here', entities: [], dropped: false });
});

t.test('--types and per-type --operator', async (t) => {
  const input = `my name is sarah and my card is ${CARD}\n`;
  t.equal((await redact(['--types', 'CREDIT_CARD'], input)).stdout, 'my name is sarah and my card is [CREDIT_CARD]\n');
  const masked = await redact(['--operator', 'mask', '--operator', 'CREDIT_CARD=drop', '--mask-per', 'word'], `${input}my name is sarah connor\n`);
  t.equal(masked.stdout, '\nmy name is * *\n', 'a dropped segment leaves an empty line');
});

t.test('hash key from a file or the environment', async (t) => {
  const dir = t.testdir({});
  const keyFile = join(dir, 'key');
  writeFileSync(keyFile, 'file-key-0123456789abcdef\n');
  const fromFile = await redact(['--operator', 'hash', '--hash-key-file', keyFile], 'my name is sarah\n');
  t.match(fromFile.stdout, /^my name is \[PERSON:[0-9a-f]{8}\]\n$/);
  const fromEnv = await redact(['--operator', 'PERSON=hash'], 'my name is sarah\n', { HUSHSCRIBE_REDACTION_KEY: 'file-key-0123456789abcdef' });
  t.equal(fromEnv.stdout, fromFile.stdout, 'the same key gives the same hash');
  t.equal(process.env.HUSHSCRIBE_REDACTION_KEY, undefined);
});

t.test('--session catches PII split across lines, one output line per input line', async (t) => {
  const input =
    'my card number is four five three two zero one five one\none two eight three zero three six six\nplease email john dot\nsmith at gmail dot com\n';
  t.equal((await redact(['--session'], input)).stdout, 'my card number is [CREDIT_CARD]\n[CREDIT_CARD]\nplease email [EMAIL_ADDRESS]\n[EMAIL_ADDRESS]\n');
  t.equal(
    (await redact(['--detectors', 'rules'], input)).stdout,
    'my card number is [CREDIT_CARD]\none two eight three zero three six six\nplease email [PERSON] dot\n[EMAIL_ADDRESS]\n',
    'line by line, the rules miss the bare continuation',
  );
  t.equal(
    (await redact([], input)).stdout,
    'my card number is [CREDIT_CARD]\n[PHONE_NUMBER]\nplease email [PERSON] dot\n[EMAIL_ADDRESS]\n',
    'the tagger flags the bare digit run (rules + tagger by default)',
  );
  t.equal((await redact(['--session'], '')).stdout, '', 'no input, no output');
});

t.test('bad policies and options are usage errors that never echo the input', async (t) => {
  const secret = 'my name is sarah connor';
  const unknownType = await redact(['--types', 'PERSON,NAME'], secret);
  t.equal(unknownType.code, ExitCode.usage);
  t.match(unknownType.stderr, /unknown entity type 'NAME'/);
  const noKey = await redact(['--operator', 'hash'], secret);
  t.equal(noKey.code, ExitCode.usage);
  t.match(noKey.stderr, /needs hashKey \(give --hash-key-file PATH or set HUSHSCRIBE_REDACTION_KEY\)/);
  const sessionBad = await redact(['--session', '--operator', 'blur'], secret);
  t.equal(sessionBad.code, ExitCode.usage);
  t.match(sessionBad.stderr, /unknown operator 'blur'/);
  const unknownFlag = await redact(['--verbose'], secret);
  t.equal(unknownFlag.code, ExitCode.usage);
  for (const r of [unknownType, noKey, sessionBad, unknownFlag]) t.notMatch(r.stderr + r.stdout, /sarah/);
  const missingKeyFile = await redact(['--operator', 'hash', '--hash-key-file', '/nonexistent/key'], secret);
  t.equal(missingKeyFile.code, ExitCode.failure);
  t.match(missingKeyFile.stderr, /ENOENT/);
});

t.test('--detectors picks the rules, the tagger or both; a bad list is a usage error', async (t) => {
  const line = 'you can get me on two six oh seven six four eight six seven four';
  t.equal((await redact(['--detectors', 'rules'], line)).stdout, 'you can get me on [PHONE_NUMBER]\n');
  const tagger = JSON.parse((await redact(['--detectors', 'tagger', '--json'], line)).stdout);
  t.ok(tagger.entities.length > 0, 'the tagger alone finds the phone number');
  t.ok(
    tagger.entities.every((e: { start: number }) => e.start >= line.indexOf('two') - 3),
    'and nothing before it',
  );
  t.notMatch(tagger.text, /six oh seven/);
  t.equal((await redact(['--detectors', 'tagger,rules'], line)).code, ExitCode.ok);
  for (const bad of ['neural', '', 'rules,regex']) {
    const r = await redact(['--detectors', bad], line);
    t.equal(r.code, ExitCode.usage, `--detectors '${bad}'`);
    t.match(r.stderr, /--detectors takes rules, tagger or both/);
    t.notMatch(r.stderr, /six oh seven/, 'the input is never echoed');
  }
});

t.test('--help describes the options', async (t) => {
  const { code, stdout } = await redact(['--help'], '');
  t.equal(code, ExitCode.ok);
  t.match(stdout, /--json/);
  t.match(stdout, /--session/);
  t.match(stdout, /--detectors/);
  t.match(stdout, /--long-numbers/);
});

t.test('--long-numbers also redacts long digit runs that no rule validates', async (t) => {
  const input = 'correliceinsty five double seven two five three two six\n';
  t.equal((await redact(['--detectors', 'rules'], input)).stdout, input);
  t.equal((await redact(['--detectors', 'rules', '--long-numbers'], input)).stdout, 'correliceinsty [BANK_ACCOUNT]\n');
});
