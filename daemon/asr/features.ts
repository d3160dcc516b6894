import { computeFbankAsync, computeNemoMelAsync, NativeOptionError, resolveFbankOptions, resolveNemoMelOptions } from '../../native/index.js';
import type { FeatureMatrix } from './acoustic-model.js';
import { ModelLoadError } from './errors.js';
import type { FeatureSpec } from './feature-spec.js';

/** Checks a model's feature options with the addon's own validation, so a bad manifest fails at load, not mid-file. */
export function checkFeatureSpec(spec: FeatureSpec, source: string): void {
  try {
    const { kind: _kind, ...options } = spec;
    if (spec.kind === 'kaldi-fbank') resolveFbankOptions(options as Omit<typeof spec, 'kind'>);
    else resolveNemoMelOptions(options as Omit<typeof spec, 'kind'>);
  } catch (err) {
    if (!(err instanceof NativeOptionError)) throw err;
    throw new ModelLoadError(
      'BAD_MANIFEST',
      source,
      `bad feature options: features.${err.option} = ${JSON.stringify(err.value)} is invalid; allowed: ${err.allowed}`,
      err,
    );
  }
}

/** The model's input features for 16 kHz samples in [-1, 1], computed by the native addon off the main thread. */
export async function computeFeatures(spec: FeatureSpec, samples: Float32Array): Promise<FeatureMatrix> {
  if (spec.kind === 'kaldi-fbank') {
    const { kind: _kind, ...options } = spec;
    return computeFbankAsync(samples, options);
  }
  const { kind: _kind, ...options } = spec;
  return computeNemoMelAsync(samples, options);
}
