/** The recognizers under evaluation, behind one interface: a 16 kHz WAV in, a transcript out. */
import { join } from 'node:path';
import { runProgram } from './process.js';

export interface AsrEngine {
  name: string;
  description: string;
  /** Files transcribed at once (separate processes parallelise; an in-process model runs one at a time). */
  concurrency: number;
  transcribe(wav: string): Promise<string>;
  close(): Promise<void>;
}

export const POCKETSPHINX_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';

/** CMU pocketsphinx 0.8 with its stock US English acoustic model, 3-gram LM and CMUdict: the baseline. */
export function pocketsphinxEngine(concurrency: number): AsrEngine {
  const args = [
    '-hmm',
    join(POCKETSPHINX_MODEL_DIR, 'en-us'),
    '-lm',
    join(POCKETSPHINX_MODEL_DIR, 'en-us.lm.bin'),
    '-dict',
    join(POCKETSPHINX_MODEL_DIR, 'cmudict-en-us.dict'),
    '-logfn',
    '/dev/null',
  ];
  return {
    name: 'pocketsphinx',
    description: 'pocketsphinx_continuous 0.8, en-us model (Debian pocketsphinx-en-us)',
    concurrency,
    async transcribe(wav) {
      const { stdout } = await runProgram('pocketsphinx_continuous', ['-infile', wav, ...args]);
      // One line per utterance pocketsphinx segments the file into.
      return stdout
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '')
        .join(' ');
    },
    async close() {},
  };
}
