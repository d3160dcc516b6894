import t from 'tap';
import { copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cliAsync, daemonSetup, ensureBuilt, speechFile, waitFor } from './fixtures/daemon/harness.js';

ensureBuilt();

t.test('a full queue pauses the watch folder and makes ingest wait; nothing is dropped', async (t) => {
  const { dir, daemon, watch } = daemonSetup('backpressure', { config: { pipeline: { queueSize: 1 }, sources: { watch: { settleMs: 0 } } } });
  t.teardown(() => daemon.kill());
  const files = Array.from({ length: 5 }, (_, i) =>
    speechFile(join(dir, `r${i}.wav`), `Recording number ${i + 1} of five, long enough to keep the single worker busy for a moment.`),
  );
  const extra = speechFile(join(dir, 'extra.wav'), 'An ingested recording that has to wait for room in the queue.');
  daemon.start();
  await daemon.ready();
  for (const f of files) copyFileSync(f, join(watch, f.split('/').pop()!));
  await waitFor(() => daemon.logs().some((l) => l.msg === 'queue full, pausing the watch folder'), 60_000, 'queue full');
  const queued = daemon.query<{ n: number }>("SELECT count(*) AS n FROM recordings WHERE status = 'queued'")[0]!.n;
  t.ok(queued <= 1, `at most queueSize recordings wait in the queue (${queued})`);
  const ingest = await cliAsync(['ingest', extra, '--data-dir', daemon.dataDir, '--config', daemon.configFile]);
  t.equal(ingest.code, 0, ingest.stderr);
  await waitFor(
    () => daemon.query<{ n: number }>("SELECT count(*) AS n FROM recordings WHERE status = 'done'")[0]!.n === files.length + 1,
    180_000,
    'all done',
  );
  t.same(
    readdirSync(watch).filter((n) => n !== 'done'),
    [],
    'every dropped file was taken in the end',
  );
  t.ok(daemon.logs().some((l) => l.msg === 'queue has room, resuming the watch folder'));
});
