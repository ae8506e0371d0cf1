/**
 * ECOD (Li, Zhao, Hu, Botta, Ionescu and Chen 2022, "ECOD: Unsupervised Outlier Detection Using Empirical Cumulative
 * Distribution Functions"), as PyOD's `ECOD.decision_function` computes it (and /work/shared/bench/reference.py):
 * per dim j, U_l = −log F_left(x) with F_left(x) = #{x_i ≤ x} / n, U_r = −log F_right(x) with F_right(x) = #{x_i ≥ x} / n
 * over the fitted values; the skewness γ_j (biased, as scipy.stats.skew; NaN for a constant dim counts as 0) picks the
 * tail: sign(γ) = 1 → U_r, −1 → U_l, 0 → U_l + U_r; the dim's outlier score is max(that, (U_l + U_r) / 2), and the
 * row's score is their sum. A row that was among the fitted ones counts itself (as PyOD, which fits and scores the
 * same rows); any other row is counted as if added to the fitted ones: (#{x_i ≤ x} + 1) / (n + 1).
 */
import { countBelow } from '../../data/sort';

export interface EcodModel {
  readonly rows: number;
  readonly dims: number;
  /** Per dim, the fitted values sorted ascending (dims × rows, dim-major). */
  readonly sorted: Float32Array;
  /** Per dim, sign of the skewness: −1, 0 or 1. */
  readonly skewSign: Int8Array;
}

/** Biased sample skewness m3 / m2^1.5 as scipy.stats.skew; NaN when the values are (numerically) constant. */
export function skewness(values: ArrayLike<number>): number {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  let m2 = 0;
  let m3 = 0;
  for (let i = 0; i < n; i++) {
    const dv = values[i]! - mean;
    m2 += dv * dv;
    m3 += dv * dv * dv;
  }
  m2 /= n;
  m3 /= n;
  // scipy: m2 ≤ (float64 resolution × mean)² counts as zero variance.
  if (m2 <= (1e-15 * mean) ** 2) return NaN;
  return m3 / m2 ** 1.5;
}

/** Fits on the n rows of x (n × d row-major). */
export function fitEcod(x: Float32Array, n: number, d: number): EcodModel {
  const sorted = new Float32Array(n * d);
  const skewSign = new Int8Array(d);
  const col = new Float64Array(n);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) col[i] = x[i * d + j]!;
    const g = skewness(col);
    skewSign[j] = Number.isNaN(g) ? 0 : Math.sign(g);
    const s = sorted.subarray(j * n, (j + 1) * n);
    s.set(col);
    s.sort();
  }
  return { rows: n, dims: d, sorted, skewSign };
}

/**
 * Scores n rows: per row and dim the dimensional outlier score (n × d); the row's score is their sum.
 * `fitted(r)` says whether row r of x was one of the fitted rows (its own value is then already counted).
 */
export function scoreEcod(m: EcodModel, x: Float32Array, n: number, fitted: (r: number) => boolean): { score: Float64Array; dimScores: Float64Array } {
  const d = m.dims;
  const score = new Float64Array(n);
  const dimScores = new Float64Array(n * d);
  for (let r = 0; r < n; r++) {
    const self = fitted(r) ? 0 : 1;
    const total = m.rows + self;
    let sum = 0;
    for (let j = 0; j < d; j++) {
      const s = m.sorted.subarray(j * m.rows, (j + 1) * m.rows);
      const v = x[r * d + j]!;
      const left = -Math.log((countBelow(s, v, true) + self) / total);
      const right = -Math.log((m.rows - countBelow(s, v) + self) / total);
      const g = m.skewSign[j]!;
      const chosen = g > 0 ? right : g < 0 ? left : left + right;
      const o = Math.max(chosen, (left + right) / 2);
      dimScores[r * d + j] = o;
      sum += o;
    }
    score[r] = sum;
  }
  return { score, dimScores };
}

// ---- serialisation: [rows, dims as float64][skew signs as float64 × dims][sorted values as float32] ----------------

export function serializeEcod(m: EcodModel): Buffer {
  const head = new Float64Array(2 + m.dims);
  head[0] = m.rows;
  head[1] = m.dims;
  for (let j = 0; j < m.dims; j++) head[2 + j] = m.skewSign[j]!;
  return Buffer.concat([Buffer.from(head.buffer), Buffer.from(m.sorted.buffer, m.sorted.byteOffset, m.sorted.byteLength)]);
}

export function deserializeEcod(blob: Uint8Array): EcodModel {
  const copy = new Uint8Array(blob);
  const rows = new Float64Array(copy.buffer, 0, 2)[0]!;
  const dims = new Float64Array(copy.buffer, 0, 2)[1]!;
  const headBytes = (2 + dims) * 8;
  if (!(rows >= 1 && dims >= 1) || copy.byteLength !== headBytes + rows * dims * 4) throw new Error('not an ECOD fit');
  const head = new Float64Array(copy.buffer, 0, 2 + dims);
  const skewSign = Int8Array.from(head.subarray(2));
  return { rows, dims, skewSign, sorted: new Float32Array(copy.buffer, headBytes, rows * dims) };
}
