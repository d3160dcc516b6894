// The Wyoming server driven as Home Assistant's client drives it, with events framed as the Python `wyoming`
// library writes them: describe/info, transcribe + audio (streaming and not), other rates and formats, storage
// policy, and malformed or hostile frames (clean close, no crash, bounded memory).
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../daemon/config/load.js';
import { createLogger } from '../daemon/log/logger.js';
import { Store } from '../daemon/store/store.js';
import { WyomingFeature } from '../daemon/wyoming/index.js';
import { PYTHON_WYOMING_VERSION, WyomingTestClient, type Event } from '../scripts/bench/wyoming-client.js';
import { waitFor } from './fixtures/daemon/harness.js';

const ROOT = join(import.meta.dirname, '..');
const MODEL = join(ROOT, 'models', 'hushscribe-en-v1');
const dir = mkdtempSync(join(tmpdir(), 'hs-wyoming-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

/** espeak-ng speech (22050 Hz) as raw PCM in the format asked, through ffmpeg. */
function speechPcm(text: string, format: { rate: number; width: number; channels: number }): Buffer {
  const wav = join(dir, `speech-${Math.random().toString(36).slice(2)}.wav`);
  execFileSync('espeak-ng', ['-s', '150', '-w', wav, text]);
  return pcmOf(wav, format);
}

/** The bundled sample with personal data: "hi this is john smith my card number is four five three two ...". */
const PII_SAMPLE = join(ROOT, 'models', 'samples', 'synthetic-card-number.wav');

function pcmOf(wav: string, format: { rate: number; width: number; channels: number }): Buffer {
  const codec = { 1: 'u8', 2: 's16le', 4: 's32le' }[format.width]!;
  return execFileSync(
    'ffmpeg',
    ['-v', 'error', '-i', wav, '-af', 'apad=pad_dur=0.6', '-ar', String(format.rate), '-ac', String(format.channels), '-f', codec, 'pipe:1'],
    { maxBuffer: 1 << 26 },
  );
}

const logLines: string[] = [];
const log = createLogger({ level: 'debug', module: 'test', sink: { write: (line: string) => logLines.push(line) } });

async function startFeature(overrides: Record<string, unknown>, store: Store | null = null): Promise<WyomingFeature> {
  const config = validateConfig({ wyoming: { enabled: true, zeroconf: false, uri: 'tcp://127.0.0.1:0', ...overrides } });
  const stages = {
    modelDir: MODEL,
    variant: null,
    threads: 1,
    vad: config.vad,
    redaction: { ...config.redaction, tagger: { enabled: false, modelDir: null } },
  };
  const feature = new WyomingFeature({ config: config.wyoming, stages, version: '9.9.9', store, log });
  await feature.start();
  return feature;
}

const S16 = { rate: 16000, width: 2, channels: 1 };
const PII_WORDS = /john|smith|four five|three two/i;

const feature = await startFeature({});
t.teardown(() => feature.stop());
const port = feature.port!;

// The answer is built once at start, never by the worker (Home Assistant gives describe 1 s); tests check its content, not its time.
t.test('describe -> info, as Home Assistant asks', async (t) => {
  const client = await WyomingTestClient.connect({ port });
  client.write('describe');
  const { event } = await client.readUntil('info');
  const asr = (event!.data.asr as Record<string, unknown>[])[0]!;
  t.equal(asr.name, 'hushscribe');
  t.equal(asr.installed, true);
  t.equal(asr.version, '9.9.9');
  t.equal(asr.supports_transcript_streaming, true);
  t.match(asr.attribution, { name: String, url: String });
  const models = asr.models as { name: string; languages: string[]; installed: boolean }[];
  t.same(
    models.map((m) => [m.name, m.languages, m.installed]),
    [['hushscribe-en-v1', ['en'], true]],
  );
  // A second request on the same connection works too.
  client.write('describe');
  t.equal((await client.readUntil('info')).event?.type, 'info');
  client.close();
});

function transcriptEvents(seen: Event[]) {
  const types = seen.map((e) => e.type);
  const chunks = seen.filter((e) => e.type === 'transcript-chunk').map((e) => e.data.text as string);
  return { types, chunks };
}

t.test('streaming: transcript-start, redacted chunks concatenating to the final transcript, transcript-stop', async (t) => {
  const client = await WyomingTestClient.connect({ port });
  // The PII sample, a second of silence, then a second sentence: two segments, two deltas.
  client.sendAudio(Buffer.concat([pcmOf(PII_SAMPLE, S16), Buffer.alloc(32000), speechPcm('turn off the lights in the kitchen', S16)]), S16);
  const { event, seen } = await client.readUntil('transcript');
  const stop = await client.read();
  const { types, chunks } = transcriptEvents(seen);
  t.equal(types[0], 'transcript-start');
  t.ok(chunks.length >= 2, `${chunks.length} transcript-chunk deltas, one per spoken segment`);
  const text = event!.data.text as string;
  t.equal(chunks.join(''), text, 'the deltas concatenate to the final text');
  t.match(text, /\[PERSON\]/, 'the name is redacted by the default policy');
  t.match(text, /\[CREDIT_CARD\]/, 'and the card number');
  t.notMatch(text, PII_WORDS);
  t.match(text, /the lights in the/);
  t.equal(event!.data.language, 'en');
  t.equal(stop?.type, 'transcript-stop');
  client.close();
});

t.test('non-streaming client: reads until transcript and ignores the rest; any rate, width and channel count', async (t) => {
  const formats = [
    { rate: 22050, width: 2, channels: 1 },
    { rate: 44100, width: 2, channels: 2 },
    { rate: 8000, width: 1, channels: 1 },
    { rate: 48000, width: 4, channels: 1 },
  ];
  for (const format of formats) {
    const client = await WyomingTestClient.connect({ port });
    client.sendAudio(speechPcm('turn off the lights in the kitchen', format), format, 1024);
    const { event } = await client.readUntil('transcript');
    t.match(event!.data.text, /the lights in the/, `${format.rate} Hz, ${format.width * 8}-bit, ${format.channels} ch`);
    client.close();
  }
});

t.test("a transcribe event's context.hotwords steer that request only; their pii phrases are redacted in it", async (t) => {
  const client = await WyomingTestClient.connect({ port });
  // A made-up name the model misspells unless it is told about it.
  const named = speechPcm('please ask brikola to call me', S16);
  client.sendAudio(named, S16, 1024, 'en', { hotwords: ['Brikola'] });
  t.match((await client.readUntil('transcript')).event!.data.text, /ask brikola to/, 'the listed name is heard');
  client.sendAudio(named, S16);
  t.notMatch((await client.readUntil('transcript')).event!.data.text, /brikola/, 'unlisted (the next request), it is not');
  const pcm = speechPcm('turn off the lights in the kitchen', S16);
  client.sendAudio(pcm, S16, 1024, 'en', { hotwords: [{ phrase: 'Lights', pii: true }] });
  const hushed = (await client.readUntil('transcript')).event!.data.text as string;
  t.match(hushed, /the \[PERSON\] in the/, "the request's pii phrase is heard and redacted");
  client.sendAudio(pcm, S16);
  t.match((await client.readUntil('transcript')).event!.data.text, /the lights in the/, 'the next request on the connection has no list');
  client.close();
});

t.test('a malformed context.hotwords gets an error event; the request is still transcribed', async (t) => {
  const client = await WyomingTestClient.connect({ port });
  client.sendAudio(speechPcm('turn off the lights in the kitchen', S16), S16, 1024, 'en', { hotwords: [{ phrase: 'lights', boost: 99 }] });
  const { event, seen } = await client.readUntil('transcript');
  const error = seen.find((e) => e.type === 'error');
  t.match(error?.data, { code: 'bad-hotwords', text: /context\.hotwords\[0\]\.boost must be a number in \(0, 20\]/ });
  t.notMatch(JSON.stringify(error?.data), /lights/, 'the phrase is not echoed');
  t.match(event!.data.text, /the lights in the/);
  client.close();
});

t.test('empty audio gives an empty transcript; unknown events are ignored', async (t) => {
  const client = await WyomingTestClient.connect({ port });
  client.write('run-satellite');
  client.write('detect', { names: ['ok_nabu'] });
  client.write('transcribe', { language: 'en' });
  client.write('audio-start', S16);
  client.write('audio-stop');
  const { event } = await client.readUntil('transcript');
  t.equal(event!.data.text, '');
  t.equal((await client.read())?.type, 'transcript-stop');
  client.close();
});

t.test('inline data (no data block) is accepted too', async (t) => {
  const client = await WyomingTestClient.connect({ port });
  client.writeRaw('{"type": "describe", "data": {}}\n');
  t.equal((await client.readUntil('info')).event?.type, 'info');
  const pcm = speechPcm('the train leaves every twenty minutes', S16);
  client.writeRaw(`${JSON.stringify({ type: 'audio-start', data: S16 })}\n`);
  client.writeRaw(Buffer.concat([Buffer.from(`${JSON.stringify({ type: 'audio-chunk', data: S16, payload_length: pcm.length })}\n`), pcm]));
  client.writeRaw('{"type":"audio-stop"}\n');
  t.match((await client.readUntil('transcript')).event!.data.text, /train/);
  client.close();
});

t.test('malformed frames get a clean close; the server carries on', async (t) => {
  const cases: [string, (c: WyomingTestClient) => void][] = [
    ['bad JSON header', (c) => c.writeRaw('{"type": describe\n')],
    ['header that is not an object', (c) => c.writeRaw('[1, 2]\n')],
    ['data block that is not JSON', (c) => c.writeRaw(Buffer.concat([Buffer.from('{"type": "audio-start", "data_length": 5}\n'), Buffer.from('{bad}')]))],
    ['negative length', (c) => c.writeRaw('{"type": "audio-chunk", "payload_length": -4}\n')],
    ['100 MB payload claim', (c) => c.writeRaw(`{"type": "audio-chunk", "version": "${PYTHON_WYOMING_VERSION}", "payload_length": 104857600}\n`)],
    ['100 MB data claim', (c) => c.writeRaw('{"type": "transcribe", "data_length": 104857600}\n')],
    ['endless header line', (c) => c.writeRaw(Buffer.alloc(200 * 1024, 0x61))],
    ['audio-chunk before audio-start', (c) => c.write('audio-chunk', S16, Buffer.alloc(640))],
    ['audio-stop before audio-start', (c) => c.write('audio-stop')],
    [
      'a second audio-start',
      (c) => {
        c.write('audio-start', S16);
        c.write('audio-start', S16);
      },
    ],
    ['unsupported format', (c) => c.write('audio-start', { rate: 16000, width: 3, channels: 1 })],
    [
      'chunk format differs from audio-start',
      (c) => {
        c.write('audio-start', S16);
        c.write('audio-chunk', { rate: 8000, width: 2, channels: 1 }, Buffer.alloc(640));
      },
    ],
  ];
  for (const [name, send] of cases) {
    const client = await WyomingTestClient.connect({ port });
    send(client);
    await client.closed();
    t.pass(`${name}: closed`);
  }
  // A payload that lies (claims more than it sends) waits, bounded, until the idle timeout; the claim is not allocated.
  const rssBefore = process.memoryUsage().rss;
  const liars = await Promise.all(Array.from({ length: 4 }, () => WyomingTestClient.connect({ port })));
  for (const c of liars) c.writeRaw('{"type": "audio-chunk", "payload_length": 1048576}\nshort');
  await new Promise((r) => setTimeout(r, 300));
  t.ok(process.memoryUsage().rss - rssBefore < 64 * 1024 * 1024, 'lying lengths allocate nothing up front');
  for (const c of liars) c.close();
  // After all that, a normal request still works once the server has seen the closes and freed their maxClients
  // slots (until then it turns a new connection away; how soon it gets to them depends on the machine's load).
  const info = await waitFor(
    async () => {
      const client = await WyomingTestClient.connect({ port });
      client.write('describe');
      const { event } = await client.readUntil('info');
      client.close();
      return event;
    },
    30_000,
    'a describe answered after the liars left',
  );
  t.equal(info.type, 'info');
});

t.test('a client that leaves mid-stream or never sends costs nothing', async (t) => {
  const idle = await startFeature({ idleTimeoutSec: 1 });
  t.teardown(() => idle.stop());
  const silent = await WyomingTestClient.connect({ port: idle.port! });
  const began = Date.now();
  await silent.closed();
  t.ok(Date.now() - began >= 900, 'a silent client is closed after the idle timeout');

  // The audio is made before connecting: espeak-ng and ffmpeg run synchronously here, in the server's process, and
  // on a loaded machine would hold its event loop past the 1 s idle timeout of a connection already open.
  const pcm = pcmOf(PII_SAMPLE, S16);
  const weather = speechPcm('the weather will be fine tomorrow', S16);
  const leaver = await WyomingTestClient.connect({ port: idle.port! });
  leaver.write('audio-start', S16);
  leaver.write('audio-chunk', S16, pcm.subarray(0, pcm.length / 2));
  leaver.close();
  const client = await WyomingTestClient.connect({ port: idle.port! });
  client.sendAudio(weather, S16);
  t.match((await client.readUntil('transcript')).event!.data.text, /weather/, 'the next request is served');
  client.close();
});

t.test('policy: wyoming.redact picks the types; nothing is stored unless wyoming.store', async (t) => {
  const dbFile = join(dir, 'store.db');
  const store = new Store(dbFile);
  t.teardown(() => store.close());
  const names = await startFeature({ redact: { types: ['PHONE_NUMBER', 'CREDIT_CARD'] }, store: false }, store);
  t.teardown(() => names.stop());
  const client = await WyomingTestClient.connect({ port: names.port! });
  client.sendAudio(pcmOf(PII_SAMPLE, S16), S16);
  const kept = (await client.readUntil('transcript')).event!.data.text as string;
  t.match(kept, /this is \S+/, 'a policy without PERSON lets a name through (a voice command such as "call Anna" needs it)');
  t.notMatch(kept, /\[PERSON\]/);
  t.match(kept, /\[CREDIT_CARD\]/);
  client.close();
  t.same(store.countByStatus(), { queued: 0, processing: 0, done: 0, failed: 0 }, 'nothing stored');

  const stored = await startFeature({ store: true }, store);
  t.teardown(() => stored.stop());
  const c2 = await WyomingTestClient.connect({ port: stored.port! });
  c2.sendAudio(pcmOf(PII_SAMPLE, S16), S16);
  const text = (await c2.readUntil('transcript')).event!.data.text as string;
  c2.close();
  const recs = store.list({ limit: 10 }).filter((r) => r.source === 'wyoming');
  t.equal(recs.length, 1);
  t.equal(recs[0]!.status, 'done');
  const segs = store.segments(recs[0]!.id).map((s) => s.text);
  t.equal(segs.join(' '), text, 'the stored segments are the redacted transcript');
  store.close();
  const raw =
    readFileSync(dbFile).toString('latin1') +
    (() => {
      try {
        return readFileSync(`${dbFile}-wal`).toString('latin1');
      } catch {
        return '';
      }
    })();
  t.notMatch(raw, PII_WORDS, 'no raw name or number in the database or its WAL');
});

t.test('logs hold no transcript', async (t) => {
  t.notMatch(logLines.join('\n'), /john|smith|four five|lights|weather/i);
});

t.test('a unix socket works as well', async (t) => {
  const path = join(dir, 'wyoming.sock');
  const unix = await startFeature({ uri: `unix://${path}` });
  t.teardown(() => unix.stop());
  const client = await WyomingTestClient.connect({ path });
  client.write('describe');
  t.equal((await client.readUntil('info')).event?.type, 'info');
  client.close();
});
