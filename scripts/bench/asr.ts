// Recognizer cost on the same LibriSpeech utterances, one thread each: hushscribe with the dense and the sparse
// variant (native features + onnxruntime-node + TypeScript CTC search, greedy) against sherpa-onnx-node's C++
// recognizer (OfflineRecognizer, zipformerCtc) on the dense file; plus the cost of beam search and of the
// model's LM relative to greedy decoding.
//   npm run bench -- asr [--model DIR] [--seconds N] [--rounds N]
// DIR: a hushscribe model directory (default models/hushscribe-en-v1) or a sherpa-onnx zipformer2_ctc directory
// (no sparse variant: the sparse figures are null).
//
// Per engine it prints:
// - real-time factor: wall seconds of transcribe() per second of audio (lower is faster);
// - CPU seconds per audio second: process.cpuUsage() (user + system, every thread of the process) over the same
//   loop; this is what a power saving shows up in;
// - memory: each engine runs in a child process of its own (node run.js asr --worker ENGINE), one after the other,
//   so its peak RSS (getrusage maxrss) holds nothing of the others. An `idle` child that reads the same audio
//   and loads no engine gives the baseline (Node, the audio, the bench code); an engine's figure is its child's
//   peak minus that baseline: the engine's library, model, session and working buffers. hushscribe's figure
//   includes the ONNX file's bytes read at load (onnxruntime copies them), as in the daemon.
// Each child transcribes the first clip once untimed (warm-up), then all clips `rounds` times; the median round
// counts. Agreement is word-level: 1 - (word edits between the two transcripts) / (words of the reference
// transcript), summed over all clips; dense vs sherpa-onnx takes sherpa-onnx's text as the reference, sparse vs
// dense the dense text. The two engines differ numerically (own fbank code; sherpa-onnx bundles its own
// onnxruntime) and hushscribe cuts audio longer than 20 s into pieces at quiet moments (sherpa-onnx decodes it
// whole). On speech a model hears poorly, a tiny difference changes words: the `dense-noise` child measures how
// often, by running the dense engine on the same audio with noise of +-1e-6 (below 16-bit resolution) added
// (selfAgreementUnderNoise).
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { packageRoot } from '../../common/package-root.js';
import { editCounts, errors } from '../eval/error-rate.js';
import type { Benchmark } from './run.js';
import { loadUtterances } from './librispeech.js';

const SAMPLE_RATE = 16000;
const MiB = 1024 * 1024;

const ENGINES = ['idle', 'sherpa', 'dense', 'dense-noise', 'sparse', 'dense-beam', 'dense-beam-lm'] as const;
type EngineName = (typeof ENGINES)[number];

interface SherpaRecognizer {
  createStream(): { acceptWaveform(w: { sampleRate: number; samples: Float32Array }): void };
  decode(stream: unknown): void;
  getResult(stream: unknown): { text: string };
}

/** What one child process reports (its last stdout line). */
interface EngineReport {
  engine: EngineName;
  clips: number;
  audioSec: number;
  loadSec: number;
  /** Median round. */
  wallSec: number;
  cpuSec: number;
  /** getrusage maxrss of the child, bytes. */
  peakRss: number;
  texts: string[];
  /** hushscribe only: median round's milliseconds per stage, summed over the clips. */
  stages?: { features: number; model: number; search: number };
}

/** Adds uniform noise of +-amplitude from a fixed-seed generator (the same noise on every run). */
function seededNoise(amplitude: number): (clip: Float32Array) => Float32Array {
  return (clip) => {
    let state = 12345;
    return clip.map((x) => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return x + (state / 4294967296 - 0.5) * 2 * amplitude;
    });
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const words = (text: string): string[] => text.split(/\s+/).filter((w) => w !== '');

/** The child's side: loads one engine (modules imported here, so the idle child holds none), times it, reports. */
async function runWorker(engine: EngineName, modelDir: string, seconds: number, rounds: number): Promise<EngineReport> {
  const clips = await loadUtterances(seconds);
  const audioSec = clips.reduce((n, c) => n + c.length, 0) / SAMPLE_RATE;
  const loadStart = performance.now();
  let transcribe: (clip: Float32Array) => Promise<string>;
  let timings: (() => { features: number; model: number; search: number }) | undefined;
  let close = async (): Promise<void> => undefined;
  if (engine === 'idle') {
    transcribe = async () => '';
  } else if (engine === 'sherpa') {
    // The file and tokens only (resolveModel would also read the model's bytes into this process).
    const { readManifest } = await import('../../daemon/asr/manifest.js');
    let modelPath = join(modelDir, 'model.int8.onnx');
    let tokensPath = join(modelDir, 'tokens.txt');
    try {
      const manifest = readManifest(modelDir);
      modelPath = join(modelDir, manifest.variants[manifest.defaultVariant]!.file);
      tokensPath = join(modelDir, manifest.tokens);
    } catch {
      // a sherpa-onnx directory: model.int8.onnx and tokens.txt
    }
    const sherpa = createRequire(import.meta.url)('sherpa-onnx-node') as { OfflineRecognizer: new (config: object) => SherpaRecognizer };
    const recognizer = new sherpa.OfflineRecognizer({
      featConfig: { sampleRate: SAMPLE_RATE, featureDim: 80 },
      modelConfig: { zipformerCtc: { model: modelPath }, tokens: tokensPath, numThreads: 1, provider: 'cpu', debug: 0 },
    });
    transcribe = async (clip) => {
      const stream = recognizer.createStream();
      stream.acceptWaveform({ sampleRate: SAMPLE_RATE, samples: clip });
      recognizer.decode(stream);
      return words(recognizer.getResult(stream).text).join(' ');
    };
  } else {
    const { loadRecognizer } = await import('../../daemon/asr/index.js');
    const variant = engine === 'sparse' ? 'sparse' : undefined;
    // dense-noise: the dense engine on the same audio plus uniform noise of +-1e-6 (far below 16-bit resolution).
    const noise = engine === 'dense-noise' ? seededNoise(1e-6) : null;
    const decoding =
      engine === 'dense-beam'
        ? { method: 'beam' as const, beamSize: 8, lm: null }
        : engine === 'dense-beam-lm'
          ? { method: 'beam' as const, beamSize: 8 }
          : { method: 'greedy' as const };
    const recognizer = await loadRecognizer({ modelDir, threads: 1, decoding, ...(variant ? { variant } : {}) });
    let sum = { features: 0, model: 0, search: 0 };
    transcribe = async (clip) => {
      const { text } = await recognizer.transcribe(noise ? noise(clip) : clip);
      const t = recognizer.lastTimings ?? { features: 0, model: 0, search: 0 };
      sum = { features: sum.features + t.features, model: sum.model + t.model, search: sum.search + t.search };
      return text;
    };
    timings = () => {
      const out = sum;
      sum = { features: 0, model: 0, search: 0 };
      return out;
    };
    close = () => recognizer.close();
  }
  const loadSec = (performance.now() - loadStart) / 1000;

  await transcribe(clips[0]!); // warm-up: the session's buffers are allocated on the first run
  timings?.();
  const measured: { wallSec: number; cpuSec: number; texts: string[]; stages?: EngineReport['stages'] }[] = [];
  for (let r = 0; r < rounds; r++) {
    const texts: string[] = [];
    const cpu = process.cpuUsage();
    const start = performance.now();
    for (const clip of clips) texts.push(await transcribe(clip));
    const wallSec = (performance.now() - start) / 1000;
    const used = process.cpuUsage(cpu);
    measured.push({ wallSec, cpuSec: (used.user + used.system) / 1e6, texts, ...(timings ? { stages: timings() } : {}) });
  }
  const peakRss = process.resourceUsage().maxRSS * 1024;
  await close();
  const mid = measured.find((m) => m.wallSec === median(measured.map((x) => x.wallSec)))!;
  return {
    engine,
    clips: clips.length,
    audioSec,
    loadSec,
    wallSec: mid.wallSec,
    cpuSec: median(measured.map((m) => m.cpuSec)),
    peakRss,
    texts: measured[0]!.texts,
    ...(mid.stages ? { stages: mid.stages } : {}),
  };
}

/** Runs one engine in a child process (this bench again, with --worker) and returns its report. */
async function runChild(engine: EngineName, modelDir: string, seconds: number, rounds: number): Promise<EngineReport> {
  const runJs = fileURLToPath(new URL('./run.js', import.meta.url));
  const args = [runJs, 'asr', '--worker', engine, '--model', modelDir, '--seconds', String(seconds), '--rounds', String(rounds)];
  const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 64 * MiB });
  const last = stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as EngineReport;
}

/** 1 - word edits / reference words, over all clips. */
function agreement(reference: string[], other: string[]): number {
  let edits = 0;
  let total = 0;
  reference.forEach((text, i) => {
    const ref = words(text);
    edits += errors(editCounts(ref, words(other[i] ?? '')));
    total += ref.length;
  });
  return total === 0 ? 1 : 1 - edits / total;
}

export const benchmark: Benchmark = {
  description: 'hushscribe dense and sparse vs sherpa-onnx: real-time factor, CPU per audio second, RSS, agreement; beam/LM cost',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { model: { type: 'string' }, seconds: { type: 'string', default: '60' }, rounds: { type: 'string', default: '3' }, worker: { type: 'string' } },
    });
    const modelDir = values.model ?? join(packageRoot(), 'models', 'hushscribe-en-v1');
    const seconds = Number(values.seconds);
    const rounds = Number(values.rounds);
    if (!(seconds > 0) || !Number.isInteger(rounds) || rounds < 1) throw new Error('--seconds must be > 0 and --rounds an integer >= 1');
    if (values.worker !== undefined) {
      if (!(ENGINES as readonly string[]).includes(values.worker)) throw new Error(`--worker: one of ${ENGINES.join(', ')}`);
      process.stdout.write(`${JSON.stringify(await runWorker(values.worker as EngineName, modelDir, seconds, rounds))}\n`);
      return;
    }

    const { resolveModel, readManifest } = await import('../../daemon/asr/index.js');
    const spec = resolveModel(modelDir);
    if (spec.layout === 'nemo-ctc') throw new Error('the sherpa-onnx baseline here runs zipformer2_ctc models; pass a hushscribe or sherpa directory');
    const hasSparse = spec.layout === 'hushscribe' && 'sparse' in readManifest(modelDir).variants;
    const engines: EngineName[] = [
      'idle',
      'sherpa',
      'dense',
      'dense-noise',
      ...(hasSparse ? ['sparse' as const] : []),
      'dense-beam',
      ...(spec.lmPath ? ['dense-beam-lm' as const] : []),
    ];
    const reports: Partial<Record<EngineName, EngineReport>> = {};
    for (const engine of engines) {
      process.stderr.write(`${engine} ...\n`);
      reports[engine] = await runChild(engine, modelDir, seconds, engine === 'dense-noise' ? 1 : rounds);
    }
    const idle = reports.idle!;
    const sherpa = reports.sherpa!;
    const dense = reports.dense!;
    const sparse = reports.sparse;

    const round = (x: number, digits = 3) => Number(x.toFixed(digits));
    // Real-time factors are small (a few thousandths on a desktop CPU): 5 decimals keep 3 significant digits.
    const roundStages = (st: NonNullable<EngineReport['stages']>) => ({
      features: round(st.features, 1),
      model: round(st.model, 1),
      search: round(st.search, 1),
    });
    const rtf = (r: EngineReport) => r.wallSec / r.audioSec;
    const cpuPerAudio = (r: EngineReport) => r.cpuSec / r.audioSec;
    const rssMiB = (r: EngineReport) => (r.peakRss - idle.peakRss) / MiB;
    const agreementDenseSherpa = agreement(sherpa.texts, dense.texts);
    const agreementSparseDense = sparse ? agreement(dense.texts, sparse.texts) : null;
    const agreementUnderNoise = agreement(dense.texts, reports['dense-noise']!.texts);
    const sparseSaving = sparse ? 1 - cpuPerAudio(sparse) / cpuPerAudio(dense) : null;

    console.log(`model: ${spec.name}, ${dense.clips} LibriSpeech utterances, ${dense.audioSec.toFixed(1)} s of audio, 1 thread, median of ${rounds} round(s)`);
    console.log(`idle child (Node + audio, no engine): peak RSS ${(idle.peakRss / MiB).toFixed(1)} MiB`);
    console.log(`${'engine'.padEnd(24)}${'RTF'.padStart(8)}${'CPU s/audio s'.padStart(15)}${'RSS MiB'.padStart(9)}  stages (features / model / search, ms)`);
    const names: Record<EngineName, string> = {
      idle: 'idle',
      sherpa: 'sherpa-onnx (dense)',
      dense: 'hushscribe dense',
      'dense-noise': 'dense, input +-1e-6',
      sparse: 'hushscribe sparse',
      'dense-beam': 'hushscribe dense beam 8',
      'dense-beam-lm': 'hushscribe dense beam+LM',
    };
    for (const engine of engines.filter((e) => e !== 'idle')) {
      const r = reports[engine]!;
      const stages = r.stages ? `${r.stages.features.toFixed(0)} / ${r.stages.model.toFixed(0)} / ${r.stages.search.toFixed(0)}` : '';
      console.log(
        `${names[engine].padEnd(24)}${rtf(r).toFixed(5).padStart(8)}${cpuPerAudio(r).toFixed(5).padStart(15)}${rssMiB(r).toFixed(1).padStart(9)}  ${stages}`,
      );
    }
    console.log(`words on which hushscribe dense agrees with sherpa-onnx: ${(agreementDenseSherpa * 100).toFixed(2)}%`);
    console.log(
      `words on which hushscribe dense agrees with itself on the audio +-1e-6: ${(agreementUnderNoise * 100).toFixed(2)}% (the model's own numerical stability)`,
    );
    if (sparse) {
      console.log(`words on which sparse agrees with dense: ${(agreementSparseDense! * 100).toFixed(2)}%`);
      console.log(`sparse saving (1 - sparse / dense CPU per audio second): ${(sparseSaving! * 100).toFixed(1)}%`);
    } else console.log('the model has no sparse variant: sparse figures are null');
    const beam = reports['dense-beam']!;
    const beamLm = reports['dense-beam-lm'];
    console.log(
      JSON.stringify({
        benchmark: 'asr',
        model: spec.name,
        clips: dense.clips,
        audioSec: round(dense.audioSec, 1),
        rounds,
        denseRtf: round(rtf(dense), 5),
        sparseRtf: sparse ? round(rtf(sparse), 5) : null,
        sherpaRtf: round(rtf(sherpa), 5),
        denseCpuPerAudioSec: round(cpuPerAudio(dense), 5),
        sparseCpuPerAudioSec: sparse ? round(cpuPerAudio(sparse), 5) : null,
        sherpaCpuPerAudioSec: round(cpuPerAudio(sherpa), 5),
        sparseSaving: sparseSaving === null ? null : round(sparseSaving),
        agreement: round(agreementDenseSherpa, 4),
        // The dense model against itself with noise far below 16-bit resolution added: how far any second engine
        // with other float rounding (own fbank code, another onnxruntime build) can be expected to agree.
        selfAgreementUnderNoise: round(agreementUnderNoise, 4),
        sparseDenseAgreement: agreementSparseDense === null ? null : round(agreementSparseDense, 4),
        denseVsSherpaSpeed: round(rtf(sherpa) / rtf(dense)),
        rssMiB: {
          idleBaseline: round(idle.peakRss / MiB, 1),
          sherpa: round(rssMiB(sherpa), 1),
          dense: round(rssMiB(dense), 1),
          ...(sparse ? { sparse: round(rssMiB(sparse), 1) } : {}),
        },
        stagesMs: { dense: roundStages(dense.stages!), ...(sparse ? { sparse: roundStages(sparse.stages!) } : {}) },
        // Cost of the search choices on the dense variant: real-time factor relative to greedy (2 = twice the time).
        beamRtfVsGreedy: round(rtf(beam) / rtf(dense), 2),
        ...(beamLm ? { beamLmRtfVsGreedy: round(rtf(beamLm) / rtf(dense), 2) } : {}),
      }),
    );
  },
};
