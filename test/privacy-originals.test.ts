/**
 * "Raw personal data never leaves RAM": a watch-folder original is deleted once its result is committed (default);
 * with sources.watch.keepOriginals it is kept in the done folder and deleted with its recording by store.retention.
 * status and doctor say which.
 */
import t from 'tap';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, daemonSetup, ensureBuilt, toneSamples, waitFor, wavBytes } from './fixtures/daemon/harness.js';

ensureBuilt();

t.test('by default the original is deleted once its result is committed', async (t) => {
  const { daemon, watch } = daemonSetup('originals-default');
  daemon.start();
  t.teardown(() => daemon.kill());
  await daemon.ready();
  writeFileSync(join(watch, 'jane-doe.wav'), wavBytes(toneSamples('hello')));
  const rec = await waitFor(
    () => daemon.query<{ status: string; path: string | null }>("SELECT status, path FROM recordings WHERE status = 'done'")[0],
    60_000,
    'done',
  );
  await waitFor(() => !existsSync(join(watch, 'jane-doe.wav')), 30_000, 'the original deleted');
  t.equal(rec.status, 'done');
  t.notOk(existsSync(join(watch, 'done')) && readdirSync(join(watch, 'done')).length > 0, 'nothing kept in a done folder');
  t.equal(daemon.query<{ path: string | null }>('SELECT path FROM recordings')[0]!.path, null, 'the store knows the original is gone');
  const status = cli(['status', '--data-dir', daemon.dataDir, '--config', daemon.configFile]);
  t.match(status.stdout, /originals: deleted once transcribed/);
});

t.test('keepOriginals keeps it in the done folder until retention deletes it with its recording', async (t) => {
  const { daemon, watch } = daemonSetup('originals-kept', { config: { sources: { watch: { keepOriginals: true } } } });
  daemon.start();
  t.teardown(() => daemon.kill());
  await daemon.ready();
  writeFileSync(join(watch, 'jane-doe.wav'), wavBytes(toneSamples('hello')));
  const kept = join(watch, 'done', 'jane-doe.wav');
  await waitFor(() => existsSync(kept), 60_000, 'the original kept');
  t.equal(daemon.query<{ path: string | null }>('SELECT path FROM recordings')[0]!.path, kept);
  t.match(cli(['status', '--data-dir', daemon.dataDir, '--config', daemon.configFile]).stdout, /originals: kept in .*done .*kept until you delete them/);
  const doctor = JSON.parse(cli(['doctor', '--json', '--data-dir', daemon.dataDir, '--config', daemon.configFile]).stdout) as {
    checks: { name: string; status: string; detail: string }[];
  };
  t.match(
    doctor.checks.find((c) => c.name === 'originals'),
    { status: 'warn', detail: /kept in/ },
  );

  // Retention (applied on reload) deletes the recording, and the kept original with it.
  const config = JSON.parse(readFileSync(daemon.configFile, 'utf8')) as Record<string, unknown>;
  writeFileSync(daemon.configFile, JSON.stringify({ ...config, store: { retention: { maxAgeDays: 0.00001 } } }));
  await new Promise((r) => setTimeout(r, 1000));
  daemon.child.kill('SIGHUP');
  await waitFor(() => !existsSync(kept), 30_000, 'the kept original deleted by retention');
  t.equal(daemon.query<{ n: number }>('SELECT count(*) AS n FROM recordings')[0]!.n, 0);
});
