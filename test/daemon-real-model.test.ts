// The real daemon with the shipped model (models/hushscribe-en-v1) and Silero VAD on a watch folder: the bundled
// samples and an espeak-ng sentence go in; stored segments, `transcripts list --json` and an SRT export come out.
import t from 'tap';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, daemonSetup, ensureBuilt, ROOT, speechFile, waitFor } from './fixtures/daemon/harness.js';

ensureBuilt();

const MODEL = join(ROOT, 'models', 'hushscribe-en-v1');
const SAMPLES = join(ROOT, 'models', 'samples');
const { dir, daemon, watch } = daemonSetup('real-model', { config: { asr: { modelDir: MODEL }, sources: { watch: { keepOriginals: true } } } });
const opts = ['--data-dir', daemon.dataDir, '--config', daemon.configFile];

interface Rec {
  id: string;
  file_name: string;
  status: string;
  error_code: string | null;
  duration_sec: number;
}
interface Word {
  word: string;
  start: number;
  end: number;
  confidence: number;
  entity?: string;
}

t.before(async () => {
  daemon.start();
  await daemon.ready(120_000);
});
t.teardown(() => daemon.kill());

t.test('samples and synthesized speech are transcribed, timed and scored', async (t) => {
  const names = readdirSync(SAMPLES)
    .filter((n) => n.endsWith('.wav'))
    .sort();
  t.ok(names.length >= 2, 'the bundled samples are there');
  speechFile(join(dir, 'sentence.wav'), 'The weather will be sunny tomorrow and the train leaves at seven.');
  for (const name of names) copyFileSync(join(SAMPLES, name), join(watch, name));
  copyFileSync(join(dir, 'sentence.wav'), join(watch, 'sentence.wav'));
  const all = [...names, 'sentence.wav'];

  const recs = await waitFor(
    () => {
      const rows = daemon.query<Rec>('SELECT id, file_name, status, error_code, duration_sec FROM recordings');
      return rows.length === all.length && rows.every((r) => r.status === 'done' || r.status === 'failed') ? rows : undefined;
    },
    150_000,
    'all recordings finished',
  );
  for (const r of recs) {
    t.equal(r.status, 'done', `${r.file_name} done`);
    t.equal(r.error_code, null);
    t.ok(r.duration_sec > 2, `${r.file_name} has its duration (${r.duration_sec} s)`);
  }

  for (const r of recs) {
    const segs = daemon.query<{ seq: number; start_sec: number; end_sec: number; text: string; words: string; model: string }>(
      'SELECT seq, start_sec, end_sec, text, words, model FROM segments WHERE recording_id = ? ORDER BY seq',
      r.id,
    );
    t.ok(segs.length >= 1, `${r.file_name}: at least one segment`);
    let last = 0;
    for (const s of segs) {
      t.equal(s.model, 'hushscribe-en-v1');
      t.ok(s.start_sec >= 0 && s.end_sec > s.start_sec && s.end_sec <= r.duration_sec + 0.5, `${r.file_name}#${s.seq}: segment times within the recording`);
      const words = JSON.parse(s.words) as Word[];
      t.ok(words.length >= 3, `${r.file_name}#${s.seq}: words (${s.text})`);
      t.equal(words.map((w) => w.word).join(' '), s.text, 'the text is the words');
      for (const w of words) {
        t.ok(w.start >= s.start_sec - 0.01 && w.end >= w.start && w.end <= s.end_sec + 0.01, `'${w.word}' timed inside its segment`);
        t.ok(w.confidence > 0 && w.confidence <= 1, `'${w.word}' has a confidence`);
        t.ok(w.start >= last - 0.01, 'words in time order');
        last = w.start;
      }
    }
  }

  // What the model hears: the real recording and the synthetic ones share recognisable words.
  const text = (name: string) =>
    daemon
      .query<{ text: string }>('SELECT s.text FROM segments s JOIN recordings r ON r.id = s.recording_id WHERE r.file_name = ? ORDER BY s.seq', name)
      .map((s) => s.text)
      .join(' ');
  t.match(text('human-librivox-0880.wav'), /\b(was|not)\b/);
  t.match(text('sentence.wav'), /\b(train|seven|tomorrow|weather)\b/);
  // The card-number sample: the number and the name are redacted before storage.
  const card = text('synthetic-card-number.wav');
  t.match(card, /card number/);
  t.match(card, /\[CREDIT_CARD\]|\[NUMBER\]|\[[A-Z_]+\]/, `card number redacted (${card})`);
  t.notMatch(
    card,
    /\b(four|five|three|two|zero|one|eight|six)\b.*\b(four|five|three|two|zero|one|eight|six)\b.*\b(four|five|three|two|zero|one|eight|six)\b/,
    'no run of digits left',
  );

  const list = cli(['transcripts', 'list', '--json', ...opts]);
  t.equal(list.code, 0, list.stderr);
  const listed = list.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { id: string; fileName: string; status: string; segments: number });
  t.same(listed.map((l) => l.fileName).sort(), [...all].sort());
  for (const l of listed) {
    t.equal(l.status, 'done');
    t.ok(l.segments >= 1, `${l.fileName} lists its segments`);
  }

  const sentence = recs.find((r) => r.file_name === 'sentence.wav')!;
  const srt = cli(['transcripts', 'export', sentence.id, '--format', 'srt', ...opts]);
  t.equal(srt.code, 0, srt.stderr);
  const cues = srt.stdout.trim().split(/\n\s*\n/);
  t.ok(cues.length >= 1);
  cues.forEach((cue, i) => {
    const [n, times, ...lines] = cue.split('\n');
    t.equal(n, String(i + 1), 'cues numbered from 1');
    t.match(times, /^\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}$/, 'SRT timestamps');
    t.ok(lines.join(' ').trim().length > 0, 'cue text');
  });
  t.match(srt.stdout, text('sentence.wav').split(' ')[0]!);

  // Finished recordings moved to done/, nothing left in the watch folder.
  t.same(
    readdirSync(watch).filter((n) => n.endsWith('.wav')),
    [],
  );
  t.same(readdirSync(join(watch, 'done')).sort(), [...all].sort());
  t.notOk(readFileSync(join(dir, 'config.yaml'), 'utf8').includes('"vad"'), 'VAD on (default config)');
});

// The issue asks for a 30-minute file in pieces with bounded memory; a 3-minute one keeps the test short on a
// 2-core machine. It must be transcribed as a stream: progress and segments are stored while it is still
// processing, and the daemon's RSS grows by a bounded amount: the working set of the longest decode, not the file.
// Each decode is up to asr.leftContext.maxSec (4 s) longer since left context, and onnxruntime's working set grows
// with a decode's length: on this file's back-to-back sentences the growth went from 25-80 MB (median 28, 5 runs
// alone) to 60-105 MB (median 78), so the bound is 150 MB, not 100; `npm run bench -- memory` (its files' pauses
// mostly exceed maxGapSec) measured the same 20-minute peak with and without (207.8 vs 215.6 MB, same run).
t.test('a long recording (3 min) is transcribed in pieces with bounded memory', async (t) => {
  const sentences = [
    'The weather will be sunny tomorrow.',
    'Please close the window in the kitchen.',
    'Our meeting moved to the afternoon.',
    'The train leaves every twenty minutes.',
  ];
  const parts = sentences.map((text, i) => speechFile(join(dir, `part-${i}.wav`), text));
  const silence = join(dir, 'gap.wav');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'anullsrc=r=22050:cl=mono', '-t', '1', '-c:a', 'pcm_s16le', silence]);
  const list = join(dir, 'long.txt');
  writeFileSync(
    list,
    Array.from({ length: 15 }, () =>
      parts
        .flatMap((p) => [p, silence])
        .map((p) => `file '${p}'`)
        .join('\n'),
    ).join('\n'),
  );
  const long = join(dir, 'long.wav');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-ar', '16000', '-ac', '1', '-c:a', 'pcm_s16le', long]);
  const seconds = Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', long], { encoding: 'utf8' }));
  t.ok(seconds >= 170, `${seconds.toFixed(0)} s of speech`);

  const rss = () => Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${daemon.child.pid}/status`, 'utf8'))![1]) * 1024;
  const before = rss();
  let peak = before;
  const progress = new Set<number>();
  let segmentsWhileProcessing = 0;
  copyFileSync(long, join(watch, 'long.wav'));
  const rec = await waitFor(
    () => {
      peak = Math.max(peak, rss());
      const [r] = daemon.query<Rec & { progress_sec: number; n: number }>(
        "SELECT r.*, (SELECT count(*) FROM segments s WHERE s.recording_id = r.id) AS n FROM recordings r WHERE file_name = 'long.wav'",
      );
      if (r?.status === 'processing') {
        progress.add(r.progress_sec);
        segmentsWhileProcessing = Math.max(segmentsWhileProcessing, r.n);
      }
      return r && (r.status === 'done' || r.status === 'failed') ? r : undefined;
    },
    170_000,
    'the long recording finished',
  );
  t.equal(rec.status, 'done', rec.error_code ?? '');
  t.ok(Math.abs(rec.duration_sec - seconds) < 1, 'whole duration transcribed');
  t.ok(progress.size >= 2, `progress stored while processing (${[...progress].join(', ')} s)`);
  t.ok(segmentsWhileProcessing >= 1, `segments stored before the end (${segmentsWhileProcessing})`);
  const n = daemon.query<{ n: number }>('SELECT count(*) AS n FROM segments WHERE recording_id = ?', rec.id)[0]!.n;
  t.ok(n >= 45, `${n} segments, about one per sentence`);
  const decodedBytes = seconds * 16000 * 4;
  t.ok(
    peak - before < 150 * 1024 * 1024,
    `RSS grew by ${((peak - before) / 1048576).toFixed(1)} MB (the decoded file is ${(decodedBytes / 1048576).toFixed(1)} MB)`,
  );
});
