import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ModelLoadError } from './errors.js';
import { nemoMel, SHERPA_FBANK, type FeatureSpec } from './feature-spec.js';
import type { LmDecodingDefaults } from './manifest.js';
import { MANIFEST_FILE, readManifest } from './manifest.js';
import { readOnnxMetadata } from './onnx-metadata.js';
import type { BlankPosition } from './tokens.js';

export type ModelLayout = 'hushscribe' | 'sherpa-zipformer2-ctc' | 'nemo-ctc';

/** Tensor names a layout's ONNX graph must have. */
export interface ModelIo {
  features: string;
  featureLengths: string;
  logProbs: string;
  /** NeMo exports have no lengths output: the output's time dimension is used. */
  logProbLengths?: string;
  /** Features as [N, C, T] (NeMo) instead of [N, T, C]. */
  channelsFirst: boolean;
}

const ZIPFORMER_IO: ModelIo = { features: 'x', featureLengths: 'x_lens', logProbs: 'log_probs', logProbLengths: 'log_probs_len', channelsFirst: false };
const NEMO_IO: ModelIo = { features: 'audio_signal', featureLengths: 'length', logProbs: 'logprobs', channelsFirst: true };

/** Everything needed to run one model file, whatever directory layout it came from. */
export interface ModelSpec {
  layout: ModelLayout;
  name: string;
  variant: string;
  modelPath: string;
  /** The ONNX file's bytes, read once and handed to onnxruntime. */
  modelBytes: Uint8Array;
  metadata: Record<string, string>;
  tokensPath: string;
  wordBoundary: string;
  blank: BlankPosition;
  features: FeatureSpec;
  subsampling: number;
  io: ModelIo;
  /** The manifest's LM (hushscribe layout only). */
  lmPath?: string;
  /** Decoding settings tuned for the manifest's LM (its model card's sweep): the defaults when that LM is used. */
  lmDecoding?: LmDecodingDefaults;
}

function readModelBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ModelLoadError('MODEL_NOT_FOUND', path, 'cannot read the ONNX model file', err);
  }
}

function metadataOf(bytes: Uint8Array, path: string): Record<string, string> {
  try {
    return readOnnxMetadata(bytes);
  } catch (err) {
    throw new ModelLoadError('UNKNOWN_LAYOUT', path, `not an ONNX model (${(err as Error).message})`, err);
  }
}

function requireFile(path: string, what: string): string {
  if (!existsSync(path)) throw new ModelLoadError('MODEL_NOT_FOUND', path, `${what} is missing`);
  return path;
}

/**
 * Works out which layout a model directory has and where its parts are:
 * - hushscribe: manifest.json names the variants, tokens, features and LM;
 * - sherpa-onnx zipformer2_ctc: model.int8.onnx or model.onnx + tokens.txt, Kaldi fbank with sherpa's defaults;
 * - NeMo CTC: model.onnx (metadata model_type EncDecCTCModel*) + tokens.txt, NeMo mel features, blank = last id.
 * Variant, for directories without a manifest: 'int8' (model.int8.onnx) or 'fp32' (model.onnx); default int8 if present.
 */
export function resolveModel(modelDir: string, variant?: string): ModelSpec {
  let isDir = false;
  try {
    isDir = statSync(modelDir).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) throw new ModelLoadError('MODEL_NOT_FOUND', modelDir, 'model directory not found');

  if (existsSync(join(modelDir, MANIFEST_FILE))) {
    const manifest = readManifest(modelDir);
    const name = variant ?? manifest.defaultVariant;
    const entry = manifest.variants[name];
    if (!entry) {
      throw new ModelLoadError(
        'BAD_OPTION',
        join(modelDir, MANIFEST_FILE),
        `no variant '${name}' (the manifest has ${Object.keys(manifest.variants).join(', ')})`,
      );
    }
    const modelPath = requireFile(join(modelDir, entry.file), `model file of variant '${name}'`);
    const modelBytes = readModelBytes(modelPath);
    return {
      layout: 'hushscribe',
      name: manifest.name,
      variant: name,
      modelPath,
      modelBytes,
      metadata: metadataOf(modelBytes, modelPath),
      tokensPath: requireFile(join(modelDir, manifest.tokens), 'tokens file'),
      wordBoundary: manifest.wordBoundary,
      blank: 'named',
      features: manifest.features,
      subsampling: manifest.subsampling,
      io: ZIPFORMER_IO,
      // Not required here: a missing or damaged LM makes the recognizer decode greedily (loadRecognizer) rather than fail.
      ...(manifest.lm ? { lmPath: join(modelDir, manifest.lm.file), ...(manifest.lm.decoding ? { lmDecoding: manifest.lm.decoding } : {}) } : {}),
    };
  }

  const candidates: Record<string, string> = { int8: 'model.int8.onnx', fp32: 'model.onnx' };
  let chosen: string | undefined;
  if (variant !== undefined) {
    if (!(variant in candidates)) {
      throw new ModelLoadError(
        'BAD_OPTION',
        modelDir,
        `no variant '${variant}': a directory without ${MANIFEST_FILE} has variants int8 (model.int8.onnx) and fp32 (model.onnx)`,
      );
    }
    chosen = variant;
  } else {
    chosen = Object.keys(candidates).find((v) => existsSync(join(modelDir, candidates[v]!)));
  }
  if (chosen === undefined) {
    throw new ModelLoadError('MODEL_NOT_FOUND', modelDir, `no model found: expected ${MANIFEST_FILE}, model.int8.onnx or model.onnx`);
  }
  const modelPath = requireFile(join(modelDir, candidates[chosen]!), 'model file');
  const tokensPath = requireFile(join(modelDir, 'tokens.txt'), 'tokens file');
  const modelBytes = readModelBytes(modelPath);
  const metadata = metadataOf(modelBytes, modelPath);
  const modelType = metadata.model_type ?? '';
  const base = { variant: chosen, modelPath, modelBytes, metadata, tokensPath, wordBoundary: '▁' };
  if (modelType.startsWith('EncDecCTCModel')) {
    const featDim = Number(metadata.feat_dim ?? 80);
    const subsampling = Number(metadata.subsampling_factor ?? 4);
    if (!Number.isInteger(featDim) || featDim <= 0 || !Number.isInteger(subsampling) || subsampling <= 0) {
      throw new ModelLoadError(
        'UNKNOWN_LAYOUT',
        modelPath,
        `NeMo metadata feat_dim=${metadata.feat_dim} / subsampling_factor=${metadata.subsampling_factor} are not positive integers`,
      );
    }
    return {
      ...base,
      layout: 'nemo-ctc',
      name: metadata.model_name || `nemo-${modelType}`,
      blank: 'last',
      features: nemoMel(featDim, metadata.normalize_type === 'per_feature' ? 'per_feature' : 'none'),
      subsampling,
      io: NEMO_IO,
    };
  }
  if (modelType === '' || modelType === 'zipformer2_ctc') {
    const subsampling = Number(metadata.subsampling_factor ?? 4);
    return {
      ...base,
      layout: 'sherpa-zipformer2-ctc',
      name: metadata.model_name || 'zipformer2_ctc',
      blank: 'named',
      features: SHERPA_FBANK,
      subsampling: Number.isInteger(subsampling) && subsampling > 0 ? subsampling : 4,
      io: ZIPFORMER_IO,
    };
  }
  throw new ModelLoadError('UNKNOWN_LAYOUT', modelPath, `model_type '${modelType}' is not a layout hushscribe runs (zipformer2_ctc or NeMo EncDecCTCModel*)`);
}

/** The names a layout expects, for error messages. */
export function describeIo(io: ModelIo): string {
  const outputs = [io.logProbs, ...(io.logProbLengths ? [io.logProbLengths] : [])];
  return `inputs ${io.features}, ${io.featureLengths} and outputs ${outputs.join(', ')}`;
}
