// One redaction everywhere: the real daemon (watch folder -> SQLite), `hushscribe transcribe` and `hushscribe
// redact --session` (a recording's segments are redacted one behind, with the next as look-ahead context) give the same redacted segments for the same recording under the same config (VAD segments,
// policy with a hashed PERSON, tagger off), with the shipped model and Silero VAD.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { daemonSetup, ensureBuilt, ROOT, speechFile, waitFor } from './fixtures/daemon/harness.js';
import { runInMemory } from './fixtures/cli/run.js';

ensureBuilt();

const MODEL = join(ROOT, 'models', 'hushscribe-en-v1');
const keyDir = mkdtempSync(join(tmpdir(), 'parity-key-'));
t.teardown(() => rmSync(keyDir, { recursive: true, force: true }));
writeFileSync(join(keyDir, 'key.txt'), 'parity-test-key-0123456789\n');
const redaction = { operators: { PERSON: 'hash' }, hashKeyFile: join(keyDir, 'key.txt'), tagger: { enabled: false } };
const { dir, daemon, watch } = daemonSetup('parity', { config: { asr: { modelDir: MODEL }, redaction } });
const configFile = daemon.configFile;

// Two utterances with a pause between them: the VAD makes two segments, each redacted with the other as context.
const toSixteen = (from: string, to: string, ...effects: string[]) => execFileSync('sox', [from, '-r', '16000', '-b', '16', '-c', '1', to, ...effects]);
toSixteen(speechFile(join(dir, 'a.wav'), 'Good morning, my name is John Smith.'), join(dir, 'a16.wav'));
toSixteen(speechFile(join(dir, 'b.wav'), 'You can call me on two zero two, five five five, zero one four three.'), join(dir, 'b16.wav'), 'pad', '1.5', '0');
const recording = join(dir, 'call.wav');
execFileSync('sox', [join(dir, 'a16.wav'), join(dir, 'b16.wav'), recording]);

t.before(async () => {
  daemon.start();
  await daemon.ready(120_000);
});
t.teardown(() => daemon.kill());

t.test('daemon, transcribe and redact --session redact the same segments the same way', async (t) => {
  copyFileSync(recording, join(watch, 'call.wav'));
  const rec = await waitFor(
    () => daemon.query<{ id: string; status: string }>("SELECT id, status FROM recordings WHERE status IN ('done', 'failed')")[0],
    150_000,
    'the recording is done',
  );
  t.equal(rec.status, 'done');
  const stored = daemon.query<{ text: string }>('SELECT text FROM segments WHERE recording_id = ? ORDER BY seq', rec.id).map((s) => s.text);
  t.ok(stored.length >= 2, `the VAD cut two segments (${stored.length})`);
  t.match(stored.join(' '), /\[PERSON:[0-9a-f]{8}\]/, "the config's hash operator applied");
  t.notMatch(stored.join(' '), /john|smith/i, 'the name is stored nowhere');

  const transcribed = await runInMemory(['transcribe', '--json', '--config', configFile, recording]);
  t.equal(transcribed.code, 0, transcribed.err);
  const segments = (JSON.parse(transcribed.out) as { segments: Array<{ text: string }> }).segments.map((s) => s.text);
  t.same(segments, stored, 'transcribe gives the daemon’s segments, redacted the same way');

  const raw = await runInMemory(['transcribe', '--json', '--no-redact', '--config', configFile, recording]);
  const rawLines = (JSON.parse(raw.out) as { segments: Array<{ text: string }> }).segments.map((s) => s.text);
  t.equal(rawLines.length, stored.length);
  const redacted = await runInMemory(['redact', '--session', '--config', configFile], { stdin: `${rawLines.join('\n')}\n` });
  t.equal(redacted.code, 0, redacted.err);
  t.same(redacted.out.trimEnd().split('\n'), stored, 'redact --session on the raw segments gives the daemon’s text');
});

t.test('without --config the same recording is redacted by the default policy (placeholders)', async (t) => {
  const plain = await runInMemory(['transcribe', '--detectors', 'rules', recording]);
  t.equal(plain.code, 0, plain.err);
  t.match(plain.out, /\[PERSON\]/);
  t.notMatch(plain.out, /PERSON:/);
});

t.test('a bad config is a usage error before any model loads', async (t) => {
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'redaction: { operators: { PERSON: shred } }\n');
  for (const argv of [
    ['transcribe', '--config', bad, recording],
    ['redact', '--config', bad],
  ]) {
    const result = await runInMemory(argv);
    t.equal(result.code, 2, argv[0]);
    t.match(result.err, /shred|operators/);
  }
});
