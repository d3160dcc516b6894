// `hushscribe daemon --wyoming tcp://HOST:PORT`: the server as a daemon feature, found over mDNS, shown by
// status, and a bad address refused as a config error.
import t from 'tap';
import { createServer } from 'node:net';
import Bonjour from 'bonjour-service';
import { cli, daemonSetup, ensureBuilt, toneSamples, waitFor } from './fixtures/daemon/harness.js';
import { WyomingTestClient } from '../scripts/bench/wyoming-client.js';

ensureBuilt();

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as { port: number }).port;
  await new Promise((done) => server.close(done));
  return port;
}

t.test('daemon --wyoming: describe, a redacted transcript, discovery and status', async (t) => {
  const port = await freePort();
  const name = `hushscribe-test-${process.pid}`;
  // The tiny test model transcribes tone-spelled words; without the VAD its transcript is exact.
  const { daemon } = daemonSetup('wyoming-daemon', { config: { sources: { watch: { dir: null } }, vad: { enabled: false }, wyoming: { zeroconfName: name } } });
  t.teardown(() => daemon.kill());
  const bonjour = new Bonjour();
  t.teardown(() => bonjour.destroy());
  const found = new Promise<{ port: number; type: string }>((done) => bonjour.find({ type: 'wyoming' }, (s) => s.name === name && done(s)));
  daemon.start(['--wyoming', `tcp://127.0.0.1:${port}`]);
  await daemon.ready();

  const client = await WyomingTestClient.connect({ port });
  client.write('describe');
  const info = (await client.readUntil('info')).event!;
  t.equal((info.data.asr as { models: { name: string }[] }[])[0]!.models[0]!.name, 'hushscribe-tiny');
  const samples = toneSamples('my name is john smith');
  const pcm = Buffer.alloc(samples.length * 2);
  samples.forEach((x, i) => {
    pcm.writeInt16LE(Math.round(x * 32767), i * 2);
  });
  client.sendAudio(pcm, { rate: 16000, width: 2, channels: 1 });
  t.equal((await client.readUntil('transcript')).event!.data.text, 'my name is [PERSON]');
  client.close();

  const service = await found;
  t.equal(service.port, port, '_wyoming._tcp announced with the port');
  const status = JSON.parse(cli(['status', '--json', '--data-dir', daemon.dataDir, '--config', daemon.configFile]).stdout) as {
    features: Record<string, { state: string }>;
  };
  t.equal(status.features.wyoming!.state, 'running');
  t.same(daemon.query('SELECT * FROM recordings'), [], 'nothing stored without wyoming.store');
  t.notMatch(daemon.output, /john|smith/i, 'no raw name in the logs');
  t.equal(await daemon.kill('SIGTERM'), 0);
});

t.test('a port in use fails the feature, not the daemon', async (t) => {
  const blocker = createServer();
  await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
  t.teardown(() => blocker.close());
  const port = (blocker.address() as { port: number }).port;
  const { daemon } = daemonSetup('wyoming-busy', {
    config: { sources: { watch: { dir: null } }, wyoming: { enabled: true, uri: `tcp://127.0.0.1:${port}`, zeroconf: false } },
  });
  t.teardown(() => daemon.kill());
  daemon.start();
  await daemon.ready();
  await waitFor(
    () => daemon.logs().some((l) => l.feature === 'wyoming' && l.msg === 'feature failed to start; the daemon carries on without it'),
    10_000,
    'wyoming failure logged',
  );
  const status = JSON.parse(cli(['status', '--json', '--data-dir', daemon.dataDir, '--config', daemon.configFile]).stdout) as {
    running: boolean;
    features: Record<string, { state: string; error: string }>;
  };
  t.equal(status.running, true);
  t.equal(status.features.wyoming!.state, 'failed');
  t.match(status.features.wyoming!.error, /EADDRINUSE/);
});

t.test('a bad --wyoming address is a config error', async (t) => {
  const { daemon } = daemonSetup('wyoming-bad');
  const r = cli(['daemon', '--config', daemon.configFile, '--data-dir', daemon.dataDir, '--wyoming', 'http://0.0.0.0:10300']);
  t.equal(r.code, 3);
  t.match(r.stderr, /wyoming\.uri/);
  const port = cli(['daemon', '--config', daemon.configFile, '--data-dir', daemon.dataDir, '--wyoming', 'tcp://0.0.0.0:70000']);
  t.equal(port.code, 3);
  t.match(port.stderr, /Expected a port 0\.\.65535 in wyoming\.uri but received 70000/);
});
