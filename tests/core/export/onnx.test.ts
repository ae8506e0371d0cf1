import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../../src-main/core/data';
import { getModel, initBackend, readFeatureErrors, readRowErrors, scoreDataset, trainModel } from '../../../src-main/core/engine';
import type { ModelInfo, ModelKind, TrainSettings } from '../../../src-main/core/engine';
import { buildOnnxModel, exportModelOnnx, ONNX_KINDS, ONNX_OUTPUTS } from '../../../src-main/core/export/onnx';
import { isResidualOnnx } from '../../../src-main/core/export/owned';
import { ProjectStore } from '../../../src-main/core/store';
import type { DatasetInfo } from '../../../src-main/core/store/types';
import { makeDataset } from '../../helpers/dataset';
import { expectClose, expectFlagsAgree, feedsOf, mixedData, SHARED_DATASETS } from '../../helpers/onnx';
import { tmpDir } from '../../helpers/tmp';
import { errorOf } from '../engine/helpers';

/**
 * ONNX export (core/export/onnx.ts) checked by running the written file with onnxruntime-node: for every exported kind,
 * on every shared dataset (roles as Residual infers them) and on a mixed dataset (a skewed column that gets log1p, missing numbers with
 * indicators, a categorical column with missing values and unseen categories, clipping, each scaler), the graph's row
 * scores and per-column errors equal the ones the app stored when it scored the same rows.
 */

const fixtures = fileURLToPath(new URL('../../fixtures', import.meta.url));
const dir = tmpDir();
let store: ProjectStore;
const shared = new Map<string, DatasetInfo>();
let iono: DatasetInfo;
let mixed: DatasetInfo;

beforeAll(async () => {
  await initBackend('wasm');
  store = ProjectStore.open(path.join(dir, 'onnx.residual'), { create: true });
  for (const file of SHARED_DATASETS) shared.set(file, (await importDataset(store, path.join(fixtures, file))).dataset);
  iono = shared.get('ionosphere.csv')!;
  mixed = makeDataset(store, 'mixed', mixedData(600, 11));
});
afterAll(() => store.close());

const SCALERS = ['standard', 'minmax', 'robust'] as const;

/** Trains, scores, exports and runs the model with onnxruntime; compares with the stored score. */
async function roundTrip(kind: ModelKind, ds: DatasetInfo, settings: Partial<TrainSettings>): Promise<ModelInfo> {
  const trained = await trainModel(store, { dataset: ds.id, settings: { layers: [8, 3], epochs: 4, batchSize: 64, validation: 0.2, patience: 0, seed: 3, ...settings, kind } });
  expect(trained.status).toBe('complete');
  const model = getModel(store, trained.modelId);
  const scored = await scoreDataset(store, { modelId: model.id, dataset: ds.id });
  const out = path.join(dir, `${kind}-${ds.id}-${model.id}.onnx`);
  const res = exportModelOnnx(store, model.id, out);
  expect(res.kind).toBe(kind);
  expect(isResidualOnnx(out)).toBe(true);
  const session = await ort.InferenceSession.create(out);
  const names = model.preprocessing.features.map((f) => f.name);
  expect([...session.inputNames].sort()).toEqual([...names].sort());
  expect([...session.outputNames]).toEqual([ONNX_OUTPUTS.score, ONNX_OUTPUTS.columnErrors, ONNX_OUTPUTS.flagged]);
  const result = await session.run(feedsOf(store, model, ds));
  const score = result[ONNX_OUTPUTS.score]!.data as Float32Array;
  const perColumn = result[ONNX_OUTPUTS.columnErrors]!;
  expect(perColumn.dims).toEqual([ds.rowCount, names.length]);
  expectClose(score, readRowErrors(store, scored.scoreId), `${kind} score`);
  expectClose(perColumn.data as Float32Array, readFeatureErrors(store, scored.scoreId, 0, ds.rowCount).values, `${kind} column errors`);
  // The threshold in force (mean + 2σ of this score, none saved) flags the same rows as the app would.
  expect(res.threshold).not.toBeNull();
  const flagged = result[ONNX_OUTPUTS.flagged]!.data as Uint8Array;
  const stored = readRowErrors(store, scored.scoreId);
  expectFlagsAgree(flagged, stored, res.threshold!);
  await session.release();
  // The metadata: threshold in force, columns, training data fingerprint and weights hash.
  const proto = onnxProto.onnx.ModelProto.decode(fs.readFileSync(out));
  const meta = Object.fromEntries(proto.metadataProps.map((p) => [p.key, p.value]));
  expect(Number(meta['threshold'])).toBeCloseTo(res.threshold!, 12);
  expect(JSON.parse(meta['columns']!).map((c: { name: string }) => c.name)).toEqual(names);
  expect(meta['training_data_sha256']).toBe(ds.sourceSha256);
  expect(meta['model_weights_sha256']).toBe(model.weightsSha256);
  expect(proto.producerName).toBe('Residual');
  return model;
}

// conv takes image datasets only: tests/core/export/onnx-conv.test.ts. Deep SVDD, OC-NN, IsolationForest and ensembles
// (no per-column output, trees, or members): tests/core/export/onnx-family.test.ts.
const ELSEWHERE: readonly ModelKind[] = ['conv', 'deepsvdd', 'ocnn', 'iforest', 'ensemble'];
describe.each(ONNX_KINDS.map((k, i) => [k, SCALERS[i % SCALERS.length]!] as const).filter(([k]) => !ELSEWHERE.includes(k)))('ONNX export of a %s model (%s scaling)', (kind, scaler) => {
  const extra: Partial<TrainSettings> = kind === 'vae' ? { scoreWithKl: true } : kind === 'aae' ? { scoreWithPrior: true } : {};
  it.each(SHARED_DATASETS)('scores the shared dataset %s as the app does (row scores and per-column errors)', async (file) => {
    await roundTrip(kind, shared.get(file)!, { scaler, ...extra });
  });
  it('scores a mixed dataset as the app does: log1p, missing values and indicators, one-hot with missing and unseen categories, clipping', async () => {
    const model = await roundTrip(kind, mixed, { scaler, log1p: 'auto', missingIndicators: true, clip: 5, maxCategories: 5, ...extra });
    // The fixture does exercise what it claims: a logged column, an indicator dim, a categorical with "other".
    expect(model.preprocessing.features.some((f) => f.kind === 'numeric' && f.log1p)).toBe(true);
    expect(model.preprocessing.features.some((f) => f.kind === 'numeric' && f.indicatorDim >= 0)).toBe(true);
    expect(model.preprocessing.features.some((f) => f.kind === 'categorical' && f.categories.includes('(missing)'))).toBe(true);
  });
});

describe('ONNX export across settings', () => {
  const VARIANTS: readonly [string, ModelKind, Partial<TrainSettings>][] = [
    ['a VAE scored without its KL term', 'vae', { scoreWithKl: false }],
    ['an AAE scored without its prior term', 'aae', { scoreWithPrior: false }],
    ['a BCE autoencoder (sigmoid output) on min-max inputs', 'ae', { loss: 'bce', scaler: 'minmax' }],
    ['tanh', 'ae', { activation: 'tanh' }],
    ['elu', 'denoising', { activation: 'elu' }],
    ['leaky ReLU', 'sparse', { activation: 'leakyRelu' }],
    ['sigmoid', 'wae', { activation: 'sigmoid' }],
  ];
  it.each(VARIANTS)('%s scores the mixed dataset as the app does', async (_what, kind, settings) => {
    await roundTrip(kind, mixed, { log1p: 'auto', missingIndicators: true, clip: 5, maxCategories: 5, ...settings });
  });
});

describe('what export refuses', () => {
  it('refuses preprocessing it does not know, naming the column and its kind, before writing anything', async () => {
    const trained = await trainModel(store, { dataset: iono.id, settings: { kind: 'ae', layers: [6, 2], epochs: 1, seed: 5 } });
    const model = getModel(store, trained.modelId);
    const [first, ...rest] = model.preprocessing.features;
    const odd = { ...model, preprocessing: { ...model.preprocessing, features: [{ ...first!, kind: 'datetime' }, ...rest] } } as unknown as ModelInfo;
    const err = await errorOf(Promise.resolve().then(() => buildOnnxModel(odd, new Uint8Array(model.architecture.parameterCount * 4), { threshold: null, thresholdMethod: 'none', trainingDataSha256: null, trainingDataName: null })));
    expect(err.code).toBe('BAD_INPUT');
    expect(err.message).toBe(`Model #${model.id}'s column "${first!.name}" has preprocessing of kind "datetime", which the ONNX export does not support yet.`);
  });

  it('refuses a model kind it does not export, naming it', async () => {
    const trained = await trainModel(store, { dataset: iono.id, settings: { kind: 'ecod', seed: 1 } });
    const err = await errorOf(Promise.resolve().then(() => exportModelOnnx(store, trained.modelId, path.join(dir, 'ecod.onnx'))));
    expect(err.code).toBe('BAD_INPUT');
    expect(err.message).toMatch(/ECOD detector/);
    expect(err.message).toMatch(/ecod is not exported yet/);
    expect(fs.existsSync(path.join(dir, 'ecod.onnx'))).toBe(false);
  });
  it('does not overwrite a file Residual did not write, and writes over its own export', async () => {
    const trained = await trainModel(store, { dataset: iono.id, settings: { kind: 'ae', layers: [6, 2], epochs: 1, seed: 2 } });
    const foreign = path.join(dir, 'foreign.onnx');
    fs.writeFileSync(foreign, 'not a model of ours');
    const err = await errorOf(Promise.resolve().then(() => exportModelOnnx(store, trained.modelId, foreign)));
    expect(err.message).toMatch(/is not an ONNX model that Residual exported/);
    expect(fs.readFileSync(foreign, 'utf8')).toBe('not a model of ours');
    const ours = path.join(dir, 'ours.onnx');
    const first = exportModelOnnx(store, trained.modelId, ours);
    const again = exportModelOnnx(store, trained.modelId, ours);
    expect(again.sha256).toBe(first.sha256);
    // No threshold saved and the training data not scored: none is written, and no flagged output.
    expect(again.threshold).toBeNull();
    expect(again.outputs).not.toContain(ONNX_OUTPUTS.flagged);
  });
});
