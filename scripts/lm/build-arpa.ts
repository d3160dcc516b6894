/**
 * Builds a word n-gram LM (ARPA, interpolated modified Kneser-Ney) from a text file with one sentence per line, for
 * the recognizer's beam search (manifest "lm" or `hushscribe transcribe --lm`).
 *
 *   npm run lm:build -- --text sentences.txt --out models/<name>/lm.arpa [--order 3]
 *
 * Text is lowercased and reduced to a-z and apostrophes, the characters the model can spell.
 */
import { createReadStream, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { estimate, normalizeSentence, toArpa } from '../../daemon/lm/kneser-ney.js';

export async function buildArpaFile(textPath: string, outPath: string, order = 3): Promise<{ sentences: number; ngrams: number[] }> {
  const sentences: string[][] = [];
  for await (const line of createInterface({ input: createReadStream(textPath), crlfDelay: Infinity })) {
    const words = normalizeSentence(line);
    if (words.length > 0) sentences.push(words);
  }
  const model = estimate(sentences, order);
  writeFileSync(outPath, toArpa(model));
  return { sentences: sentences.length, ngrams: model.logProbs.map((m) => m.size) };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { text: { type: 'string' }, out: { type: 'string' }, order: { type: 'string', default: '3' } } });
  const order = Number(values.order);
  if (!values.text || !values.out || !Number.isInteger(order) || order < 1) {
    process.stderr.write('Usage: build-arpa --text SENTENCES.txt --out LM.arpa [--order N]\n');
    process.exitCode = 2;
    return;
  }
  const stats = await buildArpaFile(values.text, values.out, order);
  process.stdout.write(`${JSON.stringify({ out: values.out, order, ...stats })}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
