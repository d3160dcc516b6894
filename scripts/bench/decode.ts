// Cost of the CTC search modes on the same posteriors, one thread: greedy, beam, beam + the model's LM, and beam +
// LM + 500 hotwords. The acoustic model runs once per clip (its time is measured too); each search then runs over
// the cached posteriors, so the figures isolate the search. Time is given per second of audio, for the search
// alone and for the whole recognizer (acoustic + search), with the ratio of each to greedy. The LM's load time and
// the resident memory it adds (its mapped pages touched by the searches, its vocabulary and caches) are measured
// in the same process.
//   npm run bench -- decode [--model DIR] [--seconds N] [--rounds N] [--lm FILE]
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { ContextGraph, loadRecognizer, loadWordLm, resolveDecoding, resolveModel, type Hotword } from '../../daemon/asr/index.js';
import { beamSearch } from '../../daemon/asr/ctc-beam.js';
import { alignPath, greedyPath, type LogProbs } from '../../daemon/asr/ctc.js';
import { readTokens } from '../../daemon/asr/tokens.js';
import { packageRoot } from '../../common/package-root.js';
import type { Benchmark } from './run.js';
import { loadUtterances } from './librispeech.js';
import { hotwordDistractors } from '../eval/hotword-lists.js';

const SAMPLE_RATE = 16000;
const MiB = 1024 * 1024;
const MODES = ['greedy', 'beam', 'beam+lm', 'beam+lm+hotwords'] as const;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export const benchmark: Benchmark = {
  description: 'CTC search: greedy, beam, beam + LM, beam + LM + 500 hotwords (time per audio second, LM load, RSS)',
  async run(args) {
    const { values } = parseArgs({
      args,
      options: { model: { type: 'string' }, seconds: { type: 'string', default: '120' }, rounds: { type: 'string', default: '3' }, lm: { type: 'string' } },
    });
    const modelDir = values.model ?? join(packageRoot(), 'models', 'hushscribe-en-v1');
    const rounds = Number(values.rounds);
    const spec = resolveModel(modelDir);
    const table = readTokens(spec.tokensPath, spec.wordBoundary, spec.blank);
    const decoding = resolveDecoding(modelDir, values.lm ? { lm: values.lm } : {}, spec.lmPath, spec.lmDecoding);
    if (decoding.lmPath === null) throw new Error(`${modelDir} has no LM; pass --lm FILE`);
    const clips = await loadUtterances(Number(values.seconds));
    const audioSec = clips.reduce((s, c) => s + c.length, 0) / SAMPLE_RATE;

    const recognizer = await loadRecognizer({ modelDir, threads: 1, decoding: { method: 'greedy' } });
    await recognizer.transcribe(clips[0]!); // warm-up
    const posteriors: LogProbs[] = [];
    let acousticMs = 0;
    for (const clip of clips) {
      const t = await recognizer.transcribe(clip, { posteriors: true });
      acousticMs += recognizer.lastTimings!.features + recognizer.lastTimings!.model;
      for (const s of t.segments) posteriors.push({ data: s.posteriors!.data, frames: s.posteriors!.frames, vocab: s.posteriors!.vocab });
    }
    await recognizer.close();

    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const t0 = performance.now();
    const lm = loadWordLm(decoding.lmPath);
    const lmLoadSec = (performance.now() - t0) / 1000;
    const hotwords: Hotword[] = hotwordDistractors(500).map((phrase) => ({ phrase }));
    const t1 = performance.now();
    const graph = new ContextGraph(hotwords, table);
    const graphBuildSec = (performance.now() - t1) / 1000;
    const { beamSize, lmWeight, wordBonus } = decoding;
    const search: Record<(typeof MODES)[number], (lp: LogProbs) => unknown> = {
      greedy: (lp) => greedyPath(lp, table.blankId),
      beam: (lp) => alignPath(lp, beamSearch(lp, table, { beamSize }), table.blankId),
      'beam+lm': (lp) => alignPath(lp, beamSearch(lp, table, { beamSize, lm, lmWeight, wordBonus }), table.blankId),
      'beam+lm+hotwords': (lp) => alignPath(lp, beamSearch(lp, table, { beamSize, lm, lmWeight, wordBonus, hotwords: graph }), table.blankId),
    };
    const acousticPerSec = acousticMs / 1000 / audioSec;
    const result: Record<string, { searchPerAudioSec: number; totalPerAudioSec: number }> = {};
    for (const mode of MODES) {
      const times: number[] = [];
      for (let r = 0; r < rounds; r++) {
        const start = performance.now();
        for (const lp of posteriors) search[mode](lp);
        times.push((performance.now() - start) / 1000);
      }
      const searchPerAudioSec = median(times) / audioSec;
      result[mode] = { searchPerAudioSec, totalPerAudioSec: acousticPerSec + searchPerAudioSec };
    }
    const lmRssMiB = (process.memoryUsage().rss - rssBefore) / MiB;
    const greedyTotal = result.greedy!.totalPerAudioSec;
    console.log(
      `${clips.length} LibriSpeech clips, ${audioSec.toFixed(0)} s; beam ${beamSize}, LM ${decoding.lmPath} (weight ${lmWeight}, bonus ${wordBonus}); ${graph.phrases} hotwords`,
    );
    console.log(`acoustic model (features + network): ${acousticPerSec.toFixed(5)} s per audio s`);
    console.log('mode                search s/audio s   total s/audio s   total vs greedy');
    for (const mode of MODES) {
      const r = result[mode]!;
      console.log(
        `${mode.padEnd(20)}${r.searchPerAudioSec.toFixed(6).padStart(16)}${r.totalPerAudioSec.toFixed(5).padStart(18)}${(r.totalPerAudioSec / greedyTotal).toFixed(3).padStart(18)}`,
      );
    }
    console.log(
      `LM load ${lmLoadSec.toFixed(3)} s, +${lmRssMiB.toFixed(1)} MiB RSS after loading and searching; hotword graph built in ${(graphBuildSec * 1000).toFixed(1)} ms`,
    );
    const round = (x: number, d = 4): number => Number(x.toPrecision(d));
    console.log(
      JSON.stringify({
        audioSec: round(audioSec),
        beamSize,
        acousticPerAudioSec: round(acousticPerSec),
        ...Object.fromEntries(
          MODES.map((m) => [
            m,
            {
              search: round(result[m]!.searchPerAudioSec),
              total: round(result[m]!.totalPerAudioSec),
              vsGreedy: round(result[m]!.totalPerAudioSec / greedyTotal),
            },
          ]),
        ),
        lmLoadSec: round(lmLoadSec),
        lmRssMiB: round(lmRssMiB),
        hotwords: graph.phrases,
      }),
    );
  },
};
