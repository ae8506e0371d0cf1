import { describe, expect, it } from 'vitest';
import { featureErrorProfile, normalizeFeatureErrors, topContributors } from '../../../src-main/core/analysis';
import { ResidualError } from '../../../src-main/core/errors';

// 3 rows × 3 features (a, b, c), row-major:
//   row 0: 1  2  3
//   row 1: 4  0  2
//   row 2: 10 10 10
const errors = new Float32Array([1, 2, 3, 4, 0, 2, 10, 10, 10]);
const names = ['a', 'b', 'c'];

describe('featureErrorProfile', () => {
  it('averages each feature over the flagged rows, sorted descending, ties by feature order', () => {
    // rows 0 and 1: a = (1 + 4)/2 = 2.5, b = (2 + 0)/2 = 1, c = (3 + 2)/2 = 2.5; total 6
    // a and c tie at 2.5 → a (index 0) first
    expect(featureErrorProfile(errors, 3, [0, 1], names)).toEqual([
      { feature: 'a', index: 0, meanError: 2.5, share: 2.5 / 6 },
      { feature: 'c', index: 2, meanError: 2.5, share: 2.5 / 6 },
      { feature: 'b', index: 1, meanError: 1, share: 1 / 6 },
    ]);
  });

  it('skips NaN entries per feature and returns [] without flagged rows', () => {
    const withNaN = new Float32Array([1, 2, 3, 4, NaN, 2]);
    // b = 2 (row 0 only); a = 2.5, c = 2.5 → order a, c, b; total 7
    const r = featureErrorProfile(withNaN, 3, new Uint32Array([0, 1]), names);
    expect(r.map((x) => [x.feature, x.meanError])).toEqual([['a', 2.5], ['c', 2.5], ['b', 2]]);
    expect(r[2]?.share).toBeCloseTo(2 / 7, 15);
    const allNaN = featureErrorProfile(new Float32Array([NaN, 1]), 2, [0], ['x', 'y']);
    expect(allNaN.map((x) => x.feature)).toEqual(['y', 'x']);
    expect(allNaN[1]?.meanError).toBeNaN();
    expect(allNaN[0]?.share).toBe(1);
    expect(featureErrorProfile(errors, 3, [], names)).toEqual([]);
  });

  it('validates its inputs', () => {
    expect(() => featureErrorProfile(errors, 3, [3], names)).toThrow(/Flagged row 3 is not a row of the 3-row error matrix/);
    expect(() => featureErrorProfile(errors, 4, [0], ['a', 'b', 'c', 'd'])).toThrow(/not a multiple of 4 features/);
    expect(() => featureErrorProfile(errors, 3, [0], ['a', 'b'])).toThrow(/Got 2 feature names for 3 features/);
    expect(() => featureErrorProfile(errors, 0, [0], [])).toThrow(ResidualError);
  });
});

describe('normalizeFeatureErrors', () => {
  it('divides by each feature’s mean training error, flooring zeros', () => {
    // 2 rows × 3 features; train means [2, 0, 3] → total 5, floor = 1e-6 · 5 / 3 ≈ 1.6667e-6
    // row 0: 2/2 = 1, 4/1.6667e-6 = 2.4e6, 0/3 = 0 ; row 1: 6/2 = 3, 1/1.6667e-6 = 6e5, 3/3 = 1
    const out = normalizeFeatureErrors(new Float32Array([2, 4, 0, 6, 1, 3]), 3, [2, 0, 3]);
    expect(out).toBeInstanceOf(Float32Array);
    expect(out[0]).toBe(1);
    expect(out[1]).toBeCloseTo(2.4e6, -1);
    expect(out[2]).toBe(0);
    expect(out[3]).toBe(3);
    expect(out[4]).toBeCloseTo(6e5, -1);
    expect(out[5]).toBe(1);
  });

  it('returns the errors unchanged when every training mean is 0, and validates', () => {
    expect(Array.from(normalizeFeatureErrors([0.5, 2], 2, [0, 0]))).toEqual([0.5, 2]);
    expect(() => normalizeFeatureErrors([1, 2], 2, [1])).toThrow(/Got 1 mean training errors for 2 features/);
    expect(() => normalizeFeatureErrors([1, 2], 2, [1, -1])).toThrow(/feature 1 is -1/);
    expect(() => normalizeFeatureErrors([1, 2], 2, [1, NaN])).toThrow(/feature 1 is NaN/);
  });
});

describe('topContributors', () => {
  it('lists the n largest errors of a row with their share of the row total', () => {
    // errors 0.5, 3, 1, 3, NaN → total 7.5 (NaN skipped); b and d tie at 3 → b first
    const r = topContributors([0.5, 3, 1, 3, NaN], ['a', 'b', 'c', 'd', 'e']);
    expect(r).toEqual([
      { feature: 'b', index: 1, error: 3, share: 0.4 },
      { feature: 'd', index: 3, error: 3, share: 0.4 },
      { feature: 'c', index: 2, error: 1, share: 1 / 7.5 },
    ]);
    expect(topContributors([0.5, 3, 1, 3, NaN], ['a', 'b', 'c', 'd', 'e'], 10)).toHaveLength(4);
    expect(topContributors([0, 0], ['a', 'b'], 1)).toEqual([{ feature: 'a', index: 0, error: 0, share: 0 }]);
    expect(() => topContributors([1], ['a'], 0)).toThrow(/n must be a whole number ≥ 1/);
    expect(() => topContributors([1, 2], ['a'])).toThrow(/Got 1 feature names for 2 features/);
  });

  it('signed attributions (one-class kinds): shares of the positive total, a column that lowers the score negative', () => {
    // 3, −1, 1 → positive total 4 (not 3): shares 0.75, 0.25, −0.25.
    expect(topContributors([3, -1, 1], ['a', 'b', 'c'], 3)).toEqual([
      { feature: 'a', index: 0, error: 3, share: 0.75 },
      { feature: 'c', index: 2, error: 1, share: 0.25 },
      { feature: 'b', index: 1, error: -1, share: -0.25 },
    ]);
    // A row the median row outscores (every attribution negative): no positive total, shares 0.
    expect(topContributors([-2, -1], ['a', 'b'], 1)).toEqual([{ feature: 'b', index: 1, error: -1, share: 0 }]);
    // The profile likewise: means 2 and −1 over two rows → shares 1 and −0.5.
    expect(featureErrorProfile([3, -1, 1, -1], 2, [0, 1], ['a', 'b']).map((p) => [p.feature, p.meanError, p.share])).toEqual([['a', 2, 1], ['b', -1, -0.5]]);
  });
});
