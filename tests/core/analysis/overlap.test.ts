import { describe, expect, it } from 'vitest';
import { topKOverlap } from '../../../src-main/core/analysis';

describe('topKOverlap', () => {
  it('counts the rows two rankings share in their top k, with overlap and Jaccard per pair', () => {
    // Tops of three rankings of the same rows; only the first k = 4 entries count.
    const a = [0, 1, 2, 3, 9];
    const b = [3, 2, 8, 7, 0];
    const c = [4, 5, 6, 7, 1];
    const m = topKOverlap([a, b, c], 4);
    // a∩b = {2, 3}; a∩c = {}; b∩c = {7}.
    expect(m.shared).toEqual([4, 2, 0, 2, 4, 1, 0, 1, 4]);
    expect(m.overlap).toEqual([1, 0.5, 0, 0.5, 1, 0.25, 0, 0.25, 1]);
    // Jaccard: 2 / (8 − 2) and 1 / (8 − 1).
    expect(m.jaccard[1]).toBeCloseTo(1 / 3, 12);
    expect(m.jaccard[5]).toBeCloseTo(1 / 7, 12);
    expect(m.jaccard[0]).toBe(1);
    expect(m.jaccard[2]).toBe(0);
  });

  it('is symmetric and order-free within the top k', () => {
    const m = topKOverlap([Int32Array.from([5, 4, 3]), Int32Array.from([3, 4, 5])], 3);
    expect(m.overlap).toEqual([1, 1, 1, 1]);
  });

  it('refuses a k the lists cannot give', () => {
    expect(() => topKOverlap([[1, 2], [2, 1]], 3)).toThrow(/fewer than k = 3/);
    expect(() => topKOverlap([[1, 2], [2, 1]], 0)).toThrow(/at least 1/);
  });
});
