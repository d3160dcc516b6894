/**
 * Word lists (redaction/gazetteers/*.txt, one lowercase entry a line) loaded once and matched as token phrases.
 * See redaction/gazetteers/LICENSE.md for where they come from.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../common/package-root.js';

export const GAZETTEER_NAMES = [
  'first-names',
  'surnames',
  'street-names',
  'street-suffixes',
  'street-types',
  'cities',
  'us-states',
  'countries',
  'common-words',
  'common-name-words',
  'english-words',
] as const;
export type GazetteerName = (typeof GAZETTEER_NAMES)[number];

/**
 * A phrase list: single words in a Set, phrases of several words indexed by their first word, so matching is a
 * lookup per token. Single words are kept only in the Set: as one array each (78k entries) they held ~25 MB of
 * the transcription worker's heap.
 */
export class PhraseList {
  readonly words = new Set<string>();
  private readonly byFirstWord = new Map<string, string[][]>();

  constructor(entries: Iterable<string>) {
    for (const entry of entries) {
      const phrase = entry.trim().split(/\s+/).filter(Boolean);
      if (phrase.length === 0) continue;
      if (phrase.length === 1) {
        this.words.add(phrase[0]!);
        continue;
      }
      const list = this.byFirstWord.get(phrase[0]!) ?? [];
      list.push(phrase);
      this.byFirstWord.set(phrase[0]!, list);
    }
    for (const list of this.byFirstWord.values()) list.sort((a, b) => b.length - a.length);
  }

  has(word: string): boolean {
    return this.words.has(word);
  }

  /** Length in tokens of the longest entry starting at words[i], or 0. */
  matchAt(words: string[], i: number): number {
    const word = words[i] ?? '';
    for (const phrase of this.byFirstWord.get(word) ?? []) {
      if (phrase.every((w, k) => words[i + k] === w)) return phrase.length;
    }
    return this.words.has(word) ? 1 : 0;
  }
}

const cache = new Map<GazetteerName, PhraseList>();

/**
 * A word outside the English lexicon, the function words and the number words: in a transcript that is most often
 * a name the recognizer spelled out ("okonkwo", "gudur"), so after a cue it is taken as a person or place.
 */
export function isUnknownWord(word: string | undefined, isNumberWord: (w: string) => boolean): boolean {
  return word !== undefined && word.length >= 3 && !word.includes("'") && !isNumberWord(word) && !gazetteer('english-words').has(word);
}

/**
 * Loads every list now (they are otherwise loaded on first use), so a missing or unreadable one stops the pipeline
 * at start-up and `doctor` reports it, instead of failing each recording. Returns the number of entries.
 */
export function loadAllGazetteers(): number {
  return GAZETTEER_NAMES.reduce((total, name) => total + gazetteer(name).words.size, 0);
}

export function gazetteer(name: GazetteerName): PhraseList {
  let list = cache.get(name);
  if (!list) {
    const file = join(packageRoot(), 'redaction', 'gazetteers', `${name}.txt`);
    list = new PhraseList(readFileSync(file, 'utf8').split('\n'));
    cache.set(name, list);
  }
  return list;
}
