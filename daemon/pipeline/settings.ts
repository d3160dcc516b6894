/**
 * What the transcription workers load for a config: one definition, shared by the daemon and `doctor`. Reads only
 * the model's manifest (manifest.js, not asr/index.js), so the main thread never loads onnxruntime.
 */
import { readManifest } from '../asr/manifest.js';
import { modelDir } from '../config/load.js';
import type { HushscribeConfig } from '../config/schema.js';
import type { WorkerSettings } from './messages.js';

/** The manifest variant the power governor switches to. */
const SPARSE_VARIANT = 'sparse';

/** 'sparse' when the model's manifest has that variant; null otherwise (no manifest, unreadable: loading reports those). */
function sparseVariantOf(dir: string): string | null {
  try {
    return SPARSE_VARIANT in readManifest(dir).variants ? SPARSE_VARIANT : null;
  } catch {
    return null;
  }
}

export function pipelineSettings(config: HushscribeConfig): WorkerSettings {
  const dir = modelDir(config);
  return {
    modelDir: dir,
    variant: config.asr.variant,
    sparseVariant: sparseVariantOf(dir),
    threads: config.asr.threads,
    lm: config.asr.lm,
    hotwords: config.asr.hotwords,
    leftContext: config.asr.leftContext,
    vad: config.vad,
    redaction: config.redaction,
  };
}
