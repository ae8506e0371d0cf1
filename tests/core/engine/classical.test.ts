/**
 * The classical detectors' math on cases computed by hand: IsolationForest's c(n) and path length, ECOD's tails,
 * skewness choice and sum; their fitted state survives serialisation; the forest is seeded.
 */
import { describe, expect, it } from 'vitest';
import { ClassicalDetector } from '../../../src-main/core/engine/classical';
import { deserializeEcod, fitEcod, scoreEcod, serializeEcod, skewness } from '../../../src-main/core/engine/classical/ecod';
import {
  averagePathLength, deserializeForest, fitIsolationForest, pathLength, scoreIsolationForest, serializeForest, type IsolationTree,
} from '../../../src-main/core/engine/classical/iforest';
import { Prng } from '../../../src-main/core/engine/prng';

describe('IsolationForest', () => {
  it('c(n): 0, 1, 2(H(n−1)) − 2(n−1)/n with H(i) = ln i + γ', () => {
    expect(averagePathLength(1)).toBe(0);
    expect(averagePathLength(2)).toBe(1);
    // 2(ln 2 + 0.5772156649) − 4/3
    expect(averagePathLength(3)).toBeCloseTo(1.2073924, 6);
    // 2(ln 255 + 0.5772156649) − 510/256
    expect(averagePathLength(256)).toBeCloseTo(10.2447709, 6);
  });

  // x0 ≤ 0.5 → leaf of 3 rows; else x1 ≤ 2 → leaf of 1 row, else leaf of 2 rows.
  const tree: IsolationTree = {
    feature: Int32Array.from([0, -1, 1, -1, -1]),
    value: Float64Array.from([0.5, 0, 2, 0, 0]),
    right: Int32Array.from([2, -1, 4, -1, -1]),
    size: Int32Array.from([6, 3, 3, 1, 2]),
  };

  it('path length in a hand-built tree: depth of the external node + c(its rows)', () => {
    expect(pathLength(tree, [0.2, 9])).toBeCloseTo(1 + 1.2073924, 6);
    expect(pathLength(tree, [0.9, 5])).toBe(2 + 1);
    expect(pathLength(tree, [0.9, 1])).toBe(2);
    expect(pathLength(tree, [0.5, 1])).toBeCloseTo(1 + 1.2073924, 6); // ≤ the split goes left
  });

  it('score 2^(−E[h]/c(ψ)) and the credit of the splits on the path (log2 of the rows each cuts off), normalised per row', () => {
    const { score, credit } = scoreIsolationForest({ samples: 6, dims: 2, trees: [tree] }, Float32Array.from([0.9, 1, 0.2, 9]), 2);
    expect(score[0]).toBeCloseTo(2 ** (-2 / averagePathLength(6)), 12);
    expect(score[1]).toBeCloseTo(2 ** (-(1 + averagePathLength(3)) / averagePathLength(6)), 12);
    // Row 0 passed the root split on x0 (6 rows → 3: 1 bit) and the x1 split (3 rows → 1: log2 3 bits).
    expect(credit[0]).toBeCloseTo(1 / (1 + Math.log2(3)), 12);
    expect(credit[1]).toBeCloseTo(Math.log2(3) / (1 + Math.log2(3)), 12);
    expect([credit[2], credit[3]]).toEqual([1, 0]);
  });

  it('fits seeded trees of min(256, n) rows and height ceil(log2 ψ); an outlier scores highest; the fit round-trips', async () => {
    const rng = new Prng(3);
    const n = 600;
    const x = new Float32Array(n * 3);
    for (let i = 0; i < x.length; i++) x[i] = rng.normal();
    x[0] = 8; // row 0 far out on every dim
    x[1] = -8;
    x[2] = 8;
    x.set([0, 0, 20], 3); // row 1 far out on dim 2 only
    const fit = (seed: number): ReturnType<typeof fitIsolationForest> => fitIsolationForest(x, n, 3, new Prng(seed));
    const a = await fit(1);
    expect(a.trees.length).toBe(100);
    expect(a.samples).toBe(256);
    for (const t of a.trees) expect(t.size[0]).toBe(256);
    const s = scoreIsolationForest(a, x, n);
    expect(s.score.indexOf(Math.max(...s.score))).toBe(0);
    expect(s.credit[3]! + s.credit[4]! + s.credit[5]!).toBeCloseTo(1, 12);
    // With every row in every tree (n < 256), the dim that isolates row 1 early gets most of its credit.
    const small = scoreIsolationForest(await fitIsolationForest(x, 200, 3, new Prng(1)), x, 200);
    expect(small.credit[5]).toBeGreaterThan(0.5);
    expect(scoreIsolationForest(await fit(1), x, n).score).toEqual(s.score);
    expect(scoreIsolationForest(await fit(2), x, n).score).not.toEqual(s.score);
    expect(scoreIsolationForest(deserializeForest(serializeForest(a)), x, n)).toEqual(s);
  });
});

describe('ECOD', () => {
  // Column A right-skewed (1 2 3 4 10), column B left-skewed (−10 1 2 3 4).
  const x = Float32Array.from([1, -10, 2, 1, 3, 2, 4, 3, 10, 4]);
  const ln = Math.log;

  it('skewness as scipy.stats.skew (biased); NaN for a constant column', () => {
    expect(skewness([1, 2, 3, 4, 10])).toBeCloseTo(36 / 10 ** 1.5, 12);
    expect(skewness([-10, 1, 2, 3, 4])).toBeCloseTo(-180 / 26 ** 1.5, 12);
    expect(skewness([5, 5, 5])).toBeNaN();
  });

  it('5 rows × 2 columns by hand: tails, the skewness-chosen tail, at least their mean, summed', () => {
    const m = fitEcod(x, 5, 2);
    expect(Array.from(m.skewSign)).toEqual([1, -1]);
    const { score, dimScores } = scoreEcod(m, x, 5, () => true);
    // A: right tail F = (5−i)/5 chosen, at least the mean of −ln of both tails.
    const oA = [(ln(5) + 0) / 2, (ln(5 / 2) + ln(5 / 4)) / 2, ln(5 / 3), ln(5 / 2), ln(5)];
    // B: left tail F = (i+1)/5 chosen.
    const oB = [ln(5), ln(5 / 2), ln(5 / 3), (ln(5 / 4) + ln(5 / 2)) / 2, (0 + ln(5)) / 2];
    for (let r = 0; r < 5; r++) {
      expect(dimScores[r * 2]).toBeCloseTo(oA[r]!, 12);
      expect(dimScores[r * 2 + 1]).toBeCloseTo(oB[r]!, 12);
      expect(score[r]).toBeCloseTo(oA[r]! + oB[r]!, 12);
    }
    expect(Array.from(score, (v) => Number(v.toFixed(6)))).toEqual([2.414157, 1.486008, 1.021651, 1.486008, 2.414157]);
  });

  it('a symmetric column (skewness 0) scores both tails; a row not fitted counts as one more row', () => {
    const m = fitEcod(Float32Array.from([1, 2, 3]), 3, 1);
    expect(m.skewSign[0]).toBe(0);
    const { score } = scoreEcod(m, Float32Array.from([1, 20]), 2, (r) => r === 0);
    expect(score[0]).toBeCloseTo(ln(3) + 0, 12); // left −ln(1/3), right −ln(3/3)
    expect(score[1]).toBeCloseTo(0 + ln(4), 12); // left −ln(4/4), right −ln(1/4)
  });

  it('the fit round-trips through its blob, with the typical inputs', () => {
    const m = fitEcod(x, 5, 2);
    const back = deserializeEcod(serializeEcod(m));
    expect(scoreEcod(back, x, 5, () => true)).toEqual(scoreEcod(m, x, 5, () => true));
    const det = ClassicalDetector.fit('ecod', null, m, Float64Array.from([3, 2]));
    const { blob } = det.serialize();
    const again = ClassicalDetector.fromBlob('ecod', blob);
    const e = again.errors(x, 5, Int32Array.from([0, 1]), 2, true, undefined, 0);
    expect(Array.from(e.recon!.subarray(0, 2))).toEqual([3, 2]);
    // Not marked as fitted rows: every row counts itself once more.
    expect(e.row[2]).toBeCloseTo(scoreEcod(m, x, 5, () => false).score[2]!, 5);
  });
});
