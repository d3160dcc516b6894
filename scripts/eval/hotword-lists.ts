/**
 * Phrase lists for the hotword figures: made-up names and product words built from syllables with a seeded PRNG,
 * so they are reproducible, unlike anything in the training text, and need no data files.
 */
import { rng } from './spoken-values.js';

const ONSETS = ['b', 'br', 'd', 'dr', 'f', 'g', 'gr', 'h', 'k', 'kl', 'l', 'm', 'n', 'p', 'r', 's', 'st', 't', 'tr', 'v', 'w', 'z'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ou', 'ee'];
const CODAS = ['', '', 'n', 'r', 'l', 's', 'k', 'x', 'm'];

function word(random: () => number, syllables: number): string {
  let w = '';
  for (let i = 0; i < syllables; i++) {
    w += ONSETS[Math.floor(random() * ONSETS.length)]! + VOWELS[Math.floor(random() * VOWELS.length)]!;
    if (i === syllables - 1) w += CODAS[Math.floor(random() * CODAS.length)]!;
  }
  return w;
}

/** `count` distinct phrases of one or two made-up words (2-3 syllables each), for the "500 phrases loaded" cost. */
export function hotwordDistractors(count: number, seed = 16): string[] {
  const random = rng(seed);
  const out = new Set<string>();
  while (out.size < count) {
    const first = word(random, 2 + Math.floor(random() * 2));
    out.add(random() < 0.5 ? first : `${first} ${word(random, 2 + Math.floor(random() * 2))}`);
  }
  return [...out];
}
