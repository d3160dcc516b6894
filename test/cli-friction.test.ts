/** What a Pi owner runs into first: `| head`, `config set` before the service is installed, a socket they may not use. */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { Store } from '../daemon/store/store.js';
import { cli, CLI, ensureBuilt, tempDir } from './fixtures/daemon/harness.js';

t.test('output piped into head ends quietly', async (t) => {
  ensureBuilt();
  const dataDir = tempDir('pipe');
  const store = new Store(join(dataDir, 'hushscribe.db'));
  // Far more than a pipe holds, so the CLI is still writing when head has gone.
  for (let i = 0; i < 5000; i++)
    store.enqueue({ id: `f${i.toString(16).padStart(24, '0')}`, source: 'watch', fileName: `recording-${i}.wav`, path: null, bytes: 1 });
  store.close();
  const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${CLI}" transcripts list --data-dir "${dataDir}" --json | head -n 1`], {
    encoding: 'utf8',
    env: { ...process.env, HUSHSCRIBE_CONFIG: '' },
  });
  t.equal(r.stdout.trim().split('\n').length, 1);
  t.equal(r.stderr, '', 'no EPIPE stack trace');
  t.equal(r.status, 0, 'pipefail: the CLI exited 0 too');
});

t.test('config set without /etc/hushscribe says what to do, not ENOENT', async (t) => {
  ensureBuilt();
  const file = join(tempDir('config-missing'), 'etc', 'hushscribe', 'config.yaml');
  const r = cli(['config', 'set', 'vad.threshold', '0.6', '--config', file]);
  t.equal(r.code, 3);
  t.match(r.stderr, /does not exist\. Install the service first \(sudo scripts\/install-service/);
  t.notMatch(r.stderr, /at .*\.js:\d+/, 'no stack trace');
});

t.test(
  'a user outside the hushscribe group is told how to join it',
  { skip: process.getuid?.() !== 0 ? 'needs root to run the CLI as another user' : false },
  async (t) => {
    ensureBuilt();
    const dataDir = tempDir('socket-eacces');
    chmodSync(dataDir, 0o755);
    const socketPath = join(dataDir, 'control.sock');
    const server = createServer(() => undefined).listen(socketPath);
    await new Promise((r) => server.once('listening', r));
    t.teardown(() => server.close());
    chmodSync(socketPath, 0o660); // root's socket, as the daemon's is hushscribe's: nobody is not in its group
    const r = spawnSync(process.execPath, [CLI, 'status', '--data-dir', dataDir], {
      encoding: 'utf8',
      uid: 65534,
      gid: 65534,
      cwd: '/',
      env: { PATH: process.env.PATH },
    });
    t.equal(r.status, 4);
    t.match(r.stderr, /permission denied on .*control\.sock \(EACCES\): add yourself to the daemon's group with `sudo usermod -aG hushscribe \$USER`/);
  },
);
