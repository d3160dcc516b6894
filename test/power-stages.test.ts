/**
 * The transcription worker's power variants (daemon/pipeline/stages.ts): only the variant in use has a recognizer
 * (an onnxruntime session) loaded; the other loads when the governor first switches to it, and the first is
 * released once the caller says it is idle. On the tiny test model with a `sparse` copy of its dense graph.
 */
import t from 'tap';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { validateConfig } from '../daemon/config/load.js';
import type { WorkerSettings } from '../daemon/pipeline/messages.js';
import { calmVariantOf, pipelineSettings } from '../daemon/pipeline/settings.js';
import { loadPowerStages, stagesFor } from '../daemon/pipeline/stages.js';
import { batOrPatAudio } from './fixtures/models/tone-audio.js';
import { twoVariantModel } from './fixtures/models/two-variant-model.js';

const TINY = join(import.meta.dirname, 'fixtures', 'models', 'hushscribe-tiny');

function settings(modelDir: string, extra: Partial<WorkerSettings>): WorkerSettings {
  const config = validateConfig({});
  // The tone model's audio holds no speech for Silero: no VAD, as the other tone-model tests.
  return { modelDir, variant: null, sparseVariant: null, threads: 1, vad: { ...config.vad, enabled: false }, redaction: config.redaction, ...extra };
}

const noFailure = (t: Tap.Test) => (message: string) => t.fail(`unexpected variant failure: ${message}`);

t.test('dense at start: only dense is loaded; a switch loads sparse, and releasing dense leaves sparse alone', async (t) => {
  const model = twoVariantModel(t.testdir({}));
  const power = await loadPowerStages(settings(model, { sparseVariant: 'sparse' }));
  t.same(power.loadedVariants(), ['dense'], 'the sparse session is not created at start');
  t.same(power.sparseModel, { name: power.denseModel.name, variant: 'sparse' });
  const heard = (await (await stagesFor(power, 'dense', noFailure(t))).recognizer.transcribe(batOrPatAudio())).text;
  t.match(heard, /^the [bp]at$/);
  const sparse = await stagesFor(power, 'sparse', noFailure(t));
  t.same(power.loadedVariants().sort(), ['dense', 'sparse'], 'both while the switch is in hand');
  await power.releaseOthers(sparse);
  t.same(power.loadedVariants(), ['sparse'], 'dense released once idle');
  t.equal((await sparse.recognizer.transcribe(batOrPatAudio())).text, heard, 'the same graph under its sparse name');
  t.equal(sparse.recognizer.model.variant, 'sparse');
  const dense = await stagesFor(power, 'dense', noFailure(t));
  await power.releaseOthers(dense);
  t.same(power.loadedVariants(), ['dense'], 'switching back reloads dense and releases sparse');
  t.equal((await dense.recognizer.transcribe(batOrPatAudio())).text, heard, 'the reloaded dense recognizer transcribes');
  t.equal(await stagesFor(power, 'dense', noFailure(t)), dense, 'the loaded variant is reused, not reloaded');
  await power.releaseOthers(dense);
  await dense.recognizer.close();
});

t.test('sparse at start (power.mode sparse): dense is never loaded until asked for', async (t) => {
  const model = twoVariantModel(t.testdir({}));
  const power = await loadPowerStages(settings(model, { sparseVariant: 'sparse', startVariant: 'sparse' }));
  t.same(power.loadedVariants(), ['sparse'], 'only the sparse session exists after start');
  t.same(power.denseModel, { name: power.sparseModel!.name, variant: 'dense' }, 'status still names the dense variant');
  const sparse = await stagesFor(power, 'sparse', noFailure(t));
  await power.releaseOthers(sparse);
  t.same(power.loadedVariants(), ['sparse']);
  await sparse.recognizer.close();
});

t.test('a sparse variant that cannot load: dense at start, and each sparse request says why and runs dense', async (t) => {
  const model = twoVariantModel(t.testdir({}));
  rmSync(join(model, 'model-sparse.onnx'));
  const power = await loadPowerStages(settings(model, { sparseVariant: 'sparse', startVariant: 'sparse' }));
  t.same(power.loadedVariants(), ['dense'], 'started dense');
  t.equal(power.started.recognizer.model.variant, 'dense', 'the stages a worker starts with are the dense ones');
  const failures: string[] = [];
  const set = await stagesFor(power, 'sparse', (message) => failures.push(message));
  t.equal(set.recognizer.model.variant, 'dense');
  t.equal(failures.length, 1, 'the failure is reported');
  t.same(power.loadedVariants(), ['dense']);
  await set.recognizer.close();
});

t.test('a model without a sparse variant: sparse requests run dense, nothing else loads', async (t) => {
  const power = await loadPowerStages(settings(TINY, { startVariant: 'sparse' }));
  t.same(power.loadedVariants(), ['dense']);
  t.equal(power.sparseModel, null);
  const set = await stagesFor(power, 'sparse', noFailure(t));
  t.equal(set.recognizer.model.variant, 'dense');
  t.same(power.loadedVariants(), ['dense']);
  await set.recognizer.close();
});

t.test("a model whose default variant is sparse: auto runs it when calm, and the governor's dense is still the dense file", async (t) => {
  const dir = t.testdir({});
  const model = twoVariantModel(join(dir, 'sparse-default'), 'sparse');
  const config = validateConfig({ asr: { modelDir: model } });
  t.equal(calmVariantOf(config), 'sparse');
  t.match(pipelineSettings(config), { variant: null, denseVariant: 'dense', sparseVariant: 'sparse' });
  t.equal(calmVariantOf(validateConfig({ asr: { modelDir: model, variant: 'dense' } })), 'dense', 'a configured variant is the dense one');
  t.equal(calmVariantOf(validateConfig({ asr: { modelDir: twoVariantModel(join(dir, 'dense-default'), 'dense') } })), 'dense');
  t.equal(calmVariantOf(validateConfig({ asr: { modelDir: join(dir, 'no-model') } })), 'dense', 'no manifest: dense');
  const { vad: _vad, ...fromConfig } = pipelineSettings(config);
  const power = await loadPowerStages(settings(model, { ...fromConfig, startVariant: 'sparse' }));
  t.same(power.loadedVariants(), ['sparse']);
  t.same(power.denseModel, { name: power.denseModel.name, variant: 'dense' }, 'named before it is loaded');
  const dense = await stagesFor(power, 'dense', noFailure(t));
  t.equal(dense.recognizer.model.variant, 'dense', "the manifest's dense file, not its default");
  await power.releaseOthers(dense);
  await dense.recognizer.close();
});
