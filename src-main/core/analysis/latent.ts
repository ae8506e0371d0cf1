/**
 * The latent view's math, pure functions over row-major matrices: a two-component PCA and a k-nearest-neighbours
 * classifier (seed 001: kNN on the latent features against the inputs).
 */

export interface Pca2 {
  /** Projections of the n rows on the first and second principal axes (centred). */
  readonly x: Float64Array;
  readonly y: Float64Array;
  /** The two axes (unit vectors of length d; the second is zero when d = 1). */
  readonly axes: readonly [Float64Array, Float64Array];
  /** Variances along them (population: / n), and the total variance (the covariance's trace). */
  readonly eigenvalues: readonly [number, number];
  readonly totalVariance: number;
  /** eigenvalue / total variance (0 when the rows do not vary). */
  readonly explained: readonly [number, number];
}

/** Eigenvalues (descending) and eigenvectors (columns of `vectors`, k × k row-major) of a small symmetric matrix: cyclic Jacobi. */
export function symmetricEigen(a: Float64Array, k: number): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a);
  const v = new Float64Array(k * k);
  for (let i = 0; i < k; i++) v[i * k + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < k; p++) for (let q = p + 1; q < k; q++) off += m[p * k + q]! ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < k; p++) {
      for (let q = p + 1; q < k; q++) {
        const apq = m[p * k + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (m[q * k + q]! - m[p * k + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < k; r++) {
          const mrp = m[r * k + p]!;
          const mrq = m[r * k + q]!;
          m[r * k + p] = c * mrp - s * mrq;
          m[r * k + q] = s * mrp + c * mrq;
        }
        for (let r = 0; r < k; r++) {
          const mpr = m[p * k + r]!;
          const mqr = m[q * k + r]!;
          m[p * k + r] = c * mpr - s * mqr;
          m[q * k + r] = s * mpr + c * mqr;
        }
        for (let r = 0; r < k; r++) {
          const vrp = v[r * k + p]!;
          const vrq = v[r * k + q]!;
          v[r * k + p] = c * vrp - s * vrq;
          v[r * k + q] = s * vrp + c * vrq;
        }
      }
    }
  }
  const order = Array.from({ length: k }, (_, i) => i).sort((i, j) => m[j * k + j]! - m[i * k + i]!);
  const values = Float64Array.from(order, (i) => m[i * k + i]!);
  const vectors = new Float64Array(k * k);
  order.forEach((src, dst) => {
    for (let r = 0; r < k; r++) vectors[r * k + dst] = v[r * k + src]!;
  });
  return { values, vectors };
}

/**
 * The first two principal components of n rows of d features (row-major). The covariance is d × d (population, / n):
 * formed and diagonalised with Jacobi when d is small (≤ 64); for wider codes, subspace iteration on C·V = Xcᵀ(Xc·V)
 * with a Rayleigh–Ritz step gives the top two without forming C. Each axis's sign is fixed so that its largest
 * component is positive: the same data always gives the same picture.
 */
export function pca2(data: ArrayLike<number>, n: number, d: number): Pca2 {
  const mean = new Float64Array(d);
  for (let r = 0; r < n; r++) for (let j = 0; j < d; j++) mean[j]! += data[r * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= Math.max(1, n);
  const xc = new Float64Array(n * d);
  let total = 0;
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < d; j++) {
      const v = data[r * d + j]! - mean[j]!;
      xc[r * d + j] = v;
      total += v * v;
    }
  }
  total /= Math.max(1, n);
  const axes: [Float64Array, Float64Array] = [new Float64Array(d), new Float64Array(d)];
  const eig: [number, number] = [0, 0];
  if (n > 0 && total > 0) {
    if (d <= 64) {
      const c = new Float64Array(d * d);
      for (let r = 0; r < n; r++) {
        const o = r * d;
        for (let i = 0; i < d; i++) {
          const xi = xc[o + i]!;
          if (xi === 0) continue;
          for (let j = i; j < d; j++) c[i * d + j]! += xi * xc[o + j]!;
        }
      }
      for (let i = 0; i < d; i++) for (let j = i; j < d; j++) c[j * d + i] = c[i * d + j]! /= n;
      const { values, vectors } = symmetricEigen(c, d);
      for (let a = 0; a < Math.min(2, d); a++) {
        eig[a] = Math.max(0, values[a]!);
        for (let i = 0; i < d; i++) axes[a]![i] = vectors[i * d + a]!;
      }
    } else {
      subspaceTop2(xc, n, d, axes, eig);
    }
  }
  for (const axis of axes) {
    let at = 0;
    for (let i = 1; i < d; i++) if (Math.abs(axis[i]!) > Math.abs(axis[at]!) + 1e-12) at = i;
    if (axis[at]! < 0) for (let i = 0; i < d; i++) axis[i] = -axis[i]!;
  }
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let sx = 0;
    let sy = 0;
    for (let j = 0; j < d; j++) {
      sx += xc[r * d + j]! * axes[0][j]!;
      sy += xc[r * d + j]! * axes[1][j]!;
    }
    x[r] = sx;
    y[r] = sy;
  }
  const explained: [number, number] = total > 0 ? [eig[0] / total, eig[1] / total] : [0, 0];
  return { x, y, axes, eigenvalues: eig, totalVariance: total, explained };
}

/** Top two eigenpairs of Xcᵀ·Xc / n by subspace iteration on 4 vectors (seeded start) with Rayleigh–Ritz. */
function subspaceTop2(xc: Float64Array, n: number, d: number, axes: [Float64Array, Float64Array], eig: [number, number]): void {
  const k = Math.min(4, d);
  let v: Float64Array = new Float64Array(d * k);
  // A fixed, non-degenerate start (no randomness: the same codes give the same picture).
  for (let i = 0; i < d; i++) for (let a = 0; a < k; a++) v[i * k + a] = Math.sin((i + 1) * (a + 1) * 0.7) + (i % (a + 2) === 0 ? 1 : 0);
  orthonormalize(v, d, k);
  const cv = (src: Float64Array): Float64Array => {
    const t = new Float64Array(n * k);
    for (let r = 0; r < n; r++) for (let i = 0; i < d; i++) {
      const xv = xc[r * d + i]!;
      if (xv === 0) continue;
      for (let a = 0; a < k; a++) t[r * k + a]! += xv * src[i * k + a]!;
    }
    const out = new Float64Array(d * k);
    for (let r = 0; r < n; r++) for (let i = 0; i < d; i++) {
      const xv = xc[r * d + i]!;
      if (xv === 0) continue;
      for (let a = 0; a < k; a++) out[i * k + a]! += (xv * t[r * k + a]!) / n;
    }
    return out;
  };
  let prev = [NaN, NaN];
  for (let it = 0; it < 500; it++) {
    const w = cv(v);
    // Rayleigh quotients of the current basis, for convergence.
    const q = [0, 0].map((_, a) => {
      let s = 0;
      for (let i = 0; i < d; i++) s += v[i * k + a]! * w[i * k + a]!;
      return s;
    });
    v = w;
    orthonormalize(v, d, k);
    if (Math.abs(q[0]! - prev[0]!) <= 1e-12 * Math.abs(q[0]!) && Math.abs(q[1]! - prev[1]!) <= 1e-12 * Math.max(Math.abs(q[0]!), 1e-300)) break;
    prev = q;
  }
  // Rayleigh–Ritz: diagonalise Vᵀ C V (k × k) and rotate the basis.
  const w = cv(v);
  const h = new Float64Array(k * k);
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) {
    let s = 0;
    for (let i = 0; i < d; i++) s += v[i * k + a]! * w[i * k + b]!;
    h[a * k + b] = s;
  }
  for (let a = 0; a < k; a++) for (let b = a + 1; b < k; b++) h[a * k + b] = h[b * k + a] = (h[a * k + b]! + h[b * k + a]!) / 2;
  const { values, vectors } = symmetricEigen(h, k);
  for (let a = 0; a < Math.min(2, k); a++) {
    eig[a] = Math.max(0, values[a]!);
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let b = 0; b < k; b++) s += v[i * k + b]! * vectors[b * k + a]!;
      axes[a]![i] = s;
    }
  }
}

/** Modified Gram–Schmidt on the k columns of a d × k row-major matrix (a column that vanishes is left zero). */
function orthonormalize(v: Float64Array, d: number, k: number): void {
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < a; b++) {
      let dot = 0;
      for (let i = 0; i < d; i++) dot += v[i * k + a]! * v[i * k + b]!;
      for (let i = 0; i < d; i++) v[i * k + a]! -= dot * v[i * k + b]!;
    }
    let norm = 0;
    for (let i = 0; i < d; i++) norm += v[i * k + a]! ** 2;
    norm = Math.sqrt(norm);
    for (let i = 0; i < d; i++) v[i * k + a] = norm > 1e-300 ? v[i * k + a]! / norm : 0;
  }
}

/**
 * k-nearest-neighbours classification (Euclidean): each test row takes the majority class of its k nearest training
 * rows; a tie goes to the tied class whose members among the k lie nearer in total, then the smaller class index.
 * Returns the predicted class index per test row.
 */
export function knnPredict(train: ArrayLike<number>, trainClass: ArrayLike<number>, nTrain: number, test: ArrayLike<number>, nTest: number, d: number, k: number): Int32Array {
  const kk = Math.max(1, Math.min(k, nTrain));
  const out = new Int32Array(nTest);
  const bestD = new Float64Array(kk);
  const bestI = new Int32Array(kk);
  const votes = new Map<number, { count: number; dist: number }>();
  for (let t = 0; t < nTest; t++) {
    bestD.fill(Infinity);
    bestI.fill(-1);
    const to = t * d;
    for (let r = 0; r < nTrain; r++) {
      const ro = r * d;
      let s = 0;
      for (let j = 0; j < d; j++) {
        const diff = test[to + j]! - train[ro + j]!;
        s += diff * diff;
      }
      if (s >= bestD[kk - 1]!) continue;
      // Insertion into the sorted k best (ties keep the earlier training row first).
      let p = kk - 1;
      while (p > 0 && bestD[p - 1]! > s) {
        bestD[p] = bestD[p - 1]!;
        bestI[p] = bestI[p - 1]!;
        p--;
      }
      bestD[p] = s;
      bestI[p] = r;
    }
    votes.clear();
    for (let p = 0; p < kk; p++) {
      if (bestI[p]! < 0) continue;
      const c = trainClass[bestI[p]!]!;
      const v = votes.get(c) ?? { count: 0, dist: 0 };
      v.count++;
      v.dist += Math.sqrt(bestD[p]!);
      votes.set(c, v);
    }
    let best = -1;
    let bestVote: { count: number; dist: number } | null = null;
    for (const [c, v] of votes) {
      if (!bestVote || v.count > bestVote.count || (v.count === bestVote.count && (v.dist < bestVote.dist || (v.dist === bestVote.dist && c < best)))) {
        best = c;
        bestVote = v;
      }
    }
    out[t] = best;
  }
  return out;
}

/** Share of predictions equal to the truth (NaN for none). */
export function accuracy(predicted: ArrayLike<number>, truth: ArrayLike<number>): number {
  if (predicted.length === 0) return NaN;
  let right = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === truth[i]) right++;
  return right / predicted.length;
}
