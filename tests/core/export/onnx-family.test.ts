import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onnxExportable, onnxKindRefusal } from '../../../src-main/contract';
import { importDataset } from '../../../src-main/core/data';
import { getModel, initBackend, readFeatureErrors, readRowErrors, scoreDataset, trainModel } from '../../../src-main/core/engine';
import type { ModelInfo, ModelKind, TrainSettings } from '../../../src-main/core/engine';
import { Prng } from '../../../src-main/core/engine/prng';
import { exportModelOnnx, ONNX_OUTPUTS } from '../../../src-main/core/export/onnx';
import { floorF32 } from '../../../src-main/core/export/onnx-family';
import { isResidualOnnx } from '../../../src-main/core/export/owned';
import { ProjectStore } from '../../../src-main/core/store';
import type { DatasetInfo } from '../../../src-main/core/store/types';
import { makeDataset } from '../../helpers/dataset';
import { expectClose, expectFlagsAgree, feedsOf, mixedData, SHARED_DATASETS } from '../../helpers/onnx';
import { tmpDir } from '../../helpers/tmp';
import { errorOf } from '../engine/helpers';

/**
 * ONNX export of Deep SVDD (both objectives), OC-NN, IsolationForest and ensembles of reconstruction networks and
 * IsolationForests (core/export/onnx-family.ts), checked by running the written file with onnxruntime-node: on every
 * shared dataset (roles as Residual infers them) and on a mixed dataset (log1p, missing values and indicators, one-hot
 * with missing and unseen categories, clipping), the graph's row scores equal the ones the app stored when it scored
 * the same rows, and an ensemble's and a forest's per-column values equal the stored ones. The one-class files have no per-column output (the app's are integrated-gradients
 * attributions) and say so in their metadata.
 */

const fixtures = fileURLToPath(new URL('../../fixtures', import.meta.url));
const dir = tmpDir();
let store: ProjectStore;
const shared = new Map<string, DatasetInfo>();
let mixed: DatasetInfo;

beforeAll(async () => {
  await initBackend('wasm');
  store = ProjectStore.open(path.join(dir, 'onnx-family.residual'), { create: true });
  for (const file of SHARED_DATASETS) shared.set(file, (await importDataset(store, path.join(fixtures, file))).dataset);
  mixed = makeDataset(store, 'mixed', mixedData(500, 17));
});
afterAll(() => store.close());

const MIXED: Partial<TrainSettings> = { log1p: 'auto', missingIndicators: true, clip: 5, maxCategories: 5 };

/** Trains, scores, exports and runs the model with onnxruntime; compares with the stored score (and per-column values where the file has them). */
async function roundTrip(kind: ModelKind, ds: DatasetInfo, settings: Partial<TrainSettings>): Promise<ModelInfo> {
  const trained = await trainModel(store, { dataset: ds.id, settings: { layers: [8, 3], epochs: 3, batchSize: 64, validation: 0.2, patience: 0, pretrainEpochs: 0, seed: 3, ...settings, kind } });
  expect(trained.status).toBe('complete');
  const model = getModel(store, trained.modelId);
  expect(onnxExportable(model.kind, model.settings.members)).toBe(true);
  const scored = await scoreDataset(store, { modelId: model.id, dataset: ds.id });
  const out = path.join(dir, `${kind}-${ds.id}-${model.id}.onnx`);
  const res = exportModelOnnx(store, model.id, out);
  expect(res.kind).toBe(kind);
  expect(isResidualOnnx(out)).toBe(true);
  const perColumn = kind === 'ensemble' || kind === 'iforest';
  const expected = [ONNX_OUTPUTS.score, ...(perColumn ? [ONNX_OUTPUTS.columnErrors] : []), ONNX_OUTPUTS.flagged];
  expect(res.outputs).toEqual(expected);
  const session = await ort.InferenceSession.create(out);
  const names = model.preprocessing.features.map((f) => f.name);
  expect([...session.inputNames].sort()).toEqual([...names].sort());
  expect([...session.outputNames]).toEqual(expected);
  const result = await session.run(feedsOf(store, model, ds));
  const stored = readRowErrors(store, scored.scoreId);
  expectClose(result[ONNX_OUTPUTS.score]!.data as Float32Array, stored, `${kind} score`);
  if (perColumn) {
    const values = result[ONNX_OUTPUTS.columnErrors]!;
    expect(values.dims).toEqual([ds.rowCount, names.length]);
    expectClose(values.data as Float32Array, readFeatureErrors(store, scored.scoreId, 0, ds.rowCount).values, `${kind} column values`);
  }
  const flagged = result[ONNX_OUTPUTS.flagged]!.data as Uint8Array;
  expectFlagsAgree(flagged, stored, res.threshold!);
  await session.release();
  const proto = onnxProto.onnx.ModelProto.decode(fs.readFileSync(out));
  const meta = Object.fromEntries(proto.metadataProps.map((p) => [p.key, p.value]));
  expect(meta['model_kind']).toBe(kind);
  expect(meta['column_values']).toMatch(kind === 'ensemble' ? /weighted by the member's evidence/ : kind === 'iforest' ? /shares of the isolation/ : /^none: .*integrated-gradients attributions, which the app computes/);
  expect(meta['model_weights_sha256']).toBe(model.weightsSha256);
  return model;
}

const SCALERS = ['standard', 'minmax', 'robust'] as const;
const KINDS: readonly [string, ModelKind, Partial<TrainSettings>][] = [
  ['Deep SVDD (one-class)', 'deepsvdd', { objective: 'one-class' }],
  ['Deep SVDD (soft-boundary)', 'deepsvdd', { objective: 'soft-boundary', nu: 0.1 }],
  ['OC-NN', 'ocnn', { nu: 0.1 }],
  ['an IsolationForest', 'iforest', {}],
  ['an ensemble of ae, vae and aae', 'ensemble', { members: ['ae', 'vae', 'aae'] }],
  ['an ensemble of ae, ae and IsolationForest', 'ensemble', { members: ['ae', 'ae', 'iforest'] }],
];

describe.each(KINDS.map(([what, kind, s], i) => [what, kind, s, SCALERS[i % SCALERS.length]!] as const))('ONNX export of %s', (_what, kind, settings, scaler) => {
  it.each(SHARED_DATASETS)('scores the shared dataset %s as the app does', async (file) => {
    await roundTrip(kind, shared.get(file)!, { scaler, ...settings });
  });
  it('scores a mixed dataset as the app does: log1p, missing values and indicators, one-hot with missing and unseen categories, clipping', async () => {
    await roundTrip(kind, mixed, { scaler, ...MIXED, ...settings });
  });
});

describe('ONNX export of the one-class kinds and ensembles across settings', () => {
  const VARIANTS: readonly [string, ModelKind, Partial<TrainSettings>][] = [
    ['Deep SVDD, relu, three layers, pre-trained', 'deepsvdd', { activation: 'relu', layers: [8, 6, 3], pretrainEpochs: 1 }],
    ['Deep SVDD, elu', 'deepsvdd', { activation: 'elu' }],
    ['Deep SVDD soft-boundary, tanh', 'deepsvdd', { objective: 'soft-boundary', activation: 'tanh' }],
    ['Deep SVDD, leaky ReLU', 'deepsvdd', { activation: 'leakyRelu' }],
    ['OC-NN, relu encoder, pre-trained', 'ocnn', { activation: 'relu', layers: [8, 4], pretrainEpochs: 1 }],
    ['OC-NN, leaky ReLU', 'ocnn', { activation: 'leakyRelu' }],
    ['OC-NN, elu', 'ocnn', { activation: 'elu' }],
    ['an ensemble of every reconstruction kind, tanh', 'ensemble', { members: ['ae', 'sparse', 'denoising', 'vae', 'aae', 'wae'], activation: 'tanh' }],
    ['an ensemble with a BCE (sigmoid output) member on min-max inputs', 'ensemble', { members: ['ae', 'ae'], loss: 'bce', scaler: 'minmax' }],
    ['an IsolationForest on log1p inputs, robust scaling', 'iforest', { scaler: 'robust' }],
    ['an IsolationForest on 3 rows per tree (c(ψ) of a tiny subsample)', 'iforest', { sampleRows: 3 }],
  ];
  it.each(VARIANTS)('%s scores the mixed dataset as the app does', async (_what, kind, settings) => {
    await roundTrip(kind, mixed, { ...MIXED, ...settings });
  });
});

describe('the forest\'s split values', () => {
  it('rounds a split down to the largest float32 not above it, so that a float32 input goes the way it goes against the float64 split', () => {
    const f32 = (v: number): boolean => Math.fround(v) === v;
    const next = (v: number): number => {
      const a = new Float32Array([v]);
      const i = new Int32Array(a.buffer);
      if (v === 0) return 1.401298464324817e-45;
      i[0]! += v > 0 ? 1 : -1;
      return a[0]!;
    };
    const rng = new Prng(5);
    const values = [0.1, -0.1, 1 / 3, -1 / 3, 1e-46, -1e-46, 2.5, 0, -0, 123456.789, -7.000000000000001];
    for (let i = 0; i < 200; i++) values.push((rng.next() - 0.5) * 10 ** Math.floor(rng.next() * 8 - 4));
    for (const v of values) {
      const t = floorF32(v);
      expect(f32(t), `${v}`).toBe(true);
      expect(t <= v, `${v}`).toBe(true);
      // The next float32 up is above v: no float32 x with t < x ≤ v exists.
      expect(next(t) > v, `${v}: ${t}, next ${next(t)}`).toBe(true);
    }
    expect(floorF32(2.5)).toBe(2.5);
    expect(floorF32(0.1)).toBeLessThan(0.1);
    expect(floorF32(-0.1)).toBeLessThan(-0.1);
  });
});

describe('what the export of ensembles and one-class kinds refuses', () => {
  it('refuses an ensemble with a member it does not export, naming the member, before writing anything', async () => {
    const trained = await trainModel(store, { dataset: shared.get('glass.csv')!.id, settings: { kind: 'ensemble', members: ['ae', 'ecod'], layers: [6, 2], epochs: 1, seed: 4 } });
    const model = getModel(store, trained.modelId);
    expect(onnxExportable(model.kind, model.settings.members)).toBe(false);
    const out = path.join(dir, 'ensemble-ecod.onnx');
    const err = await errorOf(Promise.resolve().then(() => exportModelOnnx(store, model.id, out)));
    expect(err.code).toBe('BAD_INPUT');
    expect(err.message).toMatch(new RegExp(`^Model #${model.id} is an ensemble whose member 2 \\(ecod\\) is an ECOD detector`));
    expect(err.message).toMatch(/ecod is not exported yet/);
    // The Training section's note beside its disabled Export ONNX is this same sentence.
    expect(onnxKindRefusal({ id: model.id, kind: model.kind, status: model.status, members: model.settings.members })).toBe(err.message);
    expect(onnxKindRefusal({ id: 7, kind: 'ensemble', members: ['ae', 'iforest'] })).toBeNull();
    expect(onnxKindRefusal({ id: 7, kind: 'ae', status: 'failed' })).toBe('Model #7 failed to train: it has no weights to export. Train it again.');
    expect(fs.existsSync(out)).toBe(false);
  });

  it('scores an ensemble set to add its VAE and AAE members\' latent terms as the app does: members never add them, on the fused path and on TensorFlow.js alike', async () => {
    const model = await roundTrip('ensemble', shared.get('glass.csv')!, { members: ['ae', 'vae', 'aae'], scoreWithKl: true, scoreWithPrior: true, layers: [6, 2], epochs: 2, seed: 6 });
    const ds = shared.get('glass.csv')!;
    const fused = readRowErrors(store, (await scoreDataset(store, { modelId: model.id, dataset: ds.id })).scoreId);
    const before = process.env['RESIDUAL_FUSED'];
    process.env['RESIDUAL_FUSED'] = '0';
    try {
      const tfjs = readRowErrors(store, (await scoreDataset(store, { modelId: model.id, dataset: ds.id })).scoreId);
      expectClose(tfjs, fused, 'ensemble score on TensorFlow.js against the fused kernel');
    } finally {
      if (before === undefined) delete process.env['RESIDUAL_FUSED'];
      else process.env['RESIDUAL_FUSED'] = before;
    }
  });

  it('refuses an ECOD model, saying why', async () => {
    const trained = await trainModel(store, { dataset: shared.get('glass.csv')!.id, settings: { kind: 'ecod' } });
    const err = await errorOf(Promise.resolve().then(() => exportModelOnnx(store, trained.modelId, path.join(dir, 'ecod.onnx'))));
    expect(err.code).toBe('BAD_INPUT');
    expect(err.message).toMatch(/ECOD detector \(its score needs the training rows' empirical distribution tables/);
    expect(fs.existsSync(path.join(dir, 'ecod.onnx'))).toBe(false);
  });

  it('writes no flagged output without a threshold, and no per-column output for a one-class model', async () => {
    const trained = await trainModel(store, { dataset: shared.get('glass.csv')!.id, settings: { kind: 'ocnn', layers: [6, 3], epochs: 1, pretrainEpochs: 0, seed: 2 } });
    const res = exportModelOnnx(store, trained.modelId, path.join(dir, 'ocnn-unscored.onnx'));
    expect(res.threshold).toBeNull();
    expect(res.outputs).toEqual([ONNX_OUTPUTS.score]);
    const session = await ort.InferenceSession.create(res.out);
    expect([...session.outputNames]).toEqual([ONNX_OUTPUTS.score]);
    await session.release();
  });
});
