/**
 * Per-column explanations for the kinds that do not reconstruct (Deep SVDD, OC-NN): integrated gradients (Sundararajan,
 * Taly and Yan 2017) of the row's score from a baseline row — the training rows' median of every numeric input and
 * the share of every one-hot input, in the model's scaled units — to the row:
 *
 *   IGⱼ(x) = (xⱼ − bⱼ) · ∫₀¹ ∂s/∂xⱼ (b + α(x − b)) dα,   Σⱼ IGⱼ(x) = s(x) − s(b)   (completeness)
 *
 * The integral is a midpoint sum over IG_STEPS points. Its small discretisation error (s(x) − s(b) − Σⱼ IGⱼ) is spread
 * over the inputs in proportion to |IGⱼ|, so the attributions sum to s(x) − s(b) exactly. What they do not cover is
 * s(b), the score of the baseline row itself: one constant per model, named with the method wherever the columns are
 * shown. An input's attribution is negative when moving it from the baseline to the row's value lowers the score
 * (that column makes the row look more normal). Model inputs are then summed into their source columns.
 */

/** Points on the straight path from the baseline to the row. */
export const IG_STEPS = 32;

/** A row's score at z and its gradient with respect to z (written into `grad`). */
export type ScoreAndGradient = (z: Float64Array, grad: Float64Array) => number;

/**
 * Spreads `target − Σ attr` over the attributions in proportion to |attrⱼ| (evenly when all are 0), so that they sum
 * to `target`. Returns the gap that was spread.
 */
export function spreadRemainder(attr: Float64Array, target: number): number {
  let sum = 0;
  let abs = 0;
  for (let j = 0; j < attr.length; j++) {
    sum += attr[j]!;
    abs += Math.abs(attr[j]!);
  }
  const gap = target - sum;
  if (gap === 0 || attr.length === 0) return gap;
  if (abs > 0) for (let j = 0; j < attr.length; j++) attr[j]! += (gap * Math.abs(attr[j]!)) / abs;
  else for (let j = 0; j < attr.length; j++) attr[j]! += gap / attr.length;
  return gap;
}

/**
 * Integrated gradients of one row (x[offset … offset + d)) from the baseline b, written into `out` (d values) and made
 * complete. `sb` is s(b). Returns s(x) and the discretisation gap that was spread.
 */
export class IntegratedGradients {
  private readonly z: Float64Array;
  private readonly g: Float64Array;

  constructor(
    private readonly f: ScoreAndGradient,
    readonly baseline: Float64Array,
    readonly steps = IG_STEPS,
  ) {
    this.z = new Float64Array(baseline.length);
    this.g = new Float64Array(baseline.length);
  }

  /** s(b), the part of every row's score no column is credited with. */
  baselineScore(): number {
    this.z.set(this.baseline);
    return this.f(this.z, this.g);
  }

  attribute(x: ArrayLike<number>, offset: number, sb: number, out: Float64Array): { score: number; gap: number } {
    const b = this.baseline;
    const d = b.length;
    const { z, g } = this;
    out.fill(0);
    for (let s = 0; s < this.steps; s++) {
      const alpha = (s + 0.5) / this.steps;
      for (let j = 0; j < d; j++) z[j] = b[j]! + alpha * (x[offset + j]! - b[j]!);
      this.f(z, g);
      for (let j = 0; j < d; j++) out[j]! += g[j]!;
    }
    for (let j = 0; j < d; j++) out[j] = (out[j]! * (x[offset + j]! - b[j]!)) / this.steps;
    for (let j = 0; j < d; j++) z[j] = x[offset + j]!;
    const score = this.f(z, g);
    const gap = spreadRemainder(out, score - sb);
    return { score, gap };
  }
}
