/** hushscribe's own recognizer (daemon/asr) as an evaluation engine. */
import { readAudio } from '../../daemon/audio/index.js';
import type { LoadRecognizerOptions, Recognizer } from '../../daemon/asr/types.js';
import type { AsrEngine } from './asr-engines.js';
import { EvalToolError } from './process.js';

// Resolved at run time: the loader lands in daemon/asr separately from this evaluation.
const ASR_MODULE = '../../daemon/asr/index.js';

export async function hushscribeEngine(options: { modelDir: string; variant: string | undefined }): Promise<AsrEngine> {
  const asr = (await import(ASR_MODULE).catch(() => ({}))) as { loadRecognizer?: (o: LoadRecognizerOptions) => Promise<Recognizer> };
  if (typeof asr.loadRecognizer !== 'function') throw new EvalToolError('daemon/asr does not export loadRecognizer yet');
  const recognizer = await asr.loadRecognizer({ modelDir: options.modelDir, ...(options.variant ? { variant: options.variant } : {}) });
  return {
    name: 'hushscribe',
    description: `${recognizer.model.name} (${recognizer.model.variant})`,
    concurrency: 1,
    async transcribe(wav) {
      const audio = await readAudio(wav);
      return (await recognizer.transcribe(audio.samples)).text;
    },
    close: () => recognizer.close(),
  };
}
