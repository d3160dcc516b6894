// Partial transcripts of live speech: the shipped model and Silero VAD on the bundled PII sample played in real
// time through a command source. Partials reach MQTT (QoS 0, not retained) and `hushscribe listen`, redacted,
// never stored; finals follow.
import t from 'tap';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { CLI, daemonSetup, ensureBuilt, ROOT, waitFor } from './fixtures/daemon/harness.js';
import { Recorder, testBrokerUrl } from './fixtures/mqtt/broker.js';

ensureBuilt();

const PII = /john|smith|four five|three two/i;
const broker = await testBrokerUrl();
t.teardown(() => broker.stop());
const base = `hs-partial-${process.pid}`;
const root = `${base}/dev1`;
const sample = join(ROOT, 'models', 'samples', 'synthetic-card-number.wav');
// -re plays at real speed, as a microphone delivers; the padding lets the VAD end the segment.
// -flush_packets: write each packet as it is due, as arecord writes each period.
const argv = ['ffmpeg', '-v', 'error', '-re', '-i', sample, '-af', 'adelay=500,apad=pad_dur=3', '-flush_packets', '1', '-f', 'wav', 'pipe:1'];
const { daemon } = daemonSetup('live-partials', {
  config: {
    asr: { modelDir: join(ROOT, 'models', 'hushscribe-en-v1') },
    sources: { watch: { dir: null }, command: { argv } },
    mqtt: { baseTopic: base, deviceId: 'dev1', stateIntervalSec: 1 },
    redaction: { tagger: { enabled: false } },
  },
});
const sub = await Recorder.connect(broker.url, [`${root}/#`]);
t.teardown(() => sub.end());
const qos = new Map<string, number>();
sub.client.on('message', (topic, _payload, packet) => qos.set(topic, packet.qos));

t.test('partials on MQTT and in hushscribe listen, redacted, then the final', async (t) => {
  daemon.start(['--mqtt-url', broker.url]);
  t.teardown(() => daemon.kill());
  await daemon.ready(120_000);
  const listen = spawn(process.execPath, [CLI, 'listen', '--json', '--config', daemon.configFile, '--data-dir', daemon.dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => listen.kill());
  let listened = '';
  listen.stdout.on('data', (d: Buffer) => (listened += d.toString()));

  const finalSeg = await waitFor(
    () => daemon.query<{ text: string; recording_id: string; seq: number }>('SELECT text, recording_id, seq FROM segments')[0],
    120_000,
    'the final segment',
  );
  const transcript = await waitFor(() => sub.on(`${root}/transcript`)[0]?.json, 30_000, 'the MQTT transcript');
  const partials = sub.on(`${root}/partial`).map((m) => m);
  t.ok(partials.length >= 3, `${partials.length} partials while the ~7 s sentence was spoken`);
  t.ok(
    partials.every((m) => !m.retain),
    'not retained',
  );
  t.equal(qos.get(`${root}/partial`), 0, 'QoS 0');
  const payloads = partials.map((m) => m.json!);
  t.ok(
    payloads.every(
      (p) =>
        p.final === false && p.recordingId === finalSeg.recording_id && p.seq === finalSeg.seq && p.segmentId === `${finalSeg.recording_id}:${finalSeg.seq}`,
    ),
  );
  t.same(
    payloads.map((p) => p.partial),
    payloads.map((_p, i) => i),
    'the partial counter counts up',
  );
  t.notOk(
    payloads.some((p) => PII.test(p.text as string)),
    'no partial holds the name or card digits',
  );
  t.ok(
    payloads.some((p) => /\[(PERSON|CREDIT_CARD|PHONE_NUMBER)\]/.test(p.text as string)),
    'partials are redacted',
  );
  t.ok(
    payloads.some((p) => /card number/.test(p.text as string)),
    'partials grow with the speech',
  );
  t.equal(transcript.text, finalSeg.text);

  await waitFor(() => listened.includes('"final":true'), 30_000, 'the final in listen');
  const events = listened
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { final: boolean; text: string; seq: number });
  t.ok(events.filter((e) => !e.final).length >= 3, 'listen shows the partials');
  const finalAt = events.findIndex((e) => e.final);
  t.equal(events[finalAt]!.text, finalSeg.text, 'then the final');
  // Partials are decoded beside the capture: one that comes back after its segment ended is not sent.
  t.notOk(
    events.slice(finalAt + 1).some((e) => !e.final && e.seq === finalSeg.seq),
    'no partial of the segment after its final',
  );
  t.notOk(PII.test(listened), 'listen shows nothing raw');

  const state = await waitFor(
    () =>
      sub
        .on(`${root}/state`)
        .map((m) => m.json)
        .find((j) => j?.live),
    30_000,
    'state with live',
  );
  t.match(state!.live, { command: { state: String, partialsDropped: Number } }, 'the state counts dropped partials');
  t.notOk(PII.test(daemon.output), 'no raw text in the logs');
  t.same(daemon.query('SELECT count(*) AS n FROM segments'), [{ n: 1 }], 'only the final is stored');
  listen.kill('SIGINT');
});

t.test('listen without a daemon exits 4', async (t) => {
  const { daemon: none } = daemonSetup('listen-none');
  const child = spawn(process.execPath, [CLI, 'listen', '--config', none.configFile, '--data-dir', none.dataDir], { stdio: 'ignore' });
  const code = await new Promise((done) => child.once('exit', done));
  t.equal(code, 4);
});
