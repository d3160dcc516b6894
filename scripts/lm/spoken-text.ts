/**
 * Streams text files (plain or .xz) to stdout in the recognizer's spoken form, one normalised sentence a line: the
 * input of scripts/lm/build_lm.py. xz files are read through `xz -dc`, so 50M words never sit in memory.
 *
 *   node dist/scripts/lm/spoken-text.js FILE... > sentences.txt
 */
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import type { Readable, Writable } from 'node:stream';
import { normalise } from '../../daemon/text/spoken-form.js';

function open(path: string): Readable {
  if (!path.endsWith('.xz')) return createReadStream(path);
  const xz = spawn('xz', ['-dc', path], { stdio: ['ignore', 'pipe', 'inherit'] });
  xz.on('exit', (code) => {
    if (code !== 0) process.stderr.write(`xz -dc ${path} exited with ${code}\n`);
  });
  return xz.stdout;
}

/** Writes the spoken form of every non-empty line of each file; returns the number of sentences written. */
export async function writeSpokenText(paths: readonly string[], out: Writable): Promise<number> {
  let sentences = 0;
  let buffered: string[] = [];
  const flush = async (): Promise<void> => {
    if (buffered.length === 0) return;
    const chunk = `${buffered.join('\n')}\n`;
    buffered = [];
    if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
  };
  for (const path of paths) {
    for await (const line of createInterface({ input: open(path), crlfDelay: Infinity })) {
      const spoken = normalise(line);
      if (spoken === '') continue;
      buffered.push(spoken);
      sentences++;
      if (buffered.length >= 4096) await flush();
    }
  }
  await flush();
  return sentences;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const paths = process.argv.slice(2);
  if (paths.length === 0) {
    process.stderr.write('Usage: spoken-text FILE... > sentences.txt\n');
    process.exitCode = 2;
  } else {
    const n = await writeSpokenText(paths, process.stdout);
    process.stderr.write(`${JSON.stringify({ sentences: n })}\n`);
  }
}
