import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  confusionAt,
  evaluate,
  precisionAtK,
  prCurve,
  recallAtK,
  rocAuc,
  rocCurve,
} from '../../../src-main/core/analysis';
import { ResidualError } from '../../../src-main/core/errors';
import { dataset, parkMiller, randInt } from './helpers';

/**
 * Small case with a tie across classes and an unknown row:
 *   row    0    1     2     3    4    5    6    7
 *   score 0.1  0.4  0.35  0.8  0.4  0.2  0.9  0.4
 *   label  0    1    0     1    0    0    1   -1
 * Labelled anomalies: 0.4, 0.8, 0.9; labelled normals: 0.1, 0.35, 0.4, 0.2. Row 7 is unknown.
 */
const s = [0.1, 0.4, 0.35, 0.8, 0.4, 0.2, 0.9, 0.4];
const y = [0, 1, 0, 1, 0, 0, 1, -1];

/** O(n₁·n₀) pairwise AUC: P(anomaly > normal) + ½·P(tie). */
function pairwiseAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < scores.length; i++) {
    if (labels[i] !== 1) continue;
    for (let j = 0; j < scores.length; j++) {
      if (labels[j] !== 0) continue;
      pairs++;
      const a = scores[i] as number;
      const b = scores[j] as number;
      wins += a > b ? 1 : a === b ? 0.5 : 0;
    }
  }
  return wins / pairs;
}

describe('rocAuc', () => {
  it('gives ties half credit (hand-computed)', () => {
    // anomaly 0.4 beats 0.1, 0.35, 0.2 and ties 0.4 → 3.5; 0.8 → 4; 0.9 → 4; total 11.5 / (3·4) = 0.958333…
    // scikit-learn 1.2.1: roc_auc_score([0,1,0,1,0,0,1], [0.1,0.4,0.35,0.8,0.4,0.2,0.9]) = 0.9583333333333333
    expect(rocAuc(s, y)).toBe(11.5 / 12);
    expect(rocAuc(new Float32Array([0.25, 0.5, 0.75]), [0, 1, 1])).toBe(1);
    expect(rocAuc([0.75, 0.5, 0.25], [0, 1, 1])).toBe(0);
  });

  it('is 0.5 when every score is the same, NaN with one class', () => {
    expect(rocAuc([0.5, 0.5, 0.5, 0.5, 0.5], [1, 0, 0, 1, 0])).toBe(0.5);
    expect(rocAuc([0.1, 0.2], [0, 0])).toBeNaN();
    expect(rocAuc([0.1, 0.2], [1, NaN])).toBeNaN();
    expect(rocAuc([], [])).toBeNaN();
  });

  it('ignores rows with unknown labels (-1 and NaN)', () => {
    const s2 = [...s, 100, -100, 0.4];
    const y2 = [...y, NaN, -1, NaN];
    expect(rocAuc(s2, y2)).toBe(11.5 / 12);
  });

  // scikit-learn 1.2.1 / numpy 1.24.2 reference values, computed once with:
  //   s, y = dataset(seed, n, levels)   # same Park–Miller data as tests/core/analysis/helpers.ts
  //   k = y >= 0; roc_auc_score(y[k], s[k]); average_precision_score(y[k], s[k])
  it.each([
    [42, 300, 50, 0.4744528619528619, 0.1952544529340746],
    [7, 1000, 1000, 0.48586285342866425, 0.19321353258804286],
    [12345, 200, 7, 0.5482437579348287, 0.21548629715367068],
  ])('matches scikit-learn on dataset(%i, %i, %i)', (seed, n, levels, auc, ap) => {
    const { scores, labels } = dataset(seed, n, levels);
    expect(rocAuc(scores, labels)).toBeCloseTo(auc, 14);
    expect(averagePrecision(scores, labels)).toBeCloseTo(ap, 14);
  });

  it('equals the O(n²) pairwise AUC on 100 random tie-heavy cases', () => {
    const next = parkMiller(31337);
    for (let c = 0; c < 100; c++) {
      const n = 2 + randInt(next, 60);
      const levels = 1 + randInt(next, 8);
      const scores = Array.from({ length: n }, () => randInt(next, levels) / 4);
      const labels = Array.from({ length: n }, () => [1, 0, 0, -1, NaN][randInt(next, 5)] as number);
      const ref = pairwiseAuc(scores, labels);
      const got = rocAuc(scores, labels);
      if (Number.isNaN(ref)) expect(got).toBeNaN();
      else expect(got).toBeCloseTo(ref, 14);
    }
  });

  it('rejects non-finite scores and bad labels', () => {
    expect(() => rocAuc([0.1, NaN], [0, 1])).toThrow(ResidualError);
    expect(() => rocAuc([0.1, 0.2], [0, 0.5])).toThrow(/row 1 is 0\.5/);
    expect(() => rocAuc([0.1, 0.2], [0])).toThrow(/Got 1 labels for 2 scores/);
  });
});

describe('averagePrecision', () => {
  it('steps over distinct thresholds, ties entering together (hand-computed)', () => {
    // t = 0.9: tp 1, fp 0 → P 1,   R 1/3
    // t = 0.8: tp 2, fp 0 → P 1,   R 2/3
    // t = 0.4: tp 3, fp 1 → P 3/4, R 1      (anomaly 0.4 and normal 0.4 enter together)
    // lower thresholds add no recall. AP = 1/3·1 + 1/3·1 + 1/3·3/4 = 11/12
    // scikit-learn 1.2.1: average_precision_score(...) = 0.9166666666666665
    expect(averagePrecision(s, y)).toBeCloseTo(11 / 12, 15);
    // Without the tie (normal at 0.39 instead of 0.4): 1/3 + 1/3 + 1/3·1 = 1
    expect(averagePrecision([0.1, 0.4, 0.35, 0.8, 0.39, 0.2, 0.9], [0, 1, 0, 1, 0, 0, 1])).toBe(1);
  });

  it('all ties give the prevalence; NaN without anomalies; 1 without normals', () => {
    expect(averagePrecision([0.5, 0.5, 0.5, 0.5, 0.5], [1, 0, 0, 1, 0])).toBeCloseTo(0.4, 15); // R 0→1 at P 2/5
    expect(averagePrecision([0.1, 0.2], [0, 0])).toBeNaN();
    expect(averagePrecision([0.1, 0.2], [1, 1])).toBe(1);
  });

  it('is not the interpolated (max-precision-to-the-right) AP', () => {
    // ranks: 0.9 normal, 0.8 anomaly, 0.7 anomaly → P at R=½ is ½, at R=1 is ⅔ → AP = ½·½ + ½·⅔ = 7/12
    // (interpolated AP would use ⅔ for both steps: ⅔)
    expect(averagePrecision([0.9, 0.8, 0.7], [0, 1, 1])).toBeCloseTo(7 / 12, 15);
  });
});

describe('rocCurve / prCurve', () => {
  it('rocCurve lists every distinct threshold from +∞ down (matches sklearn roc_curve, drop_intermediate=False)', () => {
    // sklearn: fpr [0, 0, 0, .25, .5, .75, 1], tpr [0, 1/3, 2/3, 1, 1, 1, 1], thresholds [.9 .8 .4 .35 .2 .1] after the first
    const c = rocCurve(s, y);
    expect(c.map((p) => p.threshold)).toEqual([Infinity, 0.9, 0.8, 0.4, 0.35, 0.2, 0.1]);
    expect(c.map((p) => p.fpr)).toEqual([0, 0, 0, 0.25, 0.5, 0.75, 1]);
    expect(c.map((p) => p.tpr)).toEqual([0, 1 / 3, 2 / 3, 1, 1, 1, 1]);
  });

  it('prCurve starts at (recall 0, precision 1, +∞) and ends at recall 1', () => {
    // sklearn precision_recall_curve (reversed): precision [1, 1, 1, .75, .6, .5, 3/7], recall [0, 1/3, 2/3, 1, 1, 1, 1]
    const c = prCurve(s, y);
    expect(c.map((p) => p.threshold)).toEqual([Infinity, 0.9, 0.8, 0.4, 0.35, 0.2, 0.1]);
    expect(c.map((p) => p.recall)).toEqual([0, 1 / 3, 2 / 3, 1, 1, 1, 1]);
    expect(c.map((p) => p.precision)).toEqual([1, 1, 1, 0.75, 0.6, 0.5, 3 / 7]);
  });

  it('is empty when a needed class is missing', () => {
    expect(rocCurve([1, 2], [0, 0])).toEqual([]);
    expect(rocCurve([1, 2], [1, 1])).toEqual([]);
    expect(prCurve([1, 2], [0, 0])).toEqual([]);
    expect(prCurve([1, 2], [1, 1]).map((p) => p.precision)).toEqual([1, 1, 1]);
  });

  it('downsamples to maxPoints keeping the exact endpoints and only true curve points', () => {
    const { scores, labels } = dataset(7, 1000, 1000);
    const full = rocCurve(scores, labels, 100_000);
    expect(full.length).toBeGreaterThan(500);
    const small = rocCurve(scores, labels, 50);
    expect(small.length).toBeLessThanOrEqual(50);
    expect(small.length).toBeGreaterThan(40);
    expect(small[0]).toEqual(full[0]);
    expect(small[small.length - 1]).toEqual(full[full.length - 1]);
    expect(small[small.length - 1]).toMatchObject({ fpr: 1, tpr: 1 });
    const key = (p: { fpr: number; tpr: number; threshold: number }): string => `${p.fpr}/${p.tpr}/${p.threshold}`;
    const all = new Set(full.map(key));
    for (const p of small) expect(all.has(key(p))).toBe(true);
    for (let i = 1; i < small.length; i++) expect((small[i] as { threshold: number }).threshold).toBeLessThan((small[i - 1] as { threshold: number }).threshold);
    const pr = prCurve(scores, labels, 20);
    expect(pr.length).toBeLessThanOrEqual(20);
    expect(pr[0]).toEqual({ recall: 0, precision: 1, threshold: Infinity });
    expect((pr[pr.length - 1] as { recall: number }).recall).toBe(1);
    expect(() => rocCurve(scores, labels, 1)).toThrow(/maxPoints/);
  });
});

describe('precisionAtK / recallAtK', () => {
  it('takes the top k labelled rows, ties by lower row index first', () => {
    // labelled ranking: 0.9 (r6, A), 0.8 (r3, A), 0.4 (r1, A), 0.4 (r4, N), 0.35, 0.2, 0.1; r7 (0.4) is unknown
    expect(precisionAtK(s, y, 2)).toBe(1);
    expect(precisionAtK(s, y, 3)).toBe(1); // tie at 0.4: row 1 (anomaly) before row 4
    expect(recallAtK(s, y, 3)).toBe(1);
    expect(precisionAtK(s, y, 4)).toBe(0.75);
    expect(recallAtK(s, y, 1)).toBeCloseTo(1 / 3, 15);
    // Reverse the tie order: the normal row comes first → top 2 = {row 2 (0.9), row 0 (0.5)}
    expect(precisionAtK([0.5, 0.5, 0.9], [0, 1, 1], 2)).toBe(0.5);
    expect(recallAtK([0.5, 0.5, 0.9], [0, 1, 1], 2)).toBe(0.5);
  });

  it('never gives a top-k slot to an unknown-label row, even when it ties first', () => {
    // k = 3: row 3 (0.9, A), then the tie at 0.5 in row order skipping unknown row 0: row 1 (N), row 2 (A) → 2/3
    expect(precisionAtK([0.5, 0.5, 0.5, 0.9], [-1, 0, 1, 1], 3)).toBeCloseTo(2 / 3, 15);
    expect(recallAtK([0.5, 0.5, 0.5, 0.9], [NaN, 0, 1, 1], 3)).toBe(1);
  });

  it('caps k at the labelled rows and handles missing classes', () => {
    expect(precisionAtK(s, y, 100)).toBeCloseTo(3 / 7, 15);
    expect(recallAtK(s, y, 100)).toBe(1);
    expect(recallAtK([1, 2], [0, 0], 1)).toBeNaN();
    expect(precisionAtK([1, 2], [-1, NaN], 1)).toBeNaN();
    expect(() => precisionAtK(s, y, 0)).toThrow(/k must be a whole number ≥ 1/);
  });
});

describe('confusionAt', () => {
  it('flags score >= threshold over labelled rows', () => {
    // >= 0.4: r1 (A), r3 (A), r4 (N), r6 (A); r7 unknown ignored → tp 3, fp 1, fn 0, tn 3
    expect(confusionAt(s, y, 0.4)).toEqual({ tp: 3, fp: 1, tn: 3, fn: 0, precision: 0.75, recall: 1, f1: 6 / 7, fpr: 0.25 });
  });

  it('uses 0 for 0/0 ratios', () => {
    // nothing flagged: precision 0/0 → 0, recall 0/3, f1 0/(0+0+3) = 0, fpr 0/4
    expect(confusionAt(s, y, Infinity)).toEqual({ tp: 0, fp: 0, tn: 4, fn: 3, precision: 0, recall: 0, f1: 0, fpr: 0 });
    // no anomalies, nothing flagged: recall 0/0 → 0, f1 0/0 → 0
    expect(confusionAt([0.1, 0.2], [0, 0], 0.5)).toEqual({ tp: 0, fp: 0, tn: 2, fn: 0, precision: 0, recall: 0, f1: 0, fpr: 0 });
    // no normals: fpr 0/0 → 0
    expect(confusionAt([0.1, 0.2], [1, 1], 0.15).fpr).toBe(0);
    expect(() => confusionAt(s, y, NaN)).toThrow(/threshold is NaN/);
  });
});

describe('evaluate', () => {
  it('bundles the metrics with k defaulting to the number of labelled anomalies', () => {
    const e = evaluate(s, y, 0.4);
    expect(e.rocAuc).toBe(11.5 / 12);
    expect(e.averagePrecision).toBeCloseTo(11 / 12, 15);
    expect(e.k).toBe(3);
    expect(e.precisionAtK).toBe(1);
    expect(e.recallAtK).toBe(1);
    expect(e.threshold).toBe(0.4);
    expect(e.confusion).toEqual(confusionAt(s, y, 0.4));
    expect(e.positives).toBe(3);
    expect(e.negatives).toBe(4);
    const e4 = evaluate(s, y, 0.4, 4);
    expect(e4.k).toBe(4);
    expect(e4.precisionAtK).toBe(0.75);
  });

  it('without anomalies: k = 0 and NaN metrics', () => {
    const e = evaluate([0.1, 0.2, 0.3], [0, 0, NaN], 0.2);
    expect(e.k).toBe(0);
    expect(e.precisionAtK).toBeNaN();
    expect(e.recallAtK).toBeNaN();
    expect(e.rocAuc).toBeNaN();
    expect(e.averagePrecision).toBeNaN();
    expect(e.confusion).toMatchObject({ fp: 1, tn: 1 });
    expect(e.positives).toBe(0);
    expect(e.negatives).toBe(2);
  });

  it('handles a million rows (the test timeout guards against a quadratic pass)', () => {
    const { scores, labels } = dataset(5, 1_000_000, 100_000);
    const e = evaluate(new Float32Array(scores), labels, 5000);
    const c = rocCurve(scores, labels);
    expect(e.rocAuc).toBeGreaterThan(0.45);
    expect(e.rocAuc).toBeLessThan(0.55);
    expect(c.length).toBeLessThanOrEqual(500);
  });
});
