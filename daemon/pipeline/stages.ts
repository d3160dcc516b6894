/** Loads the stages a worker needs, once: recognizer (ONNX), Silero VAD, and the redaction policy. */
import { readFileSync } from 'node:fs';
import { loadRecognizer } from '../asr/index.js';
import { validatePolicy } from '../../redaction/policy.js';
import { SessionRedactor } from '../../redaction/session.js';
import type { WorkerSettings } from './messages.js';
import { loadSileroVad } from './silero.js';
import type { StageSet } from './transcribe.js';

export async function loadStages(settings: WorkerSettings): Promise<StageSet> {
  const { types, operators, hashKeyFile } = settings.redaction;
  // Same key-file format as `hushscribe redact --hash-key-file`: contents, trailing newline ignored.
  const policy = { types, operators, ...(hashKeyFile ? { hashKey: readFileSync(hashKeyFile, 'utf8').replace(/\r?\n$/, '') } : {}) };
  validatePolicy(policy); // a bad policy stops the worker before any audio is read
  const recognizer = await loadRecognizer({ modelDir: settings.modelDir, threads: settings.threads, ...(settings.variant ? { variant: settings.variant } : {}) });
  const vad = settings.vad.enabled ? await loadSileroVad() : null;
  return { recognizer, vad, newRedactor: () => new SessionRedactor(policy) };
}
