// Recognizer throughput: hushscribe's (native features + onnxruntime-node + TypeScript CTC search) against
// sherpa-onnx-node's C++ recognizer on the same ONNX file and the same LibriSpeech utterances, one thread each,
// plus the cost of beam search (and the model's LM, if it has one) relative to greedy decoding.
//   npm run bench -- asr [--model DIR] [--seconds N]
// DIR: a hushscribe or sherpa-onnx zipformer2_ctc directory (default models/hushscribe-en-v1).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { loadRecognizer, resolveModel, type DecodingOptions } from '../../daemon/asr/index.js';
import { readAudio } from '../../daemon/audio/index.js';
import { packageRoot } from '../../daemon/util/package-root.js';
import type { Benchmark } from './run.js';
import { sharedSpeechDir } from '../../daemon/util/shared-data.js';

const SAMPLE_RATE = 16000;
const DATA_DIR = sharedSpeechDir();

interface SherpaRecognizer {
  createStream(): { acceptWaveform(w: { sampleRate: number; samples: Float32Array }): void };
  decode(stream: unknown): void;
  getResult(stream: unknown): { text: string };
}

/** LibriSpeech utterances from speech.tsv until `seconds` of audio are collected. */
async function loadUtterances(seconds: number): Promise<Float32Array[]> {
  const rows = readFileSync(join(DATA_DIR, 'speech.tsv'), 'utf8').split('\n').slice(1);
  const clips: Float32Array[] = [];
  let total = 0;
  for (const row of rows) {
    const [corpus, , path] = row.split('\t');
    if (corpus !== 'librispeech' || path === undefined) continue;
    const clip = (await readAudio(join(DATA_DIR, path))).samples;
    clips.push(clip);
    total += clip.length / SAMPLE_RATE;
    if (total >= seconds) return clips;
  }
  throw new Error(`only ${total.toFixed(0)} s of LibriSpeech found under ${DATA_DIR}`);
}

/** Seconds of audio per second of compute, and the transcripts. */
async function timeEach(clips: Float32Array[], transcribe: (clip: Float32Array) => Promise<string>): Promise<{ realtime: number; texts: string[] }> {
  await transcribe(clips[0]!); // warm-up
  const texts: string[] = [];
  const start = performance.now();
  for (const clip of clips) texts.push(await transcribe(clip));
  const seconds = (performance.now() - start) / 1000;
  const audio = clips.reduce((n, c) => n + c.length, 0) / SAMPLE_RATE;
  return { realtime: audio / seconds, texts };
}

export const benchmark: Benchmark = {
  description: 'recognizer vs sherpa-onnx on the same model and speech; beam/LM cost vs greedy',
  async run(args) {
    const { values } = parseArgs({ args, options: { model: { type: 'string' }, seconds: { type: 'string', default: '60' } } });
    const modelDir = values.model ?? join(packageRoot(), 'models', 'hushscribe-en-v1');
    const spec = resolveModel(modelDir);
    if (spec.layout === 'nemo-ctc') throw new Error('the sherpa-onnx baseline here runs zipformer2_ctc models; pass a hushscribe or sherpa directory');
    const clips = await loadUtterances(Number(values.seconds));

    const require = createRequire(import.meta.url);
    const sherpa = require('sherpa-onnx-node') as { OfflineRecognizer: new (config: object) => SherpaRecognizer };
    const reference = new sherpa.OfflineRecognizer({
      featConfig: { sampleRate: SAMPLE_RATE, featureDim: 80 },
      modelConfig: { zipformerCtc: { model: spec.modelPath }, tokens: spec.tokensPath, numThreads: 1, provider: 'cpu', debug: 0 },
    });
    const baseline = await timeEach(clips, async (clip) => {
      const stream = reference.createStream();
      stream.acceptWaveform({ sampleRate: SAMPLE_RATE, samples: clip });
      reference.decode(stream);
      return reference.getResult(stream).text.trim().split(/\s+/).join(' ');
    });

    const ours = async (decoding: DecodingOptions) => {
      const recognizer = await loadRecognizer({ modelDir, threads: 1, decoding });
      const result = await timeEach(clips, async (clip) => (await recognizer.transcribe(clip)).text);
      await recognizer.close();
      return result;
    };
    const greedy = await ours({ method: 'greedy' });
    const beam = await ours({ method: 'beam', beamSize: 8, lm: null });
    const withLm = spec.lmPath ? await ours({ method: 'beam', beamSize: 8, lm: spec.lmPath }) : undefined;

    const same = greedy.texts.filter((t, i) => t === baseline.texts[i]).length;
    const round = (x: number) => Math.round(x * 100) / 100;
    const audio = clips.reduce((n, c) => n + c.length, 0) / SAMPLE_RATE;
    console.log(`model: ${spec.name} (${spec.variant}), ${clips.length} LibriSpeech utterances, ${audio.toFixed(1)} s, 1 thread`);
    console.log(`sherpa-onnx greedy: ${round(baseline.realtime)}x realtime`);
    console.log(`hushscribe greedy: ${round(greedy.realtime)}x realtime; same text as sherpa-onnx on ${same}/${clips.length} utterances`);
    console.log(`hushscribe beam 8: ${round(beam.realtime)}x realtime`);
    if (withLm) console.log(`hushscribe beam 8 + LM: ${round(withLm.realtime)}x realtime`);
    console.log(
      JSON.stringify({
        sherpaRealtime: round(baseline.realtime),
        greedyRealtime: round(greedy.realtime),
        greedyVsSherpa: round(greedy.realtime / baseline.realtime),
        beamVsGreedy: round(beam.realtime / greedy.realtime),
        ...(withLm ? { beamLmVsGreedy: round(withLm.realtime / greedy.realtime) } : {}),
        sameTextAsSherpa: round(same / clips.length),
      }),
    );
  },
};
