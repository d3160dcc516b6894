/** Word tokens of a spoken-form transcript with their exact character offsets in the input. */
export interface Token {
  /** Normalised form used for matching: lowercase, only a-z, 0-9 and apostrophes. */
  word: string;
  start: number;
  end: number;
}

const LETTERS: Record<string, string> = { ß: 'ss', ø: 'o', æ: 'ae', œ: 'oe', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' };

/** Lowercase, accents folded to ASCII ("Müllerstraße" -> "mullerstrasse"), then only a-z, 0-9 and apostrophes. */
function normalise(raw: string): string {
  return raw
    .toLowerCase()
    .replace(/[ßøæœłđðþı]/g, (c) => LETTERS[c]!)
    .normalize('NFD')
    .replace(/[^a-z0-9']/g, '');
}

/** Splits on whitespace; offsets point into `text` so entities map back exactly. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const match of text.matchAll(/\S+/g)) {
    const word = normalise(match[0]);
    if (word === '') continue;
    tokens.push({ word, start: match.index, end: match.index + match[0].length });
  }
  return tokens;
}
