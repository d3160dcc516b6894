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
import * as ort from 'onnxruntime-node';
import { packageRoot } from '../common/package-root.js';
import type { Candidate } from './context.js';
import { ENTITY_TYPES, type EntityType } from './types.js';

/** Frame-major CTC log-posteriors of one segment ([frames][vocab]). */
export interface Posteriors {
  data: Float32Array;
  frames: number;
  vocab: number;
}

interface TaggerManifest {
  name: string;
  file: string;
  sha256: string;
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
  if (m.labels[0] !== 'O') throw new TaggerLoadError(path, "the first label must be 'O'");
  const unknown = m.labels.filter((l) => l !== 'O' && !ENTITY_TYPES.includes(l.slice(2) as EntityType));
  if (unknown.length > 0) throw new TaggerLoadError(path, `unknown entity labels: ${unknown.join(', ')}`);
  return m as TaggerManifest;
}

/** The tagger's file against its manifest, without loading it (`hushscribe doctor`, `models list`). */
export function checkTaggerFiles(dir: string = defaultTaggerDir()): { name: string; file: string; bytes: number | null; ok: boolean; detail: string } {
  const manifest = readManifest(dir);
  const path = join(dir, manifest.file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    return {
      name: manifest.name,
      file: manifest.file,
      bytes: null,
      ok: false,
      detail: `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    };
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const ok = sha256 === manifest.sha256;
  return {
    name: manifest.name,
    file: manifest.file,
    bytes: bytes.length,
    ok,
    detail: ok ? `${path} verified` : `${path}: sha256 ${sha256} does not match the manifest's ${manifest.sha256}`,
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

  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly manifest: TaggerManifest,
    private readonly minScore: number,
  ) {
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
    const path = join(dir, manifest.file);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (err) {
      throw new TaggerLoadError(path, `cannot read the model: ${(err as Error).message}`, { cause: err });
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (sha256 !== manifest.sha256) throw new TaggerLoadError(path, `sha256 ${sha256} does not match the manifest's ${manifest.sha256}`);
    try {
      const session = await ort.InferenceSession.create(bytes, {
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
      });
      return new PiiTagger(session, manifest, minScore);
    } catch (err) {
      throw new TaggerLoadError(path, `onnxruntime cannot load it: ${(err as Error).message}`, { cause: err });
    }
  }

  get name(): string {
    return this.manifest.name;
  }

  /** Whether posteriors of a model with `vocab` tokens can be attended to (else the tagger runs text-only). */
  acceptsPosteriors(vocab: number): boolean {
    return vocab === this.manifest.memory.vocab;
  }

  /**
   * Entity candidates over `words` (normalised tokens), as word index ranges. `posteriors` must cover exactly the
   * audio of these words; they are ignored when their vocabulary does not match the tagger's.
   */
  async tag(words: readonly string[], posteriors?: Posteriors): Promise<Candidate[]> {
    const withAudio = posteriors !== undefined && posteriors.frames > 0 && this.acceptsPosteriors(posteriors.vocab) && words.length <= WINDOW_WORDS;
    const found: Candidate[] = [];
    for (let first = 0; first < words.length; first += WINDOW_WORDS) {
      const window = words.slice(first, first + WINDOW_WORDS);
      const probs = await this.wordProbabilities(window, withAudio ? posteriors : undefined);
      for (const c of this.entities(window, probs)) found.push({ ...c, start: c.start + first, end: c.end + first });
    }
    return found;
  }

  async close(): Promise<void> {
    await this.session.release();
  }

  /** Softmax over labels at the first character of each word. */
  private async wordProbabilities(words: readonly string[], posteriors: Posteriors | undefined): Promise<Float32Array[]> {
    const text = words.join(' ');
    const chars = BigInt64Array.from([...text], (c) => BigInt(this.charIds.get(c) ?? 1));
    const vocab = this.manifest.memory.vocab;
    const frames = posteriors ? posteriors.frames : 1;
    const memory = posteriors ? posteriors.data : new Float32Array(vocab);
    const feeds = {
      chars: new ort.Tensor('int64', chars, [1, chars.length]),
      memory: new ort.Tensor('float32', memory, [1, frames, vocab]),
      memory_valid: new ort.Tensor('bool', new Uint8Array(frames).fill(posteriors ? 1 : 0), [1, frames]),
    };
    const logits = (await this.session.run(feeds)).logits!.data as Float32Array;
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
