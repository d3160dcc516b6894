/** Loads the stages a worker needs, once: recognizer (ONNX), Silero VAD, the redaction policy and PII tagger. */
import { join } from 'node:path';
import { loadRecognizer, readHotwords, type DecodingOptions } from '../asr/index.js';
import type { ModelInfo, Recognizer } from '../asr/types.js';
import { USER_LM_FILE } from '../lm/build-user-lm.js';
import type { KnownPii } from '../../redaction/known.js';
import type { SegmentRedactor } from '../../redaction/types.js';
import type { PowerVariant } from '../power/governor.js';
import { prepareRedaction } from '../redaction/redactor.js';
import { loadSileroVad, type FrameClassifier } from '../vad/index.js';
import type { WorkerSettings } from './messages.js';

export interface StageSet {
  recognizer: Recognizer;
  /** null when vad.enabled is false: fixed windows of vad.maxSegmentSec instead. */
  vad: FrameClassifier | null;
  /** A fresh redactor per recording, so context carries across its segments but never between recordings;
   * `knownPii`: this recording's own known personal data (a request's pii hotwords). */
  newRedactor(knownPii?: readonly KnownPii[]): SegmentRedactor;
}

export async function loadStages(settings: Omit<WorkerSettings, 'sparseVariant'>): Promise<StageSet> {
  return (await loadPowerStages({ ...settings, sparseVariant: null })).dense;
}

/** The stages of each power variant: dense loaded at start, sparse only once the governor first asks for it. */
export interface PowerStages {
  dense: StageSet;
  /** What the sparse variant will be (for status), or null when the model has none. */
  sparseModel: ModelInfo | null;
  /**
   * The sparse stages, loaded on the first call (one more onnxruntime session, which a daemon that never switches
   * does not pay for); a failed load is tried again on the next call. Null when the model has no sparse variant.
   */
  sparse: (() => Promise<StageSet>) | null;
}

/**
 * The dense stages now, the sparse ones on demand: once loaded both recognizers stay (one onnxruntime session
 * each) so the power governor can switch between recordings without a reload; VAD, the redaction policy and the
 * LM are shared.
 */
export async function loadPowerStages(settings: WorkerSettings): Promise<PowerStages> {
  const hotwords = settings.hotwords ? readHotwords(settings.hotwords) : [];
  // Hotwords marked pii are personal data wherever they are heard (a customer list).
  const knownPii = hotwords.filter((h) => h.pii).map((h) => ({ phrase: h.phrase }));
  const redaction = prepareRedaction(settings.redaction, knownPii); // a bad policy stops the worker before anything loads
  const extraLms = (settings.lm?.extra ?? []).map((e) => ({ path: join(e.dir, USER_LM_FILE), weight: e.weight }));
  const decoding: DecodingOptions = { ...(extraLms.length > 0 ? { extraLms } : {}), ...(hotwords.length > 0 ? { hotwords } : {}) };
  const load = (variant: string | null) =>
    loadRecognizer({ modelDir: settings.modelDir, threads: settings.threads, decoding, ...(variant ? { variant } : {}) });
  const dense = await load(settings.variant);
  const vad = settings.vad.enabled ? await loadSileroVad() : null;
  const newRedactor = await redaction.load();
  const stages = (recognizer: StageSet['recognizer']): StageSet => ({ recognizer, vad, newRedactor });
  const sparseVariant = settings.sparseVariant;
  let sparse: Promise<StageSet> | null = null;
  return {
    dense: stages(dense),
    sparseModel: sparseVariant ? { name: dense.model.name, variant: sparseVariant } : null,
    sparse: sparseVariant
      ? () =>
          (sparse ??= load(sparseVariant).then(stages, (err: unknown) => {
            sparse = null;
            throw err;
          }))
      : null,
  };
}

/** The stages for `variant`: sparse ones that cannot be loaded run dense instead (`onFailure` says why; segments name the variant used). */
export async function stagesFor(power: PowerStages, variant: PowerVariant, onFailure: (message: string) => void): Promise<StageSet> {
  if (variant !== 'sparse' || !power.sparse) return power.dense;
  try {
    return await power.sparse();
  } catch (err) {
    onFailure((err as Error).message);
    return power.dense;
  }
}
