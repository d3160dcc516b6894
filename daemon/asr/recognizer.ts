import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AcousticModel } from './acoustic-model.js';
import { openSync, readSync, closeSync } from 'node:fs';
import { ArpaLm } from './arpa.js';
import { BinaryLm } from '../lm/binary-lm.js';
import { InterpolatedLm } from '../lm/interpolated-lm.js';
import type { CachedWordLm, WordLm } from '../lm/word-lm.js';
import { ContextGraph, type Hotword } from './context-graph.js';
import { alignPath, greedyPath, type LogProbs, type TokenPath } from './ctc.js';
import { beamSearch } from './ctc-beam.js';
import { isModelLoadError, ModelLoadError } from './errors.js';
import { frameShiftSec } from './feature-spec.js';
import { checkFeatureSpec, computeFeatures } from './features.js';
import { MANIFEST_FILE, type LmDecodingDefaults } from './manifest.js';
import { resolveModel, type ModelSpec } from './model-layout.js';
import { DEFAULT_PIECES, splitIntoPieces } from './pieces.js';
import { readTokens, type TokenTable } from './tokens.js';
import type { DecodingOptions, LoadRecognizerOptions, ModelInfo, RecognizedSegment, Recognizer, StageTimings, Transcript, TranscribeOptions } from './types.js';
import { pathToWords, segmentWords } from './words.js';

export const DEFAULT_BEAM_SIZE = 8;
export const DEFAULT_LM_WEIGHT = 0.5;
const SAMPLE_RATE = 16000;
/** Pieces shorter than this many feature frames (100 ms) are not decoded: too short for a word, and shorter than
 * the input a convolutional front end (7 frames for zipformer/conformer subsampling) accepts. */
export const MIN_FEATURE_FRAMES = 10;

/** The decoding choices after defaults, as the recognizer runs them. */
export interface ResolvedDecoding {
  method: 'greedy' | 'beam';
  beamSize: number;
  lmPath: string | null;
  lmWeight: number;
  wordBonus: number;
  extraLms: ReadonlyArray<{ path: string; weight: number }>;
  hotwords: readonly Hotword[];
  /** Why the LM could not be loaded (the recognizer then decodes greedily); absent when all is well. */
  lmError?: string;
}

function badOption(modelDir: string, reason: string): ModelLoadError {
  return new ModelLoadError('BAD_OPTION', modelDir, reason);
}

/** Checks the options before anything is loaded, so a mistake is reported without touching the model. */
export function resolveDecoding(
  modelDir: string,
  decoding: DecodingOptions = {},
  manifestLm?: string,
  manifestDefaults: LmDecodingDefaults = {},
): ResolvedDecoding {
  // The manifest's tuned settings apply to the manifest's LM only; options given explicitly win.
  const tuned = decoding.lm === undefined && manifestLm !== undefined ? manifestDefaults : {};
  const { method, lm, lmWeight = tuned.lmWeight ?? DEFAULT_LM_WEIGHT, wordBonus = tuned.wordBonus ?? 0, extraLms = [], hotwords = [] } = decoding;
  const beamSize = decoding.beamSize;
  if (method !== undefined && method !== 'greedy' && method !== 'beam')
    throw badOption(modelDir, `decoding.method must be 'greedy' or 'beam' (got ${JSON.stringify(method)})`);
  if (beamSize !== undefined && (!Number.isInteger(beamSize) || beamSize < 1 || beamSize > 256))
    throw badOption(modelDir, `decoding.beamSize must be an integer from 1 to 256 (got ${beamSize})`);
  if (!Number.isFinite(lmWeight) || lmWeight < 0) throw badOption(modelDir, `decoding.lmWeight must be a number >= 0 (got ${lmWeight})`);
  if (!Number.isFinite(wordBonus)) throw badOption(modelDir, `decoding.wordBonus must be a number (got ${wordBonus})`);
  if (lm !== undefined && lm !== null && (typeof lm !== 'string' || lm === '')) throw badOption(modelDir, 'decoding.lm must be a file path, or null for no LM');
  if (method === 'greedy' && typeof lm === 'string') throw badOption(modelDir, "an LM needs decoding.method 'beam'");
  extraLms.forEach((e, i) => {
    if (typeof e?.path !== 'string' || e.path === '') throw badOption(modelDir, `decoding.extraLms[${i}].path must be a file path`);
    if (!Number.isFinite(e.weight) || e.weight <= 0 || e.weight >= 1)
      throw badOption(modelDir, `decoding.extraLms[${i}].weight must be a number between 0 and 1 (got ${e.weight})`);
  });
  const extraWeight = extraLms.reduce((sum, e) => sum + e.weight, 0);
  if (extraWeight >= 1) throw badOption(modelDir, `decoding.extraLms weights must sum to less than 1 (got ${extraWeight})`);
  hotwords.forEach((h, i) => {
    if (typeof h?.phrase !== 'string' || h.phrase.trim() === '') throw badOption(modelDir, `decoding.hotwords[${i}].phrase must be a non-empty string`);
    if (h.boost !== undefined && (!Number.isFinite(h.boost) || h.boost <= 0))
      throw badOption(modelDir, `decoding.hotwords[${i}].boost must be a number > 0 (got ${h.boost})`);
  });
  // An explicit greedy choice drops the manifest's LM; an explicit LM or beam size implies beam search.
  const lmPath = lm === null || method === 'greedy' ? null : (lm ?? manifestLm ?? null);
  const resolved = method ?? (lmPath !== null || beamSize !== undefined || hotwords.length > 0 ? 'beam' : 'greedy');
  return {
    method: resolved,
    beamSize: beamSize ?? (lmPath !== null ? tuned.beamSize : undefined) ?? DEFAULT_BEAM_SIZE,
    lmPath,
    lmWeight,
    wordBonus,
    extraLms: lmPath === null ? [] : extraLms,
    hotwords,
  };
}

const BINARY_LM_MAGIC = 'HSNGRAM1';

/**
 * One LM per file in this thread: the power governor's two variants share the model's LM (its vocabulary and
 * caches; an ARPA LM's whole heap). Its caches only grow between trims and advance() runs synchronously, so
 * sharing within one thread is safe.
 */
const lms = new Map<string, CachedWordLm>();

/** Opens a binary LM (told apart by its magic) or parses an ARPA file; once per path in this thread. */
export function loadWordLm(path: string): CachedWordLm {
  const shared = lms.get(path);
  if (shared) return shared;
  let head = '';
  try {
    const fd = openSync(path, 'r');
    const buffer = Buffer.alloc(BINARY_LM_MAGIC.length);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    closeSync(fd);
    head = buffer.subarray(0, n).toString('latin1');
  } catch (err) {
    throw new ModelLoadError('MODEL_NOT_FOUND', path, 'cannot read the language model', err);
  }
  const lm = head === BINARY_LM_MAGIC ? BinaryLm.load(path) : ArpaLm.load(path);
  lms.set(path, lm);
  return lm;
}

/** The LM the decoding asks for: the general one, mixed with the user's when there are any. */
function loadDecodingLm(decoding: ResolvedDecoding): WordLm | undefined {
  if (decoding.lmPath === null) return undefined;
  const general = loadWordLm(decoding.lmPath);
  if (decoding.extraLms.length === 0) return general;
  return new InterpolatedLm(
    general,
    decoding.extraLms.map((e) => ({ lm: loadWordLm(e.path), weight: e.weight })),
  );
}

class OnnxRecognizer implements Recognizer {
  readonly model: ModelInfo;
  lastTimings: StageTimings = { features: 0, model: 0, search: 0 };
  private readonly secondsPerFrame: number;

  constructor(
    private readonly spec: Pick<ModelSpec, 'name' | 'variant' | 'features' | 'subsampling'>,
    private readonly table: TokenTable,
    private readonly acoustic: AcousticModel,
    readonly decoding: ResolvedDecoding,
    private readonly lm: WordLm | undefined,
  ) {
    this.model = { name: spec.name, variant: spec.variant };
    this.secondsPerFrame = frameShiftSec(spec.features) * spec.subsampling;
  }

  /** Long audio is decoded in pieces of at most 20 s cut at quiet moments; segments never span two pieces. */
  async transcribe(samples: Float32Array, options: TranscribeOptions = {}): Promise<Transcript> {
    const timings: StageTimings = { features: 0, model: 0, search: 0 };
    const segments: RecognizedSegment[] = [];
    const hotwords = options.hotwords ? this.contextGraph(options.hotwords) : this.defaultHotwords;
    const context = options.context ?? new Float32Array(0);
    const audio = context.length > 0 ? concat(context, samples) : samples;
    const contextSec = context.length / SAMPLE_RATE;
    for (const [start, end] of splitIntoPieces(audio, DEFAULT_PIECES)) {
      if (end <= context.length) continue; // all context: nothing of it is returned
      let t0 = performance.now();
      const features = await computeFeatures(this.spec.features, audio.subarray(start, end));
      timings.features += performance.now() - t0;
      if (features.numFrames < MIN_FEATURE_FRAMES) continue;
      t0 = performance.now();
      let lp = await this.acoustic.run(features);
      timings.model += performance.now() - t0;
      t0 = performance.now();
      const offsetSec = start / SAMPLE_RATE - contextSec; // times relative to `samples`: context words go negative
      const words = pathToWords(this.search(lp, hotwords), this.table, this.secondsPerFrame, offsetSec).filter((w) => w.start + w.end >= 0);
      const pieceSegments = segmentWords(words);
      if (options.posteriors) {
        const contextFrames = Math.min(lp.frames, Math.max(0, Math.ceil(-offsetSec / this.secondsPerFrame - 1e-9)));
        lp = dropFrames(lp, contextFrames);
        attachPosteriors(pieceSegments, lp, offsetSec + contextFrames * this.secondsPerFrame, this.secondsPerFrame);
      }
      segments.push(...pieceSegments);
      timings.search += performance.now() - t0;
    }
    this.lastTimings = timings;
    return { text: segments.map((s) => s.text).join(' '), durationSec: samples.length / SAMPLE_RATE, segments };
  }

  /**
   * ln p(end of sentence | the last words of `text`) under the decoding LM (the live endpoint's evidence that an
   * utterance is complete); undefined without an LM or without words.
   */
  endOfSentenceLogProb(text: string): number | undefined {
    const lm = this.lm;
    const words = text.split(' ').filter(Boolean);
    if (!lm || words.length === 0) return undefined;
    let state = lm.initialState();
    for (const word of words.slice(-(lm.order - 1))) state = lm.advance(state, lm.wordId(word));
    lm.advance(state, lm.eosId);
    return lm.lastLogProb;
  }

  private search(lp: LogProbs, hotwords: ContextGraph | undefined): TokenPath {
    const blank = this.table.blankId;
    if (this.decoding.method === 'greedy' && !hotwords) return greedyPath(lp, blank);
    const { beamSize, lmWeight, wordBonus } = this.decoding;
    const tokens = beamSearch(lp, this.table, { beamSize, lmWeight, wordBonus, ...(this.lm ? { lm: this.lm } : {}), ...(hotwords ? { hotwords } : {}) });
    return alignPath(lp, tokens, blank);
  }

  private readonly graphs = new WeakMap<readonly Hotword[], ContextGraph>();
  private get defaultHotwords(): ContextGraph | undefined {
    return this.decoding.hotwords.length > 0 ? this.contextGraph(this.decoding.hotwords) : undefined;
  }

  /** Compiled once per phrase list (per request lists are compiled per call: a few ms for 500 phrases). */
  private contextGraph(hotwords: readonly Hotword[]): ContextGraph | undefined {
    if (hotwords.length === 0) return undefined;
    let graph = this.graphs.get(hotwords);
    if (!graph) {
      graph = new ContextGraph(hotwords, this.table);
      this.graphs.set(hotwords, graph);
    }
    return graph;
  }

  async close(): Promise<void> {
    await this.acoustic.close();
  }
}

/** `a` then `b`, in one array (context audio in front of a segment's). */
function concat(a: Float32Array, b: Float32Array): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** `lp` without its first `frames` frames (those of the context audio). */
function dropFrames(lp: LogProbs, frames: number): LogProbs {
  return frames === 0 ? lp : { ...lp, data: lp.data.subarray(frames * lp.vocab), frames: lp.frames - frames };
}

/** Gives each segment of one piece a copy of its frames: cut at the middle of the pauses between segments. */
export function attachPosteriors(segments: RecognizedSegment[], lp: LogProbs, offsetSec: number, frameSec: number): void {
  const { data, frames, vocab } = lp;
  let from = 0;
  segments.forEach((segment, k) => {
    const next = segments[k + 1];
    const to = next ? Math.min(frames, Math.max(from, Math.round(((segment.end + next.start) / 2 - offsetSec) / frameSec))) : frames;
    segment.posteriors = {
      data: data.slice(from * vocab, to * vocab),
      frames: to - from,
      vocab,
      start: Math.round((offsetSec + from * frameSec) * 1000) / 1000,
      frameSec,
    };
    from = to;
  });
}

/**
 * Loads a model directory (hushscribe manifest, sherpa-onnx zipformer2_ctc or NeMo CTC) into a recognizer whose
 * onnxruntime session is created once and reused. Checksums are not verified here (see verifyModelFiles).
 */
export async function loadRecognizer(options: LoadRecognizerOptions): Promise<Recognizer & { readonly decoding: ResolvedDecoding }> {
  const { modelDir, variant, threads = 1, decoding } = options;
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) throw badOption(modelDir, `threads must be an integer from 1 to 64 (got ${threads})`);
  resolveDecoding(modelDir, decoding); // option mistakes are reported before the model is read
  const spec = resolveModel(modelDir, variant);
  checkFeatureSpec(spec.features, spec.layout === 'hushscribe' ? join(modelDir, MANIFEST_FILE) : spec.modelPath);
  let resolved = resolveDecoding(modelDir, decoding, spec.lmPath, spec.lmDecoding);
  const table = readTokens(spec.tokensPath, spec.wordBoundary, spec.blank);
  let lm: WordLm | undefined;
  try {
    lm = loadDecodingLm(resolved);
  } catch (err) {
    // A damaged LM costs accuracy, not the service: decode greedily (beam only for hotwords) and say why.
    if (!isModelLoadError(err)) throw err;
    resolved = { ...resolved, method: 'greedy', lmPath: null, extraLms: [], lmError: err.message };
  }
  const acoustic = await AcousticModel.create(spec, threads, table.symbols.length);
  const { name, variant: chosen, features, subsampling } = spec;
  return new OnnxRecognizer({ name, variant: chosen, features, subsampling }, table, acoustic, resolved, lm);
}
