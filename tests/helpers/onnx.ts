import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import type { ModelInfo } from '../../src-main/core/engine';
import { matchColumns, readWindow } from '../../src-main/core/engine/columns';
import { toNumbers } from '../../src-main/core/engine/preprocess';
import { Prng } from '../../src-main/core/engine/prng';
import type { ProjectStore } from '../../src-main/core/store';
import type { DatasetInfo } from '../../src-main/core/store/types';
import type { TestColumn } from './dataset';

/**
 * What the ONNX export tests (tests/core/export/onnx*.test.ts) share: the rows' values as the graph takes them, a mixed
 * dataset that exercises every preprocessing step, and the tolerance an exported graph's outputs are held to.
 */

/** The shared datasets (../shared/data; the same files as tests/fixtures), imported with the roles Residual infers. */
export const SHARED_DATASETS = ['glass.csv', 'ionosphere.csv', 'letterrecognition.csv', 'pimaindiansdiabetes.csv', 'vowel.csv', 'wdbc.csv'] as const;

/** The rows' raw values as the graph takes them, read from the project as scoring reads them: numbers (NaN = missing) as float64, text (null → "") as strings. */
export function feedsOf(store: ProjectStore, model: ModelInfo, ds: DatasetInfo): Record<string, ort.Tensor> {
  const cols = matchColumns(ds, model.preprocessing);
  const raw = readWindow(store, ds.id, cols, 0, ds.rowCount);
  const feeds: Record<string, ort.Tensor> = {};
  model.preprocessing.features.forEach((f, i) => {
    const values = raw[i]!;
    feeds[f.name] = f.kind === 'numeric'
      ? new ort.Tensor('float64', toNumbers(values), [ds.rowCount])
      : new ort.Tensor('string', Array.from(values as readonly (string | null)[], (v) => v ?? ''), [ds.rowCount]);
  });
  return feeds;
}

/**
 * `rows` rows of columns a, b (correlated with a, missing in about one row in eight), amount (right-skewed) and shop
 * (categorical with rare and missing values), drawn from Prng(seed); the last rows hold values training never saw.
 */
export function mixedData(rows: number, seed: number): TestColumn[] {
  const rng = new Prng(seed);
  const a: number[] = [];
  const b: number[] = [];
  const amount: number[] = [];
  const shop: (string | null)[] = [];
  const shops = ['grocery', 'fuel', 'online', 'travel', 'pharmacy', 'rare-a', 'rare-b'];
  for (let r = 0; r < rows; r++) {
    const u = rng.normal();
    a.push(u + 0.1 * rng.normal());
    // Missing in about one row in eight: the training median fills it, an indicator dim says so.
    b.push(rng.next() < 0.12 ? NaN : 2 * u + 0.2 * rng.normal() + 100);
    // Heavily right-skewed and non-negative: 'auto' log1p transforms it.
    amount.push(Math.exp(2 * rng.normal() + (r < 10 ? 4 : 0)));
    const p = rng.next();
    shop.push(p < 0.08 ? null : shops[Math.min(shops.length - 1, Math.floor(p * p * shops.length))]!);
  }
  // Values training never saw (an unseen category, an extreme amount) still score: "other" and the clip.
  shop[rows - 1] = 'never-seen';
  amount[rows - 2] = 1e9;
  return [
    { name: 'a', role: 'numeric', values: a },
    { name: 'b', role: 'numeric', values: b },
    { name: 'amount', role: 'numeric', values: amount },
    { name: 'shop', role: 'categorical', values: shop },
  ];
}

/**
 * Fails unless `actual` equals `expected` within 1e-4 relative, with a floor far below the values that matter (a
 * millionth of the largest expected value) for values near 0; `names` name the two sides in the failure message.
 */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, names: readonly [string, string] = ['ONNX', 'app']): void {
  expect(actual.length).toBe(expected.length);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= 1e-4 * Math.abs(e) + 1e-6 * scale)) expect.fail(`${what}[${i}]: ${names[0]} ${a}, ${names[1]} ${e}`);
  }
}

/** The graph's flagged output agrees with the stored scores against the threshold, but for one row at most (rows within float tolerance of the threshold may fall either side). */
export function expectFlagsAgree(flagged: ArrayLike<number>, stored: ArrayLike<number>, threshold: number): void {
  let agree = 0;
  for (let i = 0; i < stored.length; i++) if (Boolean(flagged[i]) === stored[i]! >= threshold) agree++;
  expect(agree).toBeGreaterThanOrEqual(stored.length - 1);
}
