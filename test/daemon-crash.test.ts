import t from 'tap';
import { copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AWAY_BROKER, daemonSetup, ensureBuilt, speechFile, tempDir, waitFor, type DaemonProcess } from './fixtures/daemon/harness.js';

ensureBuilt();

const SENTENCES = [
  'The first recording talks about the weather, which was cold and grey all morning, and then cleared up in the afternoon.',
  'Second: a short one.',
  'The third recording is a shopping list. Apples, bread, cheese, coffee, and a bag of oranges for the weekend.',
  'Number four describes a train journey along the coast, with long pauses between the stations, and a late arrival.',
  'Five. Please remember to water the plants on the balcony, and to close the windows before you leave the house.',
  'The sixth and last recording is the longest. It goes on for a while about nothing in particular, so that the daemon is still busy with it when it is killed, and has to start it again after the restart.',
];

const src = tempDir('crash-src');
const files = SENTENCES.map((text, i) => speechFile(join(src, `rec${i + 1}.wav`), text));

interface Seg {
  recording_id: string;
  seq: number;
  text: string;
}
const done = (d: DaemonProcess) => d.query<{ n: number }>("SELECT count(*) AS n FROM recordings WHERE status = 'done'")[0]!.n;
const segmentsById = (d: DaemonProcess) => {
  const out = new Map<string, string[]>();
  for (const s of d.query<Seg>('SELECT recording_id, seq, text FROM segments ORDER BY recording_id, seq')) {
    out.set(s.recording_id, [...(out.get(s.recording_id) ?? []), s.text]);
  }
  return out;
};

t.test('kill -9 at any moment: every recording completes once, nothing lost or stored twice', async (t) => {
  // Reference: the same recordings transcribed without interruption.
  const ref = daemonSetup('crash-ref');
  ref.daemon.start();
  t.teardown(() => ref.daemon.kill());
  await ref.daemon.ready();
  for (const f of files) copyFileSync(f, join(ref.watch, f.split('/').pop()!));
  await waitFor(() => done(ref.daemon) === files.length, 180_000, 'reference run');
  const expected = segmentsById(ref.daemon);
  await ref.daemon.kill('SIGTERM');
  t.equal(expected.size, files.length);

  const { daemon, watch } = daemonSetup('crash', { config: { ...AWAY_BROKER, sources: { watch: { keepOriginals: true } } } });
  t.teardown(() => daemon.kill());
  daemon.start();
  await daemon.ready();
  for (const f of files) copyFileSync(f, join(watch, f.split('/').pop()!));

  let kills = 0;
  let killedWhileProcessing = 0;
  while (kills < 8 && done(daemon) < files.length) {
    // Wait for work in progress (or the end), then kill at a random moment within it.
    await waitFor(
      () => daemon.query<{ n: number }>("SELECT count(*) AS n FROM recordings WHERE status = 'processing'")[0]!.n > 0 || done(daemon) === files.length,
      120_000,
      'processing',
    );
    await new Promise((r) => setTimeout(r, Math.random() * 400));
    const processing = daemon.query<{ n: number }>("SELECT count(*) AS n FROM recordings WHERE status = 'processing'")[0]!.n;
    await daemon.kill('SIGKILL');
    kills++;
    if (processing > 0) killedWhileProcessing++;
    daemon.start();
    // Sometimes kill again during startup, before it is ready.
    if (kills % 3 === 0) {
      await new Promise((r) => setTimeout(r, Math.random() * 300));
      await daemon.kill('SIGKILL');
      daemon.start();
    }
    await daemon.ready();
  }
  t.ok(kills > 0, `${kills} kills, ${killedWhileProcessing} while a recording was processing`);
  await waitFor(
    () => done(daemon) === files.length && readdirSync(watch).filter((n) => n !== 'done').length === 0,
    180_000,
    'all recordings done after the crashes',
  );

  const recordings = daemon.query<{ id: string; status: string; attempts: number }>('SELECT id, status, attempts FROM recordings');
  t.equal(recordings.length, files.length, 'one recording per file');
  t.ok(recordings.every((r) => r.status === 'done'));
  t.same(readdirSync(join(watch, 'done')).sort(), files.map((f) => f.split('/').pop()).sort(), 'each file moved to done exactly once');
  t.same(segmentsById(daemon), expected, 'the same segments as an uninterrupted run: none lost, none duplicated, stale ones replaced');
  const events = daemon.query<{ kind: string; payload: string }>('SELECT kind, payload FROM events');
  const doneEvents = events.filter((e) => e.kind === 'recording.done').map((e) => (JSON.parse(e.payload) as { recordingId: string }).recordingId);
  t.same(doneEvents.sort(), recordings.map((r) => r.id).sort(), 'one done event per recording');
  const segmentEvents = events.filter((e) => e.kind === 'segment').map((e) => JSON.parse(e.payload) as { recordingId: string; seq: number; text: string });
  const stored = daemon.query<Seg>('SELECT recording_id, seq, text FROM segments');
  for (const s of stored) {
    const matching = segmentEvents.filter((e) => e.recordingId === s.recording_id && e.seq === s.seq);
    t.ok(matching.length >= 1 && matching.at(-1)!.text === s.text, `outbox describes ${s.recording_id}#${s.seq}`);
  }
  t.equal(segmentEvents.length, stored.length, 'a re-transcribed identical segment is not announced twice');
  const db = daemon.db();
  t.same(db.pragma('integrity_check'), [{ integrity_check: 'ok' }]);
  db.close();
});
