/**
 * Descriptive statistics for score and column distributions. These helpers are lenient on purpose: they
 * skip non-finite values (NaN, ±∞ — e.g. missing cells) and report how many finite values they used.
 * The threshold and metric functions are strict instead: they reject non-finite scores.
 */
import { ResidualError } from '../errors';
import { checkInteger } from './internal';

export interface Summary {
  /** Number of finite values used. */
  readonly n: number;
  /** NaN when n = 0. */
  readonly mean: number;
  /** Population standard deviation (divides by n, numpy's default ddof = 0). NaN when n = 0. */
  readonly std: number;
  /** NaN when n = 0. */
  readonly min: number;
  /** NaN when n = 0. */
  readonly max: number;
}

export interface HistogramResult {
  /** bins + 1 ascending edges. Bin i is [edges[i], edges[i+1]), the last bin is closed: [edges[bins-1], edges[bins]]. */
  readonly edges: number[];
  /** bins counts; they sum to the number of values binned (n − excluded). */
  readonly counts: number[];
  /** Values left out: non-finite ones, and in log mode also values ≤ 0. */
  readonly excluded: number;
}

export interface HistogramOptions {
  /** Log-spaced bins (edges in geometric progression) for positive data; values ≤ 0 are excluded. Default false. */
  readonly log?: boolean;
}

/** Finite values only, as a Float64Array copy. */
function finiteValues(xs: ArrayLike<number>): Float64Array {
  let count = 0;
  for (let i = 0; i < xs.length; i++) if (Number.isFinite(xs[i] as number)) count++;
  const out = new Float64Array(count);
  let j = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i] as number;
    if (Number.isFinite(x)) out[j++] = x;
  }
  return out;
}

/**
 * n, mean, population standard deviation (σ = √(Σ(x − mean)² / n), ddof = 0), min and max of the finite
 * values of xs; NaN and ±∞ are skipped. Two-pass algorithm (mean first, then squared deviations) for accuracy.
 * An empty input (or one without finite values) gives n = 0 and NaN for every statistic.
 */
export function summary(xs: ArrayLike<number>): Summary {
  let n = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i] as number;
    if (!Number.isFinite(x)) continue;
    n++;
    sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (n === 0) return { n: 0, mean: NaN, std: NaN, min: NaN, max: NaN };
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i] as number;
    if (!Number.isFinite(x)) continue;
    const d = x - mean;
    ss += d * d;
  }
  return { n, mean, std: Math.sqrt(ss / n), min, max };
}

/**
 * numpy's `_lerp`: a + (b − a)·t, computed from the b side when t ≥ 0.5, so results match numpy bit for bit.
 */
function lerp(a: number, b: number, t: number): number {
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/**
 * q-quantile (0 ≤ q ≤ 1) of an ascending, non-empty, all-finite array with numpy's default 'linear' method:
 * virtual index h = (n − 1)·q, result = x[⌊h⌋] + (x[⌊h⌋+1] − x[⌊h⌋])·(h − ⌊h⌋).
 * @internal Used by quantile() and percentileThreshold(); callers check their arguments.
 */
export function quantileSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  const h = (n - 1) * q;
  if (h >= n - 1) return sorted[n - 1] as number;
  if (h <= 0) return sorted[0] as number;
  const lo = Math.floor(h);
  return lerp(sorted[lo] as number, sorted[lo + 1] as number, h - lo);
}

/**
 * The p-quantile (0 ≤ p ≤ 1) of the finite values of xs, exactly like `numpy.quantile(xs, p)` with the default
 * method 'linear': sort, take virtual index h = (n − 1)·p and interpolate linearly between the two neighbouring
 * order statistics. quantile(xs, 0.5) is the median. NaN and ±∞ are skipped; NaN when no finite value is left.
 * O(n) (selection, not a sort).
 */
export function quantile(xs: ArrayLike<number>, p: number): number {
  if (!(p >= 0 && p <= 1)) {
    throw new ResidualError('BAD_INPUT', `The quantile must be between 0 and 1 (0.5 is the median); got ${String(p)}. For a percentile, divide it by 100.`, { field: 'p' });
  }
  const values = finiteValues(xs);
  const n = values.length;
  if (n === 0) return NaN;
  // The same order statistics as sorting, found by selection in O(n): x[⌊h⌋], and x[⌊h⌋+1] as the smallest
  // value above it (a median of a million values takes ~10 ms instead of ~80).
  const h = (n - 1) * p;
  if (h >= n - 1) return selectKth(values, n - 1);
  if (h <= 0) return selectKth(values, 0);
  const lo = Math.floor(h);
  const a = selectKth(values, lo);
  let b = Infinity;
  for (let i = lo + 1; i < n; i++) if (values[i]! < b) b = values[i]!;
  return lerp(a, b, h - lo);
}

/**
 * Rearranges `v` so that v[k] is the value a sort would put there, everything before it ≤ and after it ≥ v[k]
 * (Hoare-partition quickselect, median-of-three pivots; falls back to a sort of the remaining range if the
 * partitions keep coming out lopsided, so the worst case stays O(n log n)).
 */
function selectKth(v: Float64Array, k: number): number {
  let left = 0;
  let right = v.length - 1;
  let budget = 2 * Math.ceil(Math.log2(v.length + 1)) + 8;
  while (right > left) {
    if (budget-- === 0) {
      const rest = v.subarray(left, right + 1).sort();
      return rest[k - left]!;
    }
    const mid = left + ((right - left) >> 1);
    // Median of three as the pivot.
    let x = v[left]!;
    let y = v[mid]!;
    let z = v[right]!;
    if (x > y) [x, y] = [y, x];
    if (y > z) [y, z] = [z, y];
    if (x > y) [x, y] = [y, x];
    const pivot = y;
    let i = left;
    let j = right;
    while (i <= j) {
      while (v[i]! < pivot) i++;
      while (v[j]! > pivot) j--;
      if (i <= j) {
        const t = v[i]!;
        v[i] = v[j]!;
        v[j] = t;
        i++;
        j--;
      }
    }
    // Now v[left..j] ≤ pivot ≤ v[i..right], and v[j+1..i-1] (if any) equal the pivot.
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return v[k]!;
  }
  return v[k]!;
}

/**
 * Histogram of the finite values of xs for the score distribution chart.
 *
 * Linear mode (default): `bins` equal-width bins spanning [min, max], edges edges[i] = min + i·(max − min)/bins with
 * the last edge exactly max — the same edges and counts as `numpy.histogram(xs, bins)`. Bins are half-open
 * [a, b) except the last, which also holds max. When all values are equal to v the range is [v − 0.5, v + 0.5]
 * (numpy's convention); with no finite values it is [0, 1] and every count is 0.
 *
 * Log mode (`{ log: true }`): for positive data such as reconstruction errors; values ≤ 0 are excluded
 * (counted in `excluded`). Edges are geometric, edges[i] = min·(max/min)^(i/bins), first and last edge exactly
 * min and max; same half-open rule. When all positive values equal v the range is [v/2, 2v]; with no positive
 * value it is [1, 10].
 *
 * Each value is placed by arithmetic, then nudged by comparison with the stored edges, so a value always lands in
 * the bin its edges say it belongs to. O(n + bins).
 */
export function histogram(xs: ArrayLike<number>, bins: number, options: HistogramOptions = {}): HistogramResult {
  checkInteger(bins, 'bins', 1, 'the number of histogram bins');
  const log = options.log === true;
  let lo = Infinity;
  let hi = -Infinity;
  let used = 0;
  const keep = (x: number): boolean => Number.isFinite(x) && (!log || x > 0);
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i] as number;
    if (!keep(x)) continue;
    used++;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  if (used === 0) {
    lo = log ? 1 : 0;
    hi = log ? 10 : 1;
  } else if (lo === hi) {
    if (log) {
      lo /= 2;
      hi *= 2;
    } else {
      lo -= 0.5;
      hi += 0.5;
    }
  }

  // Ranges wider than the largest double (e.g. −1e308 … 1e308) are halved first so the width stays finite;
  // otherwise (half = 1) the arithmetic is exactly numpy's.
  const half = Number.isFinite(hi - lo) ? 1 : 0.5;
  const width = hi * half - lo * half;
  const edges = new Array<number>(bins + 1);
  if (log) {
    const ratio = hi / lo;
    for (let i = 0; i <= bins; i++) edges[i] = lo * ratio ** (i / bins);
  } else {
    const step = width / bins;
    for (let i = 0; i <= bins; i++) edges[i] = (i * step) / half + lo;
  }
  edges[0] = lo;
  edges[bins] = hi;

  const counts = new Array<number>(bins).fill(0);
  const logLo = Math.log(lo);
  const logSpan = Math.log(hi) - logLo;
  const norm = bins / width;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i] as number;
    if (!keep(x)) continue;
    const f = log ? ((Math.log(x) - logLo) / logSpan) * bins : (x * half - lo * half) * norm;
    let b = Math.min(bins - 1, Math.max(0, Math.floor(f)));
    // Edge correction (as numpy does): the arithmetic above can be off by one next to an edge.
    if (x < (edges[b] as number) && b > 0) b--;
    else if (b < bins - 1 && x >= (edges[b + 1] as number)) b++;
    counts[b] = (counts[b] as number) + 1;
  }
  return { edges, counts, excluded: xs.length - used };
}
