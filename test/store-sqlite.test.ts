import t from 'tap';
import Database from 'better-sqlite3';
import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_ATTEMPTS, Store, StoreError, ftsQuery, recordingIdForFile, recordingIdForStream, type RedactedSegment } from '../daemon/store/index.js';

const dir = mkdtempSync(join(tmpdir(), 'hs-store-'));
let n = 0;
const fresh = (now?: () => number) => new Store(join(dir, `db${n++}.sqlite`), now ? { now } : {});

const segment = (seq: number, text: string, extra: Partial<RedactedSegment> = {}): RedactedSegment => ({
  seq,
  start: seq * 2,
  end: seq * 2 + 1.5,
  redactedText: text,
  words: text.split(' ').map((w, i) => ({ word: w, start: seq * 2 + i * 0.3, end: seq * 2 + i * 0.3 + 0.25, confidence: 0.9 })),
  entities: [],
  model: 'tiny',
  variant: 'fp32',
  ...extra,
});

t.test('a new database is migrated, in WAL mode, with the current schema', async (t) => {
  const store = fresh();
  t.equal(store.schemaVersion, 2);
  t.equal(store.db.pragma('journal_mode', { simple: true }), 'wal');
  t.equal(store.db.pragma('auto_vacuum', { simple: true }), 2);
  t.same(store.integrityCheck(), ['ok']);
  store.close();
  const again = new Store(store.file);
  t.equal(again.schemaVersion, 2, 'reopening runs no migration twice');
  again.close();
  const future = new Database(store.file);
  future.pragma('user_version = 99');
  future.close();
  t.throws(() => new Store(store.file), { code: 'NEWER_SCHEMA' });
  t.throws(() => new Store(store.file, { readonly: true }), { code: 'NEWER_SCHEMA' });
});

t.test('a recording moves queued -> processing -> done, with outbox events in order', async (t) => {
  const store = fresh();
  const first = store.enqueue({ id: 'r1', source: 'watch', fileName: 'a.wav', path: '/in/a.wav', bytes: 10 });
  t.equal(first.created, true);
  t.equal(first.recording.status, 'queued');
  t.equal(store.enqueue({ id: 'r1', source: 'watch', fileName: 'a.wav' }).created, false, 'same id is not queued twice');
  const claimed = store.claimNext()!;
  t.equal(claimed.id, 'r1');
  t.equal(claimed.status, 'processing');
  t.equal(claimed.attempts, 1);
  t.equal(store.claimNext(), null, 'nothing else queued');
  store.setProgress('r1', 2, 4);
  t.equal(store.get('r1')!.progressSec, 2);
  t.equal(store.putSegment('r1', segment(0, 'hello there')), true);
  t.equal(
    store.putSegment(
      'r1',
      segment(1, 'my name is <PERSON>', {
        entities: [{ type: 'PERSON', redactedStart: 11, redactedEnd: 19, audioStart: 2.9, audioEnd: 3.4, score: 0.9, detector: 'gazetteer:person' }],
      }),
    ),
    true,
  );
  store.finish('r1', { durationSec: 4, segmentCount: 2 });
  const done = store.get('r1')!;
  t.equal(done.status, 'done');
  t.equal(done.segmentCount, 2);
  t.equal(done.path, '/in/a.wav');
  t.equal(done.durationSec, 4);
  t.ok(done.finishedAt);
  const segs = store.segments('r1');
  t.equal(segs[1]!.text, 'my name is <PERSON>');
  t.same(segs[1]!.entities, [{ type: 'PERSON', redactedStart: 11, redactedEnd: 19, audioStart: 2.9, audioEnd: 3.4, score: 0.9, detector: 'gazetteer:person' }]);
  t.equal(segs[0]!.words.length, 2);
  t.same(
    store.events().map((e) => e.kind),
    ['recording.queued', 'recording.started', 'segment', 'segment', 'recording.done'],
  );
  t.throws(() => store.putSegment('r1', segment(2, 'late')), { code: 'BAD_STATE' }, 'a done recording takes no more segments');
  t.throws(() => store.finish('nope', { durationSec: 1, segmentCount: 0 }), { code: 'NOT_FOUND' });
  t.same(store.countByStatus(), { queued: 0, processing: 0, done: 1, failed: 0 });
});

t.test('an interrupted recording is re-queued and its segments replaced, never duplicated', async (t) => {
  const store = fresh();
  store.enqueue({ id: 'r', source: 'watch', path: '/in/r.wav' });
  store.claimNext();
  store.putSegment('r', segment(0, 'one'));
  store.putSegment('r', segment(1, 'two'));
  store.putSegment('r', segment(2, 'three partial'));
  store.close();
  // "kill -9": a new process opens the same file
  const after = new Store(store.file);
  t.same(after.requeueInterrupted(), ['r']);
  t.equal(after.get('r')!.status, 'queued');
  after.claimNext();
  t.equal(after.get('r')!.attempts, 2);
  const eventsBefore = after.events().length;
  t.equal(after.putSegment('r', segment(0, 'one')), false, 'an identical segment is not rewritten');
  t.equal(after.putSegment('r', segment(1, 'two, corrected')), true);
  after.finish('r', { durationSec: 4, segmentCount: 2 });
  t.same(
    after.segments('r').map((s) => s.text),
    ['one', 'two, corrected'],
    'stale segment 2 is gone',
  );
  t.same(
    after
      .events(eventsBefore - 0)
      .map((e) => e.kind)
      .slice(-2),
    ['segment', 'recording.done'],
  );
  const n = (after.db.prepare("SELECT count(*) AS n FROM segments_fts WHERE segments_fts MATCH 'partial'").get() as { n: number }).n;
  t.equal(n, 0, 'the search index forgot the stale segment');
});

t.test('live sessions start processing and are closed, not re-queued, after a crash', async (t) => {
  const store = fresh();
  const live = store.startStream({ id: 's1', source: 'mic', fileName: 'hw:1' });
  t.equal(live.status, 'processing');
  store.putSegment('s1', segment(0, 'heard live'));
  store.setProgress('s1', 12.5, null);
  store.enqueue({ id: 'file', source: 'watch', path: '/in/f.wav' });
  store.claimNext();
  t.same(store.closeInterruptedStreams(), ['s1']);
  t.same(store.requeueInterrupted(), ['file'], 'files are re-queued, live sessions are not');
  const closed = store.get('s1')!;
  t.equal(closed.status, 'done');
  t.equal(closed.errorCode, 'INTERRUPTED');
  t.equal(closed.durationSec, 12.5);
  t.equal(closed.segmentCount, 1);
  t.match(store.events().at(-2)!, { kind: 'recording.done', payload: { recordingId: 's1', segments: 1, interrupted: true } });
});

t.test('a recording that never finishes is given up after MAX_ATTEMPTS starts', async (t) => {
  let clock = 1000;
  const store = fresh(() => clock++);
  store.enqueue({ id: 'poison', source: 'watch', path: '/in/p.wav' });
  store.enqueue({ id: 'next', source: 'watch', path: '/in/n.wav' });
  for (let i = 0; i < MAX_ATTEMPTS; i++) {
    t.equal(store.claimNext()!.id, 'poison');
    store.requeueInterrupted();
  }
  t.equal(store.claimNext()!.id, 'next', 'the poison recording is skipped');
  t.match(store.get('poison'), { status: 'failed', errorCode: 'TOO_MANY_ATTEMPTS', attempts: MAX_ATTEMPTS });
});

t.test('clean stops do not count as attempts; retry gives a failed recording fresh attempts', async (t) => {
  const store = fresh();
  store.enqueue({ id: 'long', source: 'watch', path: '/in/long.wav' });
  for (let i = 0; i < MAX_ATTEMPTS + 2; i++) {
    t.equal(store.claimNext()!.id, 'long');
    store.requeueInterrupted('long', true); // a clean restart during a long recording
  }
  t.match(store.get('long'), { status: 'queued', attempts: 0 }, 'never TOO_MANY_ATTEMPTS');
  store.claimNext();
  store.fail('long', 'MODEL_FAILED', 'transcription failed: the model could not run');
  t.match(store.retry('long'), { status: 'queued', attempts: 0, errorCode: null, errorMessage: null });
  store.claimNext();
  store.fail('long', 'MODEL_FAILED', 'again');
  t.match(store.retry('long', '/in/long-again.wav'), { path: '/in/long-again.wav' }, 'from where its audio is now');
  t.throws(() => store.retry('long'), { code: 'NOT_FOUND' }, 'only failed recordings');
  store.enqueue({ id: 'gone', source: 'watch', path: '/in/gone.wav' });
  t.throws(() => store.retry('nope'), { code: 'NOT_FOUND' });
});

t.test('failures are recorded with a code and message', async (t) => {
  const store = fresh();
  store.enqueue({ id: 'bad', source: 'watch', fileName: 'x.wav' });
  store.claimNext();
  store.fail('bad', 'NOT_AUDIO', 'x.wav: not an audio file');
  const rec = store.get('bad')!;
  t.equal(rec.status, 'failed');
  t.equal(rec.errorCode, 'NOT_AUDIO');
  t.equal(rec.errorMessage, 'x.wav: not an audio file');
  t.equal(store.events().at(-1)!.kind, 'recording.failed');
});

t.test('full-text search over redacted text, safe against FTS syntax', async (t) => {
  const store = fresh();
  store.enqueue({ id: 'a', source: 'watch' });
  store.claimNext();
  store.putSegment('a', segment(0, 'the quick brown fox'));
  store.putSegment('a', segment(1, 'call <PHONE_NUMBER> tomorrow'));
  store.finish('a', { durationSec: 3, segmentCount: 2 });
  t.same(
    store.search('quick fox').map((h) => h.seq),
    [0],
  );
  t.match(store.search('brown')[0]!.snippet, '[brown]');
  t.same(
    store.search('tomorrow').map((h) => h.seq),
    [1],
  );
  t.same(store.search('AND OR "NEAR('), [], 'operators are searched as words');
  t.throws(() => store.search('   '), { code: 'BAD_QUERY' });
  t.equal(ftsQuery('a "b'), '"a" """b"');
  t.type(new StoreError('BAD_QUERY', 'x'), Error);
});

t.test('list, readonly access and outbox acknowledgement', async (t) => {
  let clock = 1_000_000;
  const store = fresh(() => clock);
  for (const id of ['x', 'y', 'z']) {
    clock += 1000;
    store.enqueue({ id, source: 'ingest', fileName: `${id}.wav` });
  }
  t.same(
    store.list().map((r) => r.id),
    ['z', 'y', 'x'],
  );
  t.same(
    store.list({ limit: 1, offset: 1 }).map((r) => r.id),
    ['y'],
  );
  t.same(store.list({ status: 'done' }), []);
  const reader = new Store(store.file, { readonly: true });
  t.equal(reader.list().length, 3);
  t.throws(() => reader.enqueue({ id: 'w', source: 'x' }), /readonly/);
  reader.close();
  const events = store.events(0, 2);
  t.equal(events.length, 2);
  t.equal(store.ackEvents(events[1]!.id), 2);
  t.same(
    store.events().map((e) => (e.payload as { recordingId: string }).recordingId),
    ['z'],
  );
});

const finisher = (store: Store) => (id: string, words: number) => {
  store.enqueue({ id, source: 'watch' });
  store.claimNext();
  store.putSegment(id, segment(0, Array.from({ length: words }, (_, i) => `word${i}`).join(' ')));
  store.finish(id, { durationSec: 1, segmentCount: 1 });
};

t.test('retention by age and by size keeps unfinished work', async (t) => {
  let clock = Date.UTC(2026, 0, 1);
  const store = fresh(() => clock);
  const finishOne = finisher(store);
  finishOne('old', 10);
  clock += 10 * 86_400_000;
  finishOne('mid', 10);
  clock += 86_400_000;
  t.same(store.applyRetention({ maxAgeDays: 5, maxBytes: 0 }), { deleted: ['old'], unmet: null });
  t.same(store.applyRetention({ maxAgeDays: 0, maxBytes: 0 }), { deleted: [], unmet: null });
  for (let i = 0; i < 30; i++) {
    clock += 1000;
    finishOne(`big${i}`, 2000);
  }
  store.enqueue({ id: 'waiting', source: 'watch' });
  const before = store.retainedBytes();
  const limit = Math.floor(before / 2);
  const { deleted, unmet } = store.applyRetention({ maxAgeDays: 0, maxBytes: limit });
  t.equal(unmet, null);
  t.ok(deleted.length > 0);
  t.equal(deleted[0], 'mid', 'oldest first');
  t.ok(store.retainedBytes() <= limit, `${store.retainedBytes()} <= ${limit}`);
  t.ok(store.get('waiting'), 'queued recordings are never deleted');
  t.ok(store.get('big29'), 'newest kept');
  t.equal(store.segments('mid').length, 0, 'segments go with their recording');
  t.equal((store.db.prepare('SELECT count(*) AS n FROM entities').get() as { n: number }).n, 0);
  t.equal(store.events(0, 100_000).filter((e) => e.kind === 'recording.deleted').length, deleted.length + 1);
});

t.test('size retention: only as many of the oldest as needed, never the outbox, never the newest', async (t) => {
  let clock = Date.UTC(2026, 0, 1);
  const store = fresh(() => clock);
  const finishOne = finisher(store);
  for (let i = 0; i < 50; i++) {
    clock += 1000;
    finishOne(`r${String(i).padStart(2, '0')}`, 200);
  }
  // A broker away for days: undelivered events pile up (issue 19: they made retention delete every transcript).
  const add = store.db.prepare('INSERT INTO events (kind, payload, created_at) VALUES (?, ?, ?)');
  store.db.transaction(() => {
    for (let i = 0; i < 20_000; i++) add.run('power_mode.changed', JSON.stringify({ previous: 'auto', powerMode: 'auto', reason: `cpu ${i}` }), clock);
  })();
  const transcripts = store.retainedBytes();
  t.ok(store.usedBytes() > 2 * transcripts, 'the outbox is most of the file');
  const events = store.events(0, 1_000_000).length;

  t.same(store.applyRetention({ maxAgeDays: 0, maxBytes: transcripts }), { deleted: [], unmet: null }, 'within the limit: the outbox does not count');
  const one = store.applyRetention({ maxAgeDays: 0, maxBytes: transcripts - 1 });
  t.same(one, { deleted: ['r00'], unmet: null }, 'one byte over: the oldest one only');
  t.equal(store.events(0, 1_000_000).filter((e) => e.kind !== 'recording.deleted').length, events, 'no event was deleted');

  // A limit no deletion can meet is reported, and nothing more is deleted chasing it.
  const newest = store.list({ limit: 1 })[0]!.id;
  const result = store.applyRetention({ maxAgeDays: 0, maxBytes: 1000 });
  t.same(result.deleted, [], 'nothing deleted for an unmeetable limit');
  t.match(result.unmet, { maxBytes: 1000, retainedBytes: store.retainedBytes(), floorBytes: Number });
  t.ok(result.unmet!.floorBytes > 1000 && result.unmet!.floorBytes < store.retainedBytes());
  t.equal(store.list().length, 49);
  t.ok(store.get(newest));

  // A limit met only by deleting all but the newest: the newest stays.
  const floor = result.unmet!.floorBytes;
  const all = store.applyRetention({ maxAgeDays: 0, maxBytes: floor });
  t.equal(all.unmet, null);
  t.equal(all.deleted.length, 48);
  t.same(
    store.list().map((r) => r.id),
    [newest],
    'only the newest is left',
  );
  t.same(store.integrityCheck(), ['ok'], 'the measuring transaction was rolled back cleanly');
});

t.test('with the outbox off (no MQTT) no event rows are written', async (t) => {
  const store = new Store(join(dir, `db${n++}.sqlite`), { outbox: false });
  t.teardown(() => store.close());
  finisher(store)('a', 5);
  store.addEvent('error', { message: 'x' });
  t.equal(store.events().length, 0);
  t.equal(store.get('a')!.status, 'done');
});

t.test('recording ids are stable', async (t) => {
  const a = join(dir, 'a.bin');
  writeFileSync(a, 'same bytes');
  const b = join(dir, 'b.bin');
  writeFileSync(b, 'same bytes');
  t.equal(await recordingIdForFile(a), await recordingIdForFile(b));
  t.match(await recordingIdForFile(a), /^f[0-9a-f]{24}$/);
  t.equal(recordingIdForStream('mic', 5), recordingIdForStream('mic', 5));
  t.not(recordingIdForStream('mic', 5), recordingIdForStream('mic', 6));
});

t.test('database files are 0640 whatever the umask, and wider ones left by an earlier version are tightened', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'hs-store-mode-'));
  const previous = process.umask(0o022);
  try {
    const file = join(dir, 'fresh.db');
    const store = new Store(file);
    store.enqueue({ id: 'fmode', source: 'watch', fileName: 'a.wav', path: '/x/a.wav', bytes: 1 });
    for (const path of [file, `${file}-wal`, `${file}-shm`]) t.equal(statSync(path).mode & 0o777, 0o640, path);
    store.close();
    const old = join(dir, 'old.db');
    writeFileSync(old, '');
    chmodSync(old, 0o644);
    new Store(old).close();
    t.equal(statSync(old).mode & 0o777, 0o640, 'tightened');
  } finally {
    process.umask(previous);
  }
});
