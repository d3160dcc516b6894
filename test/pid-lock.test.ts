import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { acquirePidLock, AlreadyRunningError } from '../daemon/pid-lock.js';
import { NativeOptionError, tryLockFile } from '../native/index.js';
import { daemonSetup, tempDir } from './fixtures/daemon/harness.js';

t.test('a stale daemon.pid naming a pid that another process now has does not block the start', async (t) => {
  // After a power cut the old pid may belong to anything; here, a live process that is not a daemon.
  const other = spawn('sleep', ['60']);
  t.teardown(() => void other.kill());
  const { daemon } = daemonSetup('pid-reused');
  const dataDir = daemon.dataDir;
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, 'daemon.pid'), `${other.pid}\n`);
  daemon.start();
  t.teardown(() => daemon.kill());
  await daemon.ready();
  t.equal(Number(readFileSync(join(dataDir, 'daemon.pid'), 'utf8')), daemon.child.pid, 'the file now names the running daemon');
  daemon.child.kill('SIGTERM');
  t.equal(await daemon.exited, 0);
});

t.test("the lock is held for the holder's lifetime and released with it", async (t) => {
  const dir = tempDir('pid-lock');
  const release = acquirePidLock(dir);
  t.equal(Number(readFileSync(join(dir, 'daemon.pid'), 'utf8')), process.pid);
  t.throws(() => acquirePidLock(dir), new AlreadyRunningError(`another hushscribe daemon (pid ${process.pid}) is running on ${dir}`));
  release();
  release(); // a second stop is harmless
  const again = acquirePidLock(dir);
  again();
});

t.test('a holder killed with SIGKILL leaves no lock behind', async (t) => {
  const dir = tempDir('pid-killed');
  // A child process takes the lock and is then killed: the kernel releases it, whatever the file says.
  const script = `import { acquirePidLock } from ${JSON.stringify(new URL('../daemon/pid-lock.ts', import.meta.url).href)}; acquirePidLock(${JSON.stringify(dir)}); console.log('locked'); setInterval(() => {}, 1000);`;
  const holder = spawn(process.execPath, [...process.execArgv, '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((done) => holder.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && done()));
  t.throws(() => acquirePidLock(dir), AlreadyRunningError, 'held while the holder lives');
  holder.kill('SIGKILL');
  await new Promise((done) => holder.once('exit', done));
  const release = acquirePidLock(dir);
  release();
});

t.test('tryLockFile checks its argument', async (t) => {
  t.throws(() => tryLockFile(-1), NativeOptionError);
  t.throws(() => tryLockFile(1.5), NativeOptionError);
});
