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
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { packageRoot } from '../../daemon/util/package-root.js';
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

interface Clip {
  name: string;
  raw: string;
  wav: string;
  samples: number;
  speechEndSec: number;
}

interface PlanItem {
  clip: string;
  raw: string;
  startSample: number;
  speechEndSample: number;
  samples: number;
}

interface FedUtterance {
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

function makeClips(dir: string): Clip[] {
  const sources: [string, string][] = [];
  SENTENCES.forEach((text, i) => {
    const wav = join(dir, `src-${i}.wav`);
    if (i % 3 === 2) execFileSync('flite', ['-t', text, '-o', wav]);
    else execFileSync('espeak-ng', ['-v', i % 2 ? 'en-us' : 'en', '-s', String(150 + 10 * (i % 4)), '-w', wav, text]);
    sources.push([`${i % 3 === 2 ? 'flite' : 'espeak'}-${i}`, wav]);
  });
  const samples = join(packageRoot(), 'models', 'samples');
  for (const name of readdirSync(samples).filter((n) => n.endsWith('.wav')).sort()) sources.push([name.replace(/\.wav$/, ''), join(samples, name)]);
  return sources.map(([name, src]) => {
    const wav = join(dir, `${name}.wav`);
    const raw = join(dir, `${name}.s16`);
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', src, '-ac', '1', '-ar', String(RATE), '-c:a', 'pcm_s16le', wav]);
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', wav, '-f', 's16le', raw]);
    const bytes = readFileSync(raw);
    const pcm = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
    return { name, raw, wav, samples: pcm.length, speechEndSec: speechEnd(pcm) };
  });
}

/** Clips in a fixed rotation, each followed by `gapSec` of silence, until `seconds` of stream. */
function makePlan(clips: Clip[], seconds: number, gapSec: number): PlanItem[] {
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
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(0xffffffff, 4); // streaming: length unknown, as arecord writes it
  header.write('WAVEfmt ', 8, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(RATE, 24);
  header.writeUInt32LE(RATE * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(0xffffffff, 40);
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

function percentile(values: number[], p: number): number {
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

export const benchmark: Benchmark = {
  description: 'daemon under continuous live speech: end-of-speech -> stored-segment latency, RSS over time',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { minutes: { type: 'string', default: '10' }, 'gap-sec': { type: 'string', default: '1.5' }, model: { type: 'string' }, keep: { type: 'boolean', default: false } },
    });
    const minutes = Number(values.minutes);
    const gapSec = Number(values['gap-sec']);
    if (!(minutes > 0 && minutes <= 600)) throw new Error(`--minutes must be a number in (0, 600], got '${values.minutes}'`);
    if (!(gapSec >= 0.5 && gapSec <= 30)) throw new Error(`--gap-sec must be a number in [0.5, 30], got '${values['gap-sec']}'`);
    const root = packageRoot();
    const cli = join(root, 'daemon', 'bin', 'hushscribe.js');
    const modelDir = values.model ?? join(root, 'models', 'hushscribe-en-v1');
    const dir = mkdtempSync(join(tmpdir(), 'hs-bench-pipeline-'));
    let daemon: ChildProcess | null = null;
    try {
      process.stderr.write(`pipeline bench: ${minutes} min of live speech, work dir ${dir}\n`);
      mkdirSync(join(dir, 'clips'));
      const clips = makeClips(join(dir, 'clips'));

      // Baseline: bare transcription of each clip, model loaded once; the second pass is the steady-state one.
      const files = clips.map((c) => c.wav);
      const out = execFileSync(process.execPath, [cli, 'transcribe', '--json', '--model', modelDir, ...files, ...files], { encoding: 'utf8', maxBuffer: 1 << 26 });
      const transcribeMs = new Map<string, number>();
      out.trim().split('\n').slice(files.length).forEach((line, i) => {
        const r = JSON.parse(line) as { timingsMs?: { total: number }; error?: string };
        if (!r.timingsMs) throw new Error(`baseline transcribe failed on ${files[i]}: ${r.error}`);
        transcribeMs.set(clips[i]!.name, r.timingsMs.total);
      });

      const plan = makePlan(clips, minutes * 60, gapSec);
      const planFile = join(dir, 'plan.json');
      const fedLog = join(dir, 'fed.jsonl');
      writeFileSync(planFile, JSON.stringify(plan));
      writeFileSync(fedLog, '');
      const self = fileURLToPath(import.meta.url);
      const dataDir = join(dir, 'data');
      const config = {
        asr: { modelDir },
        sources: { watch: { dir: null }, command: { argv: [process.execPath, self, '--feed', planFile, fedLog] } },
        control: { socketPath: join(dir, 'control.sock') },
      };
      const configFile = join(dir, 'config.yaml');
      writeFileSync(configFile, JSON.stringify(config)); // JSON is YAML

      const proc = spawn(process.execPath, [cli, 'daemon', '--config', configFile, '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
      daemon = proc;
      let log = '';
      proc.stdout.on('data', (d: Buffer) => (log += d.toString()));
      proc.stderr.on('data', (d: Buffer) => (log += d.toString()));
      const exited = new Promise<number | null>((done) => proc.once('exit', (code) => done(code)));
      let dead = false;
      void exited.then(() => (dead = true));
      const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
      const deadline = (ms: number) => Date.now() + ms;
      for (const end = deadline(120_000); !log.includes('"daemon started"'); await sleep(100)) {
        if (dead || Date.now() > end) throw new Error(`daemon did not start:\n${log}`);
      }
      const startRss = rssKb(proc.pid!)!.rss;
      const samples: { t: number; rss: number }[] = [];
      const sampler = setInterval(() => {
        const r = rssKb(proc.pid!);
        if (r) samples.push({ t: Date.now(), rss: r.rss });
      }, 1000);

      const fed = (): FedUtterance[] => readFileSync(fedLog, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as FedUtterance);
      const lastEnd = plan.at(-1)!.speechEndSample / RATE;
      let reported = 0;
      while (fed().length < plan.length) {
        if (dead) throw new Error(`daemon exited during the run:\n${log.slice(-4000)}`);
        const n = fed().length;
        if (n - reported >= 20) {
          reported = n;
          process.stderr.write(`  fed ${n}/${plan.length} utterances (${round((fed().at(-1)?.speechEndSec ?? 0) / 60, 1)} of ${round(lastEnd / 60, 1)} min), RSS ${Math.round(samples.at(-1)!.rss / 1024)} MB\n`);
        }
        await sleep(1000);
      }
      // Drain: wait until the last utterance's segment is stored (or 60 s), then stop.
      const db = new Database(join(dataDir, 'hushscribe.db'), { readonly: true, fileMustExist: true });
      const segsQuery = db.prepare("SELECT s.start_sec AS start, s.end_sec AS end, s.created_at AS at, s.text, r.id FROM segments s JOIN recordings r ON r.id = s.recording_id WHERE r.source = 'command' ORDER BY r.created_at, s.seq");
      type Seg = { start: number; end: number; at: number; text: string; id: string };
      for (const end = deadline(60_000); Date.now() < end; await sleep(250)) {
        const segs = segsQuery.all() as Seg[];
        if (segs.some((s) => s.end > lastEnd - 0.05)) break;
      }
      await sleep(1500);
      const endRss = rssKb(proc.pid!)!;
      clearInterval(sampler);
      const segs = segsQuery.all() as Seg[];
      const sessions = new Set(segs.map((s) => s.id)).size;
      db.close();
      proc.kill('SIGTERM');
      const code = await exited;

      const utterances = fed();
      const latencies: number[] = [];
      const ratios: number[] = [];
      let missed = 0;
      const byThird: number[][] = [[], [], []];
      for (const u of utterances) {
        const endSec = u.speechEndSec;
        const overlapping = segs.filter((s) => s.start < endSec && s.end > u.startSec);
        if (overlapping.length === 0) {
          missed++;
          continue;
        }
        const latency = Math.max(...overlapping.map((s) => s.at)) - u.wallEndMs;
        latencies.push(latency);
        ratios.push(latency / transcribeMs.get(u.clip)!);
        byThird[Math.min(2, Math.floor((3 * u.i) / utterances.length))]!.push(latency);
      }
      const peakRss = Math.max(endRss.hwm, ...samples.map((s) => s.rss));
      const afterFirstMinute = samples.filter((s) => s.t >= samples[0]!.t + 60_000);
      const baselineMs = clips.map((c) => transcribeMs.get(c.name)!);
      const result = {
        benchmark: 'pipeline',
        minutes,
        gapSec,
        model: modelDir,
        utterances: utterances.length,
        clips: clips.length,
        segmentsStored: segs.length,
        sessions,
        missedUtterances: missed,
        daemonExitCode: code,
        baseline: { transcribeMsP50: round(percentile(baselineMs, 50), 1), transcribeMsMax: round(Math.max(...baselineMs), 1), rssStartMB: round(startRss / 1024, 1) },
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
      process.stdout.write(
        `utterances ${utterances.length} (${missed} without a stored segment), segments ${segs.length}\n` +
          `latency end-of-speech -> stored: p50 ${result.latencyMs.p50} ms, p95 ${result.latencyMs.p95} ms (x${result.latencyVsTranscribe.p50} / x${result.latencyVsTranscribe.p95} the bare transcribe time, p50 ${result.baseline.transcribeMsP50} ms)\n` +
          `daemon RSS: start ${result.baseline.rssStartMB} MB, peak ${result.rss.peakMB} MB (x${result.rss.peakVsStart}), end ${result.rss.endMB} MB (x${result.rss.endVsStart})\n`,
      );
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } finally {
      if (daemon && daemon.exitCode === null) daemon.kill('SIGKILL');
      if (values.keep) process.stderr.write(`kept ${dir}\n`);
      else rmSync(dir, { recursive: true, force: true });
    }
  },
};

// Capture-command mode (the daemon runs this file as its command source).
if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === '--feed') {
  await feed(process.argv[3]!, process.argv[4]!);
}
