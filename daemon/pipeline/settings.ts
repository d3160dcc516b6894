/**
 * What the transcription workers load for a config: one definition, shared by the daemon and `doctor`. Reads only
 * the model's manifest (manifest.js, not asr/index.js), so the main thread never loads onnxruntime.
 */
import { readManifest } from '../asr/manifest.js';
import { modelDir } from '../config/load.js';
import type { HushscribeConfig } from '../config/schema.js';
import type { PowerVariant } from '../power/governor.js';
import type { WorkerSettings } from './messages.js';

/** The manifest variants the power governor switches between. */
const SPARSE_VARIANT = 'sparse';
const DENSE_VARIANT = 'dense';

/** The manifest's variant names and default; null when there is none or it is unreadable (loading reports those). */
function manifestVariants(dir: string): { names: string[]; defaultVariant: string } | null {
  try {
    const manifest = readManifest(dir);
    return { names: Object.keys(manifest.variants), defaultVariant: manifest.defaultVariant };
  } catch {
    return null;
  }
}

/**
 * What power mode `auto` runs while nothing presses: sparse when the manifest's default variant is its sparse one
 * (a model whose sparse file is also the more accurate, as hushscribe-en-v1's), else dense.
 */
export function calmVariantOf(config: HushscribeConfig): PowerVariant {
  if (config.asr.variant !== null) return 'dense'; // the configured variant is what `dense` loads
  return manifestVariants(modelDir(config))?.defaultVariant === SPARSE_VARIANT ? 'sparse' : 'dense';
}

export function pipelineSettings(config: HushscribeConfig): WorkerSettings {
  const dir = modelDir(config);
  const names = manifestVariants(dir)?.names ?? [];
  return {
    modelDir: dir,
    variant: config.asr.variant,
    denseVariant: names.includes(DENSE_VARIANT) ? DENSE_VARIANT : null,
    sparseVariant: names.includes(SPARSE_VARIANT) ? SPARSE_VARIANT : null,
    threads: config.asr.threads,
    lm: config.asr.lm,
    hotwords: config.asr.hotwords,
    leftContext: config.asr.leftContext,
    vad: config.vad,
    redaction: config.redaction,
  };
}
