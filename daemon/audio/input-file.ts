import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { AudioInputError } from './errors.js';

/** Checks that `file` is a readable, non-empty regular file before any decoding; returns its size in bytes. */
export async function checkInputFile(file: string): Promise<number> {
  let info: Stats;
  try {
    info = await stat(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new AudioInputError('NOT_FOUND', file, 'no such file', { cause: err });
    throw new AudioInputError('DECODE_FAILED', file, `cannot be read (${code ?? (err as Error).message})`, { cause: err });
  }
  if (!info.isFile()) throw new AudioInputError('NOT_AUDIO', file, 'is not a regular file');
  if (info.size === 0) throw new AudioInputError('EMPTY_FILE', file, 'is empty (0 bytes)');
  return info.size;
}
