import { ort } from '../../common/onnxruntime.js';
import type { LogProbs } from './ctc.js';
import { ModelLoadError } from './errors.js';
import { describeIo, type ModelSpec } from './model-layout.js';

/** Row-major [frames][bins] features, as native computeFbank/computeNemoMel return them. */
export interface FeatureMatrix {
  data: Float32Array;
  numFrames: number;
  numBins: number;
}

/** One onnxruntime session for a CTC model, created once and reused for every utterance. */
export class AcousticModel {
  private constructor(
    private readonly session: ort.InferenceSession,
    /** What run() needs of the spec (not the model bytes, which onnxruntime has copied). */
    private readonly spec: Pick<ModelSpec, 'io' | 'tokensPath'>,
    readonly vocab: number,
  ) {}

  /** Creates the session and checks the graph's tensor names and vocabulary size against the layout and tokens. */
  static async create(spec: ModelSpec, threads: number, tokenCount: number): Promise<AcousticModel> {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(spec.modelBytes, {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
        // Constant folding would turn each int8 weight and its DequantizeLinear into a float32 copy held for the
        // session's life: 4x the model in RAM (hushscribe-en-v1: 17 MB on disk, +120 MB resident). Without it the
        // weights stay int8 and are dequantized per run into the memory arena, to the same float32 values.
        extra: { optimization: { disable_specified_optimizers: 'ConstantFolding' } },
        // A precomputed allocation plan sized for the longest input keeps ~40 MB more resident, for no speed gain here.
        enableMemPattern: false,
        // onnxruntime's own arena keeps every block it ever allocated for the session's life (the peak of the
        // longest utterance so far): without it tensors go to malloc, which maps the large ones and returns them
        // when freed (mapLargeAllocations), so the peak is not kept between utterances.
        enableCpuMemArena: false,
      });
    } catch (err) {
      throw new ModelLoadError('UNKNOWN_LAYOUT', spec.modelPath, `onnxruntime cannot load the model: ${(err as Error).message}`, err);
    }
    const { io } = spec;
    const wantInputs = [io.features, io.featureLengths];
    const wantOutputs = [io.logProbs, ...(io.logProbLengths ? [io.logProbLengths] : [])];
    if (!wantInputs.every((n) => session.inputNames.includes(n)) || !wantOutputs.every((n) => session.outputNames.includes(n))) {
      await session.release();
      throw new ModelLoadError(
        'WRONG_IO',
        spec.modelPath,
        `wrong layout for a ${spec.layout} model: expected ${describeIo(io)}; the model has inputs ${session.inputNames.join(', ')} and outputs ${session.outputNames.join(', ')}`,
      );
    }
    const out = session.outputMetadata.find((m) => m.name === io.logProbs);
    const dim = out?.isTensor ? out.shape[out.shape.length - 1] : undefined;
    if (typeof dim === 'number' && dim !== tokenCount) {
      await session.release();
      throw new ModelLoadError(
        'TOKENS_MISMATCH',
        spec.tokensPath,
        `tokens mismatch: ${tokenCount} tokens, but the model's ${io.logProbs} has a vocabulary of ${dim}`,
      );
    }
    return new AcousticModel(session, { io: spec.io, tokensPath: spec.tokensPath }, tokenCount);
  }

  /** Runs the model on one utterance's features; returns its log-posteriors trimmed to the valid frames. */
  async run(features: FeatureMatrix): Promise<LogProbs> {
    const { io } = this.spec;
    const { numFrames, numBins } = features;
    let x: ort.Tensor;
    if (io.channelsFirst) {
      const transposed = new Float32Array(numFrames * numBins);
      for (let t = 0; t < numFrames; t++) {
        for (let c = 0; c < numBins; c++) transposed[c * numFrames + t] = features.data[t * numBins + c]!;
      }
      x = new ort.Tensor('float32', transposed, [1, numBins, numFrames]);
    } else {
      x = new ort.Tensor('float32', features.data, [1, numFrames, numBins]);
    }
    const lens = new ort.Tensor('int64', BigInt64Array.of(BigInt(numFrames)), [1]);
    const result = await this.session.run({ [io.features]: x, [io.featureLengths]: lens });
    const out = result[io.logProbs]!;
    const [, frames, vocab] = out.dims as number[];
    if (vocab !== this.vocab) {
      throw new ModelLoadError(
        'TOKENS_MISMATCH',
        this.spec.tokensPath,
        `tokens mismatch: ${this.vocab} tokens, but the model's ${io.logProbs} has a vocabulary of ${vocab}`,
      );
    }
    let valid = frames!;
    if (io.logProbLengths) valid = Math.max(0, Math.min(valid, Number((result[io.logProbLengths]!.data as BigInt64Array)[0])));
    return { data: (out.data as Float32Array).subarray(0, valid * vocab), frames: valid, vocab };
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
