import { quantile } from './svdd';

/**
 * One-class neural network (Chalapathy, Menon and Chawla, "Anomaly Detection using One-Class Neural Networks", 2018),
 * the math on plain arrays. The network ŷ(x) = ⟨w, g(V x)⟩ (here V may be several bias-free layers) is trained on the
 * OC-SVM-like objective
 *
 *   min_{w,V,r}  ½‖w‖² + ½‖V‖²_F + 1/ν · 1/N Σ max(0, r − ŷ(xₙ)) − r
 *
 * alternately: Adam steps on (w, V) with r fixed, then r ← the ν-quantile of {ŷ(xₙ)} over the training rows (the
 * minimiser for fixed w, V; the paper's Algorithm 1, line 7). The seed's decision score is Sₙ = ŷₙ − r, normal when
 * ≥ 0; Residual ranks by r − ŷ so that, as for every other kind, a larger score is more anomalous (> 0: outside).
 */

/** ½ Σ ‖W‖² over every kernel (w and each layer of V) plus the hinge and −r terms, for outputs ŷ of a batch. */
export function ocnnLoss(yhat: ArrayLike<number>, r: number, nu: number, kernels: readonly ArrayLike<number>[]): number {
  let reg = 0;
  for (const w of kernels) for (let i = 0; i < w.length; i++) reg += w[i]! * w[i]!;
  let hinge = 0;
  for (let i = 0; i < yhat.length; i++) hinge += Math.max(0, r - yhat[i]!);
  return 0.5 * reg + hinge / (nu * yhat.length) - r;
}

/** r for fixed weights: the ν-quantile of the outputs (a fraction ν of the training rows falls below it). */
export function ocnnThreshold(yhat: ArrayLike<number>, nu: number): number {
  return quantile(yhat, nu);
}

/** Row scores r − ŷ: positive below the hyperplane (anomalous in the seed's algorithm), larger = more anomalous. */
export function ocnnScores(yhat: ArrayLike<number>, r: number): Float64Array {
  return Float64Array.from(yhat as ArrayLike<number>, (y) => r - y);
}
