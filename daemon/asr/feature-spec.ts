/** What the acoustic front end must compute for a model; the names match native/index.ts's option objects. */

export interface KaldiFbankSpec {
  kind: 'kaldi-fbank';
  sampleRate: number;
  numBins: number;
  frameLengthMs: number;
  frameShiftMs: number;
  preemphasis: number;
  removeDcOffset: boolean;
  window: 'povey' | 'hann' | 'hamming' | 'rectangular';
  dither: number;
  snipEdges: boolean;
  lowFreq: number;
  highFreq: number;
  energyFloor: number;
}

export interface NemoMelSpec {
  kind: 'nemo-mel';
  sampleRate: number;
  numBins: number;
  nFft: number;
  windowLengthMs: number;
  hopMs: number;
  preemphasis: number;
  window: 'hann';
  lowFreq: number;
  highFreq: number;
  logGuard: number;
  normalize: 'per_feature' | 'none';
}

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
