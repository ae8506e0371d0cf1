import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { featureColumns, matchColumns, windowRows } from '../../../src-main/core/engine/columns';
import { fitPreprocessing } from '../../../src-main/core/engine/preprocess';
import { Prng } from '../../../src-main/core/engine/prng';
import { fromBitmaps, makeSplit, readLabels, rowsOf, toBitmap } from '../../../src-main/core/engine/split';
import { SPLIT_EXCLUDED, SPLIT_TRAIN, SPLIT_VALIDATION } from '../../../src-main/core/engine/types';
import { ProjectStore } from '../../../src-main/core/store';
import { makeDataset } from '../../helpers/dataset';
import { tmpDir } from '../../helpers/tmp';

const dir = tmpDir();

describe('Prng', () => {
  it('repeats for a seed, differs across seeds, and draws in range', () => {
    const a = new Prng(0);
    const b = new Prng(0);
    const seq = Array.from({ length: 5 }, () => a.nextU32());
    expect(Array.from({ length: 5 }, () => b.nextU32())).toEqual(seq);
    expect(new Prng(1).nextU32()).not.toBe(seq[0]);
    const r = new Prng(42);
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < 20_000; i++) {
      const u = r.next();
      expect(u >= 0 && u < 1).toBe(true);
      const z = r.normal();
      sum += z;
      sumSq += z * z;
    }
    expect(Math.abs(sum / 20_000)).toBeLessThan(0.03);
    expect(Math.abs(sumSq / 20_000 - 1)).toBeLessThan(0.05);
  });

  it('shuffles into a permutation', () => {
    const arr = Int32Array.from({ length: 100 }, (_, i) => i);
    new Prng(3).shuffle(arr);
    expect([...arr].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(arr)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});

describe('makeSplit', () => {
  it('holds out floor(fraction × candidates) at random, the same for the same seed', () => {
    const a = makeSplit(103, { kind: 'random', validation: 0.2, trainOn: 'all' }, new Prng(5));
    const b = makeSplit(103, { kind: 'random', validation: 0.2, trainOn: 'all' }, new Prng(5));
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(rowsOf(a, SPLIT_VALIDATION)).toHaveLength(20);
    expect(rowsOf(a, SPLIT_TRAIN)).toHaveLength(83);
    expect(Array.from(makeSplit(10, { kind: 'random', validation: 0, trainOn: 'all' }, new Prng(1)))).toEqual(new Array(10).fill(SPLIT_TRAIN));
  });

  it("'normal' excludes rows labelled anomalous but keeps unknown labels", () => {
    const labels = Float64Array.from([1, 0, -1, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
    const part = makeSplit(12, { kind: 'random', validation: 0.25, trainOn: 'normal', labels }, new Prng(2));
    expect(Array.from(rowsOf(part, SPLIT_EXCLUDED))).toEqual([0, 4]);
    expect(rowsOf(part, SPLIT_VALIDATION)).toHaveLength(2);
  });

  it("'time' validates on the latest timestamps; missing times count as earliest", () => {
    const t = Float64Array.from([50, NaN, 10, 40, 30, 20, 60, 70, 0, 5]);
    const part = makeSplit(10, { kind: 'time', validation: 0.3, trainOn: 'all', timestamps: t }, new Prng(0));
    expect(Array.from(rowsOf(part, SPLIT_VALIDATION))).toEqual([0, 6, 7]);
  });

  it('stores parts as bitmaps that decode back', () => {
    const part = makeSplit(1001, { kind: 'random', validation: 0.3, trainOn: 'normal', labels: Float64Array.from({ length: 1001 }, (_, i) => (i % 17 ? 0 : 1)) }, new Prng(9));
    const train = toBitmap(part, SPLIT_TRAIN);
    expect(train.byteLength).toBe(126);
    expect(Array.from(fromBitmaps(1001, train, toBitmap(part, SPLIT_VALIDATION)))).toEqual(Array.from(part));
  });
});

describe('dataset columns', () => {
  it('reads labels (text or numbers) as 1/0/-1 against the positive value', () => {
    const store = ProjectStore.open(path.join(dir, 'labels.residual'), { create: true });
    const a = makeDataset(store, 'a', [{ name: 'x', role: 'numeric', values: [1, 2, 3] }, { name: 'y', role: 'label', values: ['bad', null, 'ok'], positiveValue: 'bad' }]);
    expect(Array.from(readLabels(store, a)!)).toEqual([1, -1, 0]);
    const b = makeDataset(store, 'b', [{ name: 'x', role: 'numeric', values: [1, 2, 3] }, { name: 'y', role: 'label', values: [6, NaN, 2], positiveValue: '6' }]);
    expect(Array.from(readLabels(store, b)!)).toEqual([1, -1, 0]);
    const c = makeDataset(store, 'c', [{ name: 'x', role: 'numeric', values: [1, 2, 3] }]);
    expect(readLabels(store, c)).toBeNull();
    store.close();
  });

  it('uses numeric and categorical columns only, and needs at least one', () => {
    const store = ProjectStore.open(path.join(dir, 'features.residual'), { create: true });
    const ds = makeDataset(store, 'd', [
      { name: 'id', role: 'id', values: [1, 2] },
      { name: 'n', role: 'numeric', values: [1, 2] },
      { name: 'when', role: 'timestamp', values: [0, 1] },
      { name: 'c', role: 'categorical', values: ['a', 'b'] },
      { name: 'y', role: 'label', values: ['p', 'q'], positiveValue: 'p' },
      { name: 'skip', role: 'ignored', values: [0, 0] },
    ]);
    expect(featureColumns(ds).map((f) => `${f.name}:${f.kind}`)).toEqual(['n:numeric', 'c:categorical']);
    const none = makeDataset(store, 'none', [{ name: 'id', role: 'id', values: [1, 2] }]);
    expect(() => featureColumns(none)).toThrow(/no numeric or categorical column/);
    store.close();
  });

  it('refuses a text column where the model expects numbers', () => {
    const store = ProjectStore.open(path.join(dir, 'match.residual'), { create: true });
    const ds = makeDataset(store, 'd', [{ name: 'n', role: 'categorical', values: ['1', 'x'] }]);
    const pp = fitPreprocessing([{ name: 'n', kind: 'numeric', values: Float64Array.from([1, 2]) }], { scaler: 'standard', log1p: 'none', maxCategories: 20, missingIndicators: true });
    expect(() => matchColumns(ds, pp)).toThrow(/"n" of "d" holds text, but the model uses it as a number/);
    store.close();
  });

  it('streams windows that span whole stored chunks when memory allows', () => {
    expect(windowRows({ rowCount: 1_000_000, chunkRows: 65_536 }, 30, 30)).toBe(65_536 * 5);
    expect(windowRows({ rowCount: 1_000, chunkRows: 65_536 }, 30, 30)).toBe(1_000);
    // 784 columns: a chunk does not fit, so at least one forward batch of rows.
    expect(windowRows({ rowCount: 1_000_000, chunkRows: 65_536 }, 784, 784)).toBe(Math.floor((128 * 1024 * 1024) / (8 * 784 + 4 * 784 + 1)));
    expect(windowRows({ rowCount: 1_000_000, chunkRows: 3_000 }, 2_000, 2_000)).toBe(6_000);
  });
});
