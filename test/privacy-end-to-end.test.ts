// Privacy proof, end to end: speech with a planted name, card number (said digit by digit), phone number and
// e-mail address goes through the real daemon and the real model; afterwards no file the daemon wrote (database,
// -wal, -shm, data dir, watch folder, its TMPDIR) and none of its stdout/stderr holds any form of those values:
// as planted (spoken and written) or as the model actually recognised them.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { daemonSetup, ensureBuilt, ROOT, tempDir, waitFor } from './fixtures/daemon/harness.js';
import { leakForms, leaksIn, leaksOnDisk, PII, synthesize } from './fixtures/daemon/privacy.js';

ensureBuilt();

// A recording is deleted just after its result is committed, so 'done' alone does not mean the watch folder is
// settled; searching it in between would read a file that is being removed.
const recordingsGone = (watch: string) => readdirSync(watch).every((n) => !n.endsWith('.wav'));

t.test('no planted personal data in any file the daemon wrote or in its output', async (t) => {
  // Inputs live outside the searched folders; recordings are deleted once transcribed, so only what the daemon
  // itself wrote remains under dir.
  const src = tempDir('privacy-src');
  const paths = synthesize(src);
  const forms = leakForms(paths);
  // The check is only meaningful if the model hears the values: most of each planted value is recognised.
  t.match(forms.recognised[1], /four five three two zero one five one one two eight three zero three six six/, 'card number recognised');
  t.match(forms.recognised[2], /five five five one two three four five six seven/, 'phone number recognised');
  // The model may hear "jon dot met" or "johndotsmith": the leak search below covers both the planted and the heard forms.
  t.match(forms.recognised[3], /\w+ ?dot ?\w+ at gmail dot com/, 'e-mail recognised');
  t.ok(forms.phrases.length > 10 && forms.words.length > 5, `searching for ${forms.phrases.length} phrases and ${forms.words.length} words`);

  const { dir, daemon, watch } = daemonSetup('privacy-e2e', {
    config: { asr: { modelDir: join(ROOT, 'models', 'hushscribe-en-v1') }, log: { level: 'debug' } },
  });
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp);
  t.teardown(() => daemon.kill());
  daemon.start([], { TMPDIR: tmp });
  await daemon.ready(120_000);
  for (const [i, p] of paths.entries()) copyFileSync(p, join(watch, PII[i]!.file));
  const recs = await waitFor(
    () => {
      const rows = daemon.query<{ status: string; file_name: string }>('SELECT status, file_name FROM recordings');
      return rows.length === PII.length && rows.every((r) => r.status === 'done') && recordingsGone(watch) ? rows : undefined;
    },
    150_000,
    'all recordings transcribed and deleted',
  );
  t.equal(recs.length, PII.length);

  // Each value was stored as its placeholder (the text is there, redacted).
  const texts = daemon
    .query<{ text: string }>('SELECT text FROM segments')
    .map((s) => s.text)
    .join('\n');
  for (const placeholder of ['[PERSON]', '[CREDIT_CARD]', '[PHONE_NUMBER]', '[EMAIL_ADDRESS]']) t.match(texts, placeholder);

  // Once while running (WAL not yet checkpointed), once after a clean stop.
  const db = join(daemon.dataDir, 'hushscribe.db');
  const running = leaksOnDisk([dir], forms, db);
  t.ok(existsSync(`${db}-wal`), 'the WAL is there and searched');
  t.ok(running.files >= 3, `${running.files} files searched`);
  t.same(running.hits, [], 'no value in any file while running');
  t.same(leaksIn(daemon.output, forms), [], 'no value in stdout/stderr (debug level)');
  t.ok(daemon.output.length > 0, 'the daemon did log');

  t.equal(await daemon.kill('SIGTERM'), 0);
  const stopped = leaksOnDisk([dir], forms, db);
  t.same(stopped.hits, [], 'no value in any file after stop');
  t.same(leaksIn(daemon.output, forms), [], 'no value in the shutdown output');
});

// The live path (command source, transcribed in its own worker while it is heard) keeps the same promise.
t.test('live command source: no planted personal data in any file or in the output', async (t) => {
  const src = tempDir('privacy-live-src');
  const paths = synthesize(src);
  const forms = leakForms(paths);
  const list = join(src, 'list.txt');
  writeFileSync(list, paths.map((p) => `file '${p}'`).join('\n'));
  const all = join(src, 'all.wav');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'concat', '-safe', '0', '-i', list, '-af', 'apad=pad_dur=1', all]);
  // -re: ffmpeg plays the file at its real speed, as a capture device would.
  const argv = ['ffmpeg', '-v', 'error', '-re', '-i', all, '-f', 'wav', 'pipe:1'];
  const { dir, daemon } = daemonSetup('privacy-live', {
    config: { asr: { modelDir: join(ROOT, 'models', 'hushscribe-en-v1') }, sources: { watch: { dir: null }, command: { argv } }, log: { level: 'debug' } },
  });
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp);
  t.teardown(() => daemon.kill());
  daemon.start([], { TMPDIR: tmp });
  await daemon.ready(120_000);
  const texts = await waitFor(
    () => {
      const [r] = daemon.query<{ id: string }>("SELECT id FROM recordings WHERE source = 'command' AND status = 'done'");
      return r
        ? daemon
            .query<{ text: string }>('SELECT text FROM segments WHERE recording_id = ?', r.id)
            .map((s) => s.text)
            .join('\n')
        : undefined;
    },
    150_000,
    'the live session stored',
  );
  for (const placeholder of ['[PERSON]', '[CREDIT_CARD]', '[PHONE_NUMBER]', '[EMAIL_ADDRESS]']) t.match(texts, placeholder);
  const db = join(daemon.dataDir, 'hushscribe.db');
  t.same(leaksOnDisk([dir], forms, db).hits, [], 'no value in any file while running');
  t.equal(await daemon.kill('SIGTERM'), 0);
  t.same(leaksOnDisk([dir], forms, db).hits, [], 'no value in any file after stop');
  t.same(leaksIn(daemon.output, forms), [], 'no value in stdout/stderr (debug level)');
});

// Control: the same search finds every value when redaction is switched off, so a pass above means something.
t.test('control: with redaction off the same search finds each value', async (t) => {
  const src = tempDir('privacy-ctl-src');
  const paths = synthesize(src);
  const forms = leakForms(paths);
  const { dir, daemon, watch } = daemonSetup('privacy-control', {
    config: { asr: { modelDir: join(ROOT, 'models', 'hushscribe-en-v1') }, redaction: { types: [] } },
  });
  t.teardown(() => daemon.kill());
  daemon.start();
  await daemon.ready(120_000);
  for (const [i, p] of paths.entries()) copyFileSync(p, join(watch, PII[i]!.file));
  await waitFor(
    () => {
      const rows = daemon.query<{ status: string }>('SELECT status FROM recordings');
      return rows.length === PII.length && rows.every((r) => r.status === 'done') && recordingsGone(watch);
    },
    150_000,
    'all recordings transcribed and deleted',
  );
  const { hits } = leaksOnDisk([dir], forms, join(daemon.dataDir, 'hushscribe.db'));
  for (const [i, p] of PII.entries()) {
    const own = leaksIn(forms.recognised[i]!, forms);
    t.ok(own.length > 0, `${p.file}: the search matches what the model heard`);
    t.ok(
      hits.some((h) => own.some((o) => h.endsWith(`: ${o}`))),
      `${p.file}: found on disk when not redacted`,
    );
  }
  t.ok(
    hits.some((h) => h.startsWith('FTS term')),
    'found in the full-text index',
  );
  t.ok(
    hits.some((h) => /hushscribe\.db(-wal)?: /.test(h)),
    'found in the database files',
  );
});
