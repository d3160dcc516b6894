import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AcousticModel } from './acoustic-model.js';
import { ArpaLm } from './arpa.js';
import { alignPath, greedyPath, type LogProbs, type TokenPath } from './ctc.js';
import { beamSearch } from './ctc-beam.js';
import { ModelLoadError } from './errors.js';
import { frameShiftSec } from './feature-spec.js';
import { checkFeatureSpec, computeFeatures } from './features.js';
import { MANIFEST_FILE } from './manifest.js';
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
}

function badOption(modelDir: string, reason: string): ModelLoadError {
  return new ModelLoadError('BAD_OPTION', modelDir, reason);
}

/** Checks the options before anything is loaded, so a mistake is reported without touching the model. */
export function resolveDecoding(modelDir: string, decoding: DecodingOptions = {}, manifestLm?: string): ResolvedDecoding {
  const { method, beamSize, lm, lmWeight = DEFAULT_LM_WEIGHT, wordBonus = 0 } = decoding;
  if (method !== undefined && method !== 'greedy' && method !== 'beam') throw badOption(modelDir, `decoding.method must be 'greedy' or 'beam' (got ${JSON.stringify(method)})`);
  if (beamSize !== undefined && (!Number.isInteger(beamSize) || beamSize < 1 || beamSize > 256)) throw badOption(modelDir, `decoding.beamSize must be an integer from 1 to 256 (got ${beamSize})`);
  if (!Number.isFinite(lmWeight) || lmWeight < 0) throw badOption(modelDir, `decoding.lmWeight must be a number >= 0 (got ${lmWeight})`);
  if (!Number.isFinite(wordBonus)) throw badOption(modelDir, `decoding.wordBonus must be a number (got ${wordBonus})`);
  if (lm !== undefined && lm !== null && (typeof lm !== 'string' || lm === '')) throw badOption(modelDir, 'decoding.lm must be a file path, or null for no LM');
  if (method === 'greedy' && typeof lm === 'string') throw badOption(modelDir, "an LM needs decoding.method 'beam'");
  // An explicit greedy choice drops the manifest's LM; an explicit LM or beam size implies beam search.
  const lmPath = lm === null || method === 'greedy' ? null : (lm ?? manifestLm ?? null);
  const resolved = method ?? (lmPath !== null || beamSize !== undefined ? 'beam' : 'greedy');
  return { method: resolved, beamSize: beamSize ?? DEFAULT_BEAM_SIZE, lmPath, lmWeight, wordBonus };
}

/**
 * One ArpaLm per file in this thread: the power governor's two variants share the model's LM (~30 MB of heap
 * each otherwise). Its caches only grow and advance() runs synchronously, so sharing within one thread is safe.
 */
const lms = new Map<string, ArpaLm>();
function sharedLm(path: string): ArpaLm {
  let lm = lms.get(path);
  if (!lm) lms.set(path, (lm = ArpaLm.load(path)));
  return lm;
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
    private readonly lm: ArpaLm | undefined,
  ) {
    this.model = { name: spec.name, variant: spec.variant };
    this.secondsPerFrame = frameShiftSec(spec.features) * spec.subsampling;
  }

  /** Long audio is decoded in pieces of at most 20 s cut at quiet moments; segments never span two pieces. */
  async transcribe(samples: Float32Array, options: TranscribeOptions = {}): Promise<Transcript> {
    const timings: StageTimings = { features: 0, model: 0, search: 0 };
    const segments: RecognizedSegment[] = [];
    for (const [start, end] of splitIntoPieces(samples, DEFAULT_PIECES)) {
      let t0 = performance.now();
      const features = await computeFeatures(this.spec.features, samples.subarray(start, end));
      timings.features += performance.now() - t0;
      if (features.numFrames < MIN_FEATURE_FRAMES) continue;
      t0 = performance.now();
      const lp = await this.acoustic.run(features);
      timings.model += performance.now() - t0;
      t0 = performance.now();
      const words = pathToWords(this.search(lp), this.table, this.secondsPerFrame, start / SAMPLE_RATE);
      const pieceSegments = segmentWords(words);
      if (options.posteriors) attachPosteriors(pieceSegments, lp, start / SAMPLE_RATE, this.secondsPerFrame);
      segments.push(...pieceSegments);
      timings.search += performance.now() - t0;
    }
    this.lastTimings = timings;
    return { text: segments.map((s) => s.text).join(' '), durationSec: samples.length / SAMPLE_RATE, segments };
  }

  private search(lp: LogProbs): TokenPath {
    const blank = this.table.blankId;
    if (this.decoding.method === 'greedy') return greedyPath(lp, blank);
    const { beamSize, lmWeight, wordBonus } = this.decoding;
    const tokens = beamSearch(lp, this.table, { beamSize, lmWeight, wordBonus, ...(this.lm ? { lm: this.lm } : {}) });
    return alignPath(lp, tokens, blank);
  }

  async close(): Promise<void> {
    await this.acoustic.close();
  }
}

/** Gives each segment of one piece a copy of its frames: cut at the middle of the pauses between segments. */
export function attachPosteriors(segments: RecognizedSegment[], lp: LogProbs, offsetSec: number, frameSec: number): void {
  const { data, frames, vocab } = lp;
  let from = 0;
  segments.forEach((segment, k) => {
    const next = segments[k + 1];
    const to = next ? Math.min(frames, Math.max(from, Math.round(((segment.end + next.start) / 2 - offsetSec) / frameSec))) : frames;
    segment.posteriors = { data: data.slice(from * vocab, to * vocab), frames: to - from, vocab, start: Math.round((offsetSec + from * frameSec) * 1000) / 1000, frameSec };
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
  const resolved = resolveDecoding(modelDir, decoding, spec.lmPath);
  const table = readTokens(spec.tokensPath, spec.wordBoundary, spec.blank);
  const lm = resolved.lmPath !== null ? sharedLm(resolved.lmPath) : undefined;
  const acoustic = await AcousticModel.create(spec, threads, table.symbols.length);
  const { name, variant: chosen, features, subsampling } = spec;
  return new OnnxRecognizer({ name, variant: chosen, features, subsampling }, table, acoustic, resolved, lm);
}
