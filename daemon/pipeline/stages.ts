/** Loads the stages a worker needs, once: recognizer (ONNX), Silero VAD, the redaction policy and PII tagger. */
import { loadRecognizer } from '../asr/index.js';
import type { Recognizer } from '../asr/types.js';
import type { SegmentRedactor } from '../../redaction/types.js';
import { prepareRedaction } from '../redaction/redactor.js';
import { loadSileroVad, type FrameClassifier } from '../vad/index.js';
import type { WorkerSettings } from './messages.js';

export interface StageSet {
  recognizer: Recognizer;
  /** null when vad.enabled is false: fixed windows of vad.maxSegmentSec instead. */
  vad: FrameClassifier | null;
  /** A fresh redactor per recording, so context carries across its segments but never between recordings. */
  newRedactor(): SegmentRedactor;
}

export async function loadStages(settings: Omit<WorkerSettings, 'sparseVariant'>): Promise<StageSet> {
  return (await loadPowerStages({ ...settings, sparseVariant: null })).dense;
}

/** The stages of each loaded variant; the power governor picks one per recording (or live segment). */
export interface PowerStages {
  dense: StageSet;
  sparse?: StageSet;
}

/**
 * The dense stages, and the sparse ones too when settings.sparseVariant names one: both recognizers stay loaded
 * (one ONNX session each) so the power governor can switch between recordings without a reload; VAD and the
 * redaction policy are shared.
 */
export async function loadPowerStages(settings: WorkerSettings): Promise<PowerStages> {
  const redaction = prepareRedaction(settings.redaction); // a bad policy stops the worker before anything loads
  const load = (variant: string | null) => loadRecognizer({ modelDir: settings.modelDir, threads: settings.threads, ...(variant ? { variant } : {}) });
  const dense = await load(settings.variant);
  const sparse = settings.sparseVariant ? await load(settings.sparseVariant) : null;
  const vad = settings.vad.enabled ? await loadSileroVad() : null;
  const newRedactor = await redaction.load();
  const stages = (recognizer: StageSet['recognizer']): StageSet => ({ recognizer, vad, newRedactor });
  return { dense: stages(dense), ...(sparse ? { sparse: stages(sparse) } : {}) };
}
