/**
 * A domain LM from the user's own text (`hushscribe lm build`): spoken-form sentences, interpolated modified
 * Kneser-Ney (daemon/lm/kneser-ney.ts, in memory: meant for up to a few million words), written as the binary file
 * the recognizer maps (DIR/lm.bin) with a summary (DIR/lm.json). The general LM of a model is built from 50M words
 * by scripts/lm/ instead.
 */
import { createReadStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { normalise } from '../text/spoken-form.js';
import { arpaToBinary } from './binary-lm-writer.js';
import { estimate, toArpa } from './kneser-ney.js';

export const USER_LM_FILE = 'lm.bin';

export interface UserLmSummary {
  sentences: number;
  words: number;
  order: number;
  counts: number[];
  bytes: number;
}

export async function buildUserLm(textFiles: readonly string[], outDir: string, order = 3): Promise<UserLmSummary> {
  if (!Number.isInteger(order) || order < 2 || order > 6) throw new RangeError(`Expected an order from 2 to 6 but received ${order}`);
  const sentences: string[][] = [];
  let words = 0;
  for (const file of textFiles) {
    for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
      const spoken = normalise(line);
      if (spoken === '') continue;
      const w = spoken.split(' ');
      sentences.push(w);
      words += w.length;
    }
  }
  if (sentences.length === 0) throw new RangeError(`no words in ${textFiles.join(', ')}`);
  mkdirSync(outDir, { recursive: true });
  const arpa = join(outDir, `.lm-${process.pid}.arpa`);
  try {
    writeFileSync(arpa, toArpa(estimate(sentences, order)));
    const stats = await arpaToBinary(arpa, join(outDir, USER_LM_FILE));
    const summary = { sentences: sentences.length, words, order: stats.order, counts: stats.counts, bytes: stats.bytes };
    writeFileSync(join(outDir, 'lm.json'), `${JSON.stringify(summary, null, 2)}\n`);
    return summary;
  } finally {
    rmSync(arpa, { force: true });
  }
}
