/** `hushscribe ... | head`: the reader leaves early; the CLI stops quietly (no EPIPE stack trace) with exit 0. */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Store } from '../daemon/store/store.js';
import { CLI, ensureBuilt, tempDir } from './fixtures/daemon/harness.js';

t.test('output piped into head ends quietly', async (t) => {
  ensureBuilt();
  const dataDir = tempDir('pipe');
  const store = new Store(join(dataDir, 'hushscribe.db'));
  // Far more than a pipe holds, so the CLI is still writing when head has gone.
  for (let i = 0; i < 5000; i++) store.enqueue({ id: `f${i.toString(16).padStart(24, '0')}`, source: 'watch', fileName: `recording-${i}.wav`, path: null, bytes: 1 });
  store.close();
  const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${CLI}" transcripts list --data-dir "${dataDir}" --json | head -n 1`], { encoding: 'utf8', env: { ...process.env, HUSHSCRIBE_CONFIG: '' } });
  t.equal(r.stdout.trim().split('\n').length, 1);
  t.equal(r.stderr, '', 'no EPIPE stack trace');
  t.equal(r.status, 0, 'pipefail: the CLI exited 0 too');
});
