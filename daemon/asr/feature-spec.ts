/**
 * What the acoustic front end must compute for a model: the addon's own option objects (native/index.ts, declared
 * once there), complete, with the choices a model manifest may make (manifest.ts checks them).
 */
import type { KaldiFbankOptions, KaldiWindow, NemoMelOptions } from '../../native/index.js';

/** Kaldi fbank as the model was trained with it; the dither seed is the extractor's business, not the model's. */
export type KaldiFbankSpec = { kind: 'kaldi-fbank' } & Required<Omit<KaldiFbankOptions, 'ditherSeed' | 'window'>> & {
    window: Extract<KaldiWindow, 'povey' | 'hann' | 'hamming' | 'rectangular'>;
  };

/** NeMo's mel front end as exported models use it: Hann window, an explicit upper band edge, no dither. */
export type NemoMelSpec = { kind: 'nemo-mel' } & Required<Omit<NemoMelOptions, 'dither' | 'window' | 'highFreq'>> & { window: 'hann'; highFreq: number };

export type FeatureSpec = KaldiFbankSpec | NemoMelSpec;

/** sherpa-onnx's defaults for zipformer CTC models (and what our training uses). */
export const SHERPA_FBANK: KaldiFbankSpec = {
  kind: 'kaldi-fbank',
  sampleRate: 16000,
  numBins: 80,
  frameLengthMs: 25,
  frameShiftMs: 10,
  preemphasis: 0.97,
  removeDcOffset: true,
  window: 'povey',
  dither: 0,
  snipEdges: false,
  lowFreq: 20,
  highFreq: -400,
  energyFloor: 0,
};

/** NeMo's AudioToMelSpectrogramPreprocessor defaults, as sherpa-onnx applies them to exported NeMo CTC models. */
export function nemoMel(numBins: number, normalize: NemoMelSpec['normalize']): NemoMelSpec {
  return {
    kind: 'nemo-mel',
    sampleRate: 16000,
    numBins,
    nFft: 512,
    windowLengthMs: 25,
    hopMs: 10,
    preemphasis: 0.97,
    window: 'hann',
    lowFreq: 0,
    highFreq: 8000,
    logGuard: 2 ** -24,
    normalize,
  };
}

/** Seconds between two feature frames. */
export function frameShiftSec(spec: FeatureSpec): number {
  return (spec.kind === 'kaldi-fbank' ? spec.frameShiftMs : spec.hopMs) / 1000;
}
