// Redacted audio of a live source, end to end, with the real model: a command source plays espeak-ng speech with
// a name and a phone number at real speed; sessions roll over every few seconds. Each session's recording is saved
// as it is heard (only masked samples reach the disk), has the session's length, carries the tone over the
// entities' spans (± padMs) and the input elsewhere, and no file holds any form of the planted values.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeAudioFile, readWavFile } from '../daemon/audio/index.js';
import { validateConfig } from '../daemon/config/index.js';
import { Logger } from '../daemon/log/logger.js';
import { maskRanges, TONE_AMPLITUDE, TONE_HZ } from '../daemon/redacted-audio/index.js';
import { LiveSource } from '../daemon/sources/live.js';
import { Store } from '../daemon/store/index.js';
import { ROOT, tempDir, TINY_MODEL, toneSamples, waitFor, wavBytes } from './fixtures/daemon/harness.js';
import { leakForms, leaksIn, leaksOnDisk, PII, synthesize } from './fixtures/daemon/privacy.js';

const RATE = 16000;
const STEP = 2 / 32768;

function compare(redacted: Float32Array, original: Float32Array, ranges: [number, number][]): string | null {
  if (redacted.length !== original.length) return `length ${redacted.length} != ${original.length}`;
  let r = 0;
  for (let i = 0; i < original.length; i++) {
    while (r < ranges.length && i >= ranges[r]![1]) r++;
    const inside = r < ranges.length && i >= ranges[r]![0];
    const expected = inside ? TONE_AMPLITUDE * Math.sin((2 * Math.PI * TONE_HZ * i) / RATE) : original[i]!;
    if (Math.abs(redacted[i]! - expected) > STEP) return `sample ${i} (${inside ? 'inside' : 'outside'} a span): ${redacted[i]} != ${expected}`;
  }
  return null;
}

t.test('live command source: each session saved masked as it is heard, across a rollover; no value in any file', async (t) => {
  const src = tempDir('live-audio-src');
  const all = synthesize(src);
  const picked = ['name.wav', 'phone.wav'].map((f) => PII.findIndex((p) => p.file === f));
  const paths = picked.map((i) => all[i]!);
  const forms = leakForms(all); // every planted value, not only the two played
  // The name, silence up to 5 s, the phone number, 1 s of silence: 16 kHz s16, so the live decode is exact.
  const input = join(src, 'live.wav');
  const graph = '[0]aresample=16000,apad=whole_dur=5[a];[1]aresample=16000,apad=pad_dur=1[b];[a][b]concat=n=2:v=0:a=1';
  execFileSync('ffmpeg', ['-v', 'error', '-i', paths[0]!, '-i', paths[1]!, '-filter_complex', graph, '-ar', '16000', '-ac', '1', '-c:a', 'pcm_s16le', input]);
  const original = (await decodeAudioFile(input)).samples;

  const dir = tempDir('live-audio');
  const config = validateConfig({ dataDir: dir, redaction: { audio: { enabled: true } } });
  const store = new Store(join(dir, 'hushscribe.db'));
  let logs = '';
  const log = new Logger({ sink: { write: (line: string) => (logs += line) }, level: 'debug' });
  const settings = {
    modelDir: join(ROOT, 'models', 'hushscribe-en-v1'),
    variant: null,
    sparseVariant: null,
    threads: 1,
    vad: config.vad,
    redaction: config.redaction,
    // -re: ffmpeg plays the file at its real speed, as a capture device would.
    argv: ['ffmpeg', '-v', 'error', '-re', '-i', input, '-f', 'wav', 'pipe:1'],
    // The first session ends in the silence after the name (about 4.5 s in), the second holds the phone number.
    sessionMaxSec: 4.5,
    live: config.live,
  };
  const live = new LiveSource('command', 'ffmpeg', settings, store, log, 60_000);
  t.teardown(async () => {
    await live.stop();
    store.close();
  });
  await live.start();
  type Row = { id: string; status: string; duration_sec: number; redacted_audio: string | null; redacted_audio_bytes: number | null };
  // The sessions of the first play of the input (the source then restarts the command and plays it again).
  const sessions = await waitFor(
    () => {
      const rows = store.db
        .prepare(`SELECT id, status, duration_sec, redacted_audio, redacted_audio_bytes FROM recordings WHERE source = 'command' ORDER BY created_at, rowid`)
        .all() as Row[];
      let heard = 0;
      for (const [n, row] of rows.entries()) {
        if (row.status !== 'done') return undefined;
        heard += Math.round(row.duration_sec * RATE);
        if (heard >= original.length - 0.1 * RATE) return rows.slice(0, n + 1);
      }
      return undefined;
    },
    150_000,
    'the live sessions of the whole input stored',
  );
  await live.stop();

  const audioDir = config.redaction.audio.dir!;
  let offset = 0;
  const types: string[][] = [];
  for (const [n, rec] of sessions.entries()) {
    t.equal(rec.redacted_audio, join(audioDir, `${rec.id}.wav`), `session ${n + 1}: its audio path stored`);
    const written = await readWavFile(rec.redacted_audio!);
    t.equal(written.sampleRate, RATE);
    t.equal(written.samples.length, Math.round(rec.duration_sec * RATE), `session ${n + 1}: as long as the session (${rec.duration_sec} s)`);
    const heard = original.subarray(offset, offset + written.samples.length);
    offset += written.samples.length;
    const entities = store.db.prepare('SELECT type, audio_start, audio_end FROM entities WHERE recording_id = ?').all(rec.id) as {
      type: string;
      audio_start: number | null;
      audio_end: number | null;
    }[];
    types.push(entities.map((e) => e.type));
    t.ok(
      entities.every((e) => e.audio_start !== null),
      `session ${n + 1}: ${entities.map((e) => e.type).join(', ') || 'no entity'}, with audio times`,
    );
    const ranges = maskRanges(
      entities.map((e) => ({ start: e.audio_start, end: e.audio_end })),
      config.redaction.audio.padMs,
      heard.length,
    );
    t.equal(compare(written.samples, heard, ranges), null, `session ${n + 1}: tone inside the spans ± padMs, the input outside`);
    const masked = ranges.reduce((sum, [a, b]) => sum + b - a, 0);
    if (n < 2) t.ok(masked > 0.3 * RATE && masked < heard.length * 0.8, `session ${n + 1}: ${(masked / RATE).toFixed(2)} s masked, the rest heard`);
  }
  t.ok(sessions.length >= 2, `the input spans ${sessions.length} sessions (a rollover every ${settings.sessionMaxSec} s)`);
  t.ok(types[0]!.includes('PERSON'), 'the name is in the first session');
  t.ok(types[1]!.includes('PHONE_NUMBER'), 'the phone number in the second');
  t.ok(offset <= original.length && offset > original.length - 0.1 * RATE, `the sessions hold the whole input (${offset} of ${original.length} samples)`);
  t.ok(
    readdirSync(audioDir).every((f) => /^s[0-9a-f]{24}\.wav$/.test(f)),
    'only finished session files, no temp file',
  );

  const leaks = leaksOnDisk([dir], forms, join(dir, 'hushscribe.db'));
  t.ok(leaks.files >= 3, `${leaks.files} files searched, the audio included`);
  t.same(leaks.hits, [], 'no value in any file');
  t.same(leaksIn(logs, forms), [], 'no value in the logs (debug level)');
});

t.test('live: an unusable audio folder is reported once per session; transcription goes on without audio', async (t) => {
  const dir = tempDir('live-audio-fail');
  const input = join(dir, 'in.wav');
  writeFileSync(input, wavBytes(toneSamples('my name is john smith')));
  const blocker = join(dir, 'not-a-folder');
  writeFileSync(blocker, '');
  const config = validateConfig({ dataDir: dir, redaction: { audio: { enabled: true, dir: join(blocker, 'audio') } } });
  const store = new Store(join(dir, 'hushscribe.db'));
  const lines: { msg: string; code?: string }[] = [];
  const log = new Logger({ sink: { write: (line: string) => lines.push(JSON.parse(line) as { msg: string }) } });
  const settings = {
    modelDir: TINY_MODEL,
    variant: null,
    sparseVariant: null,
    threads: 1,
    vad: { ...config.vad, enabled: false },
    redaction: config.redaction,
    argv: ['ffmpeg', '-v', 'error', '-i', input, '-f', 'wav', 'pipe:1'],
    sessionMaxSec: 3600,
    live: config.live,
  };
  const live = new LiveSource('command', 'ffmpeg', settings, store, log, 60_000);
  t.teardown(async () => {
    await live.stop();
    store.close();
  });
  await live.start();
  const rec = await waitFor(
    () =>
      store.db.prepare(`SELECT id, redacted_audio FROM recordings WHERE status = 'done'`).get() as { id: string; redacted_audio: string | null } | undefined,
    60_000,
    'the session stored',
  );
  t.equal(rec.redacted_audio, null, 'no audio path');
  const segments = store.db.prepare('SELECT count(*) AS n FROM segments WHERE recording_id = ?').get(rec.id) as { n: number };
  t.ok(segments.n > 0, 'segments stored all the same');
  const warning = lines.find((l) => l.msg === 'live session redacted audio not saved; transcription goes on');
  t.equal(warning?.code, 'REDACTED_AUDIO_FAILED');
});
