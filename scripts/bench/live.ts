// Live partials and endpointing: the built daemon with a command source playing speech in real time (the
// pipeline bench's feeder), watched through the control socket's live.listen (what `hushscribe listen` shows).
//   npm run bench -- live [--minutes N] [--gap-sec S] [--model DIR] [--runs baseline,endpoint,partials,previous,fast] [--real N]
//                         [--custom '{"live":{"endpoint":{"decodeAheadMs":32}},"asr":{"threads":2}}']
//
// Five runs of the same stream (and --custom's), in this order, in one process:
//   baseline   live.partials off, live.endpoint off (the VAD alone ends segments, then they are decoded)
//   endpoint   live.partials off, live.endpoint on (decode ahead in the silence; VAD + the recogniser's trailing blank)
//   partials   live.partials on, live.endpoint on (the shipped defaults)
//   previous   as partials, live.endpoint.minSilenceMs 300 and decodeAheadMs 100: the endpoint before left context
//              made shorter silences cheap (asr.leftContext stays on)
//   fast       as partials, live.endpoint.fast on (140 ms when the LM's end-of-sentence evidence holds, else 300)
// The stream: espeak-ng and flite sentences and the bundled samples, or with --real N the first N held-out real
// utterances of `npm run eval -- asr` but LJSpeech's (the endpoint eval's held-out set: real voices, whose ends
// the VAD hears later than synthetic ones'; each clip's end of speech is its last 10 ms louder than -35 dB).
// Figures:
// - word end -> first partial containing it: each clip's words and their end times come from
//   `hushscribe transcribe --json` on the clip; a word's wall-clock end is the feeder's start time plus its
//   stream time (the feeder writes each 20 ms when due, so this is at most ~30 ms early: latencies err high).
//   A partial contains the k-th occurrence of a word when its text has k occurrences of it. Words no partial
//   ever contains (misheard or redacted differently) are counted, not timed.
// - end of speech -> final: when listen receives the last final segment overlapping the utterance (it is sent
//   right after the segment is stored) minus the feeder's wall clock when the utterance's last speech was written;
//   with where it went, from the daemon's debug 'live final' lines (endOfSpeechToFinalStagesMs).
// - decode ahead: the time of each final's decode made ahead in the silence (the 'live final' lines), p50/p95.
// - CPU per audio second: user+system time of the daemon process (all its threads) from 'daemon started' to the
//   end of the stream, over the seconds streamed; partials on vs off.
// - decode cost of one partial: whole open segment vs a 4 s sliding window, in this process, for open segments of
//   1-16 s (the choice the live worker makes: see daemon/pipeline/live-partials.ts).
// Last line: JSON.
import { createConnection } from 'node:net';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadRecognizer } from '../../daemon/asr/index.js';
import { packageRoot } from '../../common/package-root.js';
import { Daemon, makeClips, makePlan, percentile, writeConfig, type Clip, type FedUtterance } from './pipeline.js';
import type { Benchmark } from './run.js';
import { heldOutRealUtterances } from '../eval/asr-sets.js';
import { sharedSpeechDir } from '../../daemon/util/shared-data.js';
import type { FinalLatency } from '../../daemon/pipeline/messages.js';

const RATE = 16000;
const FEEDER = fileURLToPath(new URL('./pipeline.js', import.meta.url));
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface LiveEvent {
  final: boolean;
  seq: number;
  start: number;
  end: number;
  text: string;
  at: number;
}

/** user+system CPU seconds of a process (all threads), from /proc. */
function cpuSec(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  return (Number(fields[11]) + Number(fields[12])) / ticks;
}

/** Subscribes to live.listen on the daemon's control socket; every event gets its receipt time. */
function listen(socketPath: string): { events: LiveEvent[]; close(): void } {
  const events: LiveEvent[] = [];
  const socket = createConnection(socketPath);
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('connect', () => socket.write(`${JSON.stringify({ id: 1, method: 'live.listen' })}\n`));
  socket.on('data', (text: string) => {
    const at = Date.now();
    buffer += text;
    for (let newline = buffer.indexOf('\n'); newline >= 0; newline = buffer.indexOf('\n')) {
      const line = JSON.parse(buffer.slice(0, newline)) as { event?: Omit<LiveEvent, 'at'> };
      buffer = buffer.slice(newline + 1);
      if (line.event) events.push({ ...line.event, at });
    }
  });
  socket.on('error', () => undefined);
  return { events, close: () => socket.destroy() };
}

/** Each clip's recognised words with their end times (seconds into the clip). */
function clipWords(cli: string, modelDir: string, clips: Clip[]): Map<string, { word: string; end: number }[]> {
  const out = execFileSync(process.execPath, [cli, 'transcribe', '--json', '--model', modelDir, ...clips.map((c) => c.wav)], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const lines = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { segments: { words: { word: string; end: number }[] }[] });
  return new Map(lines.map((r, i) => [clips[i]!.name, r.segments.flatMap((s) => s.words).filter((w) => /^[a-z']+$/.test(w.word))]));
}

/** The daemon's debug 'live final' lines (daemon/sources/live.ts): each final's stage times. */
function finalLatencies(log: string) {
  type Line = FinalLatency & { msg: string; seq: number; storedAt: number };
  return log
    .split('\n')
    .filter((l) => l.includes('"live final"'))
    .map((l) => JSON.parse(l) as Line);
}

const words = (text: string) => text.toLowerCase().split(/\s+/).filter(Boolean);

/** Sections of the daemon's config a run sets over the shipped defaults. */
interface Overlay {
  live?: Record<string, unknown>;
  asr?: Record<string, unknown>;
  vad?: Record<string, unknown>;
}

async function run(
  name: string,
  overlay: Overlay,
  ctx: {
    cli: string;
    modelDir: string;
    dir: string;
    clips: Clip[];
    minutes: number;
    gapSec: number;
    track: (d: Daemon) => void;
    clipWords: Map<string, { word: string; end: number }[]>;
  },
) {
  const dir = join(ctx.dir, name);
  mkdirSync(dir);
  const plan = makePlan(ctx.clips, ctx.minutes * 60, ctx.gapSec);
  const planFile = join(dir, 'plan.json');
  const fedLog = join(dir, 'fed.jsonl');
  writeFileSync(planFile, JSON.stringify(plan));
  writeFileSync(fedLog, '');
  const configFile = writeConfig(dir, {
    asr: { modelDir: ctx.modelDir, ...overlay.asr },
    log: { level: 'debug' }, // the 'live final' lines: where each final's time went
    live: overlay.live ?? {},
    ...(overlay.vad ? { vad: overlay.vad } : {}),
    sources: { watch: { dir: null }, command: { argv: [process.execPath, FEEDER, '--feed', planFile, fedLog] } },
  });
  const daemon = new Daemon(ctx.cli, configFile, join(dir, 'data'));
  ctx.track(daemon);
  await daemon.started();
  const listener = listen(join(dir, 'control.sock'));
  const cpu0 = cpuSec(daemon.proc.pid!);
  const fed = (): FedUtterance[] =>
    readFileSync(fedLog, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as FedUtterance);
  while (fed().length < plan.length) {
    if (daemon.dead) throw new Error(`daemon exited during the run:\n${daemon.log.slice(-4000)}`);
    await sleep(500);
  }
  const lastEnd = plan.at(-1)!.speechEndSample / RATE;
  for (const end = Date.now() + 30_000; Date.now() < end && !listener.events.some((e) => e.final && e.end > lastEnd - 0.05); ) await sleep(100);
  const feedStart = Number(readFileSync(`${fedLog}.start`, 'utf8'));
  const streamedSec = (Date.now() - feedStart) / 1000;
  const cpu = cpuSec(daemon.proc.pid!) - cpu0;
  const status = JSON.parse(
    execFileSync(process.execPath, [ctx.cli, 'status', '--json', '--config', configFile, '--data-dir', daemon.dataDir], { encoding: 'utf8' }),
  ) as { live: { command: { partialsDropped: number } } };
  listener.close();
  await daemon.stop();
  writeFileSync(join(dir, 'daemon.log'), daemon.log); // kept with --keep: the 'live final' lines, for a closer look

  const finals = listener.events.filter((e) => e.final);
  const partials = listener.events.filter((e) => !e.final);
  const finalMs: number[] = [];
  const stages = {
    feederMs: [] as number[],
    vadLagMs: [] as number[],
    ruleWaitMs: [] as number[],
    silenceHeardMs: [] as number[],
    captureLagMs: [] as number[],
    workerMs: [] as number[],
    storeMs: [] as number[],
    notifyMs: [] as number[],
    lastWordLagMs: [] as number[],
  };
  const endedBy = { endpoint: 0, fast: 0, vad: 0 };
  const latencies = finalLatencies(daemon.log);
  // The final's decode, made ahead in the silence (inside ruleWaitMs), over every final that had one.
  const decodeAhead = latencies.flatMap((l) => (l.decodeAheadMs === null ? [] : [l.decodeAheadMs]));
  /** The fast rule's evidence at each utterance's end (only logged with live.endpoint.fast on). */
  const endOfSentence: number[] = [];
  const wordMs: number[] = [];
  let wordsMissed = 0;
  let utterancesMissed = 0;
  for (const u of fed()) {
    const p = plan[u.i]!;
    const overlapping = finals.filter((f) => f.start < u.speechEndSec && f.end > u.startSec);
    if (overlapping.length === 0) utterancesMissed++;
    else {
      const last = overlapping.reduce((a, b) => (b.at > a.at ? b : a));
      finalMs.push(last.at - u.wallEndMs);
      const l = latencies.find((x) => x.seq === last.seq); // one session: seq names the segment
      if (l) {
        endedBy[l.endedBy]++;
        if (l.endOfSentenceLogProb !== null && l.endOfSentenceLogProb !== undefined) endOfSentence.push(l.endOfSentenceLogProb);
        // The bench's clock starts when the chunk holding the last speech sample was written (0-30 ms late).
        stages.feederMs.push(feedStart + u.speechEndSec * 1000 - u.wallEndMs);
        stages.vadLagMs.push((l.vadEndSec - u.speechEndSec) * 1000);
        stages.ruleWaitMs.push((l.heardSec - l.vadEndSec) * 1000);
        if (l.lastWordEndSec !== null) stages.lastWordLagMs.push((l.lastWordEndSec - u.speechEndSec) * 1000);
        stages.silenceHeardMs.push((l.heardSec - u.speechEndSec) * 1000);
        stages.captureLagMs.push(l.readAt - (feedStart + l.heardSec * 1000));
        stages.workerMs.push(l.postedAt - l.readAt);
        stages.storeMs.push(l.storedAt - l.postedAt);
        stages.notifyMs.push(last.at - l.storedAt);
      }
    }
    const during = partials.filter((e) => e.start < u.speechEndSec + 0.5 && e.end > u.startSec);
    const seen = new Map<string, number>();
    for (const w of ctx.clipWords.get(p.clip) ?? []) {
      const k = (seen.get(w.word) ?? 0) + 1;
      seen.set(w.word, k);
      const endWall = feedStart + (u.startSec + w.end) * 1000;
      const first = during.find((e) => e.at >= endWall - 1000 && words(e.text).filter((x) => x === w.word).length >= k);
      if (first) wordMs.push(first.at - endWall);
      else wordsMissed++;
    }
  }
  return {
    utterances: plan.length,
    utterancesWithoutFinal: utterancesMissed,
    endOfSpeechToFinalMs: { p50: Math.round(percentile(finalMs, 50)), p95: Math.round(percentile(finalMs, 95)) },
    // Where it went, p50/p95 of each stage over the utterances: audio after the end of speech heard before the
    // segment ended (VAD silence and endpoint rules), how late the capture delivered that audio (ffmpeg, pipe),
    // worker time from that chunk to the posted final (decode unless made ahead, redaction), store, notify.
    // silenceHeardMs = vadLagMs (the bench's end of speech to the VAD's first silent frame) + ruleWaitMs (from
    // there to the end of the chunk that ended the segment); feederMs (<= 0): the bench clock's late start;
    // lastWordLagMs: the bench's end of speech to the decode's last word end (not a stage).
    endOfSpeechToFinalStagesMs: Object.fromEntries(
      Object.entries(stages).map(([k, v]) => [k, { p50: Math.round(percentile(v, 50)), p95: Math.round(percentile(v, 95)) }]),
    ),
    endedBy,
    endOfSentenceLogProbAtUtteranceEnd: endOfSentence.length
      ? { p25: percentile(endOfSentence, 25), p50: percentile(endOfSentence, 50), p75: percentile(endOfSentence, 75), n: endOfSentence.length }
      : null,
    wordEndToPartialMs: wordMs.length
      ? { p50: Math.round(percentile(wordMs, 50)), p95: Math.round(percentile(wordMs, 95)), words: wordMs.length, wordsNeverInAPartial: wordsMissed }
      : null,
    decodeAheadMs: decodeAhead.length ? { p50: Math.round(percentile(decodeAhead, 50)), p95: Math.round(percentile(decodeAhead, 95)) } : null,
    finals: finals.length,
    partials: partials.length,
    partialsDropped: status.live.command.partialsDropped,
    cpuSecPerAudioSec: round(cpu / streamedSec, 4),
  };
}

/** ms to decode one partial: the whole open segment vs its last `windowSec`, medians of 3, for open segments of each length. */
async function decodeCost(modelDir: string, clips: Clip[], windowSec: number) {
  const recognizer = await loadRecognizer({ modelDir, threads: 1 });
  const pcm = clips.map((c) => readFileSync(c.raw)).map((b) => new Int16Array(b.buffer, b.byteOffset, b.length / 2));
  const total = pcm.reduce((n, p) => n + p.length, 0);
  const audio = new Float32Array(total);
  let at = 0;
  for (const p of pcm) for (let i = 0; i < p.length; i++) audio[at++] = p[i]! / 32768;
  const time = async (samples: Float32Array) => {
    const ms: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await recognizer.transcribe(samples);
      ms.push(performance.now() - t0);
    }
    return round(percentile(ms, 50), 1);
  };
  const rows = [];
  for (const sec of [1, 2, 4, 8, 16]) {
    const open = audio.subarray(0, Math.min(audio.length, sec * RATE));
    rows.push({ openSec: sec, wholeMs: await time(open), windowMs: await time(open.subarray(Math.max(0, open.length - windowSec * RATE))) });
  }
  await recognizer.close();
  return { windowSec, rows };
}

/** --real N: the first N held-out real utterances but LJSpeech's, as [clip name, audio file]. */
async function realClips(count: string): Promise<[string, string][]> {
  const n = Number(count);
  if (!Number.isInteger(n) || n < 1 || n > 150) throw new Error(`--real must be an integer in [1, 150], got '${count}'`);
  const items = await heldOutRealUtterances(packageRoot(), join(sharedSpeechDir(), 'speech.tsv'), n);
  return items.map((item) => [item.id.replace(/[^A-Za-z0-9-]/g, '-'), item.wav]);
}

export const benchmark: Benchmark = {
  description: 'live partials and endpointing: word end -> partial, end of speech -> final, CPU with partials on/off',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        minutes: { type: 'string', default: '1' },
        'gap-sec': { type: 'string', default: '1.5' },
        model: { type: 'string' },
        keep: { type: 'boolean', default: false },
        runs: { type: 'string', default: 'baseline,endpoint,partials,previous,fast' },
        // One more run, 'custom': the shipped defaults with these sections (live, asr, vad; JSON) set over them.
        custom: { type: 'string' },
        real: { type: 'string' },
      },
    });
    const wanted = new Set(values.runs.split(','));
    const minutes = Number(values.minutes);
    const gapSec = Number(values['gap-sec']);
    if (!(minutes > 0 && minutes <= 60)) throw new Error(`--minutes must be a number in (0, 60], got '${values.minutes}'`);
    if (!(gapSec >= 0.5 && gapSec <= 30)) throw new Error(`--gap-sec must be a number in [0.5, 30], got '${values['gap-sec']}'`);
    const root = packageRoot();
    const cli = join(root, 'daemon', 'bin', 'hushscribe.js');
    const modelDir = values.model ?? join(root, 'models', 'hushscribe-en-v1');
    const dir = mkdtempSync(join(tmpdir(), 'hs-bench-live-'));
    const daemons: Daemon[] = [];
    try {
      process.stderr.write(`live bench: ${wanted.size} runs of ${minutes} min; work dir ${dir}\n`);
      mkdirSync(join(dir, 'clips'));
      const clips = makeClips(join(dir, 'clips'), values.real === undefined ? undefined : await realClips(values.real));
      const ctx = { cli, modelDir, dir, clips, minutes, gapSec, track: (d: Daemon) => daemons.push(d), clipWords: clipWords(cli, modelDir, clips) };
      const off = { enabled: false };
      const configs: [string, Overlay][] = [
        ['baseline', { live: { partials: false, endpoint: off } }],
        ['endpoint', { live: { partials: false } }],
        ['partials', {}],
        ['previous', { live: { endpoint: { minSilenceMs: 300, decodeAheadMs: 100 } } }],
        ['fast', { live: { endpoint: { fast: { enabled: true } } } }],
      ];
      if (values.custom !== undefined) {
        const custom = JSON.parse(values.custom) as unknown;
        const sections = ['live', 'asr', 'vad'];
        if (typeof custom !== 'object' || custom === null || Array.isArray(custom) || !Object.keys(custom).every((k) => sections.includes(k)))
          throw new Error(`--custom must be a JSON object of live, asr and vad sections, got '${values.custom}'`);
        configs.push(['custom', custom as Overlay]);
        wanted.add('custom');
      }
      const runs: Record<string, Awaited<ReturnType<typeof run>>> = {};
      for (const [name, live] of configs) {
        if (!wanted.has(name)) continue;
        runs[name] = await run(name, live, ctx);
        process.stderr.write(`  ${name} done\n`);
      }
      const { baseline, endpoint, partials, previous, fast } = runs;
      const cost = await decodeCost(modelDir, clips, 4);
      const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined ? round(a / b, 3) : null);
      const result = {
        benchmark: 'live',
        model: modelDir,
        stream: values.real === undefined ? 'synthetic' : `heldout-real, ${clips.length} utterances`,
        minutes,
        ...runs,
        fastFinalP50VsDefault: ratio(fast?.endOfSpeechToFinalMs.p50, partials?.endOfSpeechToFinalMs.p50),
        fastFinalP95VsDefault: ratio(fast?.endOfSpeechToFinalMs.p95, partials?.endOfSpeechToFinalMs.p95),
        finalP95VsBaseline: ratio(partials?.endOfSpeechToFinalMs.p95, baseline?.endOfSpeechToFinalMs.p95),
        cpuPartialsOnVsOff: ratio(partials?.cpuSecPerAudioSec, endpoint?.cpuSecPerAudioSec),
        decodeCost: cost,
      };
      const f = (r: (typeof runs)[string] | undefined) => (r ? `${r.endOfSpeechToFinalMs.p50}/${r.endOfSpeechToFinalMs.p95} ms` : 'not run');
      process.stdout.write(
        `end of speech -> final p50/p95: baseline ${f(baseline)}, endpoint ${f(endpoint)}, with partials ${f(partials)}, endpoint at 300 ms (the previous default) ${f(previous)}\n` +
          (fast
            ? `fast endpoint (live.endpoint.fast) ${f(fast)} vs default ${f(partials)} (${fast.finals} finals vs ${partials?.finals}; ended fast ${fast.endedBy.fast} of ${fast.utterances}; ln p(end of sentence) at utterance ends p25/p50/p75 ${fast.endOfSentenceLogProbAtUtteranceEnd?.p25}/${fast.endOfSentenceLogProbAtUtteranceEnd?.p50}/${fast.endOfSentenceLogProbAtUtteranceEnd?.p75})\n`
            : '') +
          (partials
            ? `word end -> first partial p50/p95: ${partials.wordEndToPartialMs?.p50}/${partials.wordEndToPartialMs?.p95} ms (${partials.partials} partials, ${partials.partialsDropped} dropped)\n`
            : '') +
          `CPU s per audio s: partials off ${endpoint?.cpuSecPerAudioSec}, on ${partials?.cpuSecPerAudioSec} (x${result.cpuPartialsOnVsOff})\n` +
          `decode one partial (ms), whole open segment vs last ${cost.windowSec} s: ${cost.rows.map((r) => `${r.openSec} s ${r.wholeMs}/${r.windowMs}`).join(', ')}\n` +
          Object.entries(runs)
            .map(
              ([name, r]) =>
                `${name} stages p50/p95 (ms): ${Object.entries(r.endOfSpeechToFinalStagesMs)
                  .map(([k, v]) => `${k} ${v.p50}/${v.p95}`)
                  .join(', ')}; decode ahead ${r.decodeAheadMs ? `${r.decodeAheadMs.p50}/${r.decodeAheadMs.p95}` : 'none'}\n`,
            )
            .join(''),
      );
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } finally {
      for (const d of daemons) if (!d.dead) d.proc.kill('SIGKILL');
      if (values.keep) process.stderr.write(`kept ${dir}\n`);
      else rmSync(dir, { recursive: true, force: true });
    }
  },
};
