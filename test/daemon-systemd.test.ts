import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { cli, ensureBuilt, ROOT, tempDir } from './fixtures/daemon/harness.js';

const UNIT = join(ROOT, 'systemd', 'hushscribe.service');
const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
const skip = analyze.error ? `systemd-analyze cannot run here (${(analyze.error as NodeJS.ErrnoException).code}); apt-get install systemd` : false;

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  // From a neutral folder: verify resolves relative paths and looks for drop-ins next to the unit.
  return spawnSync(cmd, args, { encoding: 'utf8', cwd: tempDir('systemd'), env: { ...process.env, ...env } });
}

t.test('the unit passes systemd-analyze verify cleanly', { skip }, async (t) => {
  const r = run('systemd-analyze', ['verify', UNIT]);
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stderr.trim(), '', 'no warnings');
});

t.test('the unit scores <= 2.0 in systemd-analyze security', { skip }, async (t) => {
  const r = run('systemd-analyze', ['security', '--offline=true', '--no-pager', UNIT]);
  const m = /Overall exposure level for hushscribe\.service: (\d+\.\d+)/.exec(r.stdout);
  t.ok(m, r.stdout + r.stderr);
  t.ok(Number(m![1]) <= 2.0, `exposure ${m![1]} <= 2.0`);
});

t.test('the unit runs the daemon the way it expects', async (t) => {
  const unit = readFileSync(UNIT, 'utf8');
  for (const line of [
    'Type=notify',
    'NotifyAccess=main',
    'Restart=on-failure',
    'SupplementaryGroups=audio',
    'DeviceAllow=char-alsa rw',
    'User=hushscribe',
    'StateDirectory=hushscribe',
  ]) {
    t.match(unit, new RegExp(`^${line}$`, 'm'), line);
  }
  const watchdog = Number(/^WatchdogSec=(\d+)s$/m.exec(unit)![1]);
  ensureBuilt();
  const config = JSON.parse(cli(['config', 'get', '--json', '--config', join(ROOT, 'systemd', 'config.yaml')]).stdout) as {
    watchdog: { maxStallSec: number };
    dataDir: string;
  };
  t.ok(watchdog > config.watchdog.maxStallSec, 'systemd waits longer than the daemon tolerates a stall');
  t.match(
    unit,
    /^ExecStart=\/usr\/bin\/node \/usr\/lib\/hushscribe\/daemon\/bin\/hushscribe\.js daemon --config \/etc\/hushscribe\/config\.yaml --data-dir \/var\/lib\/hushscribe$/m,
  );
  t.equal(cli(['config', 'validate', '--config', join(ROOT, 'systemd', 'config.yaml')]).code, 0, 'the shipped config is valid');
});

t.test('sysusers.d and tmpfiles.d create the user and folders', { skip }, async (t) => {
  const root = tempDir('sysroot');
  mkdirSync(join(root, 'etc'));
  const users = run('systemd-sysusers', [`--root=${root}`, join(ROOT, 'systemd', 'hushscribe.sysusers')]);
  t.equal(users.status, 0, users.stderr);
  t.match(readFileSync(join(root, 'etc', 'passwd'), 'utf8'), /^hushscribe:x:\d+:\d+:.*:\/var\/lib\/hushscribe:\/usr\/sbin\/nologin$/m);
  t.match(readFileSync(join(root, 'etc', 'group'), 'utf8'), /^audio:x:\d+:hushscribe$/m);
  const dirs = run('systemd-tmpfiles', [`--root=${root}`, '--create', join(ROOT, 'systemd', 'hushscribe.tmpfiles')]);
  t.equal(dirs.status, 0, dirs.stderr);
  t.equal(statSync(join(root, 'var', 'lib', 'hushscribe')).mode & 0o7777, 0o750);
  t.equal(statSync(join(root, 'var', 'lib', 'hushscribe', 'inbox')).mode & 0o7777, 0o2770);
});

t.test('install-service stages a complete install into DESTDIR', { skip }, async (t) => {
  ensureBuilt();
  if (!existsSync(join(ROOT, 'native', 'build', 'Release', 'hushscribe_native.node'))) return t.skip('native addon not built (npm run build:native)');
  const dest = tempDir('destdir');
  const node = join(tempDir('node'), 'node'); // a Node.js outside /usr/bin, as NodeSource or nvm install it
  symlinkSync(process.execPath, node);
  const r = spawnSync(join(ROOT, 'scripts', 'install-service'), ['--prefix', '/opt/hushscribe', '--node', node], {
    encoding: 'utf8',
    env: { ...process.env, DESTDIR: dest },
  });
  t.equal(r.status, 0, r.stderr);
  for (const file of [
    'opt/hushscribe/dist/daemon/cli/main.js',
    'opt/hushscribe/daemon/bin/hushscribe.js',
    'opt/hushscribe/package.json',
    'etc/systemd/system/hushscribe.service',
    'usr/lib/sysusers.d/hushscribe.conf',
    'usr/lib/tmpfiles.d/hushscribe.conf',
    'etc/hushscribe/config.yaml',
  ]) {
    t.ok(existsSync(join(dest, file)), file);
  }
  const unit = readFileSync(join(dest, 'etc/systemd/system/hushscribe.service'), 'utf8');
  t.match(unit, `ExecStart=${node} /opt/hushscribe/daemon/bin/hushscribe.js daemon`, 'the node given at install');
  const verify = run('systemd-analyze', ['verify', join(dest, 'etc/systemd/system/hushscribe.service')]);
  t.equal(verify.status, 0, verify.stderr);
  const bad = spawnSync(join(ROOT, 'scripts', 'install-service'), ['--bogus'], { encoding: 'utf8', env: { ...process.env, DESTDIR: dest } });
  t.equal(bad.status, 2);
});
