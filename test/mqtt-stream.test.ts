import t from 'tap';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { daemonSetup, ensureBuilt, ROOT, speechFile, waitFor } from './fixtures/daemon/harness.js';
import { Recorder, testBrokerUrl, type Received } from './fixtures/mqtt/broker.js';

ensureBuilt();

const broker = await testBrokerUrl();
t.teardown(() => broker.stop());
const base = `hs-stream-${process.pid}`;
const root = `${base}/dev1`;
const ha = `ha-${process.pid}`;
// The shipped model and Silero VAD on espeak-ng speech, so personal data is planted in real spoken input.
const { dir, daemon, watch } = daemonSetup('mqtt-stream', {
  config: {
    asr: { modelDir: join(ROOT, 'models', 'hushscribe-en-v1') },
    mqtt: { baseTopic: base, deviceId: 'dev1', stateIntervalSec: 2, homeAssistant: { prefix: ha } },
  },
});
const sub = await Recorder.connect(broker.url, [`${base}/#`, `${ha}/#`]);
t.teardown(() => sub.end());

daemon.start(['--mqtt-url', broker.url]);
t.teardown(() => daemon.kill());
await daemon.ready(120_000);

const recordingIdOf = (name: string) => daemon.query<{ id: string }>('SELECT id FROM recordings WHERE file_name = ?', name)[0]?.id;
const last = (topic: string): Received | undefined => sub.on(topic).at(-1);
let transaction = 0;
async function request(action: string, body: Record<string, unknown> | string = {}): Promise<Record<string, unknown>> {
  const id = `tx-${++transaction}`;
  const payload = typeof body === 'string' ? body : JSON.stringify({ ...body, transaction: id });
  const before = sub.on(`${root}/response/${action}`).length;
  await sub.client.publishAsync(`${root}/request/${action}`, payload, { qos: 1 });
  const match = (m: Received) => typeof body === 'string' || m.json?.transaction === id;
  return waitFor(
    () =>
      sub
        .on(`${root}/response/${action}`)
        .slice(typeof body === 'string' ? before : 0)
        .find(match)?.json,
    60_000,
    `response to ${action}`,
  ) as Promise<Record<string, unknown>>;
}

t.test('availability is retained online; the state snapshot is retained', async (t) => {
  const online = await waitFor(() => last(`${root}/availability`), 60_000, 'availability');
  t.same(online.json, { state: 'online' });
  const state = await waitFor(() => last(`${root}/state`)?.json, 60_000, 'state');
  t.match(state, {
    status: String,
    paused: false,
    queueDepth: Number,
    powerMode: 'auto',
    uptimeSec: Number,
    recordings: { done: Number },
    outbox: { pending: Number, dropped: 0 },
  });
  t.match(state.model, { name: String, variant: String });
  // A late subscriber gets both at once, as retained messages.
  const late = await Recorder.connect(broker.url, [`${root}/availability`, `${root}/state`]);
  await waitFor(() => late.messages.length >= 2, 30_000, 'retained messages');
  t.ok(
    late.messages.every((m) => m.retain),
    'retained',
  );
  await late.end();
});

t.test('Home Assistant discovery: required fields, wired to our topics, re-sent when HA comes online', async (t) => {
  const configs = () => sub.messages.filter((m) => m.topic.startsWith(`${ha}/`) && m.topic.endsWith('/config'));
  await waitFor(() => configs().length >= 7, 60_000, 'discovery');
  const byTopic = new Map(configs().map((m) => [m.topic, m.json!]));
  const node = 'hushscribe_dev1';
  const expected = [
    `sensor/${node}/status`,
    `sensor/${node}/last_transcript`,
    `sensor/${node}/queue_depth`,
    `sensor/${node}/power_mode`,
    `select/${node}/power_mode_select`,
    `button/${node}/pause`,
    `button/${node}/resume`,
  ];
  t.same([...byTopic.keys()].sort(), expected.map((e) => `${ha}/${e}/config`).sort());
  const ids = new Set<string>();
  for (const [topic, cfg] of byTopic) {
    const component = topic.split('/')[1];
    t.type(cfg.name, 'string', `${topic} name`);
    t.type(cfg.unique_id, 'string', `${topic} unique_id`);
    ids.add(cfg.unique_id as string);
    t.match(cfg.availability, [{ topic: `${root}/availability`, payload_available: 'online', payload_not_available: 'offline' }], `${topic} availability`);
    t.match(cfg.device, { identifiers: [node], name: String, model: 'hushscribe', sw_version: String }, `${topic} device`);
    if (component === 'sensor' || component === 'select') t.match(cfg.state_topic, new RegExp(`^${root}/(state|transcript)$`), `${topic} state_topic`);
    if (component === 'select') {
      t.equal(cfg.command_topic, `${root}/request/set_power_mode`);
      t.same(cfg.options, ['dense', 'sparse', 'auto']);
    }
    if (component === 'button') t.match(cfg.command_topic, new RegExp(`^${root}/request/(pause|resume)$`));
  }
  t.equal(ids.size, expected.length, 'unique_id per entity');
  const late = await Recorder.connect(broker.url, [`${ha}/#`]);
  await waitFor(() => late.messages.length >= 7, 30_000, 'retained discovery for a late subscriber');
  t.ok(
    late.messages.every((m) => m.retain),
    'retained',
  );
  await late.end();
  const before = configs().length;
  await sub.client.publishAsync(`${ha}/status`, 'online');
  await waitFor(() => configs().length >= before + 7, 60_000, 'discovery re-published');
});

t.test('requests get responses echoing the transaction; bad requests get errors', async (t) => {
  const status = await request('status');
  t.match(status, { status: 'ok', error: null, transaction: 'tx-1', data: { powerMode: 'auto', paused: false } });

  t.match(await request('set_power_mode', { mode: 'sparse' }), { status: 'ok', data: { previous: 'auto', powerMode: 'sparse' } });
  await waitFor(() => last(`${root}/state`)?.json?.powerMode === 'sparse', 30_000, 'state shows the new power mode');
  const changed = await waitFor(() => last(`${root}/event/power_mode_changed`)?.json, 30_000, 'power mode event');
  t.match(changed, { eventId: Number, kind: 'power_mode_changed', data: { previous: 'auto', powerMode: 'sparse' } });
  t.match(await request('set_power_mode', { mode: 'turbo' }), { status: 'error', error: /mode must be one of dense, sparse, auto/, data: null });
  t.match(await request('set_power_mode', {}), { status: 'error', error: /mode must be/ });

  t.match(await request('reload_config'), { status: 'ok', data: { applied: [], restartRequired: [] } });
  t.match(await request('reboot'), { status: 'error', error: /unknown action "reboot"/ });
  t.match(await request('status', '{not json'), { status: 'error', error: /not valid JSON/, transaction: null });
  t.match(await request('status', '[1,2]'), { status: 'error', error: /JSON object/ });
  // Clearing a retained request (mosquitto_pub -r -n) arrives as an empty message: ignored, no response.
  const pauseResponses = sub.on(`${root}/response/pause`).length;
  await sub.client.publishAsync(`${root}/request/pause`, '', { qos: 1, retain: true });
  t.match(await request('status'), { status: 'ok', data: { paused: false } }, 'an empty payload did not pause the daemon');
  t.equal(sub.on(`${root}/response/pause`).length, pauseResponses, 'and got no response');
  t.ok(daemon.logs().some((l) => l.msg === 'ignoring an empty MQTT request (a retained request being cleared)' && l.action === 'pause'));
  // Size is checked before anything is parsed; an oversized transaction is not echoed. (Far bigger ones never
  // arrive: the broker drops them, test/mqtt-request-size.test.ts.)
  t.match(await request('status', JSON.stringify({ transaction: 'big', pad: 'x'.repeat(66_000) })), {
    status: 'error',
    error: /too large \(\d+ bytes; at most 65536\)/,
    transaction: null,
  });
  t.match(await request('status', JSON.stringify({ transaction: 'y'.repeat(300) })), { status: 'ok', transaction: null });

  // Paused: files wait in the queue; resumed: they are transcribed.
  t.match(await request('pause'), { status: 'ok', data: { paused: true } });
  await waitFor(() => last(`${root}/state`)?.json?.paused === true, 30_000, 'state paused');
  speechFile(join(dir, 'queued.wav'), 'The weather will be sunny tomorrow.');
  copyFileSync(join(dir, 'queued.wav'), join(watch, 'queued.wav'));
  const queued = await waitFor(() => last(`${root}/state`)?.json?.queueDepth === 1 && last(`${root}/state`)!.json, 60_000, 'queue depth 1 while paused');
  t.equal(queued.status, 'paused');
  t.equal(daemon.query('SELECT id FROM recordings WHERE status = ?', 'done').length, 0, 'nothing transcribed while paused');
  t.match(await request('resume'), { status: 'ok', data: { paused: false } });
  const id = recordingIdOf('queued.wav');
  const transcript = await waitFor(() => sub.on(`${root}/transcript`).find((m) => m.json?.recordingId === id)?.json, 120_000, 'transcript after resume');
  t.type(transcript.text, 'string');
  t.equal(transcript.powerMode, 'sparse');
  t.equal(transcript.variant, 'sparse', "the shipped model's sparse variant transcribed it");
  t.ok(
    daemon.logs().some((l) => l.msg === 'MQTT request' && l.action === 'reboot' && l.status === 'error'),
    'bad requests are logged',
  );
  t.equal(daemon.exitCode, null, 'the daemon is still running');
});

t.test('transcripts and events carry ids and redacted text only; no raw personal data in any MQTT payload', async (t) => {
  const spoken = 'my name is john smith and my card number is four five three two zero one five one one two eight three zero three six six';
  speechFile(join(dir, 'pii.wav'), spoken);
  copyFileSync(join(dir, 'pii.wav'), join(watch, 'pii.wav'));
  const recordingId = await waitFor(() => recordingIdOf('pii.wav'), 60_000, 'pii.wav queued');
  await waitFor(
    () => sub.on(`${root}/event/recording_finished`).some((m) => (m.json?.data as { recordingId?: string } | undefined)?.recordingId === recordingId),
    60_000,
    'recording_finished',
  );
  const segs = sub.on(`${root}/transcript`).filter((m) => m.json?.recordingId === recordingId);
  t.ok(segs.length >= 1);
  const seg = segs[0]!.json!;
  t.match(seg, {
    eventId: Number,
    device: 'dev1',
    recordingId,
    segmentId: `${recordingId}:0`,
    seq: 0,
    start: Number,
    end: Number,
    model: String,
    variant: String,
    powerMode: String,
  });
  t.same(
    segs.map((m) => m.json!.seq),
    segs.map((_, i) => i),
    'segments in order',
  );
  t.match(segs.map((m) => m.json!.text).join(' '), /my name is \[PERSON\].*\[CREDIT_CARD\]/);
  const entities = segs.flatMap((m) => m.json!.entities as { type: string; audioStart: number; audioEnd: number }[]);
  t.same(
    entities.map((e) => e.type),
    ['PERSON', 'CREDIT_CARD'],
  );
  t.ok(
    entities.every((e) => e.audioEnd > e.audioStart && e.audioStart > 0),
    'entities keep their audio times',
  );
  const started = sub.on(`${root}/event/recording_started`).find((m) => (m.json?.data as { recordingId?: string } | undefined)?.recordingId === recordingId);
  t.ok(started && (started.json!.eventId as number) < (seg.eventId as number), 'events arrive in outbox order');

  const eventIds = sub.messages.filter((m) => /\/(transcript|event\/[a-z_]+)$/.test(m.topic)).map((m) => m.json!.eventId as number);
  t.same(
    eventIds,
    [...eventIds].sort((a, b) => a - b),
    'event ids increase',
  );
  const everything = sub.messages.map((m) => m.text.toLowerCase()).join('\n');
  for (const raw of ['john', 'smith', '4532', 'four five three two', 'zero three six six', 'pii.wav'])
    t.notOk(everything.includes(raw), `no "${raw}" in any MQTT payload`);
  const queued = sub.on(`${root}/event/recording_queued`).find((m) => (m.json?.data as { recordingId?: string } | undefined)?.recordingId === recordingId);
  t.match(queued?.json, { data: { fileName: '[withheld]' } }, 'file names are withheld (log.fileNames is off)');
});

t.test('a failed recording is announced without its file name or path', async (t) => {
  writeFileSync(join(watch, 'jane-doe-call.wav'), 'not audio at all\n');
  const failed = await waitFor(() => sub.on(`${root}/event/recording_failed`).find((m) => m.text.includes('NOT_AUDIO'))?.json, 60_000, 'recording_failed');
  t.match(failed, { data: { errorCode: 'NOT_AUDIO', errorMessage: /^the recording: / } });
  t.match(await request('retry', { failed: true }), { status: 'ok', data: { requeued: [] } }, 'its original is deleted: nothing to retry');
  t.match(await request('retry', { id: 'fnope' }), { status: 'error', error: /no failed recording fnope/ });
  t.notOk(JSON.stringify(sub.messages.map((m) => m.text)).includes('jane-doe'), 'no file name in any MQTT payload');
  await waitFor(() => daemon.query<{ n: number }>('SELECT count(*) AS n FROM events')[0]!.n === 0, 60_000, 'delivered events leave the outbox');
});

t.test('a clean stop publishes offline', async (t) => {
  await daemon.kill('SIGTERM');
  t.equal(daemon.exitCode, 0);
  await waitFor(() => last(`${root}/availability`)?.json?.state === 'offline', 30_000, 'offline');
  t.ok(daemon.logs().some((l) => l.msg === 'MQTT disconnected'));
});
