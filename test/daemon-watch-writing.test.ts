/**
 * A file still being written when it is taken (a network copy that pauses longer than settleMs): re-checked right
 * before the worker reads it, it is taken off the queue, not disposed of, and once complete transcribed whole. The pause is made
 * deterministic with `hushscribe pause`: the file is queued, then grows, then the daemon resumes.
 */
import t from 'tap';
import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, daemonSetup, ensureBuilt, toneSamples, waitFor, wavBytes } from './fixtures/daemon/harness.js';

ensureBuilt();

t.test('a file that grows after it was queued is transcribed whole, and disposed of only then', async (t) => {
  const { daemon, watch } = daemonSetup('watch-writing', { config: { vad: { enabled: false } } });
  const common = ['--data-dir', daemon.dataDir, '--config', daemon.configFile];
  daemon.start();
  t.teardown(() => daemon.kill());
  await daemon.ready();
  t.equal(cli(['pause', ...common]).code, 0);

  const whole = wavBytes(toneSamples('hello world'));
  const file = join(watch, 'call.wav');
  const firstPart = Math.floor(whole.length / 2);
  writeFileSync(file, whole.subarray(0, firstPart)); // the writer pauses here
  await waitFor(() => daemon.query('SELECT id FROM recordings').length === 1, 60_000, 'the partial file queued');
  appendFileSync(file, whole.subarray(firstPart)); // and carries on
  t.equal(cli(['resume', ...common]).code, 0);

  const done = await waitFor(
    () => {
      const rows = daemon.query<{ status: string; bytes: number; id: string }>('SELECT id, status, bytes FROM recordings');
      return rows.length === 1 && rows[0]!.status === 'done' && rows[0]!.bytes === whole.length && !existsSync(file) ? rows[0] : undefined;
    },
    120_000,
    'one recording of the whole file, and the file disposed of',
  );
  const text = daemon
    .query<{ text: string }>('SELECT text FROM segments WHERE recording_id = ? ORDER BY seq', done.id)
    .map((s) => s.text)
    .join(' ');
  t.match(text, /hello world/, 'the whole recording was transcribed');
  // The database can show the result before the daemon's log lines have come through the pipe: wait for them.
  await waitFor(() => daemon.logs().some((l) => l.msg === 'recording transcribed' && l.recordingId === done.id), 60_000, 'the log of the result');
  // Caught right before the worker would have read it (not after a wasted transcription of half a file).
  const partialId = daemon.logs().find((l) => l.msg === 'the file was changed after it was queued; taking it again once it settles')?.recordingId;
  t.ok(partialId, 'the change was seen before transcription', { messages: daemon.logs().map((l) => `${String(l.msg)} ${String(l.recordingId ?? '')}`) });
  t.not(partialId, done.id);
  t.notOk(
    daemon.logs().some((l) => l.msg === 'transcribing' && l.recordingId === partialId),
    'the partial file was never handed to the worker',
  );
});
