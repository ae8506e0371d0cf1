import { describe, expect, it } from 'vitest';
import { histogram, quantile, summary } from '../../../src-main/core/analysis';

describe('summary', () => {
  it('uses the population standard deviation and skips non-finite values', () => {
    // [1, 2, 3, 4]: mean 2.5, Σ(x − 2.5)² = 5, σ = √(5/4)
    const r = summary([1, NaN, 2, 3, Infinity, 4, -Infinity]);
    expect(r).toEqual({ n: 4, mean: 2.5, std: Math.sqrt(1.25), min: 1, max: 4 });
  });

  it('is exact for Float32 input and stable for large offsets', () => {
    // 1e9 + [0.5, 1.5]: mean 1e9 + 1, σ = 0.5 (a one-pass E[x²] − E[x]² would lose this entirely)
    const r = summary(new Float64Array([1e9 + 0.5, 1e9 + 1.5]));
    expect(r.mean).toBe(1e9 + 1);
    expect(r.std).toBe(0.5);
    expect(summary(new Float32Array([0.25, 0.75])).std).toBe(0.25);
  });

  it('returns NaN statistics for no values', () => {
    expect(summary([])).toEqual({ n: 0, mean: NaN, std: NaN, min: NaN, max: NaN });
    expect(summary([NaN]).n).toBe(0);
  });
});

describe('quantile', () => {
  // numpy 1.24.2: np.quantile([0.1, 0.7, 0.2, 1.3, 0.05, 2.2, 0.33], q)
  // sorted 0.05 0.1 0.2 0.33 0.7 1.3 2.2; h = 6q
  const ys = [0.1, 0.7, 0.2, 1.3, 0.05, 2.2, 0.33];
  it.each([
    [0, 0.05],
    [0.25, 0.15000000000000002], // h = 1.5 → 0.1 + (0.2 − 0.1)·0.5, computed from the upper side by numpy
    [0.5, 0.33], // h = 3 → x[3]
    [0.9, 1.6600000000000004], // h = 5.4 → 1.3 + 0.9·0.4
    [0.99, 2.146], // h = 5.94 → 2.2 − 0.9·0.06
    [1, 2.2],
  ])('q = %f matches numpy (%f)', (q, expected) => {
    expect(quantile(ys, q)).toBe(expected);
  });

  it('interpolates from the upper neighbour when the fraction is ≥ ½, like numpy', () => {
    // numpy 1.24.2: np.percentile([1.59, 2.88], 95) = 2.8154999999999997 (= 2.88 − 1.29·0.05);
    // the naive 1.59 + 1.29·0.95 gives 2.8155. np.quantile([0.19, 0.94, 1.35, 2.74], 0.95) = 2.5315
    // (naive: 2.5314999999999994).
    expect(quantile([1.59, 2.88], 0.95)).toBe(2.8154999999999997);
    expect(quantile([2.74, 0.19, 1.35, 0.94], 0.95)).toBe(2.5315);
  });

  it('finds the same order statistics as a sort (selection), with ties, sorted, reversed and constant input', () => {
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const bySort = (xs: number[], q: number): number => {
      const v = Float64Array.from(xs.filter(Number.isFinite)).sort();
      const h = (v.length - 1) * q;
      const lo = Math.floor(h);
      if (lo >= v.length - 1) return v[v.length - 1]!;
      const [a, b, t] = [v[lo]!, v[lo + 1]!, h - lo];
      return t >= 0.5 ? b - (b - a) * (1 - t) : a + (b - a) * t;
    };
    const inputs: number[][] = [
      Array.from({ length: 10_001 }, () => rnd()),
      Array.from({ length: 5_000 }, () => Math.floor(rnd() * 4)), // many ties
      Array.from({ length: 3_000 }, (_, i) => i), // sorted
      Array.from({ length: 3_000 }, (_, i) => -i), // reversed
      Array.from({ length: 2_000 }, () => 5), // constant
      Array.from({ length: 7 }, () => rnd() - 0.5),
      [3],
    ];
    for (const xs of inputs) {
      for (const q of [0, 0.001, 0.25, 0.5, 0.75, 0.9, 0.999, 1, rnd()]) expect(quantile(xs, q)).toBe(bySort(xs, q));
    }
  });

  it('skips NaN, returns NaN when empty, rejects q outside [0, 1]', () => {
    expect(quantile([NaN, 3, 1, 2], 0.5)).toBe(2);
    expect(quantile([], 0.5)).toBeNaN();
    expect(() => quantile([1], 99)).toThrow(/divide it by 100/);
    expect(() => quantile([1], -0.1)).toThrow(/between 0 and 1/);
  });
});

describe('histogram', () => {
  it('matches numpy.histogram on equal-width bins', () => {
    // np.histogram([0.1, 0.7, 0.2, 1.3, 0.05, 2.2, 0.33, 0.7, 1.0], bins=4)
    //   → counts [4, 3, 1, 1], edges [0.05, 0.5875000000000001, 1.1250000000000002, 1.6625000000000003, 2.2]
    //   (step = (2.2 − 0.05)/4 = 2.1500000000000004/4; edge i = i·step + 0.05, last edge set to 2.2)
    const h = histogram([0.1, 0.7, 0.2, 1.3, 0.05, 2.2, 0.33, 0.7, 1.0], 4);
    expect(h.counts).toEqual([4, 3, 1, 1]);
    expect(h.edges).toEqual([0.05, 0.5875000000000001, 1.1250000000000002, 1.6625000000000003, 2.2]);
    expect(h.excluded).toBe(0);
    // np.histogram(range(1, 11), bins=3) → [3, 3, 4] with edges [1, 4, 7, 10] (max closes the last bin)
    expect(histogram([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 3)).toEqual({ counts: [3, 3, 4], edges: [1, 4, 7, 10], excluded: 0 });
  });

  it('follows the floating-point edges exactly like numpy', () => {
    // np.histogram([0.1, 0.2, …, 1.0], bins=9): edges [0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6,
    //   0.7000000000000001, 0.8, 0.9, 1.0] → counts [1, 2, 0, 1, 1, 2, 0, 1, 2] (0.3 < 0.30000000000000004, 0.7 < 0.70…01)
    const h = histogram([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0], 9);
    expect(h.edges).toEqual([0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6, 0.7000000000000001, 0.8, 0.9, 1.0]);
    expect(h.counts).toEqual([1, 2, 0, 1, 1, 2, 0, 1, 2]);
  });

  it('corrects bin indices that the arithmetic gets wrong next to an edge', () => {
    // np.histogram([0.9, 0.8, 1.0, 1.6], bins=4): edges [0.8, 1.0, 1.2000000000000002, 1.4000000000000001, 1.6]
    // → counts [2, 1, 0, 1]; (0.9 − 0.8)·(4/0.8) = 0.4999… is fine, but (1.0 − 0.8)·5 = 0.9999999999999998
    // would put 1.0 in bin 0 although 1.0 >= edge 1.
    expect(histogram([0.9, 0.8, 1.0, 1.6], 4).counts).toEqual([2, 1, 0, 1]);
    // np.histogram([0.2, 1.3, 0.9, 2.0, 1.4, 1.7, 1.4, 1.1, 1.8], bins=6) → [1, 0, 1, 2, 2, 3]
    // ((1.4 − 0.2)·(6/1.8) = 3.9999999999999996 would put 1.4 in bin 3, but 1.4 is edge 4, so it belongs to bin 4)
    expect(histogram([0.2, 1.3, 0.9, 2.0, 1.4, 1.7, 1.4, 1.1, 1.8], 6).counts).toEqual([1, 0, 1, 2, 2, 3]);
  });

  it('widens a constant sample by ±0.5 and defaults to [0, 1] without data', () => {
    // np.histogram([5, 5, 5], bins=2) → counts [0, 3], edges [4.5, 5, 5.5]
    expect(histogram([5, 5, 5, NaN], 2)).toEqual({ counts: [0, 3], edges: [4.5, 5, 5.5], excluded: 1 });
    expect(histogram([], 2)).toEqual({ counts: [0, 0], edges: [0, 0.5, 1], excluded: 0 });
  });

  it('log-spaced bins for positive data exclude values <= 0', () => {
    // range [0.01, 100], 4 bins → edges ≈ 0.01, 0.1, 1, 10, 100 (factor 10 each)
    // [0.01, 0.1): 0.01 0.05 0.02 | [0.1, 1): 0.2 0.5 | [1, 10): 2 5 | [10, 100]: 20 100 ; excluded: −1, 0, NaN
    const h = histogram([0.01, 0.05, 0.2, 0.5, 2, 5, 20, 100, 0.02, -1, 0, NaN], 4, { log: true });
    expect(h.counts).toEqual([3, 2, 2, 2]);
    expect(h.excluded).toBe(3);
    expect(h.edges[0]).toBe(0.01);
    expect(h.edges[4]).toBe(100);
    expect(h.edges[1]).toBeCloseTo(0.1, 12);
    expect(h.edges[2]).toBeCloseTo(1, 12);
    expect(h.edges[3]).toBeCloseTo(10, 12);
    // a constant positive sample v = 4 gets the range [v/2, 2v] = [2, 8]; edge 1 = 2·(8/2)^(1/2) = 4
    expect(histogram([4, 4], 2, { log: true })).toEqual({ counts: [0, 2], edges: [2, 4, 8], excluded: 0 });
  });

  it('every value lands in the bin its edges say (random data, both modes)', () => {
    let x = 12345;
    const xs: number[] = [];
    for (let i = 0; i < 5000; i++) {
      x = (16807 * x) % 2147483647;
      xs.push(((x % 100_000) / 997) ** 2);
    }
    for (const log of [false, true]) {
      const h = histogram(xs, 37, { log });
      const expected = new Array<number>(37).fill(0);
      for (const v of xs) {
        if (log && v <= 0) continue;
        let b = 0;
        while (b < 36 && v >= (h.edges[b + 1] as number)) b++;
        expected[b] = (expected[b] as number) + 1;
      }
      expect(h.counts).toEqual(expected);
    }
  });

  it('validates bins', () => {
    expect(() => histogram([1], 0)).toThrow(/bins must be a whole number ≥ 1/);
  });
});
