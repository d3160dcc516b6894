/**
 * The service path as a Pi owner gets it: scripts/install-service stages the package into DESTDIR with its
 * production dependencies, and the INSTALLED tree (not this checkout) transcribes, redacts and runs the daemon on
 * a watch folder as an unprivileged user.
 */
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ensureBuilt, ROOT, tempDir, waitFor } from './fixtures/daemon/harness.js';

const NOBODY = { uid: 65534, gid: 65534 };
/** Without tap's NODE_OPTIONS hooks, which write into this checkout: the installed tree runs as it would on the Pi. */
const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS'));
const skip =
  process.getuid?.() !== 0
    ? 'needs root to run the installed tree as an unprivileged user'
    : !existsSync(join(ROOT, 'native', 'build', 'Release', 'hushscribe_native.node'))
      ? 'native addon not built (npm run build:native)'
      : false;

/** Runs the installed CLI as nobody, from a folder nobody may read. */
function installedCli(app: string, args: string[], input?: string) {
  return spawnSync(process.execPath, [join(app, 'daemon', 'bin', 'hushscribe.js'), ...args], {
    encoding: 'utf8',
    input,
    cwd: '/',
    env: ENV,
    ...NOBODY,
    timeout: 180_000,
  });
}

t.test('install-service stages a tree that works on its own, as an unprivileged user', { skip }, async (t) => {
  ensureBuilt();
  const dest = tempDir('install');
  chmodSync(dest, 0o755);
  const staged = spawnSync(join(ROOT, 'scripts', 'install-service'), ['--prefix', '/opt/hushscribe', '--node', process.execPath], {
    encoding: 'utf8',
    env: { ...process.env, DESTDIR: dest },
  });
  t.equal(staged.status, 0, staged.stderr);
  const app = join(dest, 'opt', 'hushscribe');

  t.test('only what the runtime needs', async (t) => {
    const modules = readdirSync(join(app, 'node_modules'));
    for (const dev of ['tap', 'typescript', 'sherpa-onnx-node', '@types/better-sqlite3']) t.notOk(modules.includes(dev), `no dev dependency ${dev}`);
    const ortBinaries = join(app, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6');
    t.same(readdirSync(ortBinaries), [process.platform], 'onnxruntime binaries of this platform only');
    t.same(readdirSync(join(ortBinaries, process.platform)), [process.arch], 'and of this CPU only');
    t.ok(existsSync(join(app, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')), 'better-sqlite3 built');
    t.ok(existsSync(join(app, 'redaction', 'gazetteers', 'first-names.txt')), 'gazetteers installed');
    t.notOk(existsSync(join(app, 'dist', 'scripts')), 'no training or benchmark scripts');
    t.notOk(existsSync(join(app, 'test')), 'no tests');
    const unit = readFileSync(join(dest, 'etc', 'systemd', 'system', 'hushscribe.service'), 'utf8');
    t.match(unit, `ExecStart=${process.execPath} /opt/hushscribe/daemon/bin/hushscribe.js daemon`, 'node resolved at install');
    t.match(readFileSync(join(dest, 'usr', 'bin', 'hushscribe'), 'utf8'), `exec ${process.execPath} /opt/hushscribe/daemon/bin/hushscribe.js "$@"`);
  });

  t.test('doctor passes on the installed tree', async (t) => {
    const data = tempDir('install-doctor');
    chownSync(data, NOBODY.uid, NOBODY.gid);
    const r = installedCli(app, ['doctor', '--json', '--data-dir', data]);
    const report = JSON.parse(r.stdout) as { checks: { name: string; status: string; detail: string }[] };
    const failed = report.checks.filter((c) => c.status === 'fail' && c.name !== 'audio devices');
    t.same(failed, [], 'no failed checks');
  });

  t.test('transcribe and redact', async (t) => {
    const sample = join(app, 'models', 'samples', 'synthetic-card-number.wav');
    const transcribed = installedCli(app, ['transcribe', sample]);
    t.equal(transcribed.status, 0, transcribed.stderr);
    t.match(transcribed.stdout, /\[CREDIT_CARD\]/);
    t.notMatch(transcribed.stdout, /four five three two/);
    const redacted = installedCli(
      app,
      ['redact'],
      'call john smith on his card four five three two zero one five one one two eight three zero three six six\n',
    );
    t.equal(redacted.status, 0, redacted.stderr);
    t.match(redacted.stdout, /\[PERSON\].*\[CREDIT_CARD\]/);
  });

  t.test('the daemon transcribes a watch-folder file', async (t) => {
    const dir = tempDir('install-daemon');
    chmodSync(dir, 0o755);
    const data = join(dir, 'data');
    const inbox = join(dir, 'inbox');
    for (const d of [data, inbox]) {
      mkdirSync(d);
      chownSync(d, NOBODY.uid, NOBODY.gid);
    }
    const config = join(dir, 'config.yaml');
    writeFileSync(config, JSON.stringify({ sources: { watch: { dir: inbox, pollMs: 100, settleMs: 300 } } }));
    const daemon = spawn(process.execPath, [join(app, 'daemon', 'bin', 'hushscribe.js'), 'daemon', '--config', config, '--data-dir', data], {
      cwd: '/',
      env: ENV,
      ...NOBODY,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    daemon.stdout.on('data', (d: Buffer) => (output += d.toString()));
    daemon.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((done) => daemon.once('exit', (code) => done(code)));
    t.teardown(() => void daemon.kill('SIGKILL'));
    await waitFor(() => output.includes('"daemon started"'), 120_000, 'the installed daemon to start');
    const dropped = join(inbox, 'call.wav');
    copyFileSync(join(app, 'models', 'samples', 'synthetic-card-number.wav'), dropped);
    chownSync(dropped, NOBODY.uid, NOBODY.gid);
    const done = await waitFor(
      () => {
        const db = new Database(join(data, 'hushscribe.db'), { readonly: true, fileMustExist: true });
        try {
          return db
            .prepare(
              "SELECT r.status, group_concat(s.text, ' ') AS text FROM recordings r LEFT JOIN segments s ON s.recording_id = r.id WHERE r.status IN ('done', 'failed') GROUP BY r.id",
            )
            .get() as { status: string; text: string } | undefined;
        } finally {
          db.close();
        }
      },
      180_000,
      'the dropped file to be transcribed',
    );
    t.equal(done.status, 'done', output);
    t.match(done.text, /\[CREDIT_CARD\]/);
    daemon.kill('SIGTERM');
    t.equal(await exited, 0, 'clean stop');
  });

  t.test('doctor loads what the pipeline will use: a missing word list fails it', async (t) => {
    rmSync(join(app, 'redaction', 'gazetteers', 'surnames.txt'));
    const r = installedCli(app, ['doctor', '--json', '--data-dir', tempDir('install-doctor-broken')]);
    t.equal(r.status, 1);
    const pipeline = (JSON.parse(r.stdout) as { checks: { name: string; status: string; detail: string }[] }).checks.find((c) => c.name === 'pipeline');
    t.equal(pipeline?.status, 'fail');
    t.match(pipeline?.detail, /surnames\.txt/);
  });
});
