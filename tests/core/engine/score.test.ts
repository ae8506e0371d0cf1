import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  explainRows,
  getModel,
  getScore,
  initBackend,
  latestScore,
  listScores,
  OTHER_CATEGORY,
  readFeatureErrors,
  readRankWindow,
  readRowErrors,
  scoreDataset,
  trainModel,
} from '../../../src-main/core/engine';
import type { TrainSettings } from '../../../src-main/core/engine';
import { Prng } from '../../../src-main/core/engine/prng';
import { ProjectStore } from '../../../src-main/core/store';
import { ScoreViews } from '../../../src-main/core/workbench/queries';
import { makeDataset, type TestColumn } from '../../helpers/dataset';
import { tmpDir } from '../../helpers/tmp';
import { errorOf, manifoldColumns } from './helpers';

const dir = tmpDir();
const quick: Partial<TrainSettings> = { kind: 'ae', scaler: 'standard', clip: 0, trim: 0, layers: [6, 3], epochs: 20, batchSize: 32, validation: 0.2, patience: 0, seed: 5 };

/** Numeric manifold columns plus a categorical "shop" column (a/b/c, tied to x0's sign) and an id. */
function mixedColumns(rows: number, seed: number, shops = ['a', 'b', 'c']): TestColumn[] {
  const cols = manifoldColumns(rows, 5, seed);
  const rng = new Prng(seed + 100);
  const x0 = cols[0]!.values as number[];
  const shop = x0.map((v) => (v > 0.5 ? shops[0]! : v < -0.5 ? shops[1]! : rng.next() < 0.5 ? shops[2]! : shops[0]!));
  return [{ name: 'id', role: 'id', values: x0.map((_, i) => i) }, ...cols, { name: 'shop', role: 'categorical', values: shop }];
}

let store: ProjectStore;
let modelId: number;

beforeAll(async () => {
  await initBackend('wasm');
  store = ProjectStore.open(path.join(dir, 'score.residual'), { create: true });
  const cols = mixedColumns(400, 1);
  // Row 7 is pushed far off the manifold on x3: the obvious anomaly to explain.
  (cols[4]!.values as number[])[7] = 25;
  makeDataset(store, 'train', cols, { chunkRows: 128 });
  modelId = (await trainModel(store, { dataset: 'train', settings: quick })).modelId;
  return () => store.close();
});

describe('scoreDataset', () => {
  it('stores row errors, per-column errors (summing to the row error × dims) and the rank order', async () => {
    const before = tf.memory().numTensors;
    const res = await scoreDataset(store, { modelId });
    expect(tf.memory().numTensors).toBe(before);
    expect(res).toMatchObject({ modelId, rows: 400 });
    const info = getScore(store, res.scoreId);
    expect(info.columns).toEqual(['x0', 'x1', 'x2', 'x3', 'x4', 'shop']);
    expect(info.backend).toBe('wasm');
    const errors = readRowErrors(store, res.scoreId);
    expect(errors).toHaveLength(400);
    const dims = getModel(store, modelId).preprocessing.inputDims;
    expect(dims).toBe(5 + 4);
    const fe = readFeatureErrors(store, res.scoreId, 0, 400);
    for (let r = 0; r < 400; r++) {
      const sum = fe.values.subarray(r * 6, r * 6 + 6).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(errors[r]! * dims, 3);
    }
    const top = readRankWindow(store, res.scoreId, 0, 400);
    expect(top.total).toBe(400);
    expect(top.rows[0]).toBe(7);
    expect(new Set(top.rows).size).toBe(400);
    for (let i = 0; i < 400; i++) {
      expect(top.errors[i]).toBe(errors[top.rows[i]!]);
      if (i > 0) expect(top.errors[i]!).toBeLessThanOrEqual(top.errors[i - 1]!);
    }
    const window = readRankWindow(store, res.scoreId, 395, 10);
    expect([window.offset, window.rows.length]).toEqual([395, 5]);
    expect(Array.from(window.rows)).toEqual(Array.from(top.rows.subarray(395)));
    expect(info.stats.max).toBe(errors[7]);
  });

  it('normalises per-column errors by the mean training error of each column', async () => {
    const { scoreId } = await scoreDataset(store, { modelId });
    const means = getModel(store, modelId).featureErrorMean!;
    const raw = readFeatureErrors(store, scoreId, 10, 20);
    const norm = readFeatureErrors(store, scoreId, 10, 20, { normalized: true });
    expect(norm.normalized).toBe(true);
    expect(norm.values).toHaveLength(10 * 6);
    for (let i = 0; i < norm.values.length; i++) expect(norm.values[i]).toBeCloseTo(raw.values[i]! / means[i % 6]!, 4);
  });

  it('replaces the earlier score of the same model and dataset', async () => {
    const first = await scoreDataset(store, { modelId, dataset: 'train' });
    const firstErrors = readRowErrors(store, first.scoreId);
    const second = await scoreDataset(store, { modelId, dataset: 'train' });
    expect(second.scoreId).not.toBe(first.scoreId);
    expect(latestScore(store, modelId, first.datasetId)!.scoreId).toBe(second.scoreId);
    expect(listScores(store, { modelId }).map((s) => s.scoreId)).toEqual([second.scoreId]);
    expect(() => getScore(store, first.scoreId)).toThrow(/No score/);
    const orphans = store.db.prepare('SELECT count(*) AS n FROM score_chunks WHERE score_id = ?').get(first.scoreId) as { n: number };
    expect(orphans.n).toBe(0);
    expect(Array.from(readRowErrors(store, second.scoreId))).toEqual(Array.from(firstErrors));
  });

  it('a cancelled scoring writes nothing and keeps the earlier score', async () => {
    const kept = await scoreDataset(store, { modelId });
    const ac = new AbortController();
    ac.abort();
    const e = await errorOf(scoreDataset(store, { modelId }, { signal: ac.signal }));
    expect(e.code).toBe('CANCELLED');
    expect(latestScore(store, modelId, kept.datasetId)!.scoreId).toBe(kept.scoreId);
    expect(readRowErrors(store, kept.scoreId)).toHaveLength(400);
    // Cancelled after its first chunk was written: that chunk goes too.
    const ac2 = new AbortController();
    const e2 = await errorOf(scoreDataset(store, { modelId }, { signal: ac2.signal, onProgress: () => ac2.abort() }));
    expect(e2.code).toBe('CANCELLED');
    const rows = store.db.prepare('SELECT count(*) AS n FROM scores WHERE model_id = ?').get(modelId) as { n: number };
    expect(rows.n).toBe(1);
    expect(latestScore(store, modelId, kept.datasetId)!.scoreId).toBe(kept.scoreId);
  });

  it('scores another dataset in several windows: extra columns ignored, unseen categories go to "other"', async () => {
    const cols = mixedColumns(20_000, 2, ['a', 'b', 'brand new']);
    makeDataset(store, 'later', [...cols, { name: 'extra', role: 'numeric', values: cols[1]!.values as number[] }], { chunkRows: 3000 });
    const progress: number[] = [];
    const res = await scoreDataset(store, { modelId, dataset: 'later' }, { onProgress: (p) => progress.push(p.rowsDone) });
    expect(progress).toEqual([8192, 16384, 20000]);
    const errors = readRowErrors(store, res.scoreId);
    expect(errors).toHaveLength(20_000);
    expect(errors.every((v) => Number.isFinite(v))).toBe(true);
    const rank = readRankWindow(store, res.scoreId, 8190, 4);
    expect(rank.rows).toHaveLength(4);
    const row = (cols[6]!.values as string[]).indexOf('brand new');
    const [ex] = await explainRows(store, res.scoreId, [row], 6);
    expect(ex!.contributions.find((c) => c.column === 'shop')!.actual).toBe('brand new');
    expect(ex!.error).toBe(errors[row]);
  });

  it('lets other connections write while it scores, and shows them only the finished score', async () => {
    const ds = store.getDataset('later');
    const before = latestScore(store, modelId, ds.id)!.scoreId;
    const other = ProjectStore.open(store.path);
    other.db.pragma('busy_timeout = 0');
    const seen: (number | undefined)[] = [];
    const res = await scoreDataset(store, { modelId, dataset: 'later' }, {
      onProgress: (p) => {
        other.setMeta('note', `written during scoring at ${p.rowsDone}`);
        seen.push(latestScore(other, modelId, ds.id)?.scoreId);
      },
    });
    expect(seen).toEqual([before, before, before]);
    expect(other.getMeta('note')).toBe('written during scoring at 20000');
    expect(latestScore(other, modelId, ds.id)!.scoreId).toBe(res.scoreId);
    const left = other.db.prepare('SELECT count(*) AS n FROM scores WHERE model_id = ? AND dataset_id = ?').get(modelId, ds.id) as { n: number };
    expect(left.n).toBe(1);
    other.close();
  });

  it('names the columns a dataset lacks', async () => {
    const cols = mixedColumns(50, 3).filter((c) => c.name !== 'x2' && c.name !== 'shop');
    makeDataset(store, 'partial', cols);
    const e = await errorOf(scoreDataset(store, { modelId, dataset: 'partial' }));
    expect(e.code).toBe('BAD_INPUT');
    expect(e.message).toMatch(/"partial" lacks 2 columns the model was trained on: "x2", "shop"/);
    expect(latestScore(store, modelId, store.getDataset('partial').id)).toBeUndefined();
  });
});

describe('explainRows', () => {
  it('lists the top columns with actual and reconstructed values in data units', async () => {
    const { scoreId } = await scoreDataset(store, { modelId });
    const errors = readRowErrors(store, scoreId);
    const [anomaly, normal] = await explainRows(store, scoreId, [7, 42], 3);
    expect(anomaly!.row).toBe(7);
    expect(anomaly!.error).toBe(errors[7]);
    const top = anomaly!.contributions[0]!;
    expect(top).toMatchObject({ column: 'x3', kind: 'numeric', actual: 25 });
    expect(typeof top.reconstructed).toBe('number');
    expect(Math.abs((top.reconstructed as number) - 25)).toBeGreaterThan(5);
    expect(top.share).toBeGreaterThan(0.5);
    expect(anomaly!.contributions).toHaveLength(3);
    const fe = readFeatureErrors(store, scoreId, 7, 8);
    expect(top.error).toBe(fe.values[3]);
    const mean = getModel(store, modelId).featureErrorMean![3]!;
    expect(top.normalizedError).toBeCloseTo(top.error / mean, 4);

    const all = await explainRows(store, scoreId, [42], 6);
    const shares = all[0]!.contributions.map((c) => c.share);
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(normal!.contributions.map((c) => c.column)).toEqual(all[0]!.contributions.slice(0, 3).map((c) => c.column));
    const shop = all[0]!.contributions.find((c) => c.column === 'shop')!;
    expect(['a', 'b', 'c', OTHER_CATEGORY]).toContain(shop.reconstructed);
    expect(shop.deviation).toBeNull();
  });

  it('says how far above or below expected a numeric value is, in the column\'s fitted scale', async () => {
    const { scoreId } = await scoreDataset(store, { modelId });
    const [anomaly] = await explainRows(store, scoreId, [7], 6);
    const x3 = anomaly!.contributions.find((c) => c.column === 'x3')!;
    const f = getModel(store, modelId).preprocessing.features.find((c) => c.name === 'x3')!;
    expect(f.kind === 'numeric' && !f.log1p).toBe(true);
    const scale = f.kind === 'numeric' ? f.scale : NaN;
    // 25 is far above what the model expected: a positive deviation, (actual − expected) in standard deviations.
    expect(x3.deviation).toBeGreaterThan(3);
    expect(x3.deviation!).toBeCloseTo(((x3.actual as number) - (x3.reconstructed as number)) / scale, 3);
  });

  it('finds a row by its id, or by #N, with its rank and its place under a filter', async () => {
    const { scoreId } = await scoreDataset(store, { modelId });
    const views = new ScoreViews(() => store);
    const order = readRankWindow(store, scoreId, 0, 400).rows;
    const rank7 = order.indexOf(7) + 1;
    expect(views.findRow(scoreId, '7')).toEqual({ row: 7, id: '7', rank: rank7, position: rank7 - 1 });
    // "#8" is no id of this dataset: the 8th row, whose id is "7".
    expect(views.findRow(scoreId, '#8')).toMatchObject({ row: 7, id: '7', rank: rank7 });
    expect(views.findRow(scoreId, 'nope')).toBeNull();
    expect(views.findRow(scoreId, '#401')).toBeNull();
    // No row has a verdict yet: under a verdict filter the row has no place.
    expect(views.findRow(scoreId, '7', { verdict: 'anomaly' })).toMatchObject({ row: 7, position: null });
    expect(views.findRow(scoreId, '7', { unreviewed: true })).toMatchObject({ row: 7, position: rank7 - 1 });
  });

  it('rejects rows outside the score', async () => {
    const { scoreId } = await scoreDataset(store, { modelId });
    await expect(explainRows(store, scoreId, [400])).rejects.toThrow(/Row 400 is not a row/);
  });
});
