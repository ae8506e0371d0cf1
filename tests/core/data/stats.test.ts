import { describe, expect, it } from 'vitest';
import { sortFloat64 } from '../../../src-main/core/data/sort';
import { numericStats, quantileSorted, textStats, TEXT_DISTINCT_CAP } from '../../../src-main/core/data/stats';

function chunked(values: number[], size: number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let i = 0; i < values.length; i += size) out.push(Float64Array.from(values.slice(i, i + size)));
  return out;
}

describe('sortFloat64', () => {
  it('sorts like the built-in sort, negatives, zeros, extremes and duplicates included', () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const values = new Float64Array(50_000);
    const specials = [0, -0, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, Infinity, -Infinity, 1, -1];
    for (let i = 0; i < values.length; i++) {
      values[i] = i < specials.length ? specials[i]! : rand() < 0.1 ? Math.round(rand() * 5) : (rand() - 0.5) * 10 ** Math.round(rand() * 20 - 10);
    }
    const expected = values.slice().sort();
    const got = sortFloat64(values);
    expect(got.length).toBe(expected.length);
    for (let i = 0; i < got.length; i++) if (!Object.is(got[i], expected[i])) throw new Error(`index ${i}: ${got[i]} vs ${expected[i]}`);
    expect(values[0]).toBe(0); // input untouched
  });
});

describe('numericStats', () => {
  it('matches numpy-style definitions on a small column with missing values', () => {
    const s = numericStats(chunked([4, NaN, 1, 3, 2, 2, NaN, 10], 3), 8, String);
    expect(s).toMatchObject({ count: 6, missing: 2, distinct: 5, distinctCapped: false, min: 1, max: 10 });
    expect(s.mean).toBeCloseTo(22 / 6, 12);
    // sample std: sqrt(sum((x - mean)^2) / (n - 1))
    const mean = 22 / 6;
    const ss = [4, 1, 3, 2, 2, 10].reduce((a, x) => a + (x - mean) ** 2, 0);
    expect(s.std).toBeCloseTo(Math.sqrt(ss / 5), 12);
    // numpy.percentile([1,2,2,3,4,10], [25,50,75]) = [2, 2.5, 3.75]
    expect([s.q1, s.median, s.q3]).toEqual([2, 2.5, 3.75]);
    expect(s.topValues[0]).toEqual({ value: '2', count: 2 });
    expect(s.topValues.map((t) => t.value)).toEqual(['2', '1', '3', '4', '10']);
    expect(s.histogram!.edges[0]).toBe(1);
    expect(s.histogram!.edges.at(-1)).toBe(10);
    expect(s.histogram!.counts.reduce((a, b) => a + b, 0)).toBe(6);
    expect(s.histogram!.counts[0]).toBe(1); // [1, 1.3)
    expect(s.histogram!.counts.at(-1)).toBe(1); // 10 lands in the last bin
  });

  it('handles all-missing, single-value and constant columns', () => {
    expect(numericStats([new Float64Array([NaN, NaN])], 2, String)).toEqual({ count: 0, missing: 2, distinct: 0, distinctCapped: false, topValues: [] });
    const one = numericStats([new Float64Array([7])], 1, String);
    expect(one.std).toBeUndefined();
    expect([one.min, one.median, one.max]).toEqual([7, 7, 7]);
    expect(numericStats([new Float64Array([3, 3, 3])], 3, String).histogram).toEqual({ edges: [3, 3], counts: [3] });
  });

  it('interpolates quantiles linearly between closest ranks', () => {
    const sorted = Float64Array.from([10, 20, 30, 40]);
    expect(quantileSorted(sorted, 0)).toBe(10);
    expect(quantileSorted(sorted, 1 / 3)).toBeCloseTo(20, 12);
    expect(quantileSorted(sorted, 0.5)).toBe(25);
    expect(quantileSorted(sorted, 0.9)).toBeCloseTo(37, 12);
    expect(quantileSorted(sorted, 1)).toBe(40);
  });

  it('counts distinct values exactly on a large column, and keeps a huge range finite', () => {
    const values = Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 30_011);
    const s = numericStats(chunked(values, 4096), values.length, String);
    expect(s.distinct).toBe(30_011);
    expect(s.mean).toBeCloseTo(values.reduce((a, b) => a + b, 0) / values.length, 9);
    const wide = numericStats([Float64Array.from([-Number.MAX_VALUE, 0, Number.MAX_VALUE])], 3, String);
    expect(wide.histogram!.counts.reduce((a, b) => a + b, 0)).toBe(3);
    expect(wide.histogram!.edges.every(Number.isFinite)).toBe(true);
  });
});

describe('textStats', () => {
  it('counts missing, distinct and top values (ties in code-unit order)', () => {
    const s = textStats([['b', 'a', null], ['b', 'c', 'a', 'b']]);
    expect(s).toEqual({
      count: 6,
      missing: 1,
      distinct: 3,
      distinctCapped: false,
      topValues: [
        { value: 'b', count: 3 },
        { value: 'a', count: 2 },
        { value: 'c', count: 1 },
      ],
    });
  });

  it('stops counting new distinct values at the cap and says so', () => {
    const values = Array.from({ length: TEXT_DISTINCT_CAP + 10 }, (_, i) => `v${i}`);
    const s = textStats([values]);
    expect(s.distinct).toBe(TEXT_DISTINCT_CAP);
    expect(s.distinctCapped).toBe(true);
    expect(s.count).toBe(values.length);
  });
});
