/**
 * The database as the queue under faults (issue 19, issue 15): another process holding the write lock, a disk
 * that fills up, a size limit that retention cannot meet. Each runs the real daemon in-process on the tiny model,
 * with a real SQLite file; the full disk is a real tmpfs of a few MB.
 */
import t from 'tap';
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Controller } from '../daemon/controller.js';
import { validateConfig } from '../daemon/config/load.js';
import { request } from '../daemon/control/client.js';
import { Logger } from '../daemon/log/logger.js';
import { statusCommand } from '../daemon/cli/commands/status.js';
import { speechFile, tempDir, TINY_MODEL, waitFor } from './fixtures/daemon/harness.js';

/** `hushscribe status` run in this process against the daemon's socket; its stdout. */
async function statusText(dataDir: string): Promise<string> {
  let out = '';
  const stdout = new Writable({
    write: (chunk, _enc, done) => {
      out += String(chunk);
      done();
    },
  });
  const config = join(tempDir('faults-cli'), 'config.yaml');
  writeFileSync(config, '{}\n');
  await statusCommand.run(['--data-dir', dataDir, '--config', config], { stdout, stderr: stdout, stdin: process.stdin });
  return out;
}

interface Status {
  pipeline: { state: string; healthy: boolean; database: { error: string; sinceMs: number } | null };
  retention: { maxBytes: number; retainedBytes: number; unmet: { maxBytes: number; floorBytes: number } | null };
}

function setup(name: string, config: Record<string, unknown> = {}, dataDir?: string) {
  const dir = tempDir(name);
  const watch = join(dir, 'in');
  mkdirSync(watch, { recursive: true });
  const lines: Record<string, unknown>[] = [];
  const log = new Logger({ level: 'debug', sink: { write: (l: string) => lines.push(JSON.parse(l) as Record<string, unknown>) } });
  const cfg = validateConfig({
    dataDir: dataDir ?? join(dir, 'data'),
    asr: { modelDir: TINY_MODEL },
    sources: { watch: { dir: watch, pollMs: 100, settleMs: 0 } },
    ...config,
  });
  const controller = new Controller({ config: cfg, configFile: null, log });
  const socket = join(cfg.dataDir, 'control.sock');
  const status = () => request<Status>(socket, 'status');
  const counts = () => controller.store.countByStatus();
  const drop = (file: string, text: string) => copyFileSync(speechFile(join(dir, file), text), join(watch, file));
  return { dir, watch, controller, lines, status, counts, drop, db: join(cfg.dataDir, 'hushscribe.db') };
}

/**
 * Another process (python's sqlite3) takes the write lock, as `sqlite3 hushscribe.db` with an open transaction
 * would. It holds it for `seconds`, or until release() when null. Resolves once it holds the lock.
 */
async function holdWriteLock(db: string, seconds: number | null): Promise<{ release(): void; gone: Promise<void> }> {
  const script = [
    'import sqlite3, sys, time',
    'c = sqlite3.connect(sys.argv[1], isolation_level=None)',
    'c.execute("BEGIN IMMEDIATE")',
    `c.execute("INSERT INTO events (kind, payload, created_at) VALUES ('lock', '{}', 0)")`,
    'print("LOCKED", flush=True)',
    'time.sleep(float(sys.argv[2])) if sys.argv[2] != "stdin" else sys.stdin.read()',
    'c.execute("ROLLBACK")',
  ].join('\n');
  const child = spawn('python3', ['-u', '-c', script, db, seconds === null ? 'stdin' : String(seconds)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const gone = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('LOCKED') && resolve());
    child.on('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
  });
  return { release: () => child.stdin.end(), gone };
}

t.test('another process holding the write lock delays transcription, never stops it', async (t) => {
  const s = setup('faults-busy', { watchdog: { maxStallSec: 5 } });
  await s.controller.start();
  t.teardown(() => s.controller.stop());

  // A 1 s lock (a backup, a `sqlite3` session) is waited out by busy_timeout: nothing even notices.
  const short = await holdWriteLock(s.db, 1);
  s.drop('short.wav', 'A recording that arrives while another process holds the lock for a second.');
  await short.gone;
  await waitFor(() => s.counts().done === 1, 120_000, 'transcribed after a short lock');
  t.notOk(
    s.lines.some((l) => l.level === 'error'),
    'no errors for a one-second lock',
  );

  // A lock longer than busy_timeout: writes are retried with back-off; status and the watchdog tell the truth.
  const long = await holdWriteLock(s.db, null);
  s.drop('long.wav', 'A recording that arrives while another process holds the lock for eight seconds.');
  const blocked = await waitFor(
    async () => {
      const st = await s.status();
      return st.pipeline.state === 'blocked' ? st : null;
    },
    60_000,
    'status says blocked',
  );
  t.match(blocked.pipeline.database, { error: /^SQLITE_BUSY/ });
  await waitFor(() => !s.controller.healthy(), 30_000, 'the watchdog stops pinging once blocked longer than maxStallSec');
  t.match(s.controller.statusLine(), /database refuses writes \(SQLITE_BUSY\)/, 'STATUS= for systemd');
  t.match(
    await statusText(s.controller.currentConfig.dataDir),
    /\npipeline: blocked.*\ndatabase: refuses writes for \d+ s \(SQLITE_BUSY: database is locked\); retrying, nothing is lost\n/s,
    'hushscribe status',
  );
  t.equal(s.counts().queued + s.counts().done, 1, 'the file waits in the folder meanwhile');
  long.release();
  await long.gone;
  await waitFor(() => s.counts().done === 2, 120_000, 'transcribed once the lock is gone, without a restart');
  const after = await s.status();
  t.equal(after.pipeline.database, null);
  t.ok(after.pipeline.healthy && s.controller.healthy(), 'healthy again');
});

t.test('a full disk: files wait, the daemon says so, and carries on by itself when space returns', async (t) => {
  const mount = tempDir('faults-full-mnt');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', mount], { stdio: 'pipe' });
  } catch (err) {
    t.skip(`cannot mount a small tmpfs to fill (needs root): ${(err as Error).message.split('\n')[0]}`);
    return;
  }
  t.teardown(() => execFileSync('umount', ['-l', mount]));
  const s = setup('faults-full', { watchdog: { maxStallSec: 5 } }, join(mount, 'data'));
  await s.controller.start();
  t.teardown(() => s.controller.stop());
  s.drop('before.wav', 'A recording transcribed while there is still space on the disk.');
  await waitFor(() => s.counts().done === 1, 120_000, 'first recording done');

  // Fill the disk to the last byte.
  const filler = join(mount, 'filler');
  const fd = openSync(filler, 'w');
  const block = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch (err) {
    t.equal((err as NodeJS.ErrnoException).code, 'ENOSPC', 'the disk is full');
  }
  try {
    for (;;) writeSync(fd, block.subarray(0, 512));
  } catch {
    // full to the last block
  }
  closeSync(fd);

  s.drop('while-full-1.wav', 'This recording arrives while the disk is full, and must not be skipped.');
  s.drop('while-full-2.wav', 'So does this one: it waits in the folder until there is space again.');
  const blocked = await waitFor(
    async () => {
      const st = await s.status();
      return st.pipeline.state === 'blocked' ? st : null;
    },
    60_000,
    'status says blocked',
  );
  t.match(blocked.pipeline.database, { error: /^SQLITE_(FULL|IOERR)/ });
  t.ok(
    s.lines.some((l) => l.msg === 'the database refuses new recordings; files wait in the folder'),
    'logged',
  );
  await waitFor(() => !s.controller.healthy(), 30_000, 'the watchdog stops pinging');
  t.match(s.controller.statusLine(), /database refuses writes/);
  t.ok(existsSync(join(s.watch, 'while-full-1.wav')), 'the file waits in the folder');

  rmSync(filler);
  await waitFor(() => s.counts().done === 3, 180_000, 'both files transcribed once space returned, without a restart');
  t.ok(s.controller.healthy(), 'healthy again');
  t.equal((await s.status()).pipeline.database, null);
  t.same(s.controller.store.integrityCheck(), ['ok']);
});

// A store write refused mid-recording makes the pipeline drop the recording: the worker is told to let go after its
// native call, never terminated mid-inference (that aborted the whole process; see pipeline/worker-shutdown.ts).
t.test('a full disk mid-recording: the recording goes back to the queue and is finished later', async (t) => {
  const mount = tempDir('faults-full2-mnt');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=6m', 'tmpfs', mount], { stdio: 'pipe' });
  } catch (err) {
    t.skip(`cannot mount a small tmpfs to fill (needs root): ${(err as Error).message.split('\n')[0]}`);
    return;
  }
  t.teardown(() => execFileSync('umount', ['-l', mount]));
  const s = setup('faults-full2', { watchdog: { maxStallSec: 60 } }, join(mount, 'data'));
  await s.controller.start();
  t.teardown(() => s.controller.stop());
  s.drop(
    'long.wav',
    Array.from({ length: 15 }, (_, i) => `Sentence number ${i + 1} of a long recording that is still being transcribed when the disk fills up.`).join(' '),
  );
  await waitFor(() => s.controller.pipeline.health().state === 'busy', 60_000, 'busy');
  const filler = join(mount, 'filler');
  const fd = openSync(filler, 'w');
  try {
    for (;;) writeSync(fd, Buffer.alloc(4096, 1));
  } catch {
    // full
  }
  closeSync(fd);
  await waitFor(() => s.controller.pipeline.health().state === 'blocked', 120_000, 'blocked');
  t.ok(
    s.lines.some((l) => l.msg === 'store write failed; re-queueing the recording'),
    'the refused recording is re-queued',
  );
  rmSync(filler);
  await waitFor(() => s.counts().done === 1, 600_000, 'finished once space returned');
  t.equal(s.counts().processing, 0);
  t.equal(s.counts().queued, 0);
  t.equal(s.controller.store.list()[0]!.attempts, 1, 'refused starts do not count towards MAX_ATTEMPTS');
});

t.test('a size limit retention cannot meet is reported, not chased', async (t) => {
  const s = setup('faults-retention', { sources: { watch: { dir: null } } });
  await s.controller.start();
  t.teardown(() => s.controller.stop());
  const store = s.controller.store;
  for (const id of ['a', 'b']) {
    store.enqueue({ id, source: 'ingest' });
    store.claimNext();
    store.putSegment(id, { seq: 0, start: 0, end: 1, redactedText: 'some words '.repeat(200), words: [], entities: [], model: 'tiny', variant: 'dense' });
    store.finish(id, { durationSec: 1, segmentCount: 1 });
  }
  s.controller.currentConfig.store.retention.maxBytes = 1000;
  s.controller.applyRetention();
  const status = await s.status();
  t.match(status.retention, { maxBytes: 1000, unmet: { maxBytes: 1000, floorBytes: Number } });
  t.equal(store.list().length, 2, 'nothing deleted chasing it');
  t.match(
    await statusText(s.controller.currentConfig.dataDir),
    /\nretention: store.retention.maxBytes 1000 cannot be met \(\d+ bytes are not deletable\); nothing deleted for size\n/,
    'hushscribe status',
  );
  t.match(
    s.lines.find((l) => l.level === 'warn' && /cannot be met/.test(String(l.msg))),
    { maxBytes: 1000 },
  );
  t.ok(
    s.controller.problems().some((p) => /store.retention.maxBytes .* cannot be met/.test(p)),
    'a problem: announced as an MQTT error event',
  );
  s.controller.currentConfig.store.retention.maxBytes = 0;
  s.controller.applyRetention();
  t.equal((await s.status()).retention.unmet, null, 'cleared once the limit is met');
  t.ok(s.lines.some((l) => l.msg === 'store.retention.maxBytes is met again'));
});
