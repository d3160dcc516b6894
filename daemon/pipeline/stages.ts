/** Loads the stages a worker needs, once: recognizer (ONNX), Silero VAD, the redaction policy and PII tagger. */
import { readFileSync } from 'node:fs';
import { loadRecognizer } from '../asr/index.js';
import { validatePolicy } from '../../redaction/policy.js';
import { SessionRedactor } from '../../redaction/session.js';
import { PiiTagger } from '../../redaction/tagger.js';
import type { WorkerSettings } from './messages.js';
import { loadSileroVad } from './silero.js';
import type { StageSet } from './transcribe.js';

export async function loadStages(settings: Omit<WorkerSettings, 'sparseVariant'>): Promise<StageSet> {
  return (await loadPowerStages({ ...settings, sparseVariant: null })).dense;
}

/**
 * The dense stages, and the sparse ones too when settings.sparseVariant names one: both recognizers stay loaded
 * (one ONNX session each) so the power governor can switch between recordings without a reload; VAD and the
 * redaction policy are shared.
 */
export async function loadPowerStages(settings: WorkerSettings): Promise<{ dense: StageSet; sparse?: StageSet }> {
  const { types, operators, hashKeyFile, longNumbers } = settings.redaction;
  // Same key-file format as `hushscribe redact --hash-key-file`: contents, trailing newline ignored.
  const policy = { types, operators, longNumbers, ...(hashKeyFile ? { hashKey: readFileSync(hashKeyFile, 'utf8').replace(/\r?\n$/, '') } : {}) };
  validatePolicy(policy); // a bad policy stops the worker before any audio is read
  const load = (variant: string | null) => loadRecognizer({ modelDir: settings.modelDir, threads: settings.threads, ...(variant ? { variant } : {}) });
  const dense = await load(settings.variant);
  const sparse = settings.sparseVariant ? await load(settings.sparseVariant) : null;
  const vad = settings.vad.enabled ? await loadSileroVad() : null;
  const { tagger: taggerConfig } = settings.redaction;
  const tagger = taggerConfig.enabled ? await PiiTagger.load(...(taggerConfig.modelDir ? [taggerConfig.modelDir] : [])) : null;
  const stages = (recognizer: StageSet['recognizer']): StageSet => ({ recognizer, vad, newRedactor: () => new SessionRedactor(policy, { tagger }) });
  return { dense: stages(dense), ...(sparse ? { sparse: stages(sparse) } : {}) };
}
