/** Word tokens of a spoken-form transcript with their exact character offsets in the input. */
export interface Token {
  /** Normalised form used for matching: lowercase, only a-z, 0-9 and apostrophes. */
  word: string;
  start: number;
  end: number;
}

/** Splits on whitespace; offsets point into `text` so entities map back exactly. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const match of text.matchAll(/\S+/g)) {
    const word = match[0].toLowerCase().replace(/[^a-z0-9']/g, '');
    if (word === '') continue;
    tokens.push({ word, start: match.index, end: match.index + match[0].length });
  }
  return tokens;
}
