// LibriSpeech utterances of the shared speech data, for the benchmarks that time recognizers on real speech.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAudio } from '../../daemon/audio/index.js';
import { sharedSpeechDir } from '../../daemon/util/shared-data.js';

const SAMPLE_RATE = 16000;

/** LibriSpeech utterances from speech.tsv, in file order, until `seconds` of audio are collected. */
export async function loadUtterances(seconds: number): Promise<Float32Array[]> {
  const dir = sharedSpeechDir();
  const rows = readFileSync(join(dir, 'speech.tsv'), 'utf8').split('\n').slice(1);
  const clips: Float32Array[] = [];
  let total = 0;
  for (const row of rows) {
    const [corpus, , path] = row.split('\t');
    if (corpus !== 'librispeech' || path === undefined) continue;
    const clip = (await readAudio(join(dir, path))).samples;
    clips.push(clip);
    total += clip.length / SAMPLE_RATE;
    if (total >= seconds) return clips;
  }
  throw new Error(`only ${total.toFixed(0)} s of LibriSpeech found under ${dir}`);
}
