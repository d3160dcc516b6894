/**
 * scripts/build-deb packages the tree install-service stages; `dpkg -x` unpacks it as apt would place it, and the
 * unpacked tree works on its own as an unprivileged user.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, ROOT, tempDir } from './fixtures/daemon/harness.js';

const dpkg = spawnSync('dpkg-deb', ['--version']);
const skip = dpkg.error
  ? 'dpkg-deb is not installed'
  : process.getuid?.() !== 0
    ? 'needs root to run the unpacked tree as an unprivileged user'
    : !existsSync(join(ROOT, 'native', 'build', 'Release', 'hushscribe_native.node'))
      ? 'native addon not built'
      : false;

t.test('the .deb holds the service tree, and its unpacked tree redacts and passes doctor', { skip }, async (t) => {
  ensureBuilt();
  const out = tempDir('deb');
  const built = spawnSync(join(ROOT, 'scripts', 'build-deb'), [out], { encoding: 'utf8' });
  t.equal(built.status, 0, built.stderr);
  const deb = join(out, readdirSync(out).find((f) => f.endsWith('.deb'))!);
  const info = spawnSync('dpkg-deb', ['-I', deb], { encoding: 'utf8' });
  t.match(info.stdout, /Package: hushscribe\n/);
  t.match(info.stdout, /Depends: nodejs \(>= 20\), ffmpeg/);
  const root = tempDir('deb-root');
  chmodSync(root, 0o755);
  const unpacked = spawnSync('dpkg', ['-x', deb, root], { encoding: 'utf8' });
  t.equal(unpacked.status, 0, unpacked.stderr);
  for (const file of [
    'usr/lib/hushscribe/redaction/gazetteers/surnames.txt',
    'usr/lib/systemd/system/hushscribe.service',
    'usr/lib/sysusers.d/hushscribe.conf',
    'usr/lib/tmpfiles.d/hushscribe.conf',
    'etc/hushscribe/config.yaml',
    'usr/bin/hushscribe',
  ]) {
    t.ok(existsSync(join(root, file)), file);
  }
  t.match(
    readFileSync(join(root, 'usr/lib/systemd/system/hushscribe.service'), 'utf8'),
    'ExecStart=/usr/bin/node /usr/lib/hushscribe/daemon/bin/hushscribe.js daemon',
  );
  t.notOk(existsSync(join(root, 'usr/lib/hushscribe/node_modules/tap')), 'no dev dependencies');

  const app = join(root, 'usr', 'lib', 'hushscribe');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS'));
  const asNobody = (args: string[], input?: string) =>
    spawnSync(process.execPath, [join(app, 'daemon', 'bin', 'hushscribe.js'), ...args], {
      encoding: 'utf8',
      input,
      cwd: '/',
      env,
      uid: 65534,
      gid: 65534,
      timeout: 180_000,
    });
  const redacted = asNobody(['redact'], 'this is jane doe\n');
  t.equal(redacted.status, 0, redacted.stderr);
  t.match(redacted.stdout, /\[PERSON\]/);
  const doctor = JSON.parse(asNobody(['doctor', '--json', '--data-dir', tempDir('deb-data')]).stdout) as { checks: { name: string; status: string }[] };
  t.match(
    doctor.checks.find((c) => c.name === 'pipeline'),
    { status: 'ok' },
  );
});
