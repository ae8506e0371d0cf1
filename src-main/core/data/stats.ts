/**
 * Exact per-column statistics, computed from a column's stored chunks one column at a time
 * (memory: one column's values, never the table).
 *
 * Quantiles use linear interpolation between closest ranks, numpy's default ("linear", R type 7):
 * for sorted x[0..n-1], q(p) = x[⌊h⌋] + (h − ⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋]) with h = (n − 1)p.
 * std is the sample standard deviation (n − 1 in the denominator); absent below two values.
 */
import type { ColumnStats, Histogram, TopValue } from '../store/types';
import { FastCsv } from './fastcsv';
import { countBelow, sortFloat64 } from './sort';

export const HISTOGRAM_BINS = 30;
/** Columns from this many rows get their statistics from fastcsv.c (fewer: not worth an instance). */
export const FAST_STATS_ROWS = 2048;
/** …and up to this many (16 bytes a row inside a 32-bit WebAssembly memory: 1 GiB); more stay in TypeScript. */
export const FAST_STATS_MAX_ROWS = 64 * 1024 * 1024;
export const TOP_VALUES = 10;
/** Text columns stop counting new distinct values here (distinctCapped). */
export const TEXT_DISTINCT_CAP = 100_000;

export function quantileSorted(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const x = sorted[lo]!;
  return lo + 1 < sorted.length ? x + (h - lo) * (sorted[lo + 1]! - x) : x;
}

/** Neumaier-compensated sum: the mean of a million values stays exact to the last digits. */
function sum(values: Float64Array): number {
  let s = 0;
  let comp = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const t = s + v;
    comp += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s;
    s = t;
  }
  return s + comp;
}

/** Equal-width bins from min to max; bin i holds edges[i] ≤ x < edges[i+1], the last one also max. */
function histogram(sorted: Float64Array, bins: number): Histogram {
  const n = sorted.length;
  const min = sorted[0]!;
  const max = sorted[n - 1]!;
  if (min === max) return { edges: [min, max], counts: [n] };
  // Halves keep (max - min) finite even for values near ±Number.MAX_VALUE.
  const half = max / 2 - min / 2;
  const edges = new Array<number>(bins + 1);
  for (let i = 0; i <= bins; i++) edges[i] = i === bins ? max : 2 * (min / 2 + (half / bins) * i);
  // The values are sorted: each bin is the stretch between two edges, found by binary search.
  const counts = new Array<number>(bins);
  let from = 0;
  for (let i = 0; i < bins; i++) {
    const to = i === bins - 1 ? n : countBelow(sorted, edges[i + 1]!);
    counts[i] = to - from;
    from = to;
  }
  return { edges, counts };
}

/** Keeps the `limit` largest counts; among equal counts the earlier-offered value wins. */
class TopList {
  readonly items: { key: number; count: number }[] = [];
  constructor(private readonly limit: number) {}
  offer(key: number, count: number): void {
    const items = this.items;
    if (items.length === this.limit && items[items.length - 1]!.count >= count) return;
    let at = items.length;
    while (at > 0 && items[at - 1]!.count < count) at--;
    items.splice(at, 0, { key, count });
    if (items.length > this.limit) items.pop();
  }
  values(format: (v: number) => string): TopValue[] {
    return this.items.map((t) => ({ value: format(t.key), count: t.count }));
  }
}

/**
 * Numbers or times (epoch ms): NaN is missing. `rowCount` sizes the one-column buffer;
 * `format` spells a value for topValues.
 */
export function numericStats(chunks: Iterable<Float64Array>, rowCount: number, format: (v: number) => string, instance?: FastCsv | null): ColumnStats {
  // Gathered inside fastcsv.c's instance where WebAssembly runs (`instance`, else a fresh one), summed and sorted
  // there (fc_stats: the same arithmetic, its radix sort several times faster than TypeScript's, the same order);
  // else in a TypeScript array, sorted by sortFloat64.
  let fast = rowCount < FAST_STATS_ROWS || rowCount > FAST_STATS_MAX_ROWS ? null : instance !== undefined ? instance : FastCsv.create();
  let values = fast ? fast.column(rowCount) : new Float64Array(rowCount);
  let n = 0;
  let missing = 0;
  for (const chunk of chunks) {
    if (n + chunk.length > values.length) {
      fast = null; // more rows than announced: on in TypeScript
      const bigger = new Float64Array(Math.max(n + chunk.length, values.length * 2));
      bigger.set(values.subarray(0, n));
      values = bigger;
    }
    for (let i = 0; i < chunk.length; i++) {
      const v = chunk[i]!;
      if (v === v) values[n++] = v;
      else missing++;
    }
  }
  if (n === 0) return { count: 0, missing, distinct: 0, distinctCapped: false, topValues: [] };
  if (fast) {
    // The same sums, sort and runs as below, in fastcsv.c (fc_stats).
    const f = fast.columnStats(n);
    return fromSorted(f.sorted, missing, f.distinct, f.top.map((t) => ({ value: format(t.key), count: t.count })), f.mean, f.squares);
  }
  const present = values.subarray(0, n);
  const mean = sum(present) / n;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const d = present[i]! - mean;
    sq += d * d;
  }
  const sorted = sortFloat64(present);
  values = new Float64Array(0); // let the unsorted copy go before the rest of the work
  let distinct = 0;
  const top = new TopList(TOP_VALUES);
  for (let i = 0; i < n; ) {
    const v = sorted[i]!;
    let j = i + 1;
    while (j < n && sorted[j] === v) j++;
    distinct++;
    top.offer(v, j - i);
    i = j;
  }
  return fromSorted(sorted, missing, distinct, top.values(format), mean, sq);
}

/** A numeric column's statistics from its present values sorted (at least one), their distinct count, most common values, mean and sum of squared deviations. */
function fromSorted(sorted: Float64Array, missing: number, distinct: number, topValues: TopValue[], mean: number, squares: number): ColumnStats {
  const n = sorted.length;
  return {
    count: n,
    missing,
    distinct,
    distinctCapped: false,
    topValues,
    mean,
    ...(n >= 2 ? { std: Math.sqrt(squares / (n - 1)) } : {}),
    min: sorted[0]!,
    max: sorted[n - 1]!,
    q1: quantileSorted(sorted, 0.25),
    median: quantileSorted(sorted, 0.5),
    q3: quantileSorted(sorted, 0.75),
    histogram: histogram(sorted, HISTOGRAM_BINS),
  };
}

/** Text: null is missing; distinct values are counted exactly up to TEXT_DISTINCT_CAP. */
export function textStats(chunks: Iterable<readonly (string | null)[]>): ColumnStats {
  const counts = new Map<string, number>();
  let count = 0;
  let missing = 0;
  let capped = false;
  for (const chunk of chunks) {
    for (const v of chunk) {
      if (v === null) {
        missing++;
        continue;
      }
      count++;
      const k = counts.get(v);
      if (k !== undefined) counts.set(v, k + 1);
      else if (counts.size < TEXT_DISTINCT_CAP) counts.set(v, 1);
      else capped = true;
    }
  }
  const entries = [...counts.entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  return {
    count,
    missing,
    distinct: counts.size,
    distinctCapped: capped,
    topValues: entries.slice(0, TOP_VALUES).map(([value, c]) => ({ value, count: c })),
  };
}
