/**
 * A queued watch-folder file must be the file that is read and disposed of (issue 15): between queueing and
 * transcription its name can be given to another file with the same size and mtime, or to a symbolic link. The
 * daemon opens the file without following links and compares the descriptor's device and inode with those of
 * the file it hashed, so neither is transcribed under the queued file's id. Made deterministic with
 * `hushscribe pause`: the file is queued, swapped, then the daemon resumes.
 */
import t from 'tap';
import { existsSync, renameSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordingIdForFile } from '../daemon/store/ids.js';
import { cli, daemonSetup, ensureBuilt, toneSamples, waitFor, wavBytes } from './fixtures/daemon/harness.js';

ensureBuilt();

/** Same length, so the same size: only the content (and the inode) tells them apart. */
const QUEUED = 'hello world';
const SWAPPED = 'order bread';
const MTIME = 1_700_000_000;

/** Writes `text` as a tone recording with a fixed mtime, outside the watch folder. */
function recording(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, wavBytes(toneSamples(text)));
  utimesSync(path, MTIME, MTIME);
  return path;
}

async function startPaused(t: Tap.Test, name: string) {
  const setup = daemonSetup(name, { config: { vad: { enabled: false } } });
  const { daemon } = setup;
  const common = ['--data-dir', daemon.dataDir, '--config', daemon.configFile];
  daemon.start();
  t.teardown(() => daemon.kill());
  await daemon.ready();
  t.equal(cli(['pause', ...common]).code, 0);
  return { ...setup, resume: () => t.equal(cli(['resume', ...common]).code, 0) };
}

function transcribedText(daemon: { query<T>(sql: string, ...params: unknown[]): T[] }, id: string): string {
  return daemon
    .query<{ text: string }>('SELECT text FROM segments WHERE recording_id = ? ORDER BY seq', id)
    .map((s) => s.text)
    .join(' ');
}

t.test('a queued file swapped for another of the same size and mtime is not transcribed under the first one’s id', async (t) => {
  const { dir, daemon, watch, resume } = await startPaused(t, 'watch-swap');
  const file = join(watch, 'call.wav');
  const queuedId = await recordingIdForFile(recording(dir, 'queued.wav', QUEUED));
  renameSync(join(dir, 'queued.wav'), file);
  await waitFor(() => daemon.query<{ id: string }>('SELECT id FROM recordings').some((r) => r.id === queuedId), 60_000, 'the first file queued');

  const swapped = recording(dir, 'swapped.wav', SWAPPED);
  const swappedId = await recordingIdForFile(swapped);
  renameSync(swapped, file); // a new inode under the same name, same size and mtime
  resume();

  const done = await waitFor(
    () => {
      const rows = daemon.query<{ id: string; status: string }>('SELECT id, status FROM recordings');
      return rows.length === 1 && rows[0]!.status === 'done' && !existsSync(file) ? rows[0] : undefined;
    },
    120_000,
    'one recording done and the file disposed of',
  );
  t.equal(done.id, swappedId, 'the recording is the swapped-in file, under its own content hash');
  t.match(transcribedText(daemon, done.id), new RegExp(SWAPPED), 'and holds its words');
  t.notOk(
    daemon.logs().some((l) => l.msg === 'transcribing' && l.recordingId === queuedId),
    'the first id was never handed to the worker',
  );
  t.ok(daemon.logs().some((l) => l.msg === 'the file was changed after it was queued; taking it again once it settles' && l.recordingId === queuedId));
});

t.test('a queued file swapped for a symbolic link is not read through it, and the link is left alone', async (t) => {
  const { dir, daemon, watch, resume } = await startPaused(t, 'watch-link');
  const file = join(watch, 'call.wav');
  const queuedId = await recordingIdForFile(recording(dir, 'queued.wav', QUEUED));
  renameSync(join(dir, 'queued.wav'), file);
  await waitFor(() => daemon.query<{ id: string }>('SELECT id FROM recordings').some((r) => r.id === queuedId), 60_000, 'the file queued');

  // Same size and mtime through the link: only lstat/O_NOFOLLOW tell the difference.
  const secret = recording(dir, 'secret.wav', SWAPPED);
  renameSync(file, join(dir, 'moved-away.wav'));
  symlinkSync(secret, file);
  resume();

  await waitFor(
    () => daemon.logs().some((l) => l.msg === 'the file was replaced by a symbolic link after it was queued; taking it again once it settles'),
    60_000,
    'the link refused',
  );
  // A later file is transcribed: the queue moved past the refused one.
  const laterId = await recordingIdForFile(recording(dir, 'later.wav', 'hello'));
  const later = join(watch, 'later.wav');
  renameSync(join(dir, 'later.wav'), later);
  await waitFor(
    () => daemon.query<{ status: string }>('SELECT status FROM recordings').some((r) => r.status === 'done') && !existsSync(later),
    120_000,
    'the later file done',
  );

  const rows = daemon.query<{ id: string }>('SELECT id FROM recordings');
  t.same(
    rows.map((r) => r.id),
    [laterId],
    'only the later file is recorded: the queued id is gone, and the link target was never queued',
  );
  for (const row of rows) t.notMatch(transcribedText(daemon, row.id), new RegExp(SWAPPED), 'the link target was never transcribed');
  t.notOk(
    daemon.logs().some((l) => l.msg === 'transcribing' && l.recordingId === queuedId),
    'the link was never handed to the worker',
  );
  t.ok(existsSync(file) && existsSync(secret), 'the link and its target are left where they were');
});
