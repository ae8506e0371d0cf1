import * as tf from '@tensorflow/tfjs';
import { Prng } from '../prng';

/**
 * Maximum mean discrepancy with the inverse multiquadratic kernel, as the Wasserstein autoencoder (Tolstikhin, Bousquet,
 * Gelly and Schölkopf 2018, WAE-MMD) penalises the distance between the batch of codes q and as many samples p of the
 * prior N(0, σ²·I):
 *
 *   k_C(x, y) = C / (C + ‖x − y‖²),   C = 2·d_z·σ²·s  for each scale s of IMQ_SCALES (summed, as the paper's code),
 *   MMD = Σ_{i≠j} k(q_i, q_j) / (n(n−1)) + Σ_{i≠j} k(p_i, p_j) / (m(m−1)) − 2·Σ_{i,j} k(q_i, p_j) / (n·m)
 *
 * the unbiased estimator (the within-sample sums leave out the diagonal). Pure functions in float64 (with the analytic
 * gradient, checked against finite differences in the tests) and the TensorFlow.js expression training runs.
 */

/**
 * n standard normal samples of width dz (row-major) from a step's seed: the prior samples of a WAE's MMD (both paths
 * draw these very numbers) and of an AAE's discriminator.
 */
export function priorSamples(n: number, dz: number, seed: number): Float32Array {
  const rng = new Prng(seed);
  const out = new Float32Array(n * dz);
  for (let i = 0; i < out.length; i++) out[i] = rng.normal();
  return out;
}

/** The kernel widths the paper's code sums over, as multiples of 2·d_z·σ². */
export const IMQ_SCALES: readonly number[] = [0.1, 0.2, 0.5, 1, 2, 5, 10];

/** C of the base scale: 2·d_z·σ² (σ² = 1 for the standard normal prior), the expected ‖x − y‖² of two prior samples. */
export function imqBase(dz: number, sigma2 = 1): number {
  return 2 * dz * sigma2;
}

/** ‖a_i − b_j‖² of rows i of a and j of b (row-major, `dz` wide), in float64. */
function sqDist(a: ArrayLike<number>, i: number, b: ArrayLike<number>, j: number, dz: number): number {
  let s = 0;
  for (let k = 0; k < dz; k++) {
    const t = a[i * dz + k]! - b[j * dz + k]!;
    s += t * t;
  }
  return s;
}

/** Σ over scales of C / (C + d2). */
function kernel(d2: number, cs: readonly number[]): number {
  let s = 0;
  for (const c of cs) s += c / (c + d2);
  return s;
}

/** Σ over scales of d k / d(d2) = −C / (C + d2)². */
function kernelSlope(d2: number, cs: readonly number[]): number {
  let s = 0;
  for (const c of cs) s -= c / ((c + d2) * (c + d2));
  return s;
}

function widths(dz: number, scales: readonly number[], sigma2: number): number[] {
  const base = imqBase(dz, sigma2);
  return scales.map((s) => base * s);
}

function checkSizes(q: ArrayLike<number>, p: ArrayLike<number>, dz: number): { n: number; m: number } {
  if (!Number.isInteger(dz) || dz < 1) throw new RangeError(`MMD: the code width must be a whole number ≥ 1; got ${dz}`);
  const n = q.length / dz;
  const m = p.length / dz;
  if (!Number.isInteger(n) || !Number.isInteger(m)) throw new RangeError(`MMD: ${q.length} and ${p.length} values are not whole rows of ${dz}`);
  if (n < 2 || m < 2) throw new RangeError(`MMD: the unbiased estimator needs at least 2 rows on each side; got ${n} and ${m}`);
  return { n, m };
}

/** The unbiased IMQ-kernel MMD between the rows of q (n × dz) and of p (m × dz), row-major. */
export function mmdImq(q: ArrayLike<number>, p: ArrayLike<number>, dz: number, scales: readonly number[] = IMQ_SCALES, sigma2 = 1): number {
  return mmdImqGrad(q, p, dz, scales, sigma2, false).value;
}

/**
 * The MMD and its gradient with respect to q (n × dz, row-major): for one scale, d k(x, y)/dx = −2(x − y)·C/(C + ‖x − y‖²)²;
 * each pair of q appears twice in the within-sample sum, so d/dq_a = 2/(n(n−1))·Σ_{j≠a} dk(q_a, q_j)/dq_a − 2/(nm)·Σ_j dk(q_a, p_j)/dq_a.
 */
export function mmdImqGrad(q: ArrayLike<number>, p: ArrayLike<number>, dz: number, scales: readonly number[] = IMQ_SCALES, sigma2 = 1, withGrad = true): { value: number; grad: Float64Array } {
  const { n, m } = checkSizes(q, p, dz);
  const cs = widths(dz, scales, sigma2);
  const grad = new Float64Array(withGrad ? n * dz : 0);
  let qq = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d2 = sqDist(q, i, q, j, dz);
      qq += 2 * kernel(d2, cs);
      if (!withGrad) continue;
      // d/dq_i of 2·k(q_i, q_j) / (n(n−1)) = 2/(n(n−1)) · slope · 2(q_i − q_j); the opposite for q_j.
      const g = (4 * kernelSlope(d2, cs)) / (n * (n - 1));
      for (let k = 0; k < dz; k++) {
        const t = g * (q[i * dz + k]! - q[j * dz + k]!);
        grad[i * dz + k]! += t;
        grad[j * dz + k]! -= t;
      }
    }
  }
  let pp = 0;
  for (let i = 0; i < m; i++) for (let j = i + 1; j < m; j++) pp += 2 * kernel(sqDist(p, i, p, j, dz), cs);
  let qp = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const d2 = sqDist(q, i, p, j, dz);
      qp += kernel(d2, cs);
      if (!withGrad) continue;
      const g = (-2 * 2 * kernelSlope(d2, cs)) / (n * m);
      for (let k = 0; k < dz; k++) grad[i * dz + k]! += g * (q[i * dz + k]! - p[j * dz + k]!);
    }
  }
  const value = qq / (n * (n - 1)) + pp / (m * (m - 1)) - (2 * qp) / (n * m);
  return { value, grad };
}

/**
 * The same MMD as a TensorFlow.js expression of the codes q and prior samples p (differentiable in both), in a handful
 * of ops whatever the number of scales (each op is a dispatch, which is what costs at batch sizes like 256): q and p
 * stacked, their pairwise squared distances (from norms and dot products, as the paper's code), the kernel summed over
 * the scales by broadcasting, and one weighted sum whose weights hold the estimator's normalisations (0 on the diagonal).
 */
export function tfMmdImq(q: tf.Tensor2D, p: tf.Tensor2D, scales: readonly number[] = IMQ_SCALES, sigma2 = 1): tf.Scalar {
  const [n, dz] = q.shape;
  const m = p.shape[0];
  if (n < 2 || m < 2) throw new RangeError(`MMD: the unbiased estimator needs at least 2 rows on each side; got ${n} and ${m}`);
  const z = tf.concat([q, p], 0);
  const norms = tf.sum(tf.square(z), 1, true);
  const d2 = tf.sub(tf.add(norms, tf.transpose(norms)), tf.mul(2, tf.matMul(z, z, false, true)));
  const cs = tf.tensor3d(widths(dz, scales, sigma2), [scales.length, 1, 1]);
  const k = tf.sum(tf.div(cs, tf.add(cs, tf.expandDims(d2, 0))), 0);
  return tf.sum(tf.mul(k, estimatorWeights(n, m)));
}

/** The estimator's weight of each pair of the stacked [q; p]: 1/(n(n−1)) and 1/(m(m−1)) off the diagonal, −1/(nm) across. */
function estimatorWeights(n: number, m: number): tf.Tensor2D {
  const t = n + m;
  const key = `${n}x${m}`;
  const cached = weightCache.get(key);
  if (cached) return tf.tensor2d(cached, [t, t]);
  const w = new Float32Array(t * t);
  for (let i = 0; i < t; i++) {
    for (let j = 0; j < t; j++) {
      if (i === j) continue;
      const qi = i < n;
      const qj = j < n;
      w[i * t + j] = qi && qj ? 1 / (n * (n - 1)) : !qi && !qj ? 1 / (m * (m - 1)) : -1 / (n * m);
    }
  }
  // A run uses one or two batch sizes (the last batch of an epoch): the weights are kept, not rebuilt per step.
  if (weightCache.size >= 8) weightCache.delete(weightCache.keys().next().value!);
  weightCache.set(key, w);
  return tf.tensor2d(w, [t, t]);
}
const weightCache = new Map<string, Float32Array>();
