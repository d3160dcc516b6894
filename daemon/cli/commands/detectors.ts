/** `--detectors rules,tagger`: which PII detectors the redact and transcribe commands run. */
import { UsageError } from '../command.js';

export interface Detectors {
  rules: boolean;
  tagger: boolean;
}

const NAMES = ['rules', 'tagger'] as const;

export function parseDetectors(value: string | undefined): Detectors {
  if (value === undefined) return { rules: true, tagger: true };
  const names = value
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(NAMES as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0) {
    throw new UsageError(`--detectors takes ${NAMES.join(', ')} or both, comma-separated (got '${value}')`);
  }
  return { rules: names.includes('rules'), tagger: names.includes('tagger') };
}
