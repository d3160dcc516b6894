// Delivery through outages: these tests stop and restart brokers, so each starts its own mosquitto (with
// persistence, so the subscriber's session and its queued QoS 1 messages survive a broker restart).
import t from 'tap';
import Database from 'better-sqlite3';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { daemonSetup, ensureBuilt, toneSamples, waitFor, wavBytes } from './fixtures/daemon/harness.js';
import { freePort, Mosquitto, Recorder } from './fixtures/mqtt/broker.js';

ensureBuilt();

const WORDS = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];

function setup(name: string, mqtt: Record<string, unknown>) {
  // VAD off: the tiny test model spells tone sequences; each file is one short segment.
  const s = daemonSetup(name, {
    config: { vad: { enabled: false }, mqtt: { deviceId: 'dev1', reconnect: { minMs: 200, maxMs: 1000 }, homeAssistant: { enabled: false }, ...mqtt } },
  });
  const drop = (words: string[]) => {
    for (const word of words) {
      writeFileSync(join(s.dir, `${word}.wav`), wavBytes(toneSamples(word)));
      copyFileSync(join(s.dir, `${word}.wav`), join(s.watch, `${word}.wav`));
    }
  };
  const done = (n: number) => waitFor(() => s.daemon.query('SELECT id FROM recordings WHERE status = ?', 'done').length >= n, 180_000, `${n} recordings done`);
  const pending = (kind: string) => s.daemon.query<{ n: number }>('SELECT count(*) AS n FROM events WHERE kind = ?', kind)[0]!.n;
  return { ...s, drop, done, pending };
}

/** Transcripts received, first copy of each event id, in arrival order. */
function transcripts(sub: Recorder, root: string): Record<string, unknown>[] {
  const seen = new Set<number>();
  const out: Record<string, unknown>[] = [];
  for (const m of sub.on(`${root}/transcript`)) {
    const id = m.json!.eventId as number;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(m.json!);
  }
  return out;
}

t.test('every segment arrives, in order, across a broker restart and two kill -9s of the daemon', async (t) => {
  const broker = await Mosquitto.create(true);
  t.teardown(() => broker.stop());
  const base = 'hs-delivery';
  const root = `${base}/dev1`;
  const { daemon, drop, done, pending } = setup('mqtt-delivery', { url: broker.url, baseTopic: base });
  const sub = await Recorder.connect(broker.url, [`${root}/#`], { clean: false, clientId: 'hs-delivery-subscriber' });
  t.teardown(() => sub.end());
  const received = async (n: number) => {
    try {
      await waitFor(() => transcripts(sub, root).length >= n, 180_000, `${n} transcripts`);
    } catch (err) {
      t.comment(
        daemon.output
          .split('\n')
          .filter((l) => /mqtt|MQTT/.test(l))
          .slice(-30)
          .join('\n'),
      );
      t.comment(broker.log.slice(-3000));
      t.comment(JSON.stringify(transcripts(sub, root).map((m) => m.eventId)));
      throw err;
    }
  };

  daemon.start();
  t.teardown(() => daemon.kill());
  await daemon.ready();
  await waitFor(() => sub.on(`${root}/availability`).at(-1)?.json?.state === 'online', 60_000, 'online');

  // Broker stopped mid-stream: segments wait in the outbox and follow when it is back.
  drop(WORDS.slice(0, 3));
  await received(1);
  await broker.stop();
  drop(WORDS.slice(3, 6));
  await done(6);
  await waitFor(() => pending('segment') > 0, 30_000, 'segments waiting in the outbox');
  await broker.start();
  await received(6);
  t.ok(
    daemon.logs().some((l) => l.msg === 'MQTT connection problem; retrying'),
    'the outage is logged',
  );

  // kill -9 mid-stream: the broker publishes the last will; what was not yet delivered follows the restart.
  drop(WORDS.slice(6, 9));
  await received(7);
  await daemon.kill('SIGKILL');
  await waitFor(() => sub.on(`${root}/availability`).at(-1)?.json?.state === 'offline', 60_000, 'the last will (offline)');

  // kill -9 while the broker is down and segments are waiting: they are in SQLite and survive.
  await broker.stop();
  daemon.start();
  await daemon.ready();
  drop(WORDS.slice(9, 12));
  await done(12);
  await waitFor(() => pending('segment') > 0, 30_000, 'segments waiting in the outbox');
  await daemon.kill('SIGKILL');
  await broker.start();
  daemon.start();
  await daemon.ready();
  await received(12);
  await waitFor(() => sub.on(`${root}/availability`).at(-1)?.json?.state === 'online', 60_000, 'online again');

  const got = transcripts(sub, root);
  const stored = daemon.query<{ recording_id: string; seq: number }>('SELECT recording_id, seq FROM segments');
  t.equal(stored.length, 12, 'twelve segments stored');
  t.same(new Set(got.map((m) => m.segmentId)), new Set(stored.map((s) => `${s.recording_id}:${s.seq}`)), 'every stored segment was received');
  t.same(new Set(got.map((m) => m.text)), new Set(WORDS), 'with its (redacted) text');
  const ids = got.map((m) => m.eventId as number);
  t.same(
    ids,
    [...ids].sort((a, b) => a - b),
    'in outbox order',
  );
  await waitFor(() => daemon.query<{ n: number }>('SELECT count(*) AS n FROM events')[0]!.n === 0, 60_000, 'the outbox empties once delivered');
});

t.test('a full outbox drops the oldest events and says so', async (t) => {
  const port = await freePort();
  const broker = new Mosquitto(port, true);
  const base = 'hs-overflow';
  const root = `${base}/dev1`;
  // Register a persistent subscription first, so everything published later is queued for the subscriber.
  await broker.start();
  const first = await Recorder.connect(broker.url, [`${root}/#`], { clean: false, clientId: 'hs-overflow-subscriber' });
  await first.end();
  await broker.stop();

  const { daemon, drop, done } = setup('mqtt-overflow', { url: broker.url, baseTopic: base, outbox: { maxEvents: 10 } });
  daemon.start();
  t.teardown(() => daemon.kill());
  await daemon.ready();
  drop(WORDS.slice(0, 6)); // 4 events each: queued, started, segment, finished
  await done(6);
  await waitFor(() => daemon.logs().some((l) => l.msg === 'MQTT outbox full; dropped the oldest events'), 30_000, 'the overflow logged');
  await waitFor(() => daemon.query<{ n: number }>('SELECT count(*) AS n FROM events')[0]!.n <= 10, 30_000, 'the outbox trimmed to maxEvents');

  await broker.start();
  t.teardown(() => broker.stop());
  // The subscriber comes back only once the daemon delivered everything, so all of it reaches the subscriber through
  // its persistent session (whichever reconnected first used to decide that, and lost outbox_dropped under load).
  await waitFor(() => daemon.query<{ n: number }>('SELECT count(*) AS n FROM events')[0]!.n === 0, 60_000, 'the outbox delivered to the broker');
  const sub = await Recorder.connect(broker.url, [`${root}/#`], { clean: false, clientId: 'hs-overflow-subscriber' });
  t.teardown(() => sub.end());
  const state = await waitFor(() => sub.on(`${root}/state`).at(-1)?.json, 60_000, 'state');
  const droppedCount = (state.outbox as { dropped: number }).dropped;
  t.ok(droppedCount > 0, 'the state snapshot counts the drops');
  // Each trim announced itself; the last announcement's running total matches the state.
  await waitFor(
    () => sub.on(`${root}/event/outbox_dropped`).some((m) => (m.json!.data as { droppedSinceStart: number }).droppedSinceStart === droppedCount),
    60_000,
    'outbox_dropped events',
  );
  const dropped = sub.on(`${root}/event/outbox_dropped`).map((m) => m.json!);
  t.match(dropped[0], { eventId: Number, kind: 'outbox_dropped', data: { dropped: Number, firstEventId: Number, lastEventId: Number, maxEvents: 10 } });
  t.equal(
    dropped.reduce((n, e) => n + (e.data as { dropped: number }).dropped, 0),
    droppedCount,
    'every dropped event is accounted for',
  );
  // Newest transcripts survive the overflow.
  await waitFor(() => sub.on(`${root}/transcript`).length > 0, 60_000, 'the newest transcripts');
});

t.test('no broker configured: no MQTT and no error; an unreadable password file fails only the MQTT feature', async (t) => {
  const plain = setup('mqtt-none', { outbox: { maxEvents: 10 } });
  plain.daemon.start();
  t.teardown(() => plain.daemon.kill());
  await plain.daemon.ready();
  t.notOk(
    plain.daemon.logs().some((l) => String(l.msg).includes('MQTT')),
    'nothing about MQTT',
  );
  t.notOk(
    plain.daemon.logs().some((l) => l.level === 'error'),
    'no errors',
  );
  // Nothing would ever drain the outbox, so nothing is written to it (issue 19: 100,000 rows piled up).
  plain.drop(WORDS.slice(0, 4));
  await plain.done(4);
  t.equal(plain.daemon.query<{ n: number }>('SELECT count(*) AS n FROM events')[0]!.n, 0, 'no outbox rows');
  // Events left from when a broker was configured are deleted at the next start.
  await plain.daemon.kill('SIGTERM');
  const db = new Database(join(plain.daemon.dataDir, 'hushscribe.db'));
  db.prepare(`INSERT INTO events (kind, payload, created_at) VALUES ('error', '{}', 0)`).run();
  db.close();
  plain.daemon.start();
  await plain.daemon.ready();
  t.equal(plain.daemon.query<{ n: number }>('SELECT count(*) AS n FROM events')[0]!.n, 0, 'leftover events deleted');
  t.match(
    plain.daemon.logs().find((l) => l.msg === 'MQTT is not configured; undelivered events deleted'),
    { count: 1 },
  );

  const bad = setup('mqtt-bad', { url: 'mqtt://127.0.0.1:1', passwordFile: '/nonexistent/password' });
  bad.daemon.start();
  t.teardown(() => bad.daemon.kill());
  await bad.daemon.ready();
  const failed = bad.daemon.logs().find((l) => l.msg === 'feature failed to start; the daemon carries on without it');
  t.match(failed, { feature: 'mqtt' });
  t.match(JSON.stringify(failed), /cannot read the MQTT password file \/nonexistent\/password/);
  bad.drop(['ok']);
  await bad.done(1);
  t.equal(bad.daemon.exitCode, null, 'the daemon works on without MQTT');
});

t.test('a feature that fails is announced as an error event', async (t) => {
  const broker = await Mosquitto.create();
  t.teardown(() => broker.stop());
  const base = 'hs-errors';
  const sub = await Recorder.connect(broker.url, [`${base}/#`]);
  t.teardown(() => sub.end());
  const { daemon } = setup('mqtt-errors', { url: broker.url, baseTopic: base });
  writeFileSync(join(daemon.configFile), JSON.stringify({ ...JSON.parse(readFileSync(daemon.configFile, 'utf8')), asr: { modelDir: '/nonexistent/model' } }));
  daemon.start();
  t.teardown(() => daemon.kill());
  await daemon.ready();
  await waitFor(() => sub.on(`${base}/dev1/event/error`).length > 0, 60_000, 'error event');
  const error = sub.on(`${base}/dev1/event/error`)[0]!.json!;
  t.match(error, { eventId: Number, kind: 'error', data: { message: /^pipeline failed: / } });
  const state = await waitFor(() => sub.on(`${base}/dev1/state`).at(-1)?.json, 60_000, 'state');
  t.equal(state.status, 'down');
  t.equal(state.model, null);
});
