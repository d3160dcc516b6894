/** hushscribe's own recognizer (daemon/asr) as an evaluation engine. */
import { loadRecognizer, type DecodingOptions } from '../../daemon/asr/index.js';
import { readAudio } from '../../daemon/audio/index.js';
import type { AsrEngine } from './asr-engines.js';

export interface HushscribeEngineOptions {
  modelDir: string;
  variant: string | undefined;
  /** Overrides the manifest's decoding; undefined keeps it. */
  decoding: DecodingOptions | undefined;
  threads: number;
}

export async function hushscribeEngine(options: HushscribeEngineOptions): Promise<AsrEngine> {
  const recognizer = await loadRecognizer({
    modelDir: options.modelDir,
    threads: options.threads,
    ...(options.variant !== undefined ? { variant: options.variant } : {}),
    ...(options.decoding !== undefined ? { decoding: options.decoding } : {}),
  });
  const decoding = recognizer.decoding.method === 'beam' ? `beam ${recognizer.decoding.beamSize}${recognizer.decoding.lmPath ? ' + LM' : ''}` : 'greedy';
  return {
    name: 'hushscribe',
    description: `${recognizer.model.name} (${recognizer.model.variant}, ${decoding})`,
    concurrency: 1,
    async transcribe(wav) {
      const audio = await readAudio(wav);
      return (await recognizer.transcribe(audio.samples)).text;
    },
    close: () => recognizer.close(),
  };
}
