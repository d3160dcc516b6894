import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ModelLoadError } from './errors.js';
import type { FeatureSpec, KaldiFbankSpec, NemoMelSpec } from './feature-spec.js';

export const MANIFEST_FILE = 'manifest.json';

export interface ManifestVariant {
  file: string;
  sha256: string;
  bytes: number;
}

/** models/<name>/manifest.json: everything needed to run a hushscribe model (see models/README). */
export interface ModelManifest {
  name: string;
  layout: 'hushscribe';
  modelType: 'zipformer2_ctc';
  sampleRate: 16000;
  features: FeatureSpec;
  subsampling: number;
  tokens: string;
  wordBoundary: string;
  variants: Record<string, ManifestVariant>;
  defaultVariant: string;
  lm?: { file: string; order: number; decoding?: LmDecodingDefaults };
  training?: unknown;
  metrics?: unknown;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isPositiveInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) > 0;
const isFiniteNumber = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
const isNonEmptyString = (v: unknown): boolean => typeof v === 'string' && v !== '';
/** Files named by the manifest must stay inside the model directory. */
const isPlainFileName = (v: unknown): boolean => isNonEmptyString(v) && !/[\\/]/.test(v as string) && v !== '..' && v !== '.';

/**
 * The options a manifest may give each front end: the keys of the spec types (feature-spec.ts, from the addon's
 * option types), so a list that misses or adds one does not compile.
 */
const KALDI_KEYS = Object.keys({
  kind: true,
  sampleRate: true,
  numBins: true,
  frameLengthMs: true,
  frameShiftMs: true,
  preemphasis: true,
  removeDcOffset: true,
  window: true,
  dither: true,
  snipEdges: true,
  lowFreq: true,
  highFreq: true,
  energyFloor: true,
} satisfies Record<keyof KaldiFbankSpec, true>);
const NEMO_KEYS = Object.keys({
  kind: true,
  sampleRate: true,
  numBins: true,
  nFft: true,
  windowLengthMs: true,
  hopMs: true,
  preemphasis: true,
  window: true,
  lowFreq: true,
  highFreq: true,
  logGuard: true,
  normalize: true,
} satisfies Record<keyof NemoMelSpec, true>);

function checkFeatures(f: unknown, problems: string[]): void {
  if (!isObject(f)) {
    problems.push('features must be an object');
    return;
  }
  const need = (key: string, ok: (v: unknown) => boolean, what: string): void => {
    if (!ok(f[key])) problems.push(`features.${key} must be ${what}`);
  };
  const oneOf =
    (...values: unknown[]) =>
    (v: unknown): boolean =>
      values.includes(v);
  const known = f.kind === 'kaldi-fbank' ? KALDI_KEYS : f.kind === 'nemo-mel' ? NEMO_KEYS : undefined;
  for (const key of Object.keys(f)) {
    if (known && !known.includes(key)) problems.push(`features.${key} is not a ${f.kind} option (known: ${known.join(', ')})`);
  }
  if (f.sampleRate !== undefined && f.sampleRate !== 16000) problems.push('features.sampleRate must be 16000');
  if (f.kind === 'kaldi-fbank') {
    need('numBins', isPositiveInt, 'a positive integer');
    need('frameLengthMs', isFiniteNumber, 'a number');
    need('frameShiftMs', isFiniteNumber, 'a number');
    need('preemphasis', isFiniteNumber, 'a number');
    need('removeDcOffset', (v) => typeof v === 'boolean', 'true or false');
    need('window', oneOf('povey', 'hann', 'hamming', 'rectangular'), "'povey', 'hann', 'hamming' or 'rectangular'");
    need('dither', isFiniteNumber, 'a number');
    need('snipEdges', (v) => typeof v === 'boolean', 'true or false');
    need('lowFreq', isFiniteNumber, 'a number');
    need('highFreq', isFiniteNumber, 'a number');
    need('energyFloor', isFiniteNumber, 'a number');
  } else if (f.kind === 'nemo-mel') {
    need('numBins', isPositiveInt, 'a positive integer');
    need('nFft', isPositiveInt, 'a positive integer');
    need('windowLengthMs', isFiniteNumber, 'a number');
    need('hopMs', isFiniteNumber, 'a number');
    need('preemphasis', isFiniteNumber, 'a number');
    need('window', oneOf('hann'), "'hann'");
    need('lowFreq', isFiniteNumber, 'a number');
    need('highFreq', isFiniteNumber, 'a number');
    need('logGuard', isFiniteNumber, 'a number');
    need('normalize', oneOf('per_feature', 'none'), "'per_feature' or 'none'");
  } else {
    problems.push(`features.kind must be 'kaldi-fbank' or 'nemo-mel' (found ${JSON.stringify(f.kind)})`);
  }
}

/** Parses and checks a manifest; every problem found is listed in one BAD_MANIFEST error. */
/** Decoding settings tuned for a model's LM. */
export interface LmDecodingDefaults {
  beamSize?: number;
  lmWeight?: number;
  wordBonus?: number;
}

export function parseManifest(text: string, path: string): ModelManifest {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch (err) {
    throw new ModelLoadError('BAD_MANIFEST', path, `bad manifest: not JSON (${(err as Error).message})`, err);
  }
  if (!isObject(m)) throw new ModelLoadError('BAD_MANIFEST', path, 'bad manifest: not a JSON object');
  const problems: string[] = [];
  if (!isNonEmptyString(m.name)) problems.push('name must be a non-empty string');
  if (m.layout !== 'hushscribe') problems.push(`layout must be 'hushscribe' (found ${JSON.stringify(m.layout)})`);
  if (m.modelType !== 'zipformer2_ctc') problems.push(`modelType must be 'zipformer2_ctc' (found ${JSON.stringify(m.modelType)})`);
  if (m.sampleRate !== 16000) problems.push(`sampleRate must be 16000 (found ${JSON.stringify(m.sampleRate)})`);
  checkFeatures(m.features, problems);
  if (!isPositiveInt(m.subsampling)) problems.push('subsampling must be a positive integer');
  if (!isPlainFileName(m.tokens)) problems.push('tokens must name a file in the model directory');
  if (!isNonEmptyString(m.wordBoundary)) problems.push('wordBoundary must be a non-empty string');
  if (!isObject(m.variants) || Object.keys(m.variants).length === 0) problems.push('variants must name at least one model file');
  else {
    for (const [name, v] of Object.entries(m.variants)) {
      if (!isObject(v)) problems.push(`variants.${name} must be an object`);
      else {
        if (!isPlainFileName(v.file)) problems.push(`variants.${name}.file must name a file in the model directory`);
        if (typeof v.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(v.sha256)) problems.push(`variants.${name}.sha256 must be 64 lowercase hex digits`);
        if (!isPositiveInt(v.bytes)) problems.push(`variants.${name}.bytes must be a positive integer`);
      }
    }
    if (typeof m.defaultVariant !== 'string' || !(m.defaultVariant in m.variants)) {
      problems.push(`defaultVariant must be one of ${Object.keys(m.variants).join(', ')} (found ${JSON.stringify(m.defaultVariant)})`);
    }
  }
  if (m.lm !== undefined && (!isObject(m.lm) || !isPlainFileName(m.lm.file) || !isPositiveInt(m.lm.order))) {
    problems.push('lm must be {"file": <file in the model directory>, "order": <positive integer>}');
  } else if (isObject(m.lm) && m.lm.decoding !== undefined) {
    const d = m.lm.decoding;
    const ok =
      isObject(d) &&
      Object.entries(d).every(([k, v]) =>
        k === 'beamSize'
          ? isPositiveInt(v) && (v as number) <= 256
          : (k === 'lmWeight' && isFiniteNumber(v) && (v as number) >= 0) || (k === 'wordBonus' && isFiniteNumber(v)),
      );
    if (!ok) problems.push('lm.decoding must be {"beamSize": 1..256, "lmWeight": >= 0, "wordBonus": number} (each optional)');
  }
  if (problems.length > 0) throw new ModelLoadError('BAD_MANIFEST', path, `bad manifest: ${problems.join('; ')}`);
  const manifest = m as unknown as ModelManifest;
  manifest.features = { ...manifest.features, sampleRate: 16000 } as FeatureSpec;
  return manifest;
}

export function readManifest(modelDir: string): ModelManifest {
  const path = join(modelDir, MANIFEST_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ModelLoadError('MODEL_NOT_FOUND', path, 'cannot read the model manifest', err);
  }
  return parseManifest(text, path);
}

export interface VariantCheck {
  variant: string;
  file: string;
  ok: boolean;
  expectedSha256: string;
  actualSha256: string;
  expectedBytes: number;
  actualBytes: number;
}

/** Hashes each variant's file (streaming) and compares it with the manifest. For `models verify`, not every load. */
export async function verifyModelFiles(modelDir: string, variants?: string[]): Promise<VariantCheck[]> {
  const manifest = readManifest(modelDir);
  const names = variants ?? Object.keys(manifest.variants);
  const checks: VariantCheck[] = [];
  for (const variant of names) {
    const v = manifest.variants[variant];
    if (!v)
      throw new ModelLoadError(
        'BAD_OPTION',
        join(modelDir, MANIFEST_FILE),
        `no variant '${variant}' (the manifest has ${Object.keys(manifest.variants).join(', ')})`,
      );
    const file = join(modelDir, v.file);
    let actualBytes: number;
    try {
      actualBytes = statSync(file).size;
    } catch (err) {
      throw new ModelLoadError('MODEL_NOT_FOUND', file, `model file of variant '${variant}' is missing`, err);
    }
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
    const actualSha256 = hash.digest('hex');
    checks.push({
      variant,
      file,
      ok: actualSha256 === v.sha256 && actualBytes === v.bytes,
      expectedSha256: v.sha256,
      actualSha256,
      expectedBytes: v.bytes,
      actualBytes,
    });
  }
  return checks;
}
