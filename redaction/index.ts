/** The redaction stage: spoken-form PII recognizers, policy operators, and per-session sliding context. */
export * from './types.js';
export { createRedactor } from './redactor.js';
export { SessionRedactor, type SessionOptions } from './session.js';
export { PiiTagger, TaggerLoadError, defaultTaggerDir, type Posteriors } from './tagger.js';
export { validatePolicy, checkPolicyOptions, PolicyError, type RedactionPolicy } from './policy.js';
export {
  policySchema,
  policyOptions,
  OPERATORS,
  MASK_UNITS,
  DEFAULT_THRESHOLD,
  type OperatorName,
  type PolicyOptions,
  type RedactionPolicyConfig,
} from './policy-schema.js';
