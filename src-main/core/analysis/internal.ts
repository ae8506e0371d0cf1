/**
 * Shared plumbing for the analysis layer: argument checks, label decoding and number formatting for the
 * plain-language `why` texts. Not part of the public API (index.ts does not re-export it).
 */
import { ResidualError } from '../errors';

/** Decoded label: 1 = anomaly, 0 = normal, -1 = unknown (excluded from label-based computations). */
export type LabelClass = 1 | 0 | -1;

/**
 * Decodes one label value. 1 → anomaly, 0 → normal, -1 or NaN → unknown. Anything else is a caller bug
 * and throws BAD_INPUT naming the row.
 */
export function labelClass(y: number, row: number): LabelClass {
  if (y === 1) return 1;
  if (y === 0) return 0;
  if (y === -1 || Number.isNaN(y)) return -1;
  throw new ResidualError(
    'BAD_INPUT',
    `Label at row ${row} is ${String(y)}; labels must be 1 (anomaly), 0 (normal), or -1 / NaN (unknown). Map the label column to these values first.`,
    { field: 'labels', row },
  );
}

/** Throws BAD_INPUT unless every score is a finite number. */
export function checkScores(scores: ArrayLike<number>, field = 'scores', allowEmpty = false): void {
  if (!allowEmpty && scores.length === 0) {
    throw new ResidualError('BAD_INPUT', `No ${field} were given; score some rows first.`, { field });
  }
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i] as number;
    if (!Number.isFinite(s)) {
      throw new ResidualError(
        'BAD_INPUT',
        `The ${field} value at row ${i} is ${String(s)}; scores must be finite numbers. A NaN or infinite reconstruction error usually means the model diverged: retrain it (lower the learning rate or scale the inputs).`,
        { field, row: i },
      );
    }
  }
}

/** Throws BAD_INPUT unless labels has the same length as scores (and decodes every label once to validate it). */
export function checkLabels(scores: ArrayLike<number>, labels: ArrayLike<number>): void {
  if (labels.length !== scores.length) {
    throw new ResidualError(
      'BAD_INPUT',
      `Got ${labels.length} labels for ${scores.length} scores; pass one label per scored row, in the same order.`,
      { field: 'labels' },
    );
  }
  for (let i = 0; i < labels.length; i++) labelClass(labels[i] as number, i);
}

export function checkInteger(value: number, field: string, min: number, what: string): void {
  if (!Number.isInteger(value) || value < min) {
    throw new ResidualError('BAD_INPUT', `${field} must be a whole number ≥ ${min} (${what}); got ${String(value)}.`, { field });
  }
}

export function checkPositive(value: number, field: string, what: string): void {
  if (!(Number.isFinite(value) && value > 0)) {
    throw new ResidualError('BAD_INPUT', `${field} must be a finite number > 0 (${what}); got ${String(value)}.`, { field });
  }
}

export function checkOpenRange(value: number, field: string, lo: number, hi: number, what: string): void {
  if (!(Number.isFinite(value) && value > lo && value < hi)) {
    throw new ResidualError('BAD_INPUT', `${field} must be strictly between ${lo} and ${hi} (${what}); got ${String(value)}.`, { field });
  }
}

/** Ascending Float64Array copy (exact for Float32 input). Typed-array sort without a comparator is numeric. */
export function sortedCopy(xs: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(xs);
  out.sort();
  return out;
}

/** Number of values ≥ t in an ascending array: n − (first index with value ≥ t). */
export function countAtLeastSorted(sorted: Float64Array, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < t) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length - lo;
}

/** Number of values > t in an ascending array: n − (first index with value > t). */
export function countAboveSorted(sorted: Float64Array, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) <= t) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length - lo;
}

/** A number for a sentence: 4 significant digits, exponent form when very small or large. */
export function fmt(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '∞';
  if (x === -Infinity) return '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e6) return String(Number(x.toPrecision(4)));
  return x.toExponential(3).replace(/\.?0+e/, 'e');
}

/** A count for a sentence: "12,345". */
export function fmtCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** A fraction as a percentage for a sentence: 0.009 → "0.9%". */
export function fmtPct(x: number): string {
  return `${fmt(x * 100)}%`;
}

/** 1 → "1st", 2 → "2nd", 11 → "11th", 99.5 → "99.5th". */
export function ordinal(p: number): string {
  const s = fmt(p);
  if (!Number.isInteger(p)) return `${s}th`;
  const mod100 = p % 100;
  if (mod100 >= 11 && mod100 <= 13) return `${s}th`;
  switch (p % 10) {
    case 1:
      return `${s}st`;
    case 2:
      return `${s}nd`;
    case 3:
      return `${s}rd`;
    default:
      return `${s}th`;
  }
}

/** "1 row" / "3 rows". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${fmtCount(n)} ${n === 1 ? one : many}`;
}
