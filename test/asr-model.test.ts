import t from 'tap';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AcousticModel, type FeatureMatrix } from '../daemon/asr/acoustic-model.js';
import { greedyPath } from '../daemon/asr/ctc.js';
import { isModelLoadError, ModelLoadError, type ModelLoadErrorCode } from '../daemon/asr/errors.js';
import { parseManifest, verifyModelFiles } from '../daemon/asr/manifest.js';
import { resolveModel } from '../daemon/asr/model-layout.js';
import { readOnnxMetadata } from '../daemon/asr/onnx-metadata.js';
import { readTokens } from '../daemon/asr/tokens.js';
import { pathToWords } from '../daemon/asr/words.js';

const MODELS = join(import.meta.dirname, 'fixtures', 'models');
const model = (name: string): string => join(MODELS, name);

/** Feature rows a fixture model reads as `text`: each character lifts its token's bin for 8 frames, then 8 flat frames. */
function craftFeatures(text: string, firstBin = 18): FeatureMatrix {
  const symbols = ['▁', ...'abcdefghijklmnopqrstuvwxyz', "'"];
  const numBins = 80;
  const rows: number[][] = [];
  const flat = (): number[] => new Array(numBins).fill(-15);
  for (let i = 0; i < 8; i++) rows.push(flat());
  for (const ch of text) {
    const k = symbols.indexOf(ch === ' ' ? '▁' : ch);
    for (let i = 0; i < 8; i++) {
      const row = flat();
      row[firstBin + 2 * k] = 5;
      rows.push(row);
    }
    for (let i = 0; i < 8; i++) rows.push(flat());
  }
  return { data: Float32Array.from(rows.flat()), numFrames: rows.length, numBins };
}

async function expectLoadError(t: Tap.Test, fn: () => unknown, code: ModelLoadErrorCode, message: RegExp): Promise<void> {
  try {
    await fn();
    t.fail(`expected ${code}`);
  } catch (err) {
    t.ok(isModelLoadError(err, code), `${code}: ${(err as Error).message}`);
    t.match((err as Error).message, message);
  }
}

t.test('hushscribe layout: manifest, variant, features, LM', async (t) => {
  const spec = resolveModel(model('hushscribe-tiny'));
  t.equal(spec.layout, 'hushscribe');
  t.equal(spec.name, 'hushscribe-tiny');
  t.equal(spec.variant, 'dense');
  t.equal(spec.features.kind, 'kaldi-fbank');
  t.equal(spec.subsampling, 4);
  t.match(spec.lmPath, /lm\.arpa$/);
  t.equal(spec.metadata.model_type, 'zipformer2_ctc');
  t.equal(resolveModel(model('hushscribe-tiny'), 'corrupt').variant, 'corrupt');
  await expectLoadError(t, () => resolveModel(model('hushscribe-tiny'), 'sparse'), 'BAD_OPTION', /no variant 'sparse' \(the manifest has dense, corrupt\)/);
});

t.test('sherpa-onnx zipformer2_ctc directory: sherpa fbank defaults', async (t) => {
  const spec = resolveModel(model('sherpa-ctc-tiny'));
  t.equal(spec.layout, 'sherpa-zipformer2-ctc');
  t.equal(spec.variant, 'int8');
  t.match(spec.features, { kind: 'kaldi-fbank', numBins: 80, snipEdges: false, lowFreq: 20, highFreq: -400, dither: 0 });
  t.equal(spec.lmPath, undefined);
  await expectLoadError(t, () => resolveModel(model('sherpa-ctc-tiny'), 'fp32'), 'MODEL_NOT_FOUND', /model\.onnx: model file is missing/);
  await expectLoadError(t, () => resolveModel(model('sherpa-ctc-tiny'), 'fp16'), 'BAD_OPTION', /variants int8 \(model\.int8\.onnx\) and fp32/);
});

t.test('NeMo CTC directory: metadata picks mel features and a last-id blank', async (t) => {
  const spec = resolveModel(model('nemo-ctc-tiny'));
  t.equal(spec.layout, 'nemo-ctc');
  t.equal(spec.variant, 'fp32');
  t.equal(spec.blank, 'last');
  t.match(spec.features, { kind: 'nemo-mel', numBins: 80, normalize: 'none' });
  t.equal(spec.io.features, 'audio_signal');
  t.ok(spec.io.channelsFirst);
  t.same(readOnnxMetadata(spec.modelBytes), spec.metadata);
  t.equal(spec.metadata.vocab_size, '29');

  // NeMo's usual export says normalize_type=per_feature: append that metadata entry (a later protobuf entry wins)
  const tmp = mkdtempSync(join(tmpdir(), 'asr-nemo-'));
  t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
  cpSync(model('nemo-ctc-tiny'), tmp, { recursive: true });
  const appendMetadata = (key: string, value: string): void => {
    const entry = Buffer.concat([Buffer.from([0x0a, key.length]), Buffer.from(key), Buffer.from([0x12, value.length]), Buffer.from(value)]);
    writeFileSync(join(tmp, 'model.onnx'), Buffer.concat([readFileSync(join(tmp, 'model.onnx')), Buffer.from([0x72, entry.length]), entry]));
  };
  appendMetadata('normalize_type', 'per_feature');
  t.match(resolveModel(tmp).features, { kind: 'nemo-mel', normalize: 'per_feature' });
  appendMetadata('feat_dim', 'eighty');
  await expectLoadError(t, () => resolveModel(tmp), 'UNKNOWN_LAYOUT', /NeMo metadata feat_dim=eighty \/ subsampling_factor=4 are not positive integers/);
});

t.test('the fixture models decode crafted features into the predicted text', async (t) => {
  for (const name of ['hushscribe-tiny', 'sherpa-ctc-tiny', 'nemo-ctc-tiny']) {
    const spec = resolveModel(model(name));
    const table = readTokens(spec.tokensPath, spec.wordBoundary, spec.blank);
    const am = await AcousticModel.create(spec, 1, table.symbols.length);
    const features = craftFeatures('hi there');
    const lp = await am.run(features);
    t.equal(lp.frames, Math.ceil(features.numFrames / 4), `${name}: subsampled frames`);
    const words = pathToWords(greedyPath(lp, table.blankId), table, 0.04);
    t.same(
      words.map((w) => w.word),
      ['hi', 'there'],
      name,
    );
    // 'h' occupies feature frames 8..15 -> output frames 2..3; 'i' ends at feature frame 31 -> output frame 7
    t.equal(words[0]!.start, 0.08, `${name}: start of the first word`);
    t.equal(words[0]!.end, 0.28, `${name}: end of the first word`);
    for (const w of words) t.ok(w.confidence > 0.5 && w.confidence <= 1, `${name}: confidence ${w.confidence}`);
    const empty = await am.run({ data: new Float32Array(80 * 4).fill(-15), numFrames: 4, numBins: 80 });
    t.equal(greedyPath(empty, table.blankId).tokens.length, 0, `${name}: silence decodes to nothing`);
    await am.close();
  }
});

t.test('loading errors are typed and say what is wrong', async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'asr-model-'));
  t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
  await expectLoadError(t, () => resolveModel(join(tmp, 'nope')), 'MODEL_NOT_FOUND', /nope: model directory not found/);
  await expectLoadError(t, () => resolveModel(join(MODELS, 'tones.json')), 'MODEL_NOT_FOUND', /model directory not found/);
  await expectLoadError(t, () => resolveModel(tmp), 'MODEL_NOT_FOUND', /no model found: expected manifest\.json, model\.int8\.onnx or model\.onnx/);

  const noTokens = join(tmp, 'no-tokens');
  cpSync(model('sherpa-ctc-tiny'), noTokens, { recursive: true });
  rmSync(join(noTokens, 'tokens.txt'));
  await expectLoadError(t, () => resolveModel(noTokens), 'MODEL_NOT_FOUND', /tokens\.txt: tokens file is missing/);

  const notOnnx = join(tmp, 'not-onnx');
  cpSync(model('sherpa-ctc-tiny'), notOnnx, { recursive: true });
  writeFileSync(join(notOnnx, 'model.int8.onnx'), Buffer.from([0x0a, 0xff, 0xff, 0xff]));
  await expectLoadError(t, () => resolveModel(notOnnx), 'UNKNOWN_LAYOUT', /not an ONNX model \(truncated protobuf/);
  writeFileSync(join(notOnnx, 'model.int8.onnx'), 'this is not a model');
  await expectLoadError(t, () => resolveModel(notOnnx), 'UNKNOWN_LAYOUT', /not an ONNX model \(unsupported protobuf wire type/);
  // A valid protobuf (ir_version = 1) that is no model: onnxruntime refuses it.
  writeFileSync(join(notOnnx, 'model.int8.onnx'), Buffer.from([0x08, 0x01, 0x11, 1, 2, 3, 4, 5, 6, 7, 8, 0x15, 1, 2, 3, 4]));
  const garbage = resolveModel(notOnnx);
  await expectLoadError(t, () => AcousticModel.create(garbage, 1, 29), 'UNKNOWN_LAYOUT', /onnxruntime cannot load the model/);

  const otherType = join(tmp, 'other-type');
  cpSync(model('nemo-ctc-tiny'), otherType, { recursive: true });
  const bytes = readFileSync(join(otherType, 'model.onnx'));
  writeFileSync(join(otherType, 'model.onnx'), Buffer.from(bytes.toString('latin1').replace('EncDecCTCModelBPE', 'WhisperEncoder-v3'), 'latin1'));
  await expectLoadError(t, () => resolveModel(otherType), 'UNKNOWN_LAYOUT', /model_type 'WhisperEncoder-v3' is not a layout hushscribe runs/);

  const wrongIo = resolveModel(model('wrong-io'));
  await expectLoadError(
    t,
    () => AcousticModel.create(wrongIo, 1, 29),
    'WRONG_IO',
    /expected inputs x, x_lens and outputs log_probs, log_probs_len; the model has inputs features, features_lens and outputs scores, scores_len/,
  );
  const mismatch = resolveModel(model('vocab-mismatch'));
  const table = readTokens(mismatch.tokensPath);
  await expectLoadError(
    t,
    () => AcousticModel.create(mismatch, 1, table.symbols.length),
    'TOKENS_MISMATCH',
    /20 tokens, but the model's log_probs has a vocabulary of 29/,
  );

  await expectLoadError(
    t,
    () => resolveModel(model('bad-manifest')),
    'BAD_MANIFEST',
    /modelType must be 'zipformer2_ctc'.*sampleRate must be 16000.*features must be an object.*variants must name at least one model file/,
  );
  const err = new ModelLoadError('BAD_LM', 'x', 'y');
  t.equal(err.path, 'x');
  t.notOk(isModelLoadError(new Error('x')));
});

t.test('manifest checks', async (t) => {
  const good = JSON.parse(readFileSync(join(model('hushscribe-tiny'), 'manifest.json'), 'utf8'));
  const bad = (patch: Record<string, unknown>): string => JSON.stringify({ ...good, ...patch });
  t.throws(() => parseManifest('{', 'm.json'), /bad manifest: not JSON/);
  t.throws(() => parseManifest('[]', 'm.json'), /not a JSON object/);
  t.throws(() => parseManifest(bad({ features: { kind: 'mfcc' } }), 'm.json'), /features\.kind must be 'kaldi-fbank' or 'nemo-mel'/);
  t.throws(
    () => parseManifest(bad({ features: { ...good.features, numBins: 0, window: 'blackman', snipEdges: 'no' } }), 'm.json'),
    /numBins must be a positive integer; features\.window must be .*; features\.snipEdges must be true or false/,
  );
  t.throws(() => parseManifest(bad({ features: { kind: 'nemo-mel', numBins: 80 } }), 'm.json'), /features\.nFft must be a positive integer/);
  t.throws(
    () => parseManifest(bad({ features: { ...good.features, useEnergy: true, sampleRate: 8000 } }), 'm.json'),
    /features\.useEnergy is not a kaldi-fbank option \(known: kind, sampleRate, .*\); features\.sampleRate must be 16000/,
  );
  t.throws(() => parseManifest(bad({ tokens: '../tokens.txt' }), 'm.json'), /tokens must name a file in the model directory/);
  t.throws(
    () => parseManifest(bad({ variants: { dense: { file: 'm.onnx', sha256: 'xyz', bytes: -1 } } }), 'm.json'),
    /sha256 must be 64 lowercase hex digits; variants\.dense\.bytes must be a positive integer/,
  );
  t.throws(() => parseManifest(bad({ variants: { dense: 3 } }), 'm.json'), /variants\.dense must be an object/);
  t.throws(() => parseManifest(bad({ defaultVariant: 'int4' }), 'm.json'), /defaultVariant must be one of dense, corrupt/);
  t.throws(() => parseManifest(bad({ lm: { file: 'lm.arpa' } }), 'm.json'), /lm must be/);
  t.throws(() => parseManifest(bad({ name: '', subsampling: 0, wordBoundary: '' }), 'm.json'), /name must be.*subsampling must be.*wordBoundary must be/);
  const nemo = parseManifest(
    bad({
      features: {
        kind: 'nemo-mel',
        numBins: 80,
        nFft: 512,
        windowLengthMs: 25,
        hopMs: 10,
        preemphasis: 0.97,
        window: 'hann',
        lowFreq: 0,
        highFreq: 8000,
        logGuard: 1e-7,
        normalize: 'per_feature',
      },
    }),
    'm.json',
  );
  t.equal(nemo.features.kind, 'nemo-mel');
  t.equal(nemo.features.sampleRate, 16000);
});

t.test('verifyModelFiles compares each variant with its sha256 and size', async (t) => {
  const checks = await verifyModelFiles(model('hushscribe-tiny'));
  t.same(
    checks.map((c) => [c.variant, c.ok]),
    [
      ['dense', true],
      ['corrupt', false],
    ],
  );
  t.equal(checks[1]!.expectedSha256, '0'.repeat(64));
  t.equal(checks[1]!.actualSha256, checks[0]!.actualSha256);
  await expectLoadError(t, () => verifyModelFiles(model('hushscribe-tiny'), ['int4']), 'BAD_OPTION', /no variant 'int4'/);
  const tmp = mkdtempSync(join(tmpdir(), 'asr-verify-'));
  t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
  cpSync(model('hushscribe-tiny'), tmp, { recursive: true });
  rmSync(join(tmp, 'model.onnx'));
  await expectLoadError(t, () => verifyModelFiles(tmp), 'MODEL_NOT_FOUND', /model file of variant 'dense' is missing/);
  await expectLoadError(t, () => resolveModel(tmp), 'MODEL_NOT_FOUND', /model file of variant 'dense' is missing/);
  await expectLoadError(t, () => verifyModelFiles(join(tmp, 'none')), 'MODEL_NOT_FOUND', /cannot read the model manifest/);
});
