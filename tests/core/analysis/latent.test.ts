/**
 * The latent view's math on hand-computed cases: the two-component PCA (both paths: Jacobi on the covariance for
 * narrow codes, subspace iteration for wide ones) and the kNN classifier of seed 001's comparison.
 */
import { describe, expect, it } from 'vitest';
import { accuracy, knnPredict, pca2, symmetricEigen } from '../../../src-main/core/analysis/latent';
import { Prng } from '../../../src-main/core/engine/prng';

describe('pca2', () => {
  it('finds the axes, variances and projections of a hand case', () => {
    // Points (2,2), (−2,−2), (1,−1), (−1,1): mean 0, covariance (/n) [[2.5, 1.5], [1.5, 2.5]] with eigenvalues 4 and 1
    // on (1,1)/√2 and (1,−1)/√2; total variance 5, so 80 % and 20 %.
    const p = pca2([2, 2, -2, -2, 1, -1, -1, 1], 4, 2);
    expect(p.eigenvalues[0]).toBeCloseTo(4, 12);
    expect(p.eigenvalues[1]).toBeCloseTo(1, 12);
    expect(p.totalVariance).toBeCloseTo(5, 12);
    expect(p.explained[0]).toBeCloseTo(0.8, 12);
    expect(p.explained[1]).toBeCloseTo(0.2, 12);
    const r = Math.SQRT1_2;
    expect(Math.abs(p.axes[0][0]!)).toBeCloseTo(r, 12);
    expect(p.axes[0][0]! * p.axes[0][1]!).toBeCloseTo(0.5, 12);
    expect(p.axes[1][0]! * p.axes[1][1]!).toBeCloseTo(-0.5, 12);
    // Signs: the largest component of each axis is positive (ties: the first), so (1,1)/√2 and (1,−1)/√2.
    expect(Array.from(p.x)).toEqual([2 * Math.SQRT2, -2 * Math.SQRT2, 0, 0].map((v) => expect.closeTo(v, 12)));
    expect(Array.from(p.y)).toEqual([0, 0, Math.SQRT2, -Math.SQRT2].map((v) => expect.closeTo(v, 12)));
  });

  it('a constant code has no variance to explain; one dimension explains all of it', () => {
    const flat = pca2([3, 3, 3, 3, 3, 3], 3, 2);
    expect(flat.explained).toEqual([0, 0]);
    expect(Array.from(flat.x)).toEqual([0, 0, 0]);
    const line = pca2([1, 2, 3, 6], 4, 1);
    expect(line.explained[0]).toBeCloseTo(1, 12);
    expect(line.explained[1]).toBe(0);
    expect(Array.from(line.x)).toEqual([-2, -1, 0, 3].map((v) => expect.closeTo(v, 12)));
  });

  it('wide codes (subspace iteration) agree with the covariance path', () => {
    // 300 rows of 80 features with a known structure: two strong directions and noise.
    const prng = new Prng(7);
    const n = 300;
    const d = 80;
    const a = Float64Array.from({ length: d }, () => prng.normal());
    const b = Float64Array.from({ length: d }, () => prng.normal());
    const data = new Float64Array(n * d);
    for (let r = 0; r < n; r++) {
      const s = 3 * prng.normal();
      const t = 1.5 * prng.normal();
      for (let j = 0; j < d; j++) data[r * d + j] = s * a[j]! + t * b[j]! + 0.3 * prng.normal();
    }
    const wide = pca2(data, n, d);
    // The reference: Jacobi on the full covariance.
    const mean = new Float64Array(d);
    for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) mean[j]! += data[r * d + j]! / n;
    const c = new Float64Array(d * d);
    for (let r = 0; r < n; r++) for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) c[i * d + j]! += ((data[r * d + i]! - mean[i]!) * (data[r * d + j]! - mean[j]!)) / n;
    const ref = symmetricEigen(c, d);
    let trace = 0;
    for (let i = 0; i < d; i++) trace += c[i * d + i]!;
    expect(wide.totalVariance).toBeCloseTo(trace, 8);
    expect(wide.eigenvalues[0] / ref.values[0]!).toBeCloseTo(1, 8);
    expect(wide.eigenvalues[1] / ref.values[1]!).toBeCloseTo(1, 8);
    for (const k of [0, 1] as const) {
      let dot = 0;
      for (let i = 0; i < d; i++) dot += wide.axes[k][i]! * ref.vectors[i * d + k]!;
      expect(Math.abs(dot)).toBeCloseTo(1, 8);
    }
    expect(wide.explained[0]).toBeGreaterThan(0.5);
  });

  it('symmetricEigen diagonalises a 3×3 case', () => {
    // [[2,0,0],[0,3,4],[0,4,9]]: eigenvalues 11, 2, 1 (the 2×2 block has trace 12 and determinant 11).
    const { values, vectors } = symmetricEigen(Float64Array.from([2, 0, 0, 0, 3, 4, 0, 4, 9]), 3);
    expect(Array.from(values)).toEqual([11, 2, 1].map((v) => expect.closeTo(v, 12)));
    // The first eigenvector is ±(0, 1, 2)/√5.
    expect(Math.abs(vectors[1 * 3 + 0]! / vectors[2 * 3 + 0]!)).toBeCloseTo(0.5, 12);
    expect(vectors[0]).toBeCloseTo(0, 12);
  });
});

describe('knnPredict', () => {
  it('takes the majority of the k nearest training rows', () => {
    // 1-D: class 0 around 0, class 1 around 10.
    const train = [0, 1, 2, 10, 11, 12, 3];
    const cls = [0, 0, 0, 1, 1, 1, 1];
    const test = [1.5, 10.5, 6.4, 6.6];
    // k = 3: 1.5 → {1, 2, 0}: class 0; 10.5 → class 1; 6.4 → {3 (class 1, 3.4 away), 10 (1, 3.6), 2 (0, 4.4)}: class 1
    // two to one; 6.6 → {10 (3.4), 3 (3.6), 11 (4.4)}: class 1.
    expect(Array.from(knnPredict(train, cls, 7, test, 4, 1, 3))).toEqual([0, 1, 1, 1]);
    // k = 1: 6.4 is nearest to 3 (class 1); k = 7 (all): four of class 1 win everywhere.
    expect(Array.from(knnPredict(train, cls, 7, test, 4, 1, 1))).toEqual([0, 1, 1, 1]);
    expect(Array.from(knnPredict(train, cls, 7, test, 4, 1, 7))).toEqual([1, 1, 1, 1]);
  });

  it('breaks a tie by the nearer class, in several dimensions', () => {
    // k = 2 in 2-D: one neighbour of each class; the nearer one wins.
    const train = [0, 0, 4, 0];
    expect(Array.from(knnPredict(train, [5, 3], 2, [1, 1, 3, 1], 2, 2, 2))).toEqual([5, 3]);
    // k larger than the training rows uses them all.
    expect(Array.from(knnPredict(train, [5, 3], 2, [1, 0], 1, 2, 10))).toEqual([5]);
  });

  it('accuracy is the share right', () => {
    expect(accuracy([1, 2, 3, 4], [1, 2, 0, 4])).toBe(0.75);
    expect(accuracy([], [])).toBeNaN();
  });
});
