/**
 * Known personal data: phrases the user listed (hotwords marked `pii: true`, e.g. a customer list). Every
 * occurrence is an entity whatever the rules think, so a name the recognizer hears better thanks to the list is
 * also always redacted.
 */
import type { Candidate } from './context.js';
import type { EntityType } from './types.js';

export interface KnownPii {
  /** Spoken-form words, lowercase. */
  phrase: string;
  type?: EntityType;
}

/** Candidates for every occurrence of a known phrase in `words` (score 1: certain). */
export function findKnownPii(words: readonly string[], known: readonly KnownPii[]): Candidate[] {
  const out: Candidate[] = [];
  for (const { phrase, type = 'PERSON' } of known) {
    const parts = phrase.split(' ').filter((w) => w !== '');
    if (parts.length === 0) continue;
    for (let i = 0; i + parts.length <= words.length; i++) {
      if (parts.every((p, k) => words[i + k] === p)) out.push({ type, start: i, end: i + parts.length, score: 1, source: 'known', value: parts.join(' ') });
    }
  }
  return out;
}
