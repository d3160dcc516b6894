/**
 * Spelled-out letters ("s m i t h") and mixed letter/number codes ("g b eight two w e s t ...") with token spans.
 * "a" and "i" are ordinary words, so they only count as letters next to another letter or number.
 */
import type { Token } from './tokens.js';
import { parseNumberChunks } from './spoken-numbers.js';

/** A letter (uppercase) or a number chunk (digits), with its token span [start, end). */
export interface CodePiece {
  text: string;
  start: number;
  end: number;
  kind: 'letter' | 'digits';
}

export interface CodeRun {
  start: number;
  end: number;
  text: string;
  pieces: CodePiece[];
}

export function isLetter(word: string): boolean {
  return /^[a-z]$/.test(word);
}

function pieceAt(words: string[], i: number): CodePiece[] {
  const chunks = parseNumberChunks(words, i, words.length);
  // "oh" between letters is the letter O (as in "j o h n"), not zero.
  if (
    chunks.length > 0 &&
    !(words[i] === 'oh' && chunks.length === 1 && chunks[0]!.end === i + 1 && isLetter(words[i + 1] ?? '') && isLetter(words[i - 1] ?? ''))
  ) {
    return chunks.map((c) => ({ text: c.digits, start: c.start, end: c.end, kind: 'digits' as const }));
  }
  if (isLetter(words[i]!) || words[i] === 'oh') return [{ text: words[i] === 'oh' ? 'O' : words[i]!.toUpperCase(), start: i, end: i + 1, kind: 'letter' }];
  return [];
}

/** Maximal runs of letters and number words; a run that is only "a" or "i" is the word, not a letter. */
export function findCodeRuns(tokens: Token[]): CodeRun[] {
  const words = tokens.map((t) => t.word);
  const runs: CodeRun[] = [];
  let i = 0;
  while (i < words.length) {
    const pieces: CodePiece[] = [];
    let j = i;
    for (;;) {
      const next = j < words.length ? pieceAt(words, j) : [];
      if (next.length === 0) break;
      pieces.push(...next);
      j = next[next.length - 1]!.end;
    }
    if (pieces.length === 0) {
      i += 1;
      continue;
    }
    const lone = pieces.length === 1 && (words[pieces[0]!.start] === 'a' || words[pieces[0]!.start] === 'i');
    if (!lone) runs.push({ start: pieces[0]!.start, end: pieces[pieces.length - 1]!.end, text: pieces.map((p) => p.text).join(''), pieces });
    i = j;
  }
  return runs;
}

/** Letter-only runs of at least `min` letters (a spelled word). */
export function findLetterRuns(tokens: Token[], min = 2): CodeRun[] {
  const runs: CodeRun[] = [];
  let current: CodePiece[] = [];
  const flush = () => {
    if (current.length >= min)
      runs.push({ start: current[0]!.start, end: current[current.length - 1]!.end, text: current.map((p) => p.text).join(''), pieces: current });
    current = [];
  };
  tokens.forEach((t, i) => {
    if (isLetter(t.word)) current.push({ text: t.word.toUpperCase(), start: i, end: i + 1, kind: 'letter' });
    else flush();
  });
  flush();
  return runs;
}

/** Every sub-run of whole pieces whose text length is in [min, max], longest first. */
export function codeWindows(run: CodeRun, min: number, max: number): CodeRun[] {
  const windows: CodeRun[] = [];
  for (let a = 0; a < run.pieces.length; a++) {
    let text = '';
    for (let b = a; b < run.pieces.length; b++) {
      text += run.pieces[b]!.text;
      if (text.length > max) break;
      if (text.length >= min) {
        const pieces = run.pieces.slice(a, b + 1);
        windows.push({ start: pieces[0]!.start, end: pieces[pieces.length - 1]!.end, text, pieces });
      }
    }
  }
  return windows.sort((x, y) => y.text.length - x.text.length || x.start - y.start);
}
