import { quantile, summary } from '../analysis';
import { ResidualError } from '../errors';
import type { CategoricalFeature, FeatureSpec, NumericFeature, Preprocessing, ScalerKind } from './types';

/** The category that stands for a missing categorical value. */
export const MISSING_CATEGORY = '(missing)';
/** What an unseen or rare category becomes; also the reconstruction when that bucket wins. */
export const OTHER_CATEGORY = '(other)';
/** Skewness above which 'auto' log-transforms a non-negative column. */
export const LOG1P_SKEW = 2;

/** Raw values of one source column for some rows: numbers (NaN = missing) or strings (null = missing). */
export type RawColumn = Float64Array | readonly (string | null)[];

export interface FitColumn {
  readonly name: string;
  readonly kind: 'numeric' | 'categorical';
  /** The training rows' values only: preprocessing never sees validation or scored rows. */
  readonly values: RawColumn;
}

export interface FitOptions {
  readonly scaler: ScalerKind;
  readonly log1p: 'auto' | 'none' | readonly string[];
  readonly maxCategories: number;
  readonly missingIndicators: boolean;
  /** Clip scaled numeric values to ±clip; 0 or absent = off. */
  readonly clip?: number;
  /**
   * Columns 'auto' never log-transforms: an image dataset's pixels (intensities scaled to 0–1, bounded — a skewed
   * pixel is a mostly dark background, not a heavy tail that would dominate the scaling). A list names them still.
   */
  readonly noAutoLog?: ReadonlySet<string>;
}

/** Fits scaling, log1p choice, imputation and one-hot vocabularies on the training rows. */
export function fitPreprocessing(columns: readonly FitColumn[], opts: FitOptions): Preprocessing {
  if (Array.isArray(opts.log1p)) {
    const known = new Set(columns.filter((c) => c.kind === 'numeric').map((c) => c.name));
    const bad = (opts.log1p as readonly string[]).filter((n) => !known.has(n));
    if (bad.length) {
      throw new ResidualError('BAD_INPUT', `log1p names ${bad.map((b) => `"${b}"`).join(', ')}, which ${bad.length > 1 ? 'are not numeric feature columns' : 'is not a numeric feature column'}. Numeric features: ${[...known].join(', ') || '(none)'}.`, { field: 'log1p' });
    }
  }
  const features: FeatureSpec[] = [];
  let dim = 0;
  for (const col of columns) {
    if (col.kind === 'numeric') {
      const f = fitNumeric(col.name, toNumbers(col.values), opts, dim);
      features.push(f);
      dim += f.indicatorDim >= 0 ? 2 : 1;
    } else {
      const f = fitCategorical(col.name, col.values, opts.maxCategories, dim);
      features.push(f);
      dim += f.categories.length + 1;
    }
  }
  return { version: 1, scaler: opts.scaler, inputDims: dim, features, ...(opts.clip ? { clip: opts.clip } : {}) };
}

function fitNumeric(name: string, raw: Float64Array, opts: FitOptions, dim: number): NumericFeature {
  // Plain loops, no filter/map callbacks: this runs over every training row of every column.
  let count = 0;
  for (let i = 0; i < raw.length; i++) if (raw[i] === raw[i]) count++;
  let observed = raw;
  if (count < raw.length) {
    observed = new Float64Array(count);
    for (let i = 0, j = 0; i < raw.length; i++) if (raw[i] === raw[i]) observed[j++] = raw[i]!;
  }
  const missing = raw.length - count;
  let useLog: boolean;
  if (opts.log1p === 'auto') useLog = !opts.noAutoLog?.has(name) && observed.length > 2 && summary(observed).min >= 0 && skewness(observed) > LOG1P_SKEW;
  else if (opts.log1p === 'none') useLog = false;
  else useLog = (opts.log1p as readonly string[]).includes(name);
  let vals = observed;
  if (useLog) {
    vals = new Float64Array(count);
    for (let i = 0; i < count; i++) vals[i] = slog1p(observed[i]!);
  }
  // Statistics of the finite values (infinite ones, if any, make the loss diverge with a message naming the column).
  const st = summary(vals);
  const fill = st.n ? quantile(vals, 0.5) : 0;
  let center = 0;
  let scale = 1;
  if (st.n) {
    switch (opts.scaler) {
      case 'standard':
        [center, scale] = [st.mean, st.std];
        break;
      case 'minmax':
        [center, scale] = [st.min, st.max - st.min];
        break;
      case 'robust':
        center = fill;
        scale = quantile(vals, 0.75) - quantile(vals, 0.25);
        // A column that is mostly one value has IQR 0; its std still says how wide the rest is.
        if (!(scale > 0)) scale = st.std;
        break;
    }
  }
  // Constant columns: any non-zero scale works, 1 keeps them at 0 after centring.
  if (scale === 0) scale = 1;
  return { kind: 'numeric', name, log1p: useLog, fill, center, scale, dim, indicatorDim: opts.missingIndicators && missing > 0 ? dim + 1 : -1 };
}

function fitCategorical(name: string, raw: RawColumn, maxCategories: number, dim: number): CategoricalFeature {
  const counts = new Map<string, number>();
  for (let i = 0; i < raw.length; i++) {
    const key = categoryOf(raw[i]!);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const categories = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, Math.max(0, maxCategories))
    .map(([k]) => k);
  return { kind: 'categorical', name, categories, dim };
}

/** The category key of a raw value: numbers as text, missing as MISSING_CATEGORY. */
export function categoryOf(v: string | number | null | undefined): string {
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return MISSING_CATEGORY;
  return typeof v === 'number' ? String(v) : v;
}

/**
 * Model inputs for `n` rows: `columns[f]` holds feature f's raw values (same order as pp.features).
 * Writes into `out` (n × inputDims, row-major) when given, so streaming reuses one buffer.
 */
export function transform(pp: Preprocessing, columns: readonly RawColumn[], n: number, out?: Float32Array): Float32Array {
  const d = pp.inputDims;
  const x = out && out.length >= n * d ? out.subarray(0, n * d) : new Float32Array(n * d);
  // Numeric value dims are always written; indicator and one-hot dims only where set, so they start at 0.
  if (pp.features.some((f) => f.kind === 'categorical' || f.indicatorDim >= 0)) x.fill(0);
  // Numeric features in the common case (no log, no indicator) as parallel arrays, for a tight inner loop.
  const plainNums: Float64Array[] = [];
  const plain: NumericFeature[] = [];
  const other: { nums: Float64Array; f: NumericFeature }[] = [];
  const categorical: { col: RawColumn; f: CategoricalFeature }[] = [];
  pp.features.forEach((f, fi) => {
    if (f.kind === 'categorical') categorical.push({ col: columns[fi]!, f });
    else if (f.log1p || f.indicatorDim >= 0) other.push({ nums: toNumbers(columns[fi]!), f });
    else {
      plainNums.push(toNumbers(columns[fi]!));
      plain.push(f);
    }
  });
  // Clipping bounds (±∞ when off: the comparisons then never change a value).
  const hi = pp.clip ? pp.clip : Infinity;
  const lo = -hi;
  const center = Float64Array.from(plain, (f) => f.center);
  const scale = Float64Array.from(plain, (f) => f.scale);
  const fill = Float64Array.from(plain, (f) => f.fill);
  const dims = Int32Array.from(plain, (f) => f.dim);
  // Row blocks keep the column-by-column writes of wide inputs inside a few cache lines.
  const block = Math.max(1, Math.min(n, Math.floor(16384 / Math.max(1, d))));
  for (let r0 = 0; r0 < n; r0 += block) {
    const r1 = Math.min(n, r0 + block);
    for (let k = 0; k < plain.length; k++) {
      const nums = plainNums[k]!;
      const c = center[k]!;
      const sc = scale[k]!;
      const fl = fill[k]!;
      // As scaleValue: (t - center) / scale, a missing value (NaN) taking the fill.
      for (let r = r0, at = r0 * d + dims[k]!; r < r1; r++, at += d) {
        const v = nums[r]!;
        const y = ((v === v ? v : fl) - c) / sc;
        x[at] = y > hi ? hi : y < lo ? lo : y;
      }
    }
    for (let k = 0; k < other.length; k++) {
      const { nums, f } = other[k]!;
      const { center: c, scale: sc, fill: fl, dim, indicatorDim } = f;
      for (let r = r0; r < r1; r++) {
        const v = nums[r]!;
        const missing = Number.isNaN(v);
        const t = missing ? fl : f.log1p ? slog1p(v) : v;
        const y = (t - c) / sc;
        x[r * d + dim] = y > hi ? hi : y < lo ? lo : y;
        if (indicatorDim >= 0 && missing) x[r * d + indicatorDim] = 1;
      }
    }
    for (let k = 0; k < categorical.length; k++) {
      const { col, f } = categorical[k]!;
      const index = categoryIndex(f);
      for (let r = r0; r < r1; r++) {
        const c = index.get(categoryOf(col[r]!)) ?? f.categories.length;
        x[r * d + f.dim + c] = 1;
      }
    }
  }
  return x;
}

/** One numeric value in model units (NaN = missing → the training median), clipped to ±clip when given. */
export function scaleValue(f: NumericFeature, v: number, clip = 0): number {
  const t = Number.isNaN(v) ? f.fill : f.log1p ? slog1p(v) : v;
  const y = (t - f.center) / f.scale;
  return clip > 0 ? Math.max(-clip, Math.min(clip, y)) : y;
}

/** Model units back to data units for a numeric feature. */
export function unscaleValue(f: NumericFeature, y: number): number {
  const t = y * f.scale + f.center;
  return f.log1p ? sexpm1(t) : t;
}

/**
 * A reconstructed row's value of one feature in data units (categoricals: the most likely category; null = missing),
 * to the precision its float32 model units carry: 7 significant digits of the column's scale, so that a value at a
 * training median of 0 (a one-class model's baseline row) reads 0, not 2.29e-10.
 */
export function inverseFeature(f: FeatureSpec, row: Float32Array | readonly number[]): number | string | null {
  if (f.kind === 'numeric') {
    const y = row[f.dim]!;
    if (!(f.scale > 0) || !Number.isFinite(y)) return unscaleValue(f, y);
    // Divided by an exact power of ten (not multiplied by 1e-7), so 12.3456789 reads 12.34568, not 12.345680000000001.
    const k = 6 - Math.floor(Math.log10(f.scale));
    const raw = y * f.scale + f.center;
    // + 0: a value that rounds to zero from below reads 0, not −0.
    const t = (k >= 0 ? Math.round(raw * 10 ** k) / 10 ** k : Math.round(raw / 10 ** -k) * 10 ** -k) + 0;
    return f.log1p ? sexpm1(t) : t;
  }
  let best = 0;
  for (let k = 1; k <= f.categories.length; k++) if (row[f.dim + k]! > row[f.dim + best]!) best = k;
  const cat = best < f.categories.length ? f.categories[best]! : OTHER_CATEGORY;
  return cat === MISSING_CATEGORY ? null : cat;
}

/** Model dim → index of its source column in pp.features (indicators and one-hot dims fold into their column). */
export function dimOwners(pp: Preprocessing): Int32Array {
  const owner = new Int32Array(pp.inputDims);
  pp.features.forEach((f, fi) => {
    if (f.kind === 'numeric') {
      owner[f.dim] = fi;
      if (f.indicatorDim >= 0) owner[f.indicatorDim] = fi;
    } else {
      for (let k = 0; k <= f.categories.length; k++) owner[f.dim + k] = fi;
    }
  });
  return owner;
}

/** Columns named in full in the log1p warning; past this, "and N more" (an image's pixels would fill a page). */
const LOGGED_NAMED = 12;

/** The training warning naming the columns that got log1p, or null when none did. */
export function loggedWarning(pp: Preprocessing): string | null {
  const logged = pp.features.filter((f): f is NumericFeature => f.kind === 'numeric' && f.log1p).map((f) => f.name);
  if (logged.length === 0) return null;
  const named = logged.slice(0, LOGGED_NAMED).join(', ');
  return logged.length > LOGGED_NAMED ? `log1p applied to ${logged.length.toLocaleString('en-US')} columns: ${named} and ${(logged.length - LOGGED_NAMED).toLocaleString('en-US')} more.` : `log1p applied to: ${named}.`;
}

const indexCache = new WeakMap<CategoricalFeature, Map<string, number>>();
function categoryIndex(f: CategoricalFeature): Map<string, number> {
  let m = indexCache.get(f);
  if (!m) {
    m = new Map(f.categories.map((c, i) => [c, i]));
    indexCache.set(f, m);
  }
  return m;
}

// ---- log1p and skewness ----------------------------------------------------------------------

/** Signed log1p: log1p for x ≥ 0, mirrored below 0 so that scored data with negatives stays finite. */
export function slog1p(x: number): number {
  return x < 0 ? -Math.log1p(-x) : Math.log1p(x);
}
export function sexpm1(y: number): number {
  return y < 0 ? -Math.expm1(-y) : Math.expm1(y);
}

/** Sample skewness (Fisher–Pearson, biased) of the finite values, 0 for constant columns. */
export function skewness(v: ArrayLike<number>): number {
  const { n, mean } = summary(v);
  let m2 = 0;
  let m3 = 0;
  for (let i = 0; i < v.length; i++) {
    if (!Number.isFinite(v[i]!)) continue;
    const d = v[i]! - mean;
    m2 += d * d;
    m3 += d * d * d;
  }
  m2 /= n;
  m3 /= n;
  return m2 > 0 ? m3 / m2 ** 1.5 : 0;
}

/** Numeric view of a raw column: text that is not a number counts as missing. */
export function toNumbers(col: RawColumn): Float64Array {
  if (col instanceof Float64Array) return col;
  const out = new Float64Array(col.length);
  for (let i = 0; i < col.length; i++) {
    const s = col[i];
    const v = s === null || s === undefined || s.trim() === '' ? NaN : Number(s);
    out[i] = Number.isNaN(v) ? NaN : v;
  }
  return out;
}
