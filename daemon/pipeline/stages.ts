/** Loads the stages a worker needs, once: recognizer (ONNX), Silero VAD, the redaction policy and PII tagger. */
import { join } from 'node:path';
import { loadRecognizer, readHotwords, type DecodingOptions } from '../asr/index.js';
import { readManifest } from '../asr/manifest.js';
import type { ModelInfo, Recognizer } from '../asr/types.js';
import { USER_LM_FILE } from '../lm/build-user-lm.js';
import type { KnownPii } from '../../redaction/known.js';
import type { SegmentRedactor } from '../../redaction/types.js';
import type { PowerVariant } from '../power/governor.js';
import { prepareRedaction } from '../redaction/redactor.js';
import { loadSileroVad, type FrameClassifier } from '../vad/index.js';
import { DEFAULT_LEFT_CONTEXT, type LeftContextOptions } from './left-context.js';
import type { WorkerSettings } from './messages.js';

export interface StageSet {
  recognizer: Recognizer;
  /** null when vad.enabled is false: fixed windows of vad.maxSegmentSec instead. */
  vad: FrameClassifier | null;
  /** The earlier speech each segment is decoded after (asr.leftContext). */
  leftContext: LeftContextOptions;
  /** A fresh redactor per recording, so context carries across its segments but never between recordings;
   * `knownPii`: this recording's own known personal data (a request's pii hotwords). */
  newRedactor(knownPii?: readonly KnownPii[]): SegmentRedactor;
}

export async function loadStages(settings: Omit<WorkerSettings, 'sparseVariant'>): Promise<StageSet> {
  return (await loadPowerStages({ ...settings, sparseVariant: null })).load('dense');
}

/**
 * The stages of each power variant, one recognizer (one onnxruntime session) loaded at a time: the one the governor
 * wants at start, the other when it first switches. A switch keeps both until the caller says the old one is idle
 * (releaseOthers), so a daemon that stays on one variant never pays for the other (~60 MB resident with dense).
 */
export interface PowerStages {
  /** The stages loaded at start: the start variant's, or dense when the sparse ones could not be loaded. */
  started: StageSet;
  /** The dense variant (for status), whether loaded or not. */
  denseModel: ModelInfo;
  /** What the sparse variant will be (for status), or null when the model has none. */
  sparseModel: ModelInfo | null;
  /** The stages of `variant`, loaded now if they are not; a failed load is tried again on the next call. */
  load(variant: PowerVariant): Promise<StageSet>;
  /** Which variants have a recognizer loaded now. */
  loadedVariants(): PowerVariant[];
  /** Closes the recognizers other than `keep`'s: call it only when none of them is transcribing. */
  releaseOthers(keep: StageSet): Promise<void>;
}

/**
 * The start variant's stages now (`settings.startVariant`, dense by default; dense when the sparse ones cannot be
 * loaded), the other on demand. VAD, the redaction policy and tagger, and the LM (memory-mapped) are shared.
 */
export async function loadPowerStages(settings: WorkerSettings): Promise<PowerStages> {
  const hotwords = settings.hotwords ? readHotwords(settings.hotwords) : [];
  // Hotwords marked pii are personal data wherever they are heard (a customer list).
  const knownPii = hotwords.filter((h) => h.pii).map((h) => ({ phrase: h.phrase }));
  const redaction = prepareRedaction(settings.redaction, knownPii); // a bad policy stops the worker before anything loads
  const extraLms = (settings.lm?.extra ?? []).map((e) => ({ path: join(e.dir, USER_LM_FILE), weight: e.weight }));
  const decoding: DecodingOptions = { ...(extraLms.length > 0 ? { extraLms } : {}), ...(hotwords.length > 0 ? { hotwords } : {}) };
  const sparseVariant = settings.sparseVariant;
  const denseVariant = settings.variant ?? settings.denseVariant ?? null;
  const manifestVariant = (variant: PowerVariant) => (variant === 'sparse' ? sparseVariant : denseVariant);
  const loadRecognizerOf = (variant: PowerVariant) => {
    const name = manifestVariant(variant);
    return loadRecognizer({ modelDir: settings.modelDir, threads: settings.threads, decoding, ...(name ? { variant: name } : {}) });
  };
  const loaded = new Map<PowerVariant, Promise<StageSet>>();
  let shared: Pick<StageSet, 'vad' | 'newRedactor' | 'leftContext'> | null = null;
  const load = (variant: PowerVariant): Promise<StageSet> => {
    let stages = loaded.get(variant);
    if (!stages) {
      stages = loadRecognizerOf(variant).then(
        (recognizer) => ({ recognizer, ...shared! }),
        (err: unknown) => {
          loaded.delete(variant);
          throw err;
        },
      );
      loaded.set(variant, stages);
    }
    return stages;
  };
  const startVariant: PowerVariant = settings.startVariant === 'sparse' && sparseVariant ? 'sparse' : 'dense';
  let first: Recognizer;
  let firstVariant = startVariant;
  try {
    first = await loadRecognizerOf(startVariant);
  } catch (err) {
    if (startVariant === 'dense') throw err;
    firstVariant = 'dense'; // the first recording that asks for sparse tries again and reports why it cannot
    first = await loadRecognizerOf('dense');
  }
  shared = {
    vad: settings.vad.enabled ? await loadSileroVad() : null,
    newRedactor: await redaction.load(),
    leftContext: settings.leftContext ?? DEFAULT_LEFT_CONTEXT,
  };
  const started: StageSet = { recognizer: first, ...shared };
  loaded.set(firstVariant, Promise.resolve(started));
  // Started on sparse: the dense one is named before it is loaded (the manifest's dense variant, or its default).
  const denseModel =
    firstVariant === 'dense' ? first.model : { name: first.model.name, variant: denseVariant ?? readManifest(settings.modelDir).defaultVariant };
  return {
    started,
    denseModel,
    sparseModel: sparseVariant ? { name: first.model.name, variant: sparseVariant } : null,
    load: (variant) => load(variant === 'sparse' && sparseVariant ? 'sparse' : 'dense'),
    loadedVariants: () => [...loaded.keys()],
    async releaseOthers(keep) {
      for (const [variant, stages] of [...loaded]) {
        const set = await stages.catch(() => null);
        if (set === null || set === keep || set.recognizer === keep.recognizer) continue;
        loaded.delete(variant);
        await set.recognizer.close();
      }
    },
  };
}

/** The stages for `variant`: sparse ones that cannot be loaded run dense instead (`onFailure` says why; segments name the variant used). */
export async function stagesFor(power: PowerStages, variant: PowerVariant, onFailure: (message: string) => void): Promise<StageSet> {
  if (variant !== 'sparse' || !power.sparseModel) return power.load('dense');
  try {
    return await power.load('sparse');
  } catch (err) {
    onFailure((err as Error).message);
    return power.load('dense');
  }
}
