import { computeFbankAsync, computeNemoMelAsync } from '../../native/index.js';
import type { FeatureMatrix } from './acoustic-model.js';
import type { FeatureSpec } from './feature-spec.js';

/** The model's input features for 16 kHz samples in [-1, 1], computed by the native addon off the main thread. */
export async function computeFeatures(spec: FeatureSpec, samples: Float32Array): Promise<FeatureMatrix> {
  if (spec.kind === 'kaldi-fbank') {
    const { kind: _kind, ...options } = spec;
    return computeFbankAsync(samples, options);
  }
  const { kind: _kind, ...options } = spec;
  return computeNemoMelAsync(samples, options);
}
