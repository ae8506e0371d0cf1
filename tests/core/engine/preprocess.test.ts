import { describe, expect, it } from 'vitest';
import {
  dimOwners,
  fitPreprocessing,
  inverseFeature,
  loggedWarning,
  MISSING_CATEGORY,
  OTHER_CATEGORY,
  skewness,
  transform,
  unscaleValue,
  type FitColumn,
  type FitOptions,
} from '../../../src-main/core/engine/preprocess';
import type { CategoricalFeature, NumericFeature } from '../../../src-main/core/engine/types';

const base: FitOptions = { scaler: 'standard', log1p: 'none', maxCategories: 20, missingIndicators: true };
const num = (name: string, values: number[]): FitColumn => ({ name, kind: 'numeric', values: Float64Array.from(values) });
const cat = (name: string, values: (string | null)[]): FitColumn => ({ name, kind: 'categorical', values });

function numericFeature(values: number[], opts: Partial<FitOptions> = {}): NumericFeature {
  return fitPreprocessing([num('x', values)], { ...base, ...opts }).features[0] as NumericFeature;
}

/** Transforms one numeric column and returns its value dim. */
function scaled(values: number[], fitValues: number[], opts: Partial<FitOptions> = {}): number[] {
  const pp = fitPreprocessing([num('x', fitValues)], { ...base, ...opts });
  const x = transform(pp, [Float64Array.from(values)], values.length);
  return Array.from({ length: values.length }, (_, r) => x[r * pp.inputDims]!);
}

describe('numeric scalers', () => {
  it('standard: mean and population std of the training values, and back', () => {
    const f = numericFeature([1, 2, 3, 4]);
    expect(f.center).toBe(2.5);
    expect(f.scale).toBeCloseTo(Math.sqrt(1.25), 12);
    const y = scaled([1, 4, 10], [1, 2, 3, 4]);
    expect(y[0]).toBeCloseTo(-1.5 / Math.sqrt(1.25), 6);
    expect(y[2]).toBeCloseTo(7.5 / Math.sqrt(1.25), 4);
    for (const v of [1, 4, 10, -3.25]) expect(unscaleValue(f, (v - f.center) / f.scale)).toBeCloseTo(v, 12);
  });

  it('min-max: maps the training range to [0, 1], and back', () => {
    const f = numericFeature([2, 4, 10], { scaler: 'minmax' });
    expect([f.center, f.scale]).toEqual([2, 8]);
    expect(scaled([2, 4, 10, 18], [2, 4, 10], { scaler: 'minmax' })).toEqual([0, 0.25, 1, 2]);
    expect(unscaleValue(f, 0.25)).toBe(4);
  });

  it('robust: median and IQR; falls back to the std when the IQR is 0', () => {
    const f = numericFeature([1, 2, 3, 4, 100], { scaler: 'robust' });
    expect([f.center, f.scale]).toEqual([3, 2]);
    expect(scaled([100], [1, 2, 3, 4, 100], { scaler: 'robust' })).toEqual([48.5]);
    const flat = numericFeature([0, 0, 0, 0, 5], { scaler: 'robust' });
    // mean 1, population std √((4·1 + 16)/5) = 2
    expect([flat.center, flat.scale]).toEqual([0, 2]);
    expect(unscaleValue(f, 48.5)).toBe(100);
  });

  it('reads a float32 model value back in data units to the precision it carries: a median of 0 is 0, not 2e-10', () => {
    // ionosphere-like: mostly positive, median 0 (a one-class model's baseline row holds it as float32 model units).
    const f = numericFeature([-0.3, 0, 0, 0.4, 0.9, 1]);
    const y = Math.fround((0 - f.center) / f.scale);
    expect(unscaleValue(f, y)).not.toBe(0);
    expect(inverseFeature(f, Float32Array.of(y))).toBe(0);
    // A value away from 0: 7 significant digits of the column's scale, printed without float noise.
    const v = 0.3456789123;
    expect(inverseFeature(f, Float32Array.of(Math.fround((v - f.center) / f.scale)))).toBe(0.3456789);
    // log1p columns round on the log scale: log1p(0) = 0 reads back as 0.
    const g = numericFeature([0, 0, 0, 10, 1000], { log1p: ['x'] });
    expect(g.log1p).toBe(true);
    expect(inverseFeature(g, Float32Array.of(Math.fround((0 - g.center) / g.scale)))).toBe(0);
  });

  it('a constant column scales to 0 instead of dividing by zero', () => {
    for (const scaler of ['standard', 'minmax', 'robust'] as const) {
      expect(scaled([7, 7], [7, 7, 7], { scaler })).toEqual([0, 0]);
    }
  });
});

describe('log1p', () => {
  it('transforms before scaling and inverts to data units', () => {
    const values = [0, Math.E - 1, Math.E ** 2 - 1];
    const f = numericFeature(values, { scaler: 'minmax', log1p: ['x'] });
    expect(f.log1p).toBe(true);
    expect(f.center).toBe(0);
    expect(f.scale).toBeCloseTo(2, 12);
    const y = scaled(values, values, { scaler: 'minmax', log1p: ['x'] });
    expect(y[1]).toBeCloseTo(0.5, 6);
    expect(y[2]).toBeCloseTo(1, 6);
    for (const v of values) expect(unscaleValue(f, (Math.log1p(v) - f.center) / f.scale)).toBeCloseTo(v, 9);
    // Negative values met later stay finite (signed log1p) and invert too.
    expect(unscaleValue(f, (-Math.log1p(3) - f.center) / f.scale)).toBeCloseTo(-3, 9);
  });

  it("'auto' picks non-negative columns with skewness > 2 only", () => {
    const heavy = [...new Array<number>(19).fill(0), 100];
    expect(skewness(heavy)).toBeGreaterThan(2);
    const negHeavy = heavy.map((v) => v - 1);
    const pp = fitPreprocessing([num('heavy', heavy), num('neg', negHeavy), num('flat', [1, 2, 3, 4])], { ...base, log1p: 'auto' });
    expect(pp.features.map((f) => (f as NumericFeature).log1p)).toEqual([true, false, false]);
  });

  it('names the logged columns in the warning, a dozen at most', () => {
    const heavy = [...new Array<number>(19).fill(0), 100];
    expect(loggedWarning(fitPreprocessing([num('a', [1, 2, 3])], { ...base, log1p: 'auto' }))).toBeNull();
    expect(loggedWarning(fitPreprocessing([num('h', heavy), num('a', [1, 2, 3])], { ...base, log1p: 'auto' }))).toBe('log1p applied to: h.');
    const pixels = Array.from({ length: 30 }, (_, i) => num(`p${i}`, heavy));
    expect(loggedWarning(fitPreprocessing(pixels, { ...base, log1p: 'auto' }))).toBe('log1p applied to 30 columns: p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11 and 18 more.');
  });

  it('rejects log1p names that are not numeric features', () => {
    expect(() => fitPreprocessing([num('a', [1, 2]), cat('c', ['x', 'y'])], { ...base, log1p: ['c', 'zz'] })).toThrow(/"c", "zz".*Numeric features: a/);
  });
});

describe('missing values', () => {
  it('imputes the training median (of observed values) and adds an indicator dim', () => {
    const pp = fitPreprocessing([num('x', [1, NaN, 3, 10])], { ...base, scaler: 'minmax' });
    const f = pp.features[0] as NumericFeature;
    expect(f.fill).toBe(3);
    expect([f.dim, f.indicatorDim, pp.inputDims]).toEqual([0, 1, 2]);
    const x = transform(pp, [Float64Array.from([NaN, 10])], 2);
    // min-max over observed [1, 3, 10]: the fill 3 → 2/9
    expect(Array.from(x)).toEqual([Math.fround(2 / 9), 1, 1, 0]);
    expect(fitPreprocessing([num('x', [1, 2, NaN, 3, 4])], base).features[0]).toMatchObject({ fill: 2.5 });
  });

  it('adds no indicator without training missings, or when indicators are off', () => {
    expect(fitPreprocessing([num('x', [1, 2])], base).inputDims).toBe(1);
    expect(fitPreprocessing([num('x', [1, NaN])], { ...base, missingIndicators: false }).inputDims).toBe(1);
  });
});

describe('one-hot categoricals', () => {
  const values = ['a', 'a', 'a', 'b', 'b', 'c', null];

  it('keeps the most frequent categories and routes the rest, missing and unseen values to "other"', () => {
    const pp = fitPreprocessing([cat('c', values)], { ...base, maxCategories: 2 });
    const f = pp.features[0] as CategoricalFeature;
    expect(f.categories).toEqual(['a', 'b']);
    expect(pp.inputDims).toBe(3);
    const x = transform(pp, [['a', 'b', 'c', null, 'never seen']], 5);
    expect(Array.from(x)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1]);
  });

  it('breaks count ties by value and treats missing as a category when it is frequent enough', () => {
    const pp = fitPreprocessing([cat('c', values)], { ...base, maxCategories: 3 });
    const f = pp.features[0] as CategoricalFeature;
    expect(f.categories).toEqual(['a', 'b', MISSING_CATEGORY]);
    expect(Array.from(transform(pp, [[null]], 1))).toEqual([0, 0, 1, 0]);
  });

  it('inverts to the most likely category (null for missing, OTHER for the other bucket)', () => {
    const pp = fitPreprocessing([cat('c', values)], { ...base, maxCategories: 3 });
    const f = pp.features[0]!;
    expect(inverseFeature(f, [0.1, 0.7, 0.2, 0])).toBe('b');
    expect(inverseFeature(f, [0.1, 0.2, 0.6, 0.1])).toBeNull();
    expect(inverseFeature(f, [0.1, 0.2, 0.1, 0.6])).toBe(OTHER_CATEGORY);
  });

  it('encodes numbers stored in a categorical column by their text', () => {
    const pp = fitPreprocessing([{ name: 'zip', kind: 'categorical', values: Float64Array.from([75001, 75001, 10115, NaN]) }], base);
    expect((pp.features[0] as CategoricalFeature).categories).toEqual(['75001', MISSING_CATEGORY, '10115']);
  });
});

describe('layout', () => {
  it('lays out dims column by column and folds indicator and one-hot dims into their source column', () => {
    const pp = fitPreprocessing([num('n', [1, NaN, 2]), cat('c', ['x', 'y', 'x']), num('m', [1, 2, 3])], base);
    expect(pp.inputDims).toBe(6);
    expect(Array.from(dimOwners(pp))).toEqual([0, 0, 1, 1, 1, 2]);
    expect(pp.features.map((f) => f.dim)).toEqual([0, 2, 5]);
  });
});
