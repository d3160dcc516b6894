/**
 * The hotword list file (`asr.hotwords`, `transcribe --hotwords FILE`): one phrase a line, written as people write
 * it (it is put in spoken form: "Dr. Anna Kowalski" -> "doctor anna kowalski"), optionally followed by
 * `boost=N` (score per token, default DEFAULT_HOTWORD_BOOST) and `pii` (always redact it). `#` starts a comment.
 *
 *   Anna Kowalski        boost=2 pii
 *   Zentrova Cloud
 */
import { readFileSync } from 'node:fs';
import { normalise } from '../text/spoken-form.js';
import type { Hotword } from './context-graph.js';

export class HotwordFileError extends Error {
  override name = 'HotwordFileError';
}

/** Parses a list's text; `source` names it in errors ("hotwords.txt line 3: ..."). */
export function parseHotwords(text: string, source: string): Hotword[] {
  const out: Hotword[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (line === '') return;
    const words = line.split(/\s+/);
    let boost: number | undefined;
    let pii = false;
    while (words.length > 1) {
      const last = words[words.length - 1]!;
      const m = /^boost=(.*)$/.exec(last);
      if (m) {
        boost = Number(m[1]);
        if (!Number.isFinite(boost) || boost <= 0)
          throw new HotwordFileError(`${source} line ${i + 1}: Expected a number > 0 for boost but received ${JSON.stringify(m[1])}`);
      } else if (last === 'pii') pii = true;
      else break;
      words.pop();
    }
    const phrase = normalise(words.join(' '));
    if (phrase === '') throw new HotwordFileError(`${source} line ${i + 1}: no words the recognizer can spell in ${JSON.stringify(line.slice(0, 40))}`);
    out.push({ phrase, ...(boost !== undefined ? { boost } : {}), ...(pii ? { pii: true } : {}) });
  });
  return out;
}

export function readHotwords(path: string): Hotword[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new HotwordFileError(`cannot read the hotword list ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseHotwords(text, path);
}
