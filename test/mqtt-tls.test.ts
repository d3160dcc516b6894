// TLS with client certificates and a password file, against a mosquitto of this test's own (openssl makes the CA).
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { chmodSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { daemonSetup, ensureBuilt, tempDir, waitFor } from './fixtures/daemon/harness.js';
import { freePort, Mosquitto, Recorder } from './fixtures/mqtt/broker.js';

ensureBuilt();

const pki = tempDir('mqtt-pki');
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: pki, stdio: 'pipe' });
openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=hushscribe test CA', '-keyout', 'ca.key', '-out', 'ca.crt');
for (const [name, cn] of [
  ['server', '127.0.0.1'],
  ['client', 'hushscribe'],
] as const) {
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
  writeFileSync(join(pki, `${name}.ext`), name === 'server' ? 'subjectAltName=IP:127.0.0.1\n' : 'extendedKeyUsage=clientAuth\n');
  openssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.crt`,
  );
}
execFileSync('mosquitto_passwd', ['-b', '-c', join(pki, 'passwords'), 'hush', 'correct horse']);
writeFileSync(join(pki, 'password'), 'correct horse\n');
writeFileSync(join(pki, 'wrong-password'), 'battery staple\n');
// mosquitto started as root reads these as its own user.
chmodSync(pki, 0o755);
for (const file of readdirSync(pki)) chmodSync(join(pki, file), 0o644);

const broker = await new Mosquitto(
  await freePort(),
  false,
  [
    `cafile ${pki}/ca.crt`,
    `certfile ${pki}/server.crt`,
    `keyfile ${pki}/server.key`,
    'require_certificate true',
    'allow_anonymous false',
    `password_file ${pki}/passwords`,
  ],
  'mqtts',
).start();
t.teardown(() => broker.stop());

const tls = { ca: join(pki, 'ca.crt'), cert: join(pki, 'client.crt'), key: join(pki, 'client.key') };

t.test('connects over TLS with a client certificate and a password file', async (t) => {
  const pem = Object.fromEntries(Object.entries(tls).map(([k, path]) => [k, readFileSync(path)]));
  const sub = await Recorder.connect(broker.url, ['hs-tls/#'], { ...pem, username: 'hush', password: 'correct horse' });
  t.teardown(() => sub.end());
  const { daemon } = daemonSetup('mqtt-tls', {
    config: { mqtt: { url: broker.url, tls, username: 'hush', passwordFile: join(pki, 'password'), baseTopic: 'hs-tls', deviceId: 'dev1' } },
  });
  daemon.start();
  t.teardown(() => daemon.kill());
  await daemon.ready();
  await waitFor(() => sub.on('hs-tls/dev1/availability').at(-1)?.json?.state === 'online', 60_000, 'online over TLS');
  t.notOk(daemon.output.includes('correct horse'), 'the password is not logged');
});

t.test('a wrong password is retried and logged; the daemon stays up', async (t) => {
  const { daemon } = daemonSetup('mqtt-tls-bad', {
    config: { mqtt: { url: broker.url, tls, username: 'hush', passwordFile: join(pki, 'wrong-password'), reconnect: { minMs: 200, maxMs: 400 } } },
  });
  daemon.start();
  t.teardown(() => daemon.kill());
  await daemon.ready();
  const problem = await waitFor(() => daemon.logs().find((l) => l.msg === 'MQTT connection problem; retrying'), 60_000, 'connection problem logged');
  t.match(problem.error, /Not authorized|Bad username or password/i);
  t.notOk(daemon.output.includes('battery staple'), 'the password is not logged');
  t.equal(daemon.exitCode, null);
});
