/**
 * The ASR evaluation sets. Every item is a 16 kHz mono 16-bit WAV with its reference transcript; sets that
 * need building (synthesis, Opus decoding) are built once into a cache directory keyed by their inputs.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CORES, EvalToolError, mapLimit, runProgram } from './process.js';

export interface EvalItem {
  id: string;
  /** Sub-population reported separately: corpus or voice. */
  group: string;
  wav: string;
  reference: string;
}

export interface EvalSet {
  name: SetName | DevSetName;
  description: string;
  items: EvalItem[];
}

export const SET_NAMES = ['heldout-synthetic', 'heldout-real', 'pocketsphinx-librivox', 'pocketsphinx-cards'] as const;
/** Sets for tuning decoding (scripts/lm/tune.ts), disjoint from the test sets above: the held-out real utterances
 * the fixed test sample leaves out, and held-out synthetic sentences made with another seed. */
export const DEV_SET_NAMES = ['dev-synthetic', 'dev-real'] as const;
export type DevSetName = (typeof DEV_SET_NAMES)[number];
/** The dev synthetic set's seed is the test set's plus this. */
const DEV_SEED_OFFSET = 1000;
export type SetName = (typeof SET_NAMES)[number];

export const POCKETSPHINX_TESTDATA = '/usr/share/pocketsphinx/test/data';

export interface SetOptions {
  root: string;
  cacheDir: string;
  speechTsv: string;
  syntheticCount: number;
  realCount: number;
  seed: number;
}

export async function buildSet(name: SetName | DevSetName, options: SetOptions): Promise<EvalSet> {
  switch (name) {
    case 'heldout-synthetic':
      return heldOutSynthetic(options);
    case 'heldout-real':
      return heldOutReal(options);
    case 'dev-synthetic':
      return { ...(await heldOutSynthetic({ ...options, seed: options.seed + DEV_SEED_OFFSET })), name };
    case 'dev-real':
      return heldOutReal(options, 'dev');
    case 'pocketsphinx-librivox':
      return pocketsphinxTestSet(name, 'librivox', 'transcription', 'LibriVox "Sense and Sensibility" read speech (Debian pocketsphinx-testdata)');
    case 'pocketsphinx-cards':
      return pocketsphinxTestSet(name, 'cards', 'cards.transcription', 'spoken playing cards (Debian pocketsphinx-testdata)');
  }
}

function sha1(text: string | Buffer): string {
  return createHash('sha1').update(text).digest('hex');
}

/** Builds `dir` through a sibling temporary directory, so an interrupted build never looks finished. */
/**
 * The held-out real utterances of `npm run eval -- asr` but LJSpeech's (other speakers and corpora than the
 * endpoint's tuning set): the first `count` of the `realCount` the asr eval samples. For the endpoint eval and the
 * live bench's real-voice stream.
 */
export async function heldOutRealUtterances(root: string, speechTsv: string, count: number, realCount = 150): Promise<EvalItem[]> {
  const built = await buildSet('heldout-real', {
    root,
    cacheDir: join(tmpdir(), 'hushscribe-eval'),
    speechTsv,
    syntheticCount: 0,
    realCount,
    seed: 0,
  });
  return built.items.filter((item) => item.group !== 'ljspeech').slice(0, count);
}

export async function buildOnce(dir: string, build: (tmp: string) => Promise<void>): Promise<void> {
  if (existsSync(dir)) return;
  const tmp = `${dir}.partial-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  try {
    await build(tmp);
    await rename(tmp, dir);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Held-out sentences (held-out templates and names) spoken by the held-out voices of scripts/data/voices.py. */
async function heldOutSynthetic(options: SetOptions): Promise<EvalSet> {
  const dataDir = join(options.root, 'scripts', 'data');
  const sources = ['make_text.py', 'spoken.py', 'names.py', 'voices.py', 'synthesize.py', 'split.py'];
  const contents = await Promise.all(sources.map((f) => readFile(join(dataDir, f))));
  const key = sha1(Buffer.concat([Buffer.from(`${options.syntheticCount}:${options.seed}:`), ...contents])).slice(0, 12);
  const dir = join(options.cacheDir, `synthetic-${key}`);
  await buildOnce(dir, async (tmp) => {
    const text = join(tmp, 'text.txt');
    await runProgram('python3', [
      join(dataDir, 'make_text.py'),
      '--split',
      'heldout',
      '--count',
      String(options.syntheticCount),
      '--seed',
      String(options.seed),
      '--out',
      text,
      '--words',
      join(tmp, 'words.txt'),
    ]);
    await runProgram('python3', [
      join(dataDir, 'synthesize.py'),
      '--text',
      text,
      '--out',
      tmp,
      '--split',
      'heldout',
      '--prefix',
      '/',
      '--jobs',
      String(CORES),
      '--seed',
      String(options.seed),
    ]);
  });
  const rows = (await readFile(join(dir, 'manifest.tsv'), 'utf8')).trim().split('\n').slice(1);
  const items = rows.map((row) => {
    const [path, reference, voice] = row.split('\t') as [string, string, string];
    return { id: path, group: voice.split(' ')[0]!, wav: join(dir, path), reference };
  });
  return { name: 'heldout-synthetic', description: `${items.length} held-out sentences, held-out synthetic voices`, items };
}

const SPEECHOCEAN = 'speechocean762';

/** A fixed sample of the held-out real recordings (scripts/data/split.py), decoded from Opus once. */
async function heldOutReal(options: SetOptions, part: 'test' | 'dev' = 'test'): Promise<EvalSet> {
  if (!existsSync(options.speechTsv)) throw new EvalToolError(`speech list ${options.speechTsv} not found (--speech-tsv)`);
  const listed = await runProgram('python3', [join(options.root, 'scripts', 'eval', 'heldout_speech.py'), options.speechTsv]);
  const rows = listed.stdout
    .trim()
    .split('\n')
    .map((line) => line.split('\t') as [string, string, string, string]);
  // Hash order mixes the corpora and is stable however speech.tsv is ordered. speechocean762 (non-native
  // speakers, added later) is sampled on its own, a third as many, so the other corpora keep the same clips.
  // The test part takes the first `count` of each; the dev part the rest.
  const hashOrder = (subset: typeof rows, count: number) =>
    subset
      .map((row) => ({ row, order: sha1(`${row[0]}/${row[1]}`) }))
      .sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0))
      .slice(part === 'test' ? 0 : count, part === 'test' ? count : undefined)
      .map(({ row }) => row);
  const sample = [
    ...hashOrder(
      rows.filter((row) => row[0] !== SPEECHOCEAN),
      options.realCount,
    ),
    ...hashOrder(
      rows.filter((row) => row[0] === SPEECHOCEAN),
      Math.ceil(options.realCount / 3),
    ),
  ];
  const dataDir = dirname(options.speechTsv);
  const items = await mapLimit(sample, CORES, async ([corpus, id, rel, text]) => {
    const wav = join(options.cacheDir, 'real', corpus, `${id}.wav`);
    if (!existsSync(wav)) {
      await mkdir(dirname(wav), { recursive: true });
      const tmp = `${wav}.partial-${process.pid}.wav`;
      await runProgram('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', join(dataDir, rel), '-ar', '16000', '-ac', '1', '-c:a', 'pcm_s16le', tmp]);
      await rename(tmp, wav);
    }
    return { id: `${corpus}/${id}`, group: corpus, wav, reference: text };
  });
  const name = part === 'test' ? 'heldout-real' : 'dev-real';
  return {
    name,
    description: `${items.length} of ${rows.length} held-out real utterances (${options.speechTsv}${part === 'dev' ? ', those the test sample leaves out' : ''})`,
    items,
  };
}

/** Lines "<s> words </s> (id)" of a Sphinx transcription file. */
export function parseSphinxTranscription(text: string): Array<{ id: string; reference: string }> {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const match = /^\s*(?:<s>)?(.*?)(?:<\/s>)?\s*\(([^()]+)\)\s*$/.exec(line);
      if (!match) throw new EvalToolError(`unreadable transcription line: ${line}`);
      return { id: match[2]!, reference: match[1]!.trim() };
    });
}

async function pocketsphinxTestSet(name: SetName, folder: string, transcription: string, description: string): Promise<EvalSet> {
  const dir = join(POCKETSPHINX_TESTDATA, folder);
  const entries = parseSphinxTranscription(await readFile(join(dir, transcription), 'utf8'));
  const items = entries.map(({ id, reference }) => ({ id, group: folder, wav: join(dir, `${id}.wav`), reference }));
  return { name, description: `${items.length} ${description}`, items };
}
