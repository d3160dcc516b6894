import { readFileSync } from 'node:fs';
import { ModelLoadError } from './errors.js';

/** The model's output vocabulary, with what each id means for word assembly. */
export interface TokenTable {
  readonly symbols: readonly string[];
  readonly blankId: number;
  /** 1 where the symbol begins a new word (it starts with the word-boundary mark, e.g. `▁` or `▁the`). */
  readonly startsWord: Uint8Array;
  /** The text a symbol contributes to its word: the symbol without the boundary mark; '' for `<blk>`, `<unk>`, `▁`. */
  readonly body: readonly string[];
}

export type BlankPosition = 'named' | 'last';

/**
 * Reads a sherpa-style tokens.txt ("symbol id" per line, ids 0..V-1 in any order).
 * blank: 'named' finds `<blk>` (or `<blank>`, else id 0); 'last' uses V-1 (NeMo).
 */
export function readTokens(path: string, wordBoundary = '▁', blank: BlankPosition = 'named'): TokenTable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ModelLoadError('MODEL_NOT_FOUND', path, 'cannot read the tokens file', err);
  }
  const symbols: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    // The symbol may itself be a space-like character, so split at the last space.
    const cut = line.lastIndexOf(' ');
    const id = Number(line.slice(cut + 1));
    const symbol = line.slice(0, cut);
    if (cut <= 0 || !Number.isInteger(id) || id < 0) {
      throw new ModelLoadError('BAD_TOKENS', path, `line ${i + 1} is not "symbol id": ${JSON.stringify(line.slice(0, 40))}`);
    }
    if (symbols[id] !== undefined) throw new ModelLoadError('BAD_TOKENS', path, `id ${id} appears twice (line ${i + 1})`);
    symbols[id] = symbol;
  }
  if (symbols.length === 0) throw new ModelLoadError('BAD_TOKENS', path, 'no tokens');
  for (let id = 0; id < symbols.length; id++) {
    if (symbols[id] === undefined) throw new ModelLoadError('BAD_TOKENS', path, `id ${id} is missing (ids must be 0..${symbols.length - 1})`);
  }
  let blankId: number;
  if (blank === 'last') blankId = symbols.length - 1;
  else {
    const named = symbols.findIndex((s) => s === '<blk>' || s === '<blank>');
    blankId = Math.max(named, 0);
  }
  return makeTokenTable(symbols, blankId, wordBoundary);
}

export function makeTokenTable(symbols: readonly string[], blankId: number, wordBoundary = '▁'): TokenTable {
  const startsWord = new Uint8Array(symbols.length);
  const body = symbols.map((symbol, id) => {
    if (id === blankId || /^<[^<>]+>$/.test(symbol)) return '';
    if (symbol.startsWith(wordBoundary)) {
      startsWord[id] = 1;
      return symbol.slice(wordBoundary.length);
    }
    return symbol;
  });
  return { symbols, blankId, startsWord, body };
}
