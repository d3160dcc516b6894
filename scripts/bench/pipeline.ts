// The whole daemon under continuous speech: end-of-speech -> stored-segment latency, and daemon memory over time.
//   npm run bench -- pipeline [--minutes N] [--gap-sec S] [--model DIR] [--keep]
//
// How it is measured (honestly, end to end):
// - Utterances: espeak-ng and flite sentences plus the real recordings in models/samples, 16 kHz mono.
//   Each clip's end of speech is its last 10 ms frame louder than -35 dB relative to its loudest frame
//   (trailing silence in the clip does not count as speech).
// - The built daemon (`hushscribe daemon`, real model, temp data dir) runs its command source with this module
//   in --feed mode as the capture command: it writes a WAV stream to stdout paced at real time (16 kHz, written
//   as soon as each 20 ms is due), utterances separated by --gap-sec of silence, for --minutes, then silence.
//   When the chunk holding an utterance's last speech sample has been written into the pipe (pipes are
//   synchronous in Node on Linux), the feeder records the wall clock: that is the end of speech.
// - The daemon stores each segment with created_at = its own Date.now() at the INSERT (same machine clock).
//   Latency of an utterance = created_at of the last stored segment overlapping it (stream time) minus its end of
//   speech. It includes the capture pipe, ffmpeg decoding, VAD end-of-speech detection (minSilenceMs + pad),
//   ASR, redaction and the SQLite commit.
// - Baseline, same run, before the daemon starts: `hushscribe transcribe --json` on the same clips (model loaded
//   once, each clip listed twice, the second timing kept): timingsMs.total is the bare transcription time of
//   that audio. Latency is reported as ms and as a ratio to that baseline per utterance.
// - Memory: VmRSS of the daemon process (main thread + transcription workers; ffmpeg and the capture command are
//   separate processes, not counted) sampled every second, and VmHWM (the kernel's peak) at the end. Ratios
//   against the RSS right after 'daemon started' (model loaded, capture running).
// Last line: JSON.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { pcm16WavHeader } from '../../daemon/audio/wav-writer.js';
import { packageRoot } from '../../common/package-root.js';
import type { Benchmark } from './run.js';

const RATE = 16000;
const CHUNK = RATE / 50; // 20 ms

const SENTENCES = [
  'The weather station on the hill reported light rain this morning.',
  'Please remind me to call the plumber after lunch on Thursday.',
  'Our meeting moved to the small room on the second floor.',
  'She bought three apples, a loaf of bread and some cheese.',
  'The train to the city leaves every twenty minutes.',
  'Turn off the lights in the kitchen before you go to bed.',
  'He said the report would be ready by the end of the week.',
  'Seven children played football in the park until it got dark.',
];

export interface Clip {
  name: string;
  raw: string;
  wav: string;
  samples: number;
  speechEndSec: number;
}

export interface PlanItem {
  clip: string;
  raw: string;
  startSample: number;
  speechEndSample: number;
  samples: number;
}

export interface FedUtterance {
  i: number;
  clip: string;
  startSec: number;
  speechEndSec: number;
  wallEndMs: number;
}

/** Last 10 ms frame louder than -35 dB relative to the loudest frame. */
function speechEnd(pcm: Int16Array): number {
  const frame = RATE / 100;
  const rms: number[] = [];
  for (let f = 0; f + frame <= pcm.length; f += frame) {
    let sum = 0;
    for (let i = f; i < f + frame; i++) sum += pcm[i]! * pcm[i]!;
    rms.push(Math.sqrt(sum / frame));
  }
  const floor = Math.max(...rms) * 10 ** (-35 / 20);
  let last = rms.length - 1;
  while (last > 0 && rms[last]! < floor) last--;
  return ((last + 1) * frame) / RATE;
}

/** The bench's clips: synthetic sentences and the bundled samples, or `only` ([name, audio file] pairs) instead. */
export function makeClips(dir: string, only?: [string, string][]): Clip[] {
  return (only ?? syntheticSources(dir)).map(([name, src]) => toClip(dir, name, src));
}

/** espeak-ng and flite reading SENTENCES, then the bundled samples. */
function syntheticSources(dir: string): [string, string][] {
  const sources: [string, string][] = [];
  SENTENCES.forEach((text, i) => {
    const wav = join(dir, `src-${i}.wav`);
    if (i % 3 === 2) execFileSync('flite', ['-t', text, '-o', wav]);
    else execFileSync('espeak-ng', ['-v', i % 2 ? 'en-us' : 'en', '-s', String(150 + 10 * (i % 4)), '-w', wav, text]);
    sources.push([`${i % 3 === 2 ? 'flite' : 'espeak'}-${i}`, wav]);
  });
  const samples = join(packageRoot(), 'models', 'samples');
  for (const name of readdirSync(samples)
    .filter((n) => n.endsWith('.wav'))
    .sort())
    sources.push([name.replace(/\.wav$/, ''), join(samples, name)]);
  return sources;
}

/** One clip as 16 kHz mono WAV and raw s16, with where its speech ends. */
function toClip(dir: string, name: string, src: string): Clip {
  const wav = join(dir, `${name}.wav`);
  const raw = join(dir, `${name}.s16`);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', src, '-ac', '1', '-ar', String(RATE), '-c:a', 'pcm_s16le', wav]);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', wav, '-f', 's16le', raw]);
  const bytes = readFileSync(raw);
  const pcm = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
  return { name, raw, wav, samples: pcm.length, speechEndSec: speechEnd(pcm) };
}

/** Clips in a fixed rotation, each followed by `gapSec` of silence, until `seconds` of stream. */
export function makePlan(clips: Clip[], seconds: number, gapSec: number): PlanItem[] {
  const plan: PlanItem[] = [];
  let at = Math.round(gapSec * RATE);
  for (let i = 0; at < seconds * RATE; i++) {
    const c = clips[i % clips.length]!;
    plan.push({ clip: c.name, raw: c.raw, startSample: at, speechEndSample: at + Math.round(c.speechEndSec * RATE), samples: c.samples });
    at += c.samples + Math.round(gapSec * RATE);
  }
  return plan;
}

/** Capture-command mode: the plan as a real-time WAV stream on stdout; end-of-speech wall times to `log`. */
async function feed(planFile: string, log: string): Promise<void> {
  const plan = JSON.parse(readFileSync(planFile, 'utf8')) as PlanItem[];
  const pcm = new Map<string, Buffer>();
  for (const p of plan) if (!pcm.has(p.raw)) pcm.set(p.raw, readFileSync(p.raw));
  const header = pcm16WavHeader(RATE, 0xffffffff); // streaming: length unknown, as arecord writes it
  process.stdout.on('error', () => process.exit(0)); // the daemon stopped reading
  process.stdout.write(header);
  const sampleAt = (n: number): number => {
    // The stream's sample n: from the clip playing at n, else silence.
    for (let k = cursor; k < plan.length; k++) {
      const p = plan[k]!;
      if (n < p.startSample) return 0;
      if (n < p.startSample + p.samples) return pcm.get(p.raw)!.readInt16LE((n - p.startSample) * 2);
    }
    return 0;
  };
  let cursor = 0;
  let written = 0;
  let next = 0; // next plan item whose end of speech has not been written yet
  const t0 = performance.now();
  // The wall clock of stream sample 0, for benchmarks that time other points of the stream (bench live).
  writeFileSync(`${log}.start`, String(Date.now()));
  for (;;) {
    const due = Math.floor(((performance.now() - t0) / 1000) * RATE);
    if (due - written >= CHUNK) {
      const n = Math.floor((due - written) / CHUNK) * CHUNK;
      const out = Buffer.alloc(n * 2);
      for (let i = 0; i < n; i++) out.writeInt16LE(sampleAt(written + i), i * 2);
      process.stdout.write(out);
      written += n;
      while (cursor < plan.length && plan[cursor]!.startSample + plan[cursor]!.samples <= written) cursor++;
      while (next < plan.length && plan[next]!.speechEndSample <= written) {
        const p = plan[next]!;
        const rec: FedUtterance = { i: next, clip: p.clip, startSec: p.startSample / RATE, speechEndSec: p.speechEndSample / RATE, wallEndMs: Date.now() };
        appendFileSync(log, `${JSON.stringify(rec)}\n`);
        next++;
      }
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

function rssKb(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return null;
  }
}

const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The built daemon as a child process, with its output kept for error messages. */
export class Daemon {
  readonly proc: ChildProcess;
  log = '';
  dead = false;
  readonly exited: Promise<number | null>;

  constructor(
    cli: string,
    configFile: string,
    readonly dataDir: string,
    extraArgs: string[] = [],
  ) {
    this.proc = spawn(process.execPath, [cli, 'daemon', '--config', configFile, '--data-dir', dataDir, ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout!.on('data', (d: Buffer) => (this.log += d.toString()));
    this.proc.stderr!.on('data', (d: Buffer) => (this.log += d.toString()));
    this.exited = new Promise((done) => this.proc.once('exit', (code) => done(code)));
    void this.exited.then(() => (this.dead = true));
  }

  async started(): Promise<void> {
    for (const end = Date.now() + 120_000; !this.log.includes('"daemon started"'); await sleep(100)) {
      if (this.dead || Date.now() > end) throw new Error(`daemon did not start:\n${this.log}`);
    }
  }

  rss(): { rss: number; hwm: number } {
    const r = rssKb(this.proc.pid!);
    if (!r) throw new Error(`daemon exited:\n${this.log.slice(-4000)}`);
    return r;
  }

  /** RSS every second, from now until stop(). */
  sample(): { samples: { t: number; rss: number }[]; stop(): void } {
    const samples: { t: number; rss: number }[] = [];
    const timer = setInterval(() => {
      const r = rssKb(this.proc.pid!);
      if (r) samples.push({ t: Date.now(), rss: r.rss });
    }, 1000);
    return { samples, stop: () => clearInterval(timer) };
  }

  async stop(): Promise<number | null> {
    if (!this.dead) this.proc.kill('SIGTERM');
    return this.exited;
  }
}

export function writeConfig(dir: string, config: Record<string, unknown>): string {
  const file = join(dir, 'config.yaml');
  writeFileSync(file, JSON.stringify({ ...config, control: { socketPath: join(dir, 'control.sock') } })); // JSON is YAML
  return file;
}

/** Bare transcription times (ms) of `files`, model loaded once; each listed twice, the second (warm) time kept. */
export function transcribeTimes(cli: string, modelDir: string, files: string[]): number[] {
  const out = execFileSync(process.execPath, [cli, 'transcribe', '--json', '--model', modelDir, ...files, ...files], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return out
    .trim()
    .split('\n')
    .slice(files.length)
    .map((line, i) => {
      const r = JSON.parse(line) as { timingsMs?: { total: number }; error?: string };
      if (!r.timingsMs) throw new Error(`baseline transcribe failed on ${files[i]}: ${r.error}`);
      return r.timingsMs.total;
    });
}

async function livePhase(cli: string, modelDir: string, dir: string, clips: Clip[], minutes: number, gapSec: number, track: (d: Daemon) => void) {
  const transcribeMs = new Map(
    transcribeTimes(
      cli,
      modelDir,
      clips.map((c) => c.wav),
    ).map((ms, i) => [clips[i]!.name, ms]),
  );
  const plan = makePlan(clips, minutes * 60, gapSec);
  const planFile = join(dir, 'plan.json');
  const fedLog = join(dir, 'fed.jsonl');
  writeFileSync(planFile, JSON.stringify(plan));
  writeFileSync(fedLog, '');
  const configFile = writeConfig(dir, {
    asr: { modelDir },
    sources: { watch: { dir: null }, command: { argv: [process.execPath, fileURLToPath(import.meta.url), '--feed', planFile, fedLog] } },
  });
  const daemon = new Daemon(cli, configFile, join(dir, 'data'));
  track(daemon);
  await daemon.started();
  const startRss = daemon.rss().rss;
  const sampler = daemon.sample();

  const fed = (): FedUtterance[] =>
    readFileSync(fedLog, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as FedUtterance);
  const lastEnd = plan.at(-1)!.speechEndSample / RATE;
  for (let reported = 0; fed().length < plan.length; await sleep(1000)) {
    if (daemon.dead) throw new Error(`daemon exited during the run:\n${daemon.log.slice(-4000)}`);
    const n = fed().length;
    if (n - reported >= 20) {
      reported = n;
      process.stderr.write(
        `  fed ${n}/${plan.length} utterances (${round((fed().at(-1)?.speechEndSec ?? 0) / 60, 1)} of ${round(lastEnd / 60, 1)} min), RSS ${Math.round(daemon.rss().rss / 1024)} MB\n`,
      );
    }
  }
  // Drain: wait until the last utterance's segment is stored (or 60 s), then stop.
  const db = new Database(join(daemon.dataDir, 'hushscribe.db'), { readonly: true, fileMustExist: true });
  type Seg = { start: number; end: number; at: number; id: string };
  const segsQuery = db.prepare(
    "SELECT s.start_sec AS start, s.end_sec AS end, s.created_at AS at, r.id FROM segments s JOIN recordings r ON r.id = s.recording_id WHERE r.source = 'command' ORDER BY r.created_at, s.seq",
  );
  for (const end = Date.now() + 60_000; Date.now() < end; await sleep(250)) {
    if ((segsQuery.all() as Seg[]).some((s) => s.end > lastEnd - 0.05)) break;
  }
  await sleep(1500);
  const endRss = daemon.rss();
  sampler.stop();
  const segs = segsQuery.all() as Seg[];
  db.close();
  const code = await daemon.stop();

  const utterances = fed();
  const latencies: number[] = [];
  const ratios: number[] = [];
  const byThird: number[][] = [[], [], []];
  let missed = 0;
  for (const u of utterances) {
    const overlapping = segs.filter((s) => s.start < u.speechEndSec && s.end > u.startSec);
    if (overlapping.length === 0) {
      missed++;
      continue;
    }
    const latency = Math.max(...overlapping.map((s) => s.at)) - u.wallEndMs;
    latencies.push(latency);
    ratios.push(latency / transcribeMs.get(u.clip)!);
    byThird[Math.min(2, Math.floor((3 * u.i) / utterances.length))]!.push(latency);
  }
  const samples = sampler.samples;
  const peakRss = Math.max(endRss.hwm, ...samples.map((s) => s.rss));
  const afterFirstMinute = samples.filter((s) => s.t >= samples[0]!.t + 60_000);
  const baselineMs = [...transcribeMs.values()];
  return {
    minutes,
    gapSec,
    utterances: utterances.length,
    clips: clips.length,
    segmentsStored: segs.length,
    sessions: new Set(segs.map((s) => s.id)).size,
    missedUtterances: missed,
    daemonExitCode: code,
    baseline: {
      transcribeMsP50: round(percentile(baselineMs, 50), 1),
      transcribeMsMax: round(Math.max(...baselineMs), 1),
      rssStartMB: round(startRss / 1024, 1),
    },
    latencyMs: { p50: Math.round(percentile(latencies, 50)), p95: Math.round(percentile(latencies, 95)), max: Math.round(Math.max(...latencies)) },
    latencyVsTranscribe: { p50: round(percentile(ratios, 50), 2), p95: round(percentile(ratios, 95), 2) },
    latencyP50ByThirdMs: byThird.map((l) => Math.round(percentile(l, 50))),
    rss: {
      peakMB: round(peakRss / 1024, 1),
      endMB: round(endRss.rss / 1024, 1),
      peakVsStart: round(peakRss / startRss, 3),
      endVsStart: round(endRss.rss / startRss, 3),
      // Growth after warm-up: RSS at the end against the lowest RSS after the first minute.
      endVsMinAfterFirstMinute: afterFirstMinute.length ? round(endRss.rss / Math.min(...afterFirstMinute.map((s) => s.rss)), 3) : null,
    },
  };
}

/**
 * One long recording (the clips with gaps, `minutes` long) dropped into a watch folder: time from drop to 'done'
 * against the bare `transcribe` time of the same file, and the daemon's RSS growth against the size the
 * decoded file would take in memory (float32), which a whole-file decode would add.
 */
async function filePhase(cli: string, modelDir: string, dir: string, clips: Clip[], minutes: number, gapSec: number, track: (d: Daemon) => void) {
  const gap = join(dir, 'gap.wav');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `anullsrc=r=${RATE}:cl=mono`, '-t', String(gapSec), '-c:a', 'pcm_s16le', gap]);
  const oneRound = clips.reduce((s, c) => s + c.samples / RATE + gapSec, 0);
  const list = join(dir, 'long.txt');
  writeFileSync(
    list,
    Array.from({ length: Math.ceil((minutes * 60) / oneRound) }, () =>
      clips
        .flatMap((c) => [c.wav, gap])
        .map((p) => `file '${p}'`)
        .join('\n'),
    ).join('\n'),
  );
  const long = join(dir, 'long.wav');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'concat', '-safe', '0', '-i', list, '-t', String(minutes * 60), '-c:a', 'pcm_s16le', long]);
  const [transcribeMs] = transcribeTimes(cli, modelDir, [long]).slice(-1);

  const watch = join(dir, 'in');
  mkdirSync(watch);
  const configFile = writeConfig(dir, { asr: { modelDir }, sources: { watch: { dir: watch, pollMs: 100, settleMs: 300 } } });
  const daemon = new Daemon(cli, configFile, join(dir, 'data'));
  track(daemon);
  await daemon.started();
  const startRss = daemon.rss().rss;
  const sampler = daemon.sample();
  const dropped = Date.now();
  copyFileSync(long, join(watch, 'long.wav'));
  const db = new Database(join(daemon.dataDir, 'hushscribe.db'), { readonly: true, fileMustExist: true });
  type Row = { status: string; finished_at: number | null; duration_sec: number | null; error_code: string | null };
  let row: Row | undefined;
  for (const end = Date.now() + 3_600_000; ; await sleep(200)) {
    row = db.prepare('SELECT status, finished_at, duration_sec, error_code FROM recordings').get() as Row | undefined;
    if (row?.status === 'done' || row?.status === 'failed') break;
    if (daemon.dead || Date.now() > end) throw new Error(`long file not finished:\n${daemon.log.slice(-4000)}`);
  }
  const segments = (db.prepare('SELECT count(*) AS n FROM segments').get() as { n: number }).n;
  db.close();
  const endRss = daemon.rss();
  sampler.stop();
  await daemon.stop();
  const processingMs = row.finished_at! - dropped;
  const peakRss = Math.max(endRss.hwm, ...sampler.samples.map((s) => s.rss));
  const decodedMB = (minutes * 60 * RATE * 4) / 1048576;
  return {
    minutes,
    status: row.status,
    errorCode: row.error_code,
    durationSec: row.duration_sec,
    segments,
    baseline: { transcribeMs: Math.round(transcribeMs!), rssStartMB: round(startRss / 1024, 1), decodedFloat32MB: round(decodedMB, 1) },
    processingMs,
    processingVsTranscribe: round(processingMs / transcribeMs!, 2),
    realtimeFactor: round(processingMs / 1000 / (minutes * 60), 4),
    rss: {
      peakMB: round(peakRss / 1024, 1),
      growthMB: round((peakRss - startRss) / 1024, 1),
      peakVsStart: round(peakRss / startRss, 3),
      growthVsDecodedFile: round((peakRss - startRss) / 1024 / decodedMB, 3),
    },
  };
}

export const benchmark: Benchmark = {
  description: 'daemon under continuous live speech: end-of-speech -> stored-segment latency, RSS over time; --file-minutes: one long recording',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        minutes: { type: 'string', default: '10' },
        'gap-sec': { type: 'string', default: '1.5' },
        'file-minutes': { type: 'string', default: '0' },
        model: { type: 'string' },
        keep: { type: 'boolean', default: false },
      },
    });
    const minutes = Number(values.minutes);
    const gapSec = Number(values['gap-sec']);
    const fileMinutes = Number(values['file-minutes']);
    if (!(minutes >= 0 && minutes <= 600)) throw new Error(`--minutes must be a number in [0, 600] (0: no live phase), got '${values.minutes}'`);
    if (!(gapSec >= 0.5 && gapSec <= 30)) throw new Error(`--gap-sec must be a number in [0.5, 30], got '${values['gap-sec']}'`);
    if (!(fileMinutes >= 0 && fileMinutes <= 600))
      throw new Error(`--file-minutes must be a number in [0, 600] (0: no long-file phase), got '${values['file-minutes']}'`);
    if (minutes === 0 && fileMinutes === 0) throw new Error('nothing to run: --minutes and --file-minutes are both 0');
    const root = packageRoot();
    const cli = join(root, 'daemon', 'bin', 'hushscribe.js');
    const modelDir = values.model ?? join(root, 'models', 'hushscribe-en-v1');
    const dir = mkdtempSync(join(tmpdir(), 'hs-bench-pipeline-'));
    const daemons: Daemon[] = [];
    const track = (d: Daemon) => daemons.push(d);
    try {
      process.stderr.write(`pipeline bench: ${minutes} min of live speech, a ${fileMinutes} min file; work dir ${dir}\n`);
      mkdirSync(join(dir, 'clips'));
      const clips = makeClips(join(dir, 'clips'));
      const result: Record<string, unknown> = { benchmark: 'pipeline', model: modelDir };
      if (minutes > 0) {
        mkdirSync(join(dir, 'live'));
        const live = await livePhase(cli, modelDir, join(dir, 'live'), clips, minutes, gapSec, track);
        result.live = live;
        process.stdout.write(
          `live: ${live.utterances} utterances (${live.missedUtterances} without a stored segment), ${live.segmentsStored} segments\n` +
            `  latency end-of-speech -> stored: p50 ${live.latencyMs.p50} ms, p95 ${live.latencyMs.p95} ms (x${live.latencyVsTranscribe.p50} / x${live.latencyVsTranscribe.p95} the bare transcribe time, p50 ${live.baseline.transcribeMsP50} ms)\n` +
            `  daemon RSS: start ${live.baseline.rssStartMB} MB, peak ${live.rss.peakMB} MB (x${live.rss.peakVsStart}), end ${live.rss.endMB} MB (x${live.rss.endVsStart})\n`,
        );
      }
      if (fileMinutes > 0) {
        mkdirSync(join(dir, 'file'));
        const file = await filePhase(cli, modelDir, join(dir, 'file'), clips, fileMinutes, gapSec, track);
        result.file = file;
        process.stdout.write(
          `file: ${fileMinutes} min recording ${file.status} in ${(file.processingMs / 1000).toFixed(1)} s (x${file.processingVsTranscribe} the bare transcribe time), ${file.segments} segments\n` +
            `  daemon RSS: start ${file.baseline.rssStartMB} MB, peak ${file.rss.peakMB} MB (+${file.rss.growthMB} MB; the decoded file is ${file.baseline.decodedFloat32MB} MB)\n`,
        );
      }
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } finally {
      for (const d of daemons) if (!d.dead) d.proc.kill('SIGKILL');
      if (values.keep) process.stderr.write(`kept ${dir}\n`);
      else rmSync(dir, { recursive: true, force: true });
    }
  },
};

// Capture-command mode (the daemon runs this file as its command source).
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--feed') {
  await feed(process.argv[3]!, process.argv[4]!);
}
