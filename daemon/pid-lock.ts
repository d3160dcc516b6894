/**
 * One daemon per data folder: the daemon holds an flock(2) on DIR/daemon.pid (via the native addon; Node has no
 * flock) for as long as it runs, and writes its pid there for people and `status`. The kernel drops the lock when
 * the process ends in any way (kill -9, a crash, a power cut), so a stale file, even one naming a pid that some
 * other process now has, never blocks a start. The file itself is left in place: removing a locked file would let
 * a second daemon lock a new file of the same name while the first still runs.
 */
import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { tryLockFile } from '../native/index.js';

export class AlreadyRunningError extends Error {
  override name = 'AlreadyRunningError';
}

/** Takes the lock or throws AlreadyRunningError; returns a function that releases it. */
export function acquirePidLock(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'daemon.pid');
  const fd = openSync(file, 'a+', 0o644);
  let locked = false;
  try {
    locked = tryLockFile(fd);
  } finally {
    if (!locked) closeSync(fd);
  }
  if (!locked) {
    const owner = Number.parseInt(readFileSync(file, 'utf8'), 10);
    throw new AlreadyRunningError(`another hushscribe daemon${Number.isInteger(owner) ? ` (pid ${owner})` : ''} is running on ${dataDir}`);
  }
  ftruncateSync(fd, 0);
  writeSync(fd, `${process.pid}\n`);
  let held = true;
  return () => {
    if (!held) return;
    held = false;
    ftruncateSync(fd, 0);
    closeSync(fd); // releases the lock
  };
}
