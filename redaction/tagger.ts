/**
 * The neural PII tagger (models/hushscribe-pii-tagger-v1, trained by scripts/train/tagger.py): a small transformer
 * that gives each word a BIO entity label. Its character queries cross-attend to the speech model's CTC
 * log-posteriors when they are given (what was heard), or to a learned "no audio" slot when not, so the same model
 * tags typed text (`hushscribe redact`). It only proposes candidates: the redactor merges them with the rule
 * recognizers' and the policy decides (redactor.ts).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ort } from '../common/onnxruntime.js';
import { packageRoot } from '../common/package-root.js';
import type { Candidate } from './context.js';
import { isNumberWord } from './spoken-numbers.js';
import { ENTITY_TYPES, type EntityType } from './types.js';

/** Frame-major CTC log-posteriors of one segment ([frames][vocab]). */
export interface Posteriors {
  data: Float32Array;
  frames: number;
  vocab: number;
}

/** A model file and its checksum. */
interface TaggerFile {
  file: string;
  sha256: string;
}

interface TaggerManifest extends TaggerFile {
  name: string;
  /**
   * The same model for text alone (scripts/train/tagger_text_only.py: the cross-attention to the "no audio" slot
   * folded to a constant, int8 arithmetic), about twice as fast; without it text is tagged by `file` too.
   */
  textOnly?: TaggerFile;
  chars: string[];
  labels: string[];
  memory: { kind: string; vocab: number };
  /** Entities whose mean P(personal data) is below this are not proposed (chosen on the eval's seed 7). */
  minScore: number;
}

export class TaggerLoadError extends Error {
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`PII tagger ${path}: ${message}`, options);
    this.name = 'TaggerLoadError';
  }
}

/** Words per model call: longer inputs are tagged in consecutive windows (the model saw sentences, not books). */
const WINDOW_WORDS = 96;

/** Words of context the tagger sees on each side of a number word (see numberWindows). */
const CONTEXT_WORDS = 8;

/**
 * The stretches of `words` that the tagger reads, as [start, end) word ranges: each number word with CONTEXT_WORDS
 * words on either side, overlapping stretches merged. Why only there: on the blind set every entity that the
 * tagger found beyond the rules (53) sat in a sentence with a number word (phone numbers, postcodes, addresses); on
 * text nobody templated its names and places add nothing the rules miss (blind set: PERSON recall 0.00 alone),
 * while on real speech it redacts book characters' names. The model costs about 17 us a character on one core
 * (text-only int8 graph), so reading only these stretches is what lets `hushscribe redact` reach 1,000
 * sentences/s (issue 14). Eight words either side kept the blind set's recall and leak; four lost 5 addresses.
 */
export function numberWindows(words: readonly string[], context = CONTEXT_WORDS): Array<[number, number]> {
  const windows: Array<[number, number]> = [];
  words.forEach((word, k) => {
    if (!isNumberWord(word)) return;
    const [start, end] = [Math.max(0, k - context), Math.min(words.length, k + context + 1)];
    const last = windows.at(-1);
    if (last && start <= last[1]) last[1] = end;
    else windows.push([start, end]);
  });
  return windows;
}

export function defaultTaggerDir(): string {
  return join(packageRoot(), 'models', 'hushscribe-pii-tagger-v1');
}

function readManifest(dir: string): TaggerManifest {
  const path = join(dir, 'manifest.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new TaggerLoadError(path, `cannot read the manifest: ${(err as Error).message}`, { cause: err });
  }
  const m = parsed as Partial<TaggerManifest>;
  if (
    typeof m.file !== 'string' ||
    typeof m.sha256 !== 'string' ||
    !Array.isArray(m.chars) ||
    !Array.isArray(m.labels) ||
    typeof m.memory?.vocab !== 'number' ||
    typeof m.minScore !== 'number'
  ) {
    throw new TaggerLoadError(path, 'expected file, sha256, chars, labels, memory.vocab and minScore');
  }
  if (m.textOnly !== undefined && (typeof m.textOnly?.file !== 'string' || typeof m.textOnly.sha256 !== 'string')) {
    throw new TaggerLoadError(path, 'expected textOnly to have file and sha256');
  }
  if (m.labels[0] !== 'O') throw new TaggerLoadError(path, "the first label must be 'O'");
  const unknown = m.labels.filter((l) => l !== 'O' && !ENTITY_TYPES.includes(l.slice(2) as EntityType));
  if (unknown.length > 0) throw new TaggerLoadError(path, `unknown entity labels: ${unknown.join(', ')}`);
  return m as TaggerManifest;
}

/** Reads a model file and checks it against its manifest entry: its bytes, or why they cannot be used. */
function readChecked(dir: string, entry: TaggerFile): { path: string; bytes: Buffer | null; problem: string | null } {
  const path = join(dir, entry.file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    return { path, bytes: null, problem: `cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const problem = sha256 === entry.sha256 ? null : `sha256 ${sha256} does not match the manifest's ${entry.sha256}`;
  return { path, bytes, problem };
}

/** The tagger's files against its manifest, without loading them (`hushscribe doctor`, `models list`). */
export function checkTaggerFiles(dir: string = defaultTaggerDir()): { name: string; file: string; bytes: number | null; ok: boolean; detail: string } {
  const manifest = readManifest(dir);
  const checked = [manifest, ...(manifest.textOnly ? [manifest.textOnly] : [])].map((entry) => readChecked(dir, entry));
  const problems = checked.flatMap((c) => (c.problem ? [`${c.path}: ${c.problem}`] : []));
  return {
    name: manifest.name,
    file: manifest.file,
    bytes: checked.some((c) => c.bytes === null) ? null : checked.reduce((n, c) => n + c.bytes!.length, 0),
    ok: problems.length === 0,
    detail: problems.length === 0 ? `${checked.map((c) => c.path).join(', ')} verified` : problems.join('; '),
  };
}

/** Whether `dir` holds a PII tagger (its manifest says kind "pii-tagger") rather than a speech model. */
export function isTaggerDir(dir: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { kind?: unknown }).kind === 'pii-tagger';
  } catch {
    return false;
  }
}

export class PiiTagger {
  private readonly charIds: Map<string, number>;
  private readonly types: (EntityType | null)[];

  /**
   * The full graph (cross-attention to the posteriors), opened on first use: with a text-only graph only audio
   * with posteriors needs it, and the daemon's pipelines redact text alone, so it would hold ~15 MB for nothing.
   */
  private session: Promise<ort.InferenceSession> | null;

  private constructor(
    private readonly openFull: () => Promise<ort.InferenceSession>,
    session: ort.InferenceSession | null,
    /** The text-only graph (manifest textOnly), or null when text is tagged by the full graph with no audio. */
    private readonly textSession: ort.InferenceSession | null,
    private readonly manifest: TaggerManifest,
    private readonly minScore: number,
  ) {
    this.session = session && Promise.resolve(session);
    this.charIds = new Map(manifest.chars.map((c, i) => [c, i]));
    this.types = manifest.labels.map((l) => (l === 'O' ? null : (l.slice(2) as EntityType)));
  }

  /**
   * Loads and checks (sha256) the tagger in `dir`; one onnxruntime thread, like the recognizer's default.
   * `minScore` overrides the manifest's threshold (0..1).
   */
  static async load(dir: string = defaultTaggerDir(), options: { minScore?: number } = {}): Promise<PiiTagger> {
    const manifest = readManifest(dir);
    const minScore = options.minScore ?? manifest.minScore;
    if (!(minScore >= 0 && minScore <= 1)) throw new RangeError(`PII tagger minScore must be from 0 to 1, not ${minScore}`);
    const open = async (entry: TaggerFile) => {
      const { path, bytes, problem } = readChecked(dir, entry);
      if (!bytes || problem) throw new TaggerLoadError(path, problem ?? 'unreadable');
      try {
        return await ort.InferenceSession.create(bytes, {
          intraOpNumThreads: 1,
          interOpNumThreads: 1,
          executionMode: 'sequential',
          graphOptimizationLevel: 'all',
          // As the recognizer's (acoustic-model.ts): no arena holding each run's peak for the session's life.
          enableCpuMemArena: false,
          enableMemPattern: false,
        });
      } catch (err) {
        throw new TaggerLoadError(path, `onnxruntime cannot load it: ${(err as Error).message}`, { cause: err });
      }
    };
    const openFull = () => open(manifest);
    if (!manifest.textOnly) return new PiiTagger(openFull, await openFull(), null, manifest, minScore);
    // The full graph opens when audio first needs it; its file is checked now, so a damaged one fails the load
    // as before (and is checked again when opened).
    const full = readChecked(dir, manifest);
    if (!full.bytes || full.problem) throw new TaggerLoadError(full.path, full.problem ?? 'unreadable');
    return new PiiTagger(openFull, null, await open(manifest.textOnly), manifest, minScore);
  }

  /** Whether the full graph (the one that reads posteriors) has been opened. */
  get fullGraphLoaded(): boolean {
    return this.session !== null;
  }

  private fullSession(): Promise<ort.InferenceSession> {
    this.session ??= this.openFull().catch((err: unknown) => {
      this.session = null; // tried again on the next call
      throw err;
    });
    return this.session;
  }

  get name(): string {
    return this.manifest.name;
  }

  /** Whether posteriors of a model with `vocab` tokens can be attended to (else the tagger runs text-only). */
  acceptsPosteriors(vocab: number): boolean {
    return vocab === this.manifest.memory.vocab;
  }

  /**
   * Entity candidates over `words` (normalised tokens), as word index ranges. Text only, the tagger reads the
   * stretches around number words (numberWindows); with `posteriors`, which must cover exactly the audio of these
   * words, it reads them all (the audio is aligned to the whole text). Posteriors are ignored when their
   * vocabulary does not match the tagger's.
   */
  async tag(words: readonly string[], posteriors?: Posteriors): Promise<Candidate[]> {
    const withAudio = posteriors !== undefined && posteriors.frames > 0 && this.acceptsPosteriors(posteriors.vocab) && words.length <= WINDOW_WORDS;
    if (withAudio) return this.entities(words, await this.wordProbabilities(words, posteriors));
    const found: Candidate[] = [];
    for (const [start, end] of numberWindows(words)) {
      for (let first = start; first < end; first += WINDOW_WORDS) {
        const window = words.slice(first, Math.min(end, first + WINDOW_WORDS));
        const probs = await this.wordProbabilities(window, undefined);
        for (const c of this.entities(window, probs)) found.push({ ...c, start: c.start + first, end: c.end + first });
      }
    }
    return found;
  }

  async close(): Promise<void> {
    const full = this.session;
    this.session = null;
    await (await full?.catch(() => null))?.release();
    await this.textSession?.release();
  }

  /** Softmax over labels at the first character of each word. */
  private async wordProbabilities(words: readonly string[], posteriors: Posteriors | undefined): Promise<Float32Array[]> {
    const ids = BigInt64Array.from(words.join(' '), (c) => BigInt(this.charIds.get(c) ?? 1));
    const chars = new ort.Tensor('int64', ids, [1, ids.length]);
    let logits: Float32Array;
    if (!posteriors && this.textSession) {
      logits = (await this.textSession.run({ chars })).logits!.data as Float32Array;
    } else {
      const vocab = this.manifest.memory.vocab;
      const frames = posteriors ? posteriors.frames : 1;
      const feeds = {
        chars,
        memory: new ort.Tensor('float32', posteriors ? posteriors.data : new Float32Array(vocab), [1, frames, vocab]),
        memory_valid: new ort.Tensor('bool', new Uint8Array(frames).fill(posteriors ? 1 : 0), [1, frames]),
      };
      logits = (await (await this.fullSession()).run(feeds)).logits!.data as Float32Array;
    }
    const labels = this.manifest.labels.length;
    const out: Float32Array[] = [];
    let offset = 0;
    for (const word of words) {
      const row = logits.subarray(offset * labels, (offset + 1) * labels);
      const max = Math.max(...row);
      const exp = row.map((x) => Math.exp(x - max));
      const sum = exp.reduce((a, b) => a + b, 0);
      out.push(exp.map((x) => x / sum));
      offset += word.length + 1;
    }
    return out;
  }

  /**
   * Runs of consecutive words labelled non-O become one entity (the model sometimes switches type or restarts
   * with B- inside one number; for redaction the run is what matters). Its type is the one with the most
   * probability mass over the run; its score the mean probability of the run's words being personal data.
   */
  private entities(words: readonly string[], probs: Float32Array[]): Candidate[] {
    const found: Candidate[] = [];
    let k = 0;
    while (k < words.length) {
      if (this.types[argmax(probs[k]!)] === null) {
        k += 1;
        continue;
      }
      let end = k;
      const mass = new Map<EntityType, number>();
      let pii = 0;
      while (end < words.length && this.types[argmax(probs[end]!)] !== null) {
        probs[end]!.forEach((p, label) => {
          const type = this.types[label];
          if (type) mass.set(type, (mass.get(type) ?? 0) + p);
        });
        pii += 1 - probs[end]![0]!;
        end += 1;
      }
      const type = [...mass.entries()].sort((a, b) => b[1] - a[1])[0]![0];
      const score = pii / (end - k);
      if (score >= this.minScore) found.push({ type, start: k, end, score, source: 'tagger', value: words.slice(k, end).join(' ') });
      k = end;
    }
    return found;
  }
}

function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
}
