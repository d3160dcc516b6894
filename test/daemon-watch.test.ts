import t from 'tap';
import { appendFileSync, copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AWAY_BROKER, daemonSetup, ensureBuilt, listTranscripts, speechFile, waitFor } from './fixtures/daemon/harness.js';

ensureBuilt();

const { dir, daemon, watch } = daemonSetup('watch', { config: { ...AWAY_BROKER, sources: { watch: { pollMs: 100, settleMs: 1500, keepOriginals: true } } } });
const list = () => listTranscripts(daemon);
const pending = () =>
  readdirSync(watch, { withFileTypes: true })
    .filter((e) => e.isFile() && !/^\.|\.part$/.test(e.name))
    .map((e) => e.name);

t.before(async () => {
  daemon.start();
  await daemon.ready();
});
t.teardown(() => daemon.kill());

t.test('recordings in any format are transcribed exactly once and moved to the done folder', async (t) => {
  const src = speechFile(join(dir, 'hello.wav'), 'Good morning. This recording is a test of the watch folder.');
  speechFile(join(dir, 'other.mp3'), 'A second recording, in a different format.', 'mp3');
  speechFile(join(dir, 'third.ogg'), 'And a third one, as Ogg Vorbis.', 'ogg');
  copyFileSync(src, join(watch, 'hello.wav'));
  copyFileSync(join(dir, 'other.mp3'), join(watch, 'other.mp3'));
  copyFileSync(join(dir, 'third.ogg'), join(watch, 'third.ogg'));
  copyFileSync(src, join(watch, 'hello-again.wav')); // same audio under another name
  writeFileSync(join(watch, '.hidden.wav'), readFileSync(src)); // hidden and partial files are left alone
  writeFileSync(join(watch, 'upload.wav.part'), readFileSync(src));

  await waitFor(() => list().filter((r) => r.status === 'done').length === 3 && pending().length === 0, 120_000, 'three recordings done');
  const rows = list();
  t.equal(rows.length, 3, 'the duplicate is not a new recording');
  // Either copy of the duplicated audio may be seen first; the recording keeps that name.
  t.same(rows.map((r) => r.fileName.replace('hello-again', 'hello')).sort(), ['hello.wav', 'other.mp3', 'third.ogg']);
  for (const r of rows) {
    t.equal(r.status, 'done', r.fileName);
    t.ok(r.segments >= 1, `${r.fileName} has segments`);
    t.ok(r.durationSec! > 1, `${r.fileName} has its duration`);
    t.match(r.id, /^f[0-9a-f]{24}$/);
  }
  t.same(readdirSync(join(watch, 'done')).sort(), ['hello-again.wav', 'hello.wav', 'other.mp3', 'third.ogg']);
  t.ok(existsSync(join(watch, '.hidden.wav')) && existsSync(join(watch, 'upload.wav.part')), 'hidden and partial files untouched');

  const events = daemon.query<{ kind: string; n: number }>('SELECT kind, count(*) AS n FROM events GROUP BY kind ORDER BY kind');
  const byKind = Object.fromEntries(events.map((e) => [e.kind, e.n]));
  t.equal(byKind['recording.queued'], 3);
  t.equal(byKind['recording.done'], 3);
  const segments = daemon.query<{ n: number }>('SELECT count(*) AS n FROM segments')[0]!.n;
  t.equal(byKind.segment, segments, 'one outbox event per stored segment');

  // Dropping the same audio again later is recognised as done and just moved on.
  copyFileSync(src, join(watch, 'hello-third-time.wav'));
  await waitFor(() => existsSync(join(watch, 'done', 'hello-third-time.wav')), 60_000, 'duplicate moved');
  t.equal(list().length, 3);
});

t.test('a file still being written is not picked up before it settles', async (t) => {
  const src = speechFile(join(dir, 'slow-src.wav'), 'This file arrives in two parts, written a moment apart, and must be read whole.');
  const bytes = readFileSync(src);
  const target = join(watch, 'slow.wav');
  const half = Math.floor(bytes.length / 2);
  writeFileSync(target, bytes.subarray(0, half));
  await new Promise((r) => setTimeout(r, 400)); // the writer pauses, well inside settleMs (1500 ms)
  appendFileSync(target, bytes.subarray(half));
  const row = await waitFor(
    () => list().find((r) => r.fileName === 'slow.wav' && r.status !== 'queued' && r.status !== 'processing'),
    120_000,
    'slow.wav finished',
  );
  t.equal(row.status, 'done');
  const fullSec = (bytes.length - 44) / 2 / 22050; // espeak-ng writes 22.05 kHz 16-bit mono
  t.ok(Math.abs(row.durationSec! - fullSec) < 0.1, `whole file read (${row.durationSec} s of ${fullSec.toFixed(2)} s)`);
});

t.test('the daemon logs JSON lines', async (t) => {
  const logs = daemon.logs();
  t.ok(logs.length > 5);
  t.ok(logs.every((l) => typeof l.level === 'string' && typeof l.time === 'string' && typeof l.msg === 'string'));
  t.ok(logs.some((l) => l.msg === 'recording transcribed'));
  const queued = logs.filter((l) => l.msg === 'recording queued');
  t.ok(
    queued.length >= 3 && queued.every((l) => l.fileName === '[withheld]' && typeof l.recordingId === 'string'),
    'file names are withheld by default (log.fileNames)',
  );
  t.notMatch(JSON.stringify(logs), /other\.mp3|third\.ogg/);
});
