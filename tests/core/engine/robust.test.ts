/**
 * Robust training (trim: the worst-reconstructed training rows left out of each later epoch) and input clipping
 * (clip: scaled values bounded), on hand-made cases.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, readRowErrors, scoreDataset, trainModel } from '../../../src-main/core/engine';
import { fitPreprocessing, transform } from '../../../src-main/core/engine/preprocess';
import { kthLargest } from '../../../src-main/core/engine/train';
import type { TrainProgress, TrainSettings } from '../../../src-main/core/engine';
import { ProjectStore } from '../../../src-main/core/store';
import { makeDataset } from '../../helpers/dataset';
import { tmpDir } from '../../helpers/tmp';
import { manifoldColumns } from './helpers';

const dir = tmpDir();
let n = 0;
const project = (): ProjectStore => ProjectStore.open(path.join(dir, `p${n++}.residual`), { create: true });

beforeAll(async () => {
  await initBackend('wasm');
});

describe('kthLargest', () => {
  it('picks the k-th largest value, ties included', () => {
    const xs = Float32Array.from([5, 1, 9, 3, 9, 7, 2]);
    expect([1, 2, 3, 4, 5, 6, 7].map((k) => kthLargest(xs, k))).toEqual([9, 9, 7, 5, 3, 2, 1]);
    expect(kthLargest(Float32Array.from([4, 4, 4, 4]), 2)).toBe(4);
    // A large shuffled case against a sort.
    const big = Float32Array.from({ length: 10_001 }, (_, i) => ((i * 7919) % 10_007) / 3);
    const sorted = Array.from(big).sort((a, b) => b - a);
    for (const k of [1, 2, 100, 5_000, 10_001]) expect(kthLargest(big, k)).toBe(sorted[k - 1]);
  });
});

describe('robust training (trim)', () => {
  const base: Partial<TrainSettings> = { kind: 'ae', scaler: 'standard', layers: [4, 2], epochs: 30, batchSize: 32, validation: 0, patience: 0, seed: 5, clip: 0 };

  it('leaves the worst-reconstructed fraction out of every epoch after the first', async () => {
    const store = project();
    makeDataset(store, 'd', manifoldColumns(400, 8, 2, 20));
    const seen: TrainProgress[] = [];
    await trainModel(store, { dataset: 'd', settings: { ...base, epochs: 4, trim: 0.1 } }, { onProgress: (p) => seen.push(p) });
    expect(seen.map((p) => p.trainedRows)).toEqual([400, 360, 360, 360]);
    const plain: TrainProgress[] = [];
    await trainModel(store, { dataset: 'd', settings: { ...base, epochs: 2, trim: 0 } }, { onProgress: (p) => plain.push(p) });
    expect(plain.map((p) => p.trainedRows)).toEqual([400, 400]);
  });

  it('keeps the contaminating rows from being learned: they stand out more than without it', async () => {
    // 10 % of the rows lie off the manifold: trained on all of them, the network learns them too.
    const ratio = async (trim: number): Promise<number> => {
      const store = project();
      makeDataset(store, 'd', manifoldColumns(500, 8, 4, 50));
      const { modelId } = await trainModel(store, { dataset: 'd', settings: { ...base, trim } });
      const { scoreId } = await scoreDataset(store, { modelId, dataset: 'd' });
      const errors = readRowErrors(store, scoreId);
      const mean = (from: number, to: number): number => errors.subarray(from, to).reduce((a, b) => a + b, 0) / (to - from);
      return mean(0, 50) / mean(50, 500);
    };
    const without = await ratio(0);
    const withTrim = await ratio(0.1);
    expect(withTrim).toBeGreaterThan(without);
  });

  it('is repeatable: the same seed gives the same model', async () => {
    const store = project();
    makeDataset(store, 'd', manifoldColumns(300, 6, 3, 15));
    const a = await trainModel(store, { dataset: 'd', settings: { ...base, epochs: 5, trim: 0.05 } });
    const b = await trainModel(store, { dataset: 'd', settings: { ...base, epochs: 5, trim: 0.05 } });
    expect(a.bestValLoss).toBe(b.bestValLoss);
  });
});

describe('input clipping (clip)', () => {
  it('bounds scaled numeric values to ±clip and leaves the rest as they were', () => {
    const values = Float64Array.from([0, 1, 2, 3, 4, 1000]);
    const pp = fitPreprocessing([{ name: 'x', kind: 'numeric', values }], { scaler: 'robust', log1p: 'none', maxCategories: 20, missingIndicators: false, clip: 3 });
    expect(pp.clip).toBe(3);
    const x = transform(pp, [values], values.length);
    // robust: centre = median 2.5, scale = IQR (3.75 − 1.25 = 2.5)
    expect(Array.from(x)).toEqual([-1, -0.6, -0.2, 0.2, 0.6, 3].map((v) => Math.fround(v)));
    const off = fitPreprocessing([{ name: 'x', kind: 'numeric', values }], { scaler: 'robust', log1p: 'none', maxCategories: 20, missingIndicators: false });
    expect(off.clip).toBeUndefined();
    expect(transform(off, [values], values.length)[5]).toBeCloseTo(399, 4);
  });
});
