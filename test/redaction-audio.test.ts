// Redacted audio, unit level: which samples get masked (padding, overlaps, clamping), what the tone and silence
// are sample by sample, the WAV written and read back with daemon/audio's reader, opus through ffmpeg, the
// temp-file-then-rename write, the config section and the store column (retention deletes the files).
import t from 'tap';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeAudioFile, encodeWav16, readWavFile } from '../daemon/audio/index.js';
import {
  applyMask,
  maskRanges,
  openRedactedAudioWriter,
  RedactedAudioError,
  RedactedAudioWriter,
  TEMP_SUFFIX,
  TONE_AMPLITUDE,
  TONE_HZ,
  spansToMask,
} from '../daemon/redacted-audio/index.js';
import { transcribeRecording } from '../daemon/pipeline/transcribe.js';
import { loadStages } from '../daemon/pipeline/stages.js';
import { ConfigError, loadConfig, validateConfig } from '../daemon/config/index.js';
import { Store } from '../daemon/store/index.js';
import { MIGRATIONS } from '../daemon/store/migrations.js';
import Database from 'better-sqlite3';
import { tempDir, TINY_MODEL, toneSamples, wavBytes } from './fixtures/daemon/harness.js';

const RATE = 16000;

/** A recording that is never the tone or zero: a slow ramp with a 220 Hz wobble. */
function speechLike(n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = 0.3 * Math.sin((2 * Math.PI * 220 * i) / RATE) + 0.2 + (0.1 * i) / n;
  return out;
}

t.test('mask ranges: padding, merging, clamping, spans without times', async (t) => {
  t.same(maskRanges([{ start: 1, end: 2 }], 0, 10 * RATE), [[16000, 32000]], 'exact span');
  t.same(maskRanges([{ start: 1, end: 2 }], 80, 10 * RATE), [[16000 - 1280, 32000 + 1280]], '80 ms = 1280 samples each side');
  t.same(maskRanges([{ start: 1.00004, end: 1.99996 }], 0, 10 * RATE), [[16000, 32000]], 'rounded outwards to whole samples');
  t.same(
    maskRanges(
      [
        { start: 3, end: 4 },
        { start: 1, end: 2 },
      ],
      0,
      10 * RATE,
    ),
    [
      [16000, 32000],
      [48000, 64000],
    ],
    'sorted',
  );
  t.same(
    maskRanges(
      [
        { start: 1, end: 2 },
        { start: 2.1, end: 3 },
      ],
      80,
      10 * RATE,
    ),
    [[14720, 49280]],
    'padding makes them overlap: merged',
  );
  t.same(
    maskRanges(
      [
        { start: 1, end: 3 },
        { start: 1.5, end: 2 },
      ],
      0,
      10 * RATE,
    ),
    [[16000, 48000]],
    'contained span merged',
  );
  t.same(
    maskRanges(
      [
        { start: 1, end: 2 },
        { start: 2, end: 3 },
      ],
      0,
      10 * RATE,
    ),
    [[16000, 48000]],
    'touching spans merged',
  );
  t.same(maskRanges([{ start: 0.02, end: 0.5 }], 80, RATE), [[0, 9280]], 'clamped at the start');
  t.same(maskRanges([{ start: 0.9, end: 1.2 }], 80, RATE), [[13120, 16000]], 'clamped at the end');
  t.same(maskRanges([{ start: 5, end: 6 }], 80, RATE), [], 'a span past the end masks nothing');
  t.same(
    maskRanges(
      [
        { start: null, end: null },
        { start: 0.1, end: 0.2 },
      ],
      0,
      RATE,
    ),
    [[1600, 3200]],
    'spans without times are skipped',
  );
  t.same(maskRanges([], 80, RATE), []);
});

t.test('tone and silence, sample by sample; samples outside the ranges untouched', async (t) => {
  const original = speechLike(RATE);
  const tone = original.slice();
  applyMask(
    tone,
    [
      [1000, 2000],
      [5000, 5600],
    ],
    'tone',
  );
  let peak = 0;
  for (let i = 0; i < RATE; i++) {
    const inside = (i >= 1000 && i < 2000) || (i >= 5000 && i < 5600);
    if (inside) {
      const expected = TONE_AMPLITUDE * Math.sin((2 * Math.PI * TONE_HZ * i) / RATE);
      if (Math.abs(tone[i]! - expected) > 1e-6) t.fail(`tone sample ${i}: ${tone[i]} != ${expected}`);
      peak = Math.max(peak, Math.abs(tone[i]!));
    } else if (tone[i] !== original[i]) t.fail(`sample ${i} outside the ranges changed`);
  }
  t.ok(Math.abs(20 * Math.log10(peak) - -20) < 0.01, `tone peak at -20 dBFS (${(20 * Math.log10(peak)).toFixed(3)})`);
  // 1 kHz at 16 kHz: one period is 16 samples, so the tone repeats exactly every 16 samples.
  let periodic = true;
  for (let i = 1000; i + 16 < 2000; i++) periodic &&= Math.abs(tone[i]! - tone[i + 16]!) < 1e-6;
  t.ok(periodic, '16-sample period');
  t.ok(Math.abs(Math.abs(tone[1004]!) - TONE_AMPLITUDE) < 1e-6, 'a quarter period in: the peak');

  const silent = original.slice();
  applyMask(silent, [[100, 300]], 'silence');
  t.ok(
    silent.subarray(100, 300).every((x) => x === 0),
    'silence is zeros',
  );
  t.equal(silent[99], original[99]);
  t.equal(silent[300], original[300]);
});

t.test('WAV written through a temp file, read back with the audio reader', async (t) => {
  const dir = tempDir('redacted-audio-wav');
  const writer = new RedactedAudioWriter(join(dir, 'audio'), { mode: 'tone', padMs: 80, format: 'wav' });
  const original = speechLike(2 * RATE);
  const samples = original.slice();
  const { path, bytes } = await writer.write('rec1', samples, [{ start: 0.5, end: 0.75 }]);
  t.equal(path, join(dir, 'audio', 'rec1.wav'));
  t.equal(bytes, statSync(path).size);
  t.equal(bytes, 44 + 2 * 2 * RATE);
  t.same(readdirSync(join(dir, 'audio')), ['rec1.wav'], 'no temp file left');
  const clip = await readWavFile(path);
  t.equal(clip.sampleRate, RATE);
  t.equal(clip.channels, 1);
  t.equal(clip.samples.length, original.length);
  const [from, to] = [0.5 * RATE - 1280, 0.75 * RATE + 1280];
  let worst = 0;
  for (let i = 0; i < clip.samples.length; i++) {
    const expected = i >= from && i < to ? TONE_AMPLITUDE * Math.sin((2 * Math.PI * TONE_HZ * i) / RATE) : original[i]!;
    worst = Math.max(worst, Math.abs(clip.samples[i]! - expected));
  }
  t.ok(worst <= 2 / 32768, `every sample within one 16-bit step of what was expected (worst ${worst})`);

  const clipped = encodeWav16(new Float32Array([1.5, -1.5, 0]), 16000);
  t.same(
    [0, 1, 2].map((i) => clipped.readInt16LE(44 + 2 * i)),
    [32767, -32768, 0],
    'clipped to 16 bits',
  );
});

t.test('opus through ffmpeg decodes back to the same length with a silent span', async (t) => {
  const dir = tempDir('redacted-audio-opus');
  const writer = new RedactedAudioWriter(dir, { mode: 'silence', padMs: 0, format: 'opus' });
  const { path } = await writer.write('rec2', speechLike(2 * RATE), [{ start: 0.5, end: 1.0 }]);
  t.equal(path, join(dir, 'rec2.opus'));
  const decoded = await decodeAudioFile(path);
  t.ok(Math.abs(decoded.samples.length - 2 * RATE) < 0.05 * RATE, `${decoded.samples.length} samples back`);
  // Opus is lossy and its filters ring a little at the edges: look well inside the span and well outside it.
  const rms = (a: Float32Array) => Math.sqrt(a.reduce((s, x) => s + x * x, 0) / a.length);
  t.ok(rms(decoded.samples.subarray(0.6 * RATE, 0.9 * RATE)) < 0.01, 'silent inside the span');
  t.ok(rms(decoded.samples.subarray(1.2 * RATE, 1.8 * RATE)) > 0.1, 'audio outside it');
});

t.test('stale temp files are removed at start; failures leave no file and say why', async (t) => {
  const dir = tempDir('redacted-audio-stale');
  writeFileSync(join(dir, `.old.wav${TEMP_SUFFIX}`), 'partial');
  writeFileSync(join(dir, 'kept.wav'), 'a finished file');
  const writer = openRedactedAudioWriter({ enabled: true, dir, mode: 'tone', padMs: 80, format: 'wav' })!;
  t.same(readdirSync(dir), ['kept.wav'], 'only the temp file removed');
  t.equal(openRedactedAudioWriter({ enabled: false, dir, mode: 'tone', padMs: 80, format: 'wav' }), null, 'disabled: no writer');
  t.throws(() => openRedactedAudioWriter({ enabled: true, dir: null, mode: 'tone', padMs: 80, format: 'wav' }), RedactedAudioError);

  // A name that is a directory cannot be renamed over: typed error, temp file gone.
  const blocked = new RedactedAudioWriter(dir, { mode: 'tone', padMs: 0, format: 'wav' });
  writeFileSync(join(dir, 'x'), '');
  mkdirSync(join(dir, 'busy.wav'));
  writeFileSync(join(dir, 'busy.wav', 'f'), '');
  await t.rejects(blocked.write('busy', speechLike(1000), []), { name: 'RedactedAudioError', message: /cannot write the redacted audio/ });
  t.notOk(
    readdirSync(dir).some((n) => n.endsWith(TEMP_SUFFIX)),
    'no temp file left after a failure',
  );
  t.ok(writer);
});

t.test('spans to mask: entity times, whole segment when dropped or untimed', async (t) => {
  const seg = { start: 1, end: 3 };
  const entity = (audioStart: number | null, audioEnd: number | null) => ({
    type: 'CREDIT_CARD' as const,
    redactedStart: 0,
    redactedEnd: 5,
    audioStart,
    audioEnd,
    score: 1,
    detector: 'x',
  });
  const redacted = (entities: ReturnType<typeof entity>[]) => ({
    seq: 0,
    start: 11,
    end: 13,
    redactedText: 'x',
    words: [],
    entities,
    model: 'm',
    variant: 'v',
  });
  t.same(spansToMask(seg, redacted([entity(11.5, 12)]), false, 10), [{ start: 11.5, end: 12 }]);
  t.same(spansToMask(seg, redacted([entity(null, null)]), false, 10), [{ start: 11, end: 13 }], 'an entity without audio times masks its segment');
  t.same(spansToMask(seg, null, true, 10), [{ start: 11, end: 13 }], 'a dropped segment is masked whole');
  t.same(spansToMask(seg, null, false, 10), []);
  t.same(spansToMask(seg, redacted([]), false, 10), []);
});

t.test('config: redaction.audio defaults, validation errors, default dir under dataDir', async (t) => {
  const dir = tempDir('redacted-audio-config');
  const file = join(dir, 'config.yaml');
  writeFileSync(file, 'dataDir: data\n');
  const { config } = loadConfig({ path: file, env: {} });
  t.same(config.redaction.audio, { enabled: false, mode: 'tone', padMs: 80, format: 'wav', dir: join(dir, 'data', 'audio') });
  t.equal(validateConfig({ dataDir: '/srv/hs' }).redaction.audio.dir, join('/srv/hs', 'audio'), 'validation alone fills the default too');
  writeFileSync(file, 'redaction:\n  audio:\n    enabled: true\n    dir: out\n    format: opus\n    mode: silence\n    padMs: 0\n');
  t.same(loadConfig({ path: file, env: {} }).config.redaction.audio, { enabled: true, mode: 'silence', padMs: 0, format: 'opus', dir: join(dir, 'out') });
  let issues: string[] = [];
  try {
    validateConfig({ redaction: { audio: { mode: 'beep', padMs: -5, format: 'mp3', level: 3 } } }, null);
  } catch (err) {
    t.type(err, ConfigError);
    issues = (err as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  t.ok(
    issues.some((i) => i.startsWith('redaction.audio.mode: must be one of tone, silence')),
    issues.join('\n'),
  );
  t.ok(
    issues.some((i) => i.startsWith('redaction.audio.format: must be one of wav, opus')),
    issues.join('\n'),
  );
  t.ok(
    issues.some((i) => i.startsWith('redaction.audio.padMs')),
    issues.join('\n'),
  );
  t.ok(
    issues.some((i) => i === 'redaction.audio.level: unknown option'),
    issues.join('\n'),
  );
});

t.test('store: migration adds the column; finish records the path; retention deletes the files', async (t) => {
  const dir = tempDir('redacted-audio-store');
  let now = Date.UTC(2026, 0, 1);
  const store = new Store(join(dir, 'db.sqlite'), { now: () => now });
  t.teardown(() => store.close());
  t.equal(store.schemaVersion, MIGRATIONS.length);
  const audioFile = join(dir, 'a.wav');
  const big = join(dir, 'b.wav');
  writeFileSync(audioFile, encodeWav16(speechLike(1600), 16000));
  writeFileSync(big, Buffer.alloc(4 << 20));
  for (const [id, file, bytes] of [
    ['a', audioFile, statSync(audioFile).size],
    ['b', big, 4 << 20],
    ['c', null, 0],
  ] as const) {
    store.enqueue({ id, source: 'watch', fileName: `${id}.wav`, path: `/in/${id}.wav`, bytes: 1 });
    store.claimNext();
    store.finish(id, { durationSec: 1, segmentCount: 0, redactedAudio: file ? { path: file, bytes } : null });
    now += 1000;
  }
  t.equal(store.get('a')!.redactedAudio, audioFile);
  t.equal(store.get('c')!.redactedAudio, null);
  t.equal(store.audioBytes(), statSync(audioFile).size + (4 << 20));

  // By size: the audio counts, so the two oldest go and take their files with them.
  const { deleted } = store.applyRetention({ maxAgeDays: 0, maxBytes: 2 << 20 });
  t.same(deleted, ['a', 'b']);
  t.notOk(existsSync(audioFile), 'audio file deleted with its recording');
  t.notOk(existsSync(big));
  t.equal(store.audioBytes(), 0);
});

t.test('store: a schema-1 database is migrated in place, its recordings without audio', async (t) => {
  const file = join(tempDir('redacted-audio-migrate'), 'db.sqlite');
  const old = new Database(file);
  old.exec(MIGRATIONS[0]!);
  old.pragma('user_version = 1');
  old.prepare(`INSERT INTO recordings (id, source, status, created_at) VALUES ('old', 'watch', 'done', 0)`).run();
  old.close();
  const store = new Store(file);
  t.teardown(() => store.close());
  t.equal(store.schemaVersion, 2);
  t.equal(store.get('old')!.redactedAudio, null);
  t.equal(store.audioBytes(), 0);
});

t.test('transcribeRecording streams the redacted audio: written while transcribing, not held to the end (issue 19)', async (t) => {
  const dir = tempDir('redacted-audio-streamed');
  const defaults = validateConfig({});
  const file = join(dir, 'long.wav');
  // About 40 s of tones, VAD off: 10 s windows, so the file grows window by window.
  const input = toneSamples(Array.from({ length: 8 }, () => 'my name is john smith and this goes on').join(' '));
  writeFileSync(file, wavBytes(input));
  const settings = {
    modelDir: TINY_MODEL,
    variant: null,
    threads: 1,
    vad: { ...defaults.vad, enabled: false, maxSegmentSec: 10 },
    redaction: defaults.redaction,
  };
  const stages = await loadStages(settings);
  const writer = new RedactedAudioWriter(join(dir, 'audio'), { mode: 'silence', padMs: 80, format: 'wav' });
  const temp = join(dir, 'audio', `.rec.wav${TEMP_SUFFIX}`);
  const writtenAt: { sec: number; bytes: number }[] = [];
  const result = await transcribeRecording(
    file,
    stages,
    settings.vad,
    {
      segment: () => undefined,
      progress: (sec) => writtenAt.push({ sec, bytes: existsSync(temp) ? statSync(temp).size : 0 }),
    },
    { writer, name: 'rec' },
  );
  const total = 44 + 2 * input.length;
  t.equal(result.redactedAudio!.bytes, total);
  const during = writtenAt.filter((w) => w.sec < result.durationSec);
  t.ok(during.length >= 4, `${during.length} progress reports`);
  t.ok(
    during.some((w) => w.bytes > total / 2),
    `more than half the file was on disk before the end (${JSON.stringify(during)})`,
  );
  // Each report finds at most the unsegmented window (10 s), the segment held for look-ahead redaction (10 s) plus a
  // chunk and the margin in RAM, not the recording.
  for (const w of during) t.ok(w.sec * 32000 + 44 - w.bytes <= (2 * 10 + 1) * 32000, `at ${w.sec} s: ${w.bytes} bytes written`);
  // The same bytes as masking the whole recording at once.
  const spans: { start: number; end: number }[] = [];
  await transcribeRecording(file, stages, settings.vad, {
    segment: (seg) => spans.push(...seg.entities.map((e) => ({ start: e.audioStart!, end: e.audioEnd! }))),
    progress: () => undefined,
  });
  const once = await new RedactedAudioWriter(join(dir, 'once'), writer.options).write('rec', (await readWavFile(file)).samples, spans);
  t.same(readFileSync(result.redactedAudio!.path), readFileSync(once.path), 'identical to the whole-recording masking');
});

t.test('transcribeRecording (tiny model): the name toned out in the written file, a dropped segment masked whole, write failures typed', async (t) => {
  const dir = tempDir('redacted-audio-pipeline');
  const defaults = validateConfig({});
  const file = join(dir, 'pii.wav');
  const input = toneSamples('my name is john smith');
  writeFileSync(file, wavBytes(input));
  const settings = { modelDir: TINY_MODEL, variant: null, threads: 1, vad: { ...defaults.vad, enabled: false }, redaction: defaults.redaction };
  const stages = await loadStages(settings);
  const writer = new RedactedAudioWriter(join(dir, 'audio'), { mode: 'silence', padMs: 0, format: 'wav' });
  const segments: { entities: { audioStart: number | null; audioEnd: number | null }[] }[] = [];
  const result = await transcribeRecording(
    file,
    stages,
    settings.vad,
    { segment: (s) => segments.push(s), progress: () => undefined },
    { writer, name: 'rec' },
  );
  t.equal(result.redactedAudio?.path, join(dir, 'audio', 'rec.wav'));
  const written = (await readWavFile(result.redactedAudio!.path)).samples;
  const original = (await readWavFile(file)).samples;
  const entity = segments[0]!.entities[0]!;
  const [[from, to]] = maskRanges([{ start: entity.audioStart, end: entity.audioEnd }], 0, original.length) as [[number, number]];
  t.ok(to - from > 0.5 * 16000, 'the name spans its tones');
  t.ok(
    written.subarray(from, to).every((x) => x === 0),
    'silent over the name',
  );
  t.same(written.subarray(0, from), original.subarray(0, from), 'the carrier untouched');

  const dropping = await loadStages({ ...settings, redaction: { ...defaults.redaction, operators: { PERSON: 'drop' } } });
  const kept: unknown[] = [];
  const droppedResult = await transcribeRecording(
    file,
    dropping,
    settings.vad,
    { segment: (s) => kept.push(s), progress: () => undefined },
    { writer, name: 'dropped' },
  );
  t.equal(kept.length, 0, 'segment dropped by policy');
  const droppedAudio = (await readWavFile(droppedResult.redactedAudio!.path)).samples;
  t.ok(
    droppedAudio.subarray(0.3 * 16000, original.length - 0.5 * 16000).every((x) => x === 0),
    'and its audio masked whole',
  );

  mkdirSync(join(dir, 'audio', 'busy.wav'));
  writeFileSync(join(dir, 'audio', 'busy.wav', 'f'), '');
  await t.rejects(transcribeRecording(file, stages, settings.vad, { segment: () => undefined, progress: () => undefined }, { writer, name: 'busy' }), {
    name: 'PipelineError',
    code: 'AUDIO_WRITE_FAILED',
  });

  // A recording that fails (cut short) leaves no temp file behind.
  const cut = join(dir, 'cut.wav');
  const whole = wavBytes(input);
  writeFileSync(cut, whole.subarray(0, whole.length - 16000));
  await t.rejects(transcribeRecording(cut, stages, settings.vad, { segment: () => undefined, progress: () => undefined }, { writer, name: 'cut' }), {
    code: 'TRUNCATED',
  });
  t.same(
    readdirSync(join(dir, 'audio')).filter((n) => n.includes('cut')),
    [],
    'no temp file left',
  );

  const opus = new RedactedAudioWriter(dir, { mode: 'tone', padMs: 0, format: 'opus' });
  await t.rejects(opus.write('bad-rate', new Float32Array(1000), [], 0), { name: 'RedactedAudioError', message: /ffmpeg could not encode opus/ });
});
