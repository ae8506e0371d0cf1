/**
 * Deep SVDD (Ruff et al., "Deep One-Class Classification", ICML 2018), the math on plain arrays: the hypersphere's
 * centre from an initial forward pass, both objectives, the radius update and the score. Float64 throughout; the
 * training graph in oneclass.ts computes the same objectives on tensors (tests hold them together).
 *
 *   one-class:      min_W  1/n Σ ‖φ(xᵢ; W) − c‖² + λ/2 Σ_ℓ ‖W^ℓ‖²_F
 *   soft-boundary:  min_{R,W}  R² + 1/(νn) Σ max(0, ‖φ(xᵢ; W) − c‖² − R²) + λ/2 Σ_ℓ ‖W^ℓ‖²_F
 *   score:          s(x) = ‖φ(x; W) − c‖²  (soft-boundary: minus R², so a row outside the sphere scores > 0)
 *
 * The network is bias-free (a bias lets it map every row onto c, the "hypersphere collapse" of the paper's §3.3).
 */

export type SvddObjective = 'one-class' | 'soft-boundary';

/**
 * How far from zero each coordinate of the centre must be (the reference implementation's eps): a coordinate of c
 * at 0 can be matched by a unit that is dead for every row, a trivial solution.
 */
export const CENTER_EPS = 0.1;

/**
 * The centre c: the mean of the network's outputs over the training rows at its initial weights, with coordinates
 * closer to zero than `eps` pushed out to ±eps by their sign (exactly 0 goes to +eps). `outputs`: n × k row-major.
 */
export function initCenter(outputs: ArrayLike<number>, n: number, k: number, eps = CENTER_EPS): Float64Array {
  if (n < 1) throw new Error('the centre needs at least one row');
  const c = new Float64Array(k);
  for (let r = 0; r < n; r++) for (let j = 0; j < k; j++) c[j]! += outputs[r * k + j]!;
  for (let j = 0; j < k; j++) {
    const m = c[j]! / n;
    c[j] = Math.abs(m) < eps ? (m < 0 ? -eps : eps) : m;
  }
  return c;
}

/** ‖φᵢ − c‖² per row of `outputs` (n × k row-major). */
export function squaredDistances(outputs: ArrayLike<number>, n: number, k: number, c: ArrayLike<number>): Float64Array {
  const d = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += (outputs[r * k + j]! - c[j]!) ** 2;
    d[r] = s;
  }
  return d;
}

/** λ/2 Σ_ℓ ‖W^ℓ‖²_F over the kernels. */
export function weightPenalty(kernels: readonly ArrayLike<number>[], lambda: number): number {
  let s = 0;
  for (const w of kernels) for (let i = 0; i < w.length; i++) s += w[i]! * w[i]!;
  return (lambda / 2) * s;
}

/** The objective on a batch of squared distances (without the weight penalty). `r2`: R², used by soft-boundary only. */
export function svddLoss(objective: SvddObjective, dist: ArrayLike<number>, r2: number, nu: number): number {
  const n = dist.length;
  let s = 0;
  if (objective === 'one-class') {
    for (let i = 0; i < n; i++) s += dist[i]!;
    return s / n;
  }
  for (let i = 0; i < n; i++) s += Math.max(0, dist[i]! - r2);
  return r2 + s / (nu * n);
}

/**
 * The (1 − ν)-quantile of the squared distances: R² solving the soft-boundary objective for fixed W (a fraction ν of
 * the rows lies outside the sphere). Linear interpolation between order statistics, as numpy.quantile.
 */
export function radiusSquared(dist: ArrayLike<number>, nu: number): number {
  return quantile(dist, 1 - nu);
}

/** Row scores: the squared distance, minus R² for soft-boundary. */
export function svddScores(objective: SvddObjective, dist: ArrayLike<number>, r2: number): Float64Array {
  const out = Float64Array.from(dist as ArrayLike<number>);
  if (objective === 'soft-boundary') for (let i = 0; i < out.length; i++) out[i]! -= r2;
  return out;
}

/** The p-quantile (0 ≤ p ≤ 1) of xs with numpy's default linear interpolation; NaN for no values. */
export function quantile(xs: ArrayLike<number>, p: number): number {
  const a = Float64Array.from(xs as ArrayLike<number>).sort();
  if (a.length === 0) return NaN;
  const at = Math.min(1, Math.max(0, p)) * (a.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(a.length - 1, lo + 1);
  return a[lo]! + (a[hi]! - a[lo]!) * (at - lo);
}
