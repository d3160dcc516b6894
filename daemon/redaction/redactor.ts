/**
 * The redaction stage's set-up from the daemon's config: the policy (types, operators, mask, hash key, ...),
 * checked before anything else loads, and the PII tagger; each recording or live session then gets a fresh
 * SessionRedactor, so context carries across its segments but never between recordings. Known personal data
 * (hotwords marked pii) is redacted wherever it appears.
 */
import { readFileSync } from 'node:fs';
import { loadAllGazetteers } from '../../redaction/gazetteer.js';
import { validatePolicy } from '../../redaction/policy.js';
import type { KnownPii } from '../../redaction/known.js';
import { SessionRedactor } from '../../redaction/session.js';
import { PiiTagger } from '../../redaction/tagger.js';
import type { SegmentRedactor } from '../../redaction/types.js';
import { POLICY_OPTION_NAMES, type PolicyOptions, type RedactionPolicyConfig } from '../../redaction/policy-schema.js';
import type { HushscribeConfig } from '../config/schema.js';

export interface RedactionSetup {
  /** Loads the tagger (when enabled) and returns the factory of per-recording redactors. */
  load(): Promise<(extraKnownPii?: readonly KnownPii[]) => SegmentRedactor>;
}

/**
 * The redaction policy of a config's `redaction` section: the one policy the daemon, `hushscribe transcribe` and
 * `hushscribe redact` apply under the same config. The key file is read as `hushscribe redact --hash-key-file`
 * reads it: contents, trailing newline ignored.
 */
export function redactionPolicy(config: HushscribeConfig['redaction']): RedactionPolicyConfig {
  // The section embeds the policy's options (redaction/policy-schema.ts); the hash key comes from its file.
  const options = Object.fromEntries(POLICY_OPTION_NAMES.map((name) => [name, config[name]])) as PolicyOptions;
  const { hashKeyFile } = config;
  return { ...options, ...(hashKeyFile ? { hashKey: readFileSync(hashKeyFile, 'utf8').replace(/\r?\n$/, '') } : {}) };
}

/** Reads the hash key and validates the policy now: a bad policy stops the worker before any model or audio is read. */
export function prepareRedaction(config: HushscribeConfig['redaction'], knownPii: readonly KnownPii[] = []): RedactionSetup {
  const policy = redactionPolicy(config);
  validatePolicy(policy);
  loadAllGazetteers(); // as does a missing or unreadable word list (they would otherwise load on first use)
  return {
    async load() {
      const { tagger: taggerConfig } = config;
      const tagger = taggerConfig.enabled ? await PiiTagger.load(...(taggerConfig.modelDir ? [taggerConfig.modelDir] : [])) : null;
      return (extra = []) => new SessionRedactor(policy, { tagger, knownPii: [...knownPii, ...extra] });
    },
  };
}
