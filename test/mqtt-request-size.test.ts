/**
 * An oversized MQTT request never reaches the daemon (issue 15: one 88 MB request took RSS from 0.4 to 3.1 GB,
 * since mqtt.js reads a packet whole before anyone sees it). The daemon connects with MQTT 5 and advertises a
 * Maximum Packet Size; the real broker (mosquitto 2) then drops a bigger request instead of sending it. A
 * request just over the 64 KiB cap still arrives, and is answered "too large".
 */
import t from 'tap';
import { MAX_INCOMING_PACKET_BYTES, MAX_REQUEST_BYTES } from '../daemon/mqtt/requests.js';
import { daemonSetup, ensureBuilt, waitFor } from './fixtures/daemon/harness.js';
import { freePort, Mosquitto, Recorder } from './fixtures/mqtt/broker.js';

ensureBuilt();

// Its own broker, logging, so the test can see the broker drop the packet.
const broker = await new Mosquitto(await freePort(), false, ['allow_anonymous true', 'log_type all']).start();
t.teardown(() => broker.stop());
const root = 'hs-size/dev1';
const { daemon } = daemonSetup('mqtt-size', { config: { mqtt: { baseTopic: 'hs-size', deviceId: 'dev1', homeAssistant: { enabled: false } } } });
const sub = await Recorder.connect(broker.url, [`${root}/#`]);
t.teardown(() => sub.end());
daemon.start(['--mqtt-url', broker.url]);
t.teardown(() => daemon.kill());
await daemon.ready();
await waitFor(() => sub.on(`${root}/availability`).some((m) => m.json?.state === 'online'), 60_000, 'the daemon online');

const responses = () => sub.on(`${root}/response/status`).map((m) => m.json!);
async function statusAnswered(transaction: string) {
  await sub.client.publishAsync(`${root}/request/status`, JSON.stringify({ transaction }), { qos: 1 });
  return waitFor(() => responses().find((r) => r.transaction === transaction), 60_000, `response ${transaction}`);
}

t.test('a request far over the cap is dropped by the broker, never read by the daemon; the daemon carries on', async (t) => {
  t.match(await statusAnswered('before'), { status: 'ok' });
  const before = responses().length;
  const huge = JSON.stringify({ transaction: 'huge', pad: 'x'.repeat(20 * 1024 * 1024) });
  await sub.client.publishAsync(`${root}/request/status`, huge, { qos: 1 });
  t.match(await statusAnswered('after'), { status: 'ok' }, 'a later request is answered');
  t.equal(responses().length, before + 1, 'the huge request got no response: it never arrived');
  t.notOk(
    daemon.logs().some((l) => l.msg === 'MQTT request' && /too large/.test(String(l.error))),
    'and the daemon never saw it',
  );
  t.match(broker.log, /Dropping too large outgoing PUBLISH for hushscribe-dev1/, 'the broker dropped it, as the daemon asked');
  t.equal(daemon.exitCode, null);
});

t.test('a request just over the cap (under the packet limit) is answered "too large", its transaction not echoed', async (t) => {
  const overCap = JSON.stringify({ transaction: 'over', pad: 'x'.repeat(MAX_REQUEST_BYTES) });
  t.ok(overCap.length > MAX_REQUEST_BYTES && overCap.length < MAX_INCOMING_PACKET_BYTES - 100);
  const before = responses().length;
  await sub.client.publishAsync(`${root}/request/status`, overCap, { qos: 1 });
  const answer = await waitFor(() => responses()[before], 60_000, 'the too-large answer');
  t.match(answer, { status: 'error', error: /too large \(\d+ bytes; at most 65536\)/, transaction: null });
});
