/**
 * Deep SVDD and OC-NN through the engine: trained on a fixture and stored (path tfjs, the fitted centre / R² / r),
 * scored from the reloaded weights to the very scores the training computed in memory, explained with attributions
 * that sum to the score minus the baseline row's, settings that do not apply refused, cancels honoured.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { explainRows, getHistory, getModel, initBackend, readFeatureErrors, readRowErrors, scoreDataset, splitOf, trainModel } from '../../../src-main/core/engine';
import type { TrainSettings } from '../../../src-main/core/engine';
import { rocAuc } from '../../../src-main/core/analysis';
import { matchColumns, readWindow } from '../../../src-main/core/engine/columns';
import { transform } from '../../../src-main/core/engine/preprocess';
import { readOneClassBlob } from '../../../src-main/core/engine/family/oneclass';
import { OneClassNetwork } from '../../../src-main/core/engine/family/oneclass-train';
import { squaredDistances } from '../../../src-main/core/engine/family/svdd';
import { getWeights } from '../../../src-main/core/engine/repo';
import { resolveSettings } from '../../../src-main/core/engine/settings';
import { SPLIT_TRAIN } from '../../../src-main/core/engine/types';
import { ProjectStore } from '../../../src-main/core/store';
import { makeDataset } from '../../helpers/dataset';
import { tmpDir } from '../../helpers/tmp';
import { errorOf, manifoldColumns } from './helpers';

const dir = tmpDir();
let store: ProjectStore;
const ANOMALIES = 12;
const ROWS = 360;
const quick: Partial<TrainSettings> = { scaler: 'standard', clip: 0, layers: [8, 4], epochs: 12, batchSize: 32, validation: 0.2, patience: 0, seed: 3, pretrainEpochs: 3 };

beforeAll(async () => {
  await initBackend('wasm');
  store = ProjectStore.open(path.join(dir, 'oneclass.residual'), { create: true });
  makeDataset(store, 'm', manifoldColumns(ROWS, 6, 4, ANOMALIES), { chunkRows: 100 });
  return () => store.close();
});

const labels = (): number[] => Array.from({ length: ROWS }, (_, r) => (r < ANOMALIES ? 1 : 0));

describe.each([
  ['deepsvdd', { kind: 'deepsvdd', objective: 'one-class' }],
  ['deepsvdd soft-boundary', { kind: 'deepsvdd', objective: 'soft-boundary', nu: 0.1 }],
  ['ocnn', { kind: 'ocnn', nu: 0.1 }],
] as const)('%s', (_name, kindSettings) => {
  let modelId: number;
  let scoreId: number;

  it('trains on TensorFlow.js, says so, and stores the history, the fitted state and per-column attribution means', async () => {
    const before = tf.memory().numTensors;
    const phases: string[] = [];
    const res = await trainModel(store, { dataset: 'm', settings: { ...quick, ...kindSettings } }, { onProgress: (p) => phases.push(p.phase ?? 'epoch') });
    expect(tf.memory().numTensors).toBe(before);
    modelId = res.modelId;
    expect(res.path).toBe('tfjs');
    expect(res.pathReason).toMatch(/fused kernel has no (Deep SVDD|OC-NN) objective/);
    expect(res.epochs).toBe(12);
    expect(res.warnings.filter((w) => w.startsWith('Collapsed'))).toEqual([]);
    // Pre-training reports its epochs as their own phase, before the epochs proper.
    expect(phases.slice(0, 3)).toEqual(['pretrain', 'pretrain', 'pretrain']);
    expect(phases.slice(3).every((p) => p === 'epoch')).toBe(true);
    const m = getModel(store, modelId);
    expect(m.kind).toBe(kindSettings.kind);
    expect(m.path).toBe('tfjs');
    expect(m.architecture.summary).toBe(kindSettings.kind === 'ocnn' ? '6-8-4-1' : '6-8-4');
    expect(m.parameterCount).toBe(6 * 8 + 8 * 4 + (kindSettings.kind === 'ocnn' ? 4 : 0));
    expect(m.settings.trim).toBe(0);
    if (kindSettings.kind === 'ocnn') expect(m.settings.activation).toBe('sigmoid');
    const fit = m.architecture.oneClass!;
    expect(Number.isFinite(fit.baselineScore)).toBe(true);
    expect(fit.pretrainLoss).toBeGreaterThan(0);
    if (kindSettings.kind === 'deepsvdd') expect(fit.centerNorm).toBeGreaterThan(0);
    if ('objective' in kindSettings && kindSettings.objective === 'soft-boundary') expect(fit.radius2).toBeGreaterThan(0);
    if (kindSettings.kind === 'ocnn') expect(Number.isFinite(fit.r)).toBe(true);
    expect(m.featureErrorMean).toHaveLength(6);
    for (const v of m.featureErrorMean!) expect(v).toBeGreaterThanOrEqual(0);
    expect(getHistory(store, modelId).map((h) => h.epoch)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('scores from the reloaded weights equal the scores the training computed in memory, and TensorFlow.js\'s forward pass', async () => {
    const res = await scoreDataset(store, { modelId });
    scoreId = res.scoreId;
    expect(res.path).toBeUndefined();
    const m = getModel(store, modelId);
    const scores = readRowErrors(store, scoreId);
    // The training rows' mean and spread were computed by the in-memory scorer before the model was stored.
    const split = splitOf(store, modelId);
    const train = Array.from(scores).filter((_, r) => split.part[r] === SPLIT_TRAIN);
    const mean = train.reduce((a, b) => a + b, 0) / train.length;
    const std = Math.sqrt(train.reduce((a, b) => a + (b - mean) ** 2, 0) / train.length);
    expect(mean).toBeCloseTo(m.errorStats!.train.mean, 5);
    expect(std).toBeCloseTo(m.errorStats!.train.std, 5);
    // TensorFlow.js on the stored weights gives the same scores (float precision).
    const { kernels, state } = readOneClassBlob(m.architecture, getWeights(store, modelId)!);
    const net = new OneClassNetwork(m.architecture, kernels);
    const ds = store.getDataset('m');
    const inputs = transform(m.preprocessing, readWindow(store, ds.id, matchColumns(ds, m.preprocessing), 0, ROWS), ROWS);
    const out = await net.outputs(inputs);
    net.dispose();
    const expected = kindSettings.kind === 'ocnn'
      ? Array.from(out, (y) => state.r - y)
      : Array.from(squaredDistances(out, ROWS, 4, state.center!), (dd) => dd - (m.settings.objective === 'soft-boundary' ? state.radius2 : 0));
    for (let r = 0; r < ROWS; r++) expect(scores[r]).toBeCloseTo(expected[r]!, 4);
  });

  it('stores per-column integrated gradients that sum to the score minus the baseline row\'s; explanations name the method', async () => {
    const m = getModel(store, modelId);
    const scores = readRowErrors(store, scoreId);
    const fe = readFeatureErrors(store, scoreId, 0, ROWS);
    let negative = 0;
    for (let r = 0; r < ROWS; r++) {
      const row = fe.values.subarray(r * 6, (r + 1) * 6);
      negative += row.filter((v) => v < 0).length;
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(scores[r]! - m.architecture.oneClass!.baselineScore, 3);
    }
    // Attributions are signed: some columns make some rows look more normal than the median row.
    expect(negative).toBeGreaterThan(0);
    const [top] = await explainRows(store, scoreId, [0], 3);
    expect(top!.error).toBeCloseTo(scores[0]!, 5);
    expect(top!.method).toMatch(/integrated gradients/);
    expect(top!.method).toContain(`s(median row) = ${Number(m.architecture.oneClass!.baselineScore.toPrecision(4))}`);
    expect(top!.contributions).toHaveLength(3);
    // Expected values are the training medians (the baseline), not a reconstruction.
    for (const c of top!.contributions) expect(typeof c.reconstructed).toBe('number');
  });

  it('ranks the rows pushed off the manifold above the rest', () => {
    expect(scoreId).toBeGreaterThan(0);
    const auc = rocAuc(readRowErrors(store, scoreId), labels());
    expect(auc).toBeGreaterThan(kindSettings.kind === 'ocnn' ? 0.6 : 0.8);
  });
});

describe('settings', () => {
  it('resets what does not apply to a one-class kind (as a classical detector\'s network settings), and checks ν', async () => {
    const ds = store.getDataset('m');
    expect(resolveSettings(ds, { kind: 'deepsvdd', trim: 0.3, dropout: 0.2, loss: 'bce' }).settings).toMatchObject({ trim: 0, dropout: 0, loss: 'mse', scaler: 'standard' });
    expect(resolveSettings(ds, { kind: 'ocnn', objective: 'soft-boundary' }).settings.objective).toBe('one-class');
    expect(() => resolveSettings(ds, { kind: 'ocnn', nu: 0 })).toThrow(/nu/);
    expect((await errorOf(trainModel(store, { dataset: 'm', settings: { kind: 'deepsvdd', nu: 1.5 } })))).toMatchObject({ code: 'BAD_INPUT', details: { field: 'nu' } });
  });

  it('the wizard\'s trim is dropped (no robust training), OC-NN gets the paper\'s sigmoid, and the rationale speaks of the kind', () => {
    const ds = store.getDataset('m');
    const svdd = resolveSettings(ds, { kind: 'deepsvdd' });
    expect(svdd.settings).toMatchObject({ trim: 0, dropout: 0, members: [], objective: 'one-class', nu: 0.1, weightDecay: 1e-6, pretrainEpochs: 10 });
    expect(svdd.proposal.rationale.map((r) => r.setting)).toEqual(expect.arrayContaining(['kind', 'layers', 'nu', 'objective', 'weightDecay', 'pretrainEpochs']));
    expect(svdd.proposal.rationale.find((r) => r.setting === 'trim')).toBeUndefined();
    expect(svdd.proposal.rationale.find((r) => r.setting === 'kind')!.why).toMatch(/Deep SVDD/);
    const ocnn = resolveSettings(ds, { kind: 'ocnn' });
    expect(ocnn.settings.activation).toBe('sigmoid');
    expect(resolveSettings(ds, { kind: 'ocnn', activation: 'tanh' }).settings.activation).toBe('tanh');
    expect(ocnn.proposal.parameterCount).toBeGreaterThan(0);
  });
});

describe('warnings', () => {
  it('says when OC-NN has no encoder to pre-train, and when its output collapsed under the weight penalty', async () => {
    const one = await trainModel(store, { dataset: 'm', settings: { ...quick, kind: 'ocnn', layers: [4], epochs: 3 } });
    expect(one.warnings.join(' ')).toMatch(/Pre-training skipped: with one hidden layer/);
    expect(getModel(store, one.modelId).architecture.oneClass!.pretrainLoss).toBeUndefined();
    // ReLU layers under ½‖w‖² + ½‖V‖² at a large learning rate: the output shrinks to a constant.
    const relu = await trainModel(store, { dataset: 'm', settings: { ...quick, kind: 'ocnn', activation: 'relu', epochs: 40, learningRate: 0.05, pretrainEpochs: 0 } });
    expect(relu.warnings.find((w) => w.startsWith('Collapsed'))).toMatch(/every training row scores .*Use the sigmoid activation \(the paper's g\)/);
    expect(getModel(store, relu.modelId).errorStats!.train.std).toBeLessThan(1e-6);
  });
});

describe('cancel', () => {
  it('a cancel during the epochs keeps the best epoch so far; one during pre-training stores nothing', async () => {
    const ctl = new AbortController();
    const res = await trainModel(store, { dataset: 'm', settings: { ...quick, kind: 'deepsvdd', epochs: 30 } }, { signal: ctl.signal, onProgress: (p) => { if (!p.phase && p.epoch === 2) ctl.abort(); } });
    expect(res.status).toBe('cancelled');
    expect(getModel(store, res.modelId).message).toMatch(/Cancelled after 2 epochs/);
    const before = store.db.prepare('SELECT COUNT(*) AS n FROM models').get() as { n: number };
    const early = new AbortController();
    const err = await errorOf(trainModel(store, { dataset: 'm', settings: { ...quick, kind: 'ocnn', pretrainEpochs: 5 } }, { signal: early.signal, onProgress: (p) => { if (p.phase === 'pretrain') early.abort(); } }));
    expect(err.code).toBe('CANCELLED');
    expect((store.db.prepare('SELECT COUNT(*) AS n FROM models').get() as { n: number }).n).toBe(before.n);
  });
});
