// Memory of the daemon on the default configuration: idle, one 5-minute file, one 2-hour file, for each power
// variant, with redacted audio off and on.
//   npm run bench -- memory [--short-min 5] [--long-min 120] [--speech 0.35] [--variants dense,sparse]
//     [--redacted-audio off,on] [--model DIR] [--baseline DIR]
//
// How it is measured:
// - Recordings: espeak-ng and flite sentences plus the real recordings in models/samples (16 kHz mono 16-bit WAV),
//   in a fixed rotation separated by silence so that `--speech` of the time is speech (a conversation with pauses;
//   ASR cost follows the speech, memory the length). Written to disk a chunk at a time (never held in RAM here).
// - For each variant (power.mode dense or sparse) x redaction.audio (off, on): a fresh built daemon (`hushscribe
//   daemon`, the default config but for the data and watch folders), the short file dropped into its watch folder,
//   then the long one. VmRSS of the daemon process (main thread and transcription worker; ffmpeg is a separate
//   process, not counted) is sampled every 200 ms: idle is the mean of 5 s once started, peak the highest sample
//   while each file is transcribed; VmHWM at the end is the kernel's own peak (it includes model loading).
// - Baselines in the same run: each peak as a ratio to that daemon's idle RSS, and redacted audio on against off
//   for the same variant and file (MB difference). --baseline DIR: another built checkout (an earlier commit,
//   `git archive` + `npm run build`) measured the same way on the same files, each of its daemons right before
//   this build's; the JSON then has its results and this build's figures as ratios to them.
// - Stages: a separate Node process loads each stage in turn (onnxruntime and the ASR modules, the dense recognizer
//   with its LM, the sparse recognizer sharing that LM, Silero VAD, the PII tagger, then one 20 s utterance through
//   the dense recognizer) and reports its RSS after each: what each costs, in one thread.
// Last line: JSON.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { pcm16WavHeader } from '../../daemon/audio/wav-writer.js';
import { packageRoot } from '../../common/package-root.js';
import type { Benchmark } from './run.js';

const RATE = 16000;
const SAMPLE_MS = 200;
const IDLE_SETTLE_MS = 5000;

const SENTENCES = [
  'The weather station on the hill reported light rain this morning.',
  'Please remind me to call the plumber after lunch on Thursday.',
  'Our meeting moved to the small room on the second floor.',
  'She bought three apples, a loaf of bread and some cheese.',
  'The train to the city leaves every twenty minutes.',
  'He said the report would be ready by the end of the week.',
];

/** 16-bit mono PCM of each clip (synthesized sentences and the bundled real recordings). */
function makeClips(dir: string): Buffer[] {
  const sources: string[] = [];
  SENTENCES.forEach((text, i) => {
    const wav = join(dir, `src-${i}.wav`);
    if (i % 3 === 2) execFileSync('flite', ['-t', text, '-o', wav]);
    else execFileSync('espeak-ng', ['-v', i % 2 ? 'en-us' : 'en', '-s', String(150 + 10 * (i % 4)), '-w', wav, text]);
    sources.push(wav);
  });
  const samples = join(packageRoot(), 'models', 'samples');
  for (const name of readdirSync(samples)
    .filter((n) => n.endsWith('.wav'))
    .sort())
    sources.push(join(samples, name));
  return sources.map((src, i) => {
    const raw = join(dir, `clip-${i}.s16`);
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', src, '-ac', '1', '-ar', String(RATE), '-f', 's16le', raw]);
    return readFileSync(raw);
  });
}

/** A WAV of `minutes`, clips in rotation with silence between them so that `speech` of it is speech. */
function writeRecording(path: string, clips: Buffer[], minutes: number, speech: number): void {
  const total = Math.round(minutes * 60 * RATE);
  const fd = openSync(path, 'w');
  writeSync(fd, pcm16WavHeader(RATE, total * 2));
  let written = 0;
  for (let i = 0; written < total; i++) {
    const clip = clips[i % clips.length]!;
    const gap = Buffer.alloc(Math.round(((clip.length / 2) * (1 - speech)) / speech) * 2);
    for (const part of [clip, gap]) {
      const n = Math.min(part.length / 2, total - written);
      writeSync(fd, part, 0, n * 2);
      written += n;
    }
  }
  closeSync(fd);
}

/** VmRSS split: anonymous memory (heaps, tensors) and file pages (the node binary, libraries, the mapped LM). */
interface Rss {
  rss: number;
  hwm: number;
  anon: number;
  file: number;
}

function rssMb(pid: number): Rss | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024, anon: kb('RssAnon') / 1024, file: kb('RssFile') / 1024 };
  } catch {
    return null;
  }
}

interface RunResult {
  variant: string;
  redactedAudio: boolean;
  idleMb: number;
  shortPeakMb: number;
  longPeakMb: number;
  hwmMb: number;
  /** The long file's peak sample split into anonymous and file-backed pages (RssAnon, RssFile). */
  longPeakAnonMb: number;
  longPeakFileMb: number;
  shortWallSec: number;
  longWallSec: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One fresh daemon: idle, then the short file, then the long one. */
async function measure(
  cli: string,
  dir: string,
  variant: string,
  audio: boolean,
  files: { short: string; long: string },
  modelDir: string | null,
): Promise<RunResult> {
  const root = join(dir, `${variant}-${audio ? 'audio' : 'noaudio'}`);
  const watch = join(root, 'in');
  mkdirSync(watch, { recursive: true });
  const config = join(root, 'config.yaml');
  const data = join(root, 'data');
  writeFileSync(
    config,
    JSON.stringify({
      dataDir: data,
      sources: { watch: { dir: watch, settleMs: 500 } },
      power: { mode: variant },
      redaction: { audio: { enabled: audio } },
      ...(modelDir ? { asr: { modelDir } } : {}),
    }),
  );
  const proc: ChildProcess = spawn(process.execPath, [cli, 'daemon', '--config', config], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    let log = '';
    proc.stdout!.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-100_000)));
    const deadline = Date.now() + 300_000;
    while (!/"msg":"model loaded"/.test(log) || !/"msg":"daemon started"/.test(log)) {
      if (Date.now() > deadline || proc.exitCode !== null) throw new Error(`daemon did not start:\n${log.slice(-2000)}`);
      await sleep(100);
    }
    const idle: number[] = [];
    for (let t = 0; t < IDLE_SETTLE_MS; t += SAMPLE_MS) {
      idle.push(rssMb(proc.pid!)!.rss);
      await sleep(SAMPLE_MS);
    }
    const done = () => {
      const db = new Database(join(data, 'hushscribe.db'), { readonly: true });
      try {
        return (db.prepare(`SELECT count(*) AS n FROM recordings WHERE status IN ('done', 'failed')`).get() as { n: number }).n;
      } finally {
        db.close();
      }
    };
    const transcribe = async (file: string, expectDone: number) => {
      const t0 = Date.now();
      copyFileSync(file, join(watch, file.split('/').pop()!));
      let peak: Rss = { rss: 0, hwm: 0, anon: 0, file: 0 };
      while (done() < expectDone) {
        if (proc.exitCode !== null) throw new Error(`daemon exited:\n${log.slice(-2000)}`);
        const now = rssMb(proc.pid!)!;
        if (now.rss > peak.rss) peak = now;
        await sleep(SAMPLE_MS);
      }
      return { peak, wallSec: (Date.now() - t0) / 1000 };
    };
    const short = await transcribe(files.short, 1);
    const long = await transcribe(files.long, 2);
    const round = (x: number) => Math.round(x * 10) / 10;
    return {
      variant,
      redactedAudio: audio,
      idleMb: round(idle.reduce((a, b) => a + b, 0) / idle.length),
      shortPeakMb: round(short.peak.rss),
      longPeakMb: round(long.peak.rss),
      hwmMb: round(rssMb(proc.pid!)!.hwm),
      longPeakAnonMb: round(long.peak.anon),
      longPeakFileMb: round(long.peak.file),
      shortWallSec: round(short.wallSec),
      longWallSec: round(long.wallSec),
    };
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => (proc.exitCode !== null ? r(null) : proc.once('exit', r)));
    rmSync(root, { recursive: true, force: true });
  }
}

/** In this process: RSS after loading each stage in turn (MB, rounded). */
async function probeStages(modelDir: string): Promise<Record<string, number>> {
  const rss = () => Math.round(process.memoryUsage().rss / 1048576);
  // As the daemon's worker does at start (worker-startup.ts): otherwise glibc keeps an utterance's freed tensors.
  const { mapLargeAllocations } = await import('../../native/index.js');
  mapLargeAllocations(1 << 20);
  const out: Record<string, number> = { start: rss() };
  const { loadRecognizer } = await import('../../daemon/asr/index.js');
  out.asrModules = rss();
  const dense = await loadRecognizer({ modelDir, threads: 1 });
  out.denseRecognizer = rss();
  const sparse = await loadRecognizer({ modelDir, threads: 1, variant: 'sparse' }).catch(() => null);
  out.sparseRecognizer = rss();
  const { loadSileroVad } = await import('../../daemon/vad/index.js');
  const vad = await loadSileroVad();
  out.sileroVad = rss();
  const { PiiTagger } = await import('../../redaction/tagger.js');
  const tagger = await PiiTagger.load();
  out.piiTagger = rss();
  const speech = new Float32Array(20 * RATE).map((_, i) => 0.1 * Math.sin(i / 7) * Math.sin(i / 3000));
  await dense.transcribe(speech);
  out.afterDense20sUtterance = rss();
  void [sparse, vad, tagger]; // kept alive until measured
  return out;
}

export const benchmark: Benchmark = {
  description: 'daemon RSS: idle, a 5-minute and a 2-hour file, per variant, redacted audio off vs on',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        'probe-stages': { type: 'boolean', default: false },
        'short-min': { type: 'string', default: '5' },
        'long-min': { type: 'string', default: '120' },
        speech: { type: 'string', default: '0.35' },
        variants: { type: 'string', default: 'dense,sparse' },
        'redacted-audio': { type: 'string', default: 'off,on' },
        model: { type: 'string' },
        baseline: { type: 'string' },
      },
    });
    const modelDir = values.model ?? join(packageRoot(), 'models', 'hushscribe-en-v1');
    if (values['probe-stages']) {
      console.log(JSON.stringify(await probeStages(modelDir)));
      return;
    }
    const shortMin = Number(values['short-min']);
    const longMin = Number(values['long-min']);
    const speech = Number(values.speech);
    if (!(shortMin > 0) || !(longMin > 0)) throw new Error('--short-min and --long-min must be positive numbers of minutes');
    if (!(speech > 0 && speech <= 1)) throw new Error('--speech must be a fraction in (0, 1]');
    const dir = mkdtempSync(join(tmpdir(), 'hs-bench-memory-'));
    try {
      const clips = makeClips(dir);
      const files = { short: join(dir, 'short.wav'), long: join(dir, 'long.wav') };
      writeRecording(files.short, clips, shortMin, speech);
      writeRecording(files.long, clips, longMin, speech);
      const cli = join(packageRoot(), 'daemon', 'bin', 'hushscribe.js');
      const baselineCli = values.baseline ? join(values.baseline, 'daemon', 'bin', 'hushscribe.js') : null;
      const audioModes = values['redacted-audio'].split(',').map((mode) => {
        if (mode !== 'off' && mode !== 'on') throw new Error(`--redacted-audio takes off, on or off,on; got ${mode}`);
        return mode === 'on';
      });
      const probe = execFileSync(process.execPath, [join(import.meta.dirname, 'run.js'), 'memory', '--probe-stages', '--model', modelDir], {
        encoding: 'utf8',
      });
      const stagesMb = JSON.parse(probe.trim().split('\n').at(-1)!) as Record<string, number>;
      process.stderr.write(`stages (RSS MB after each, one process): ${JSON.stringify(stagesMb)}\n`);
      const results: RunResult[] = [];
      const baseline: RunResult[] = [];
      const report = (label: string, r: RunResult) =>
        process.stderr.write(
          `${label}${r.variant}, redacted audio ${r.redactedAudio ? 'on ' : 'off'}: idle ${r.idleMb} MB, ${shortMin} min peak ${r.shortPeakMb} MB (${r.shortWallSec} s), ${longMin} min peak ${r.longPeakMb} MB (${r.longWallSec} s), VmHWM ${r.hwmMb} MB (long peak: ${r.longPeakAnonMb} MB anonymous, ${r.longPeakFileMb} MB file pages)\n`,
        );
      for (const variant of values.variants.split(',')) {
        for (const audio of audioModes) {
          if (baselineCli) {
            const b = await measure(baselineCli, dir, variant, audio, files, values.model ?? null);
            baseline.push(b);
            report('baseline: ', b);
          }
          const r = await measure(cli, dir, variant, audio, files, values.model ?? null);
          results.push(r);
          report('', r);
        }
      }
      const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
      const overBaseline = baseline.map((b, i) => {
        const r = results[i]!;
        return {
          variant: r.variant,
          redactedAudio: r.redactedAudio,
          idle: ratio(r.idleMb, b.idleMb),
          shortPeak: ratio(r.shortPeakMb, b.shortPeakMb),
          longPeak: ratio(r.longPeakMb, b.longPeakMb),
          shortWall: ratio(r.shortWallSec, b.shortWallSec),
          longWall: ratio(r.longWallSec, b.longWallSec),
        };
      });
      const ratios = results.map((r) => ({
        variant: r.variant,
        redactedAudio: r.redactedAudio,
        shortPeakOverIdle: Math.round((r.shortPeakMb / r.idleMb) * 100) / 100,
        longPeakOverIdle: Math.round((r.longPeakMb / r.idleMb) * 100) / 100,
      }));
      const audioCost = [...new Set(results.map((r) => r.variant))].flatMap((variant) => {
        const off = results.find((r) => r.variant === variant && !r.redactedAudio);
        const on = results.find((r) => r.variant === variant && r.redactedAudio);
        if (!off || !on) return [];
        return {
          variant,
          shortPeakDeltaMb: Math.round((on.shortPeakMb - off.shortPeakMb) * 10) / 10,
          longPeakDeltaMb: Math.round((on.longPeakMb - off.longPeakMb) * 10) / 10,
        };
      });
      console.log(
        JSON.stringify({
          benchmark: 'memory',
          shortMin,
          longMin,
          speech,
          stagesMb,
          results,
          ratios,
          redactedAudioCost: audioCost,
          ...(baselineCli ? { baseline: { dir: values.baseline, results: baseline, overBaseline } } : {}),
        }),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
