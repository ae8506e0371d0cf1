/**
 * Which features drive the reconstruction error: per-feature error profiles of flagged rows, normalisation by
 * the training error of each feature, and the top contributors of a single row.
 *
 * Feature errors are row-major (rows × features): featureErrors[r · features + j] is row r's squared
 * reconstruction error on feature j. NaN entries (e.g. masked missing inputs) are skipped by the profile and
 * contributor functions, and passed through unchanged by normalizeFeatureErrors.
 */
import { ResidualError } from '../errors';
import { checkInteger } from './internal';
import type { FeatureShare } from '../../contract/analysis';
export type { FeatureShare };

export interface Contributor {
  readonly feature: string;
  readonly index: number;
  readonly error: number;
  /**
   * error / Σ of the row's (non-NaN) positive feature errors; 0 when that sum is 0. Errors are never negative except a
   * one-class model's signed attributions: there a column that lowers the score gets a negative share, and the shares of
   * the columns that raise it add up to 1.
   */
  readonly share: number;
}

function checkMatrix(featureErrors: ArrayLike<number>, features: number): number {
  checkInteger(features, 'features', 1, 'the number of feature columns in the error matrix');
  if (featureErrors.length % features !== 0) {
    throw new ResidualError(
      'BAD_INPUT',
      `The feature error matrix has ${featureErrors.length} values, not a multiple of ${features} features; pass a rows × features row-major array.`,
      { field: 'featureErrors' },
    );
  }
  return featureErrors.length / features;
}

function checkNames(names: readonly string[], features: number): void {
  if (names.length !== features) {
    throw new ResidualError('BAD_INPUT', `Got ${names.length} feature names for ${features} features; pass one name per feature, in column order.`, {
      field: 'names',
    });
  }
}

/** Descending by value, NaN last, ties by lower feature index first. */
function byValueDesc(a: { value: number; index: number }, b: { value: number; index: number }): number {
  const an = Number.isNaN(a.value);
  const bn = Number.isNaN(b.value);
  if (an !== bn) return an ? 1 : -1;
  if (!an && a.value !== b.value) return b.value - a.value;
  return a.index - b.index;
}

/**
 * "Average per-feature error of the anomalies": for each feature j, meanError = mean of featureErrors[r, j]
 * over the rows r listed in `flaggedRows` (row indices; a row listed twice counts twice; NaN entries are
 * skipped), and share = meanError / Σ of the positive meanErrors (signed attributions can be negative). Sorted by meanError descending, ties by feature order, NaN
 * last. Returns [] when no row is flagged. O(|flaggedRows| · features + features log features).
 */
export function featureErrorProfile(
  featureErrors: ArrayLike<number>,
  features: number,
  flaggedRows: ArrayLike<number>,
  names: readonly string[],
): FeatureShare[] {
  const rows = checkMatrix(featureErrors, features);
  checkNames(names, features);
  if (flaggedRows.length === 0) return [];
  const sums = new Float64Array(features);
  const counts = new Float64Array(features);
  for (let i = 0; i < flaggedRows.length; i++) {
    const r = flaggedRows[i] as number;
    if (!Number.isInteger(r) || r < 0 || r >= rows) {
      throw new ResidualError('BAD_INPUT', `Flagged row ${String(r)} is not a row of the ${rows}-row error matrix; pass 0-based row indices.`, {
        field: 'flaggedRows',
      });
    }
    const base = r * features;
    for (let j = 0; j < features; j++) {
      const e = featureErrors[base + j] as number;
      if (Number.isNaN(e)) continue;
      sums[j] = (sums[j] as number) + e;
      counts[j] = (counts[j] as number) + 1;
    }
  }
  const means = Array.from(sums, (s, j) => ((counts[j] as number) === 0 ? NaN : s / (counts[j] as number)));
  // Over the positive means: signed attributions (one-class kinds) would otherwise shrink the total, even past zero.
  let total = 0;
  for (const m of means) if (m > 0) total += m;
  return means
    .map((value, index) => ({ value, index }))
    .sort(byValueDesc)
    .map(({ value, index }) => ({
      feature: names[index] as string,
      index,
      meanError: value,
      share: Number.isNaN(value) ? NaN : total === 0 ? 0 : value / total,
    }));
}

/**
 * Divides each feature's error by that feature's mean training error, so features with naturally large errors
 * do not dominate: out[r, j] = featureErrors[r, j] / d_j with d_j = max(meanTrain_j, floor), where
 * floor = 1e-6 × (mean of all meanTrain values). The floor guards zero (a feature reconstructed perfectly in
 * training gives large but finite ratios); when every meanTrain value is 0 the errors are returned unchanged
 * (d_j = 1). meanTrainErrorPerFeature must hold one finite value ≥ 0 per feature. Returns a new Float32Array. O(n).
 */
export function normalizeFeatureErrors(
  featureErrors: ArrayLike<number>,
  features: number,
  meanTrainErrorPerFeature: ArrayLike<number>,
): Float32Array {
  checkMatrix(featureErrors, features);
  if (meanTrainErrorPerFeature.length !== features) {
    throw new ResidualError(
      'BAD_INPUT',
      `Got ${meanTrainErrorPerFeature.length} mean training errors for ${features} features; pass one per feature, in column order.`,
      { field: 'meanTrainErrorPerFeature' },
    );
  }
  let total = 0;
  for (let j = 0; j < features; j++) {
    const m = meanTrainErrorPerFeature[j] as number;
    if (!(Number.isFinite(m) && m >= 0)) {
      throw new ResidualError(
        'BAD_INPUT',
        `The mean training error of feature ${j} is ${String(m)}; it must be a finite number ≥ 0. Recompute it from the training rows' errors.`,
        { field: 'meanTrainErrorPerFeature', feature: j },
      );
    }
    total += m;
  }
  const floor = (1e-6 * total) / features;
  const denom = new Float64Array(features);
  for (let j = 0; j < features; j++) denom[j] = total === 0 ? 1 : Math.max(meanTrainErrorPerFeature[j] as number, floor);
  const out = new Float32Array(featureErrors.length);
  for (let i = 0, j = 0; i < featureErrors.length; i++) {
    out[i] = (featureErrors[i] as number) / (denom[j] as number);
    if (++j === features) j = 0;
  }
  return out;
}

/**
 * The n (default 3) features with the largest error in one row: rowErrors[j] is the row's error on feature j,
 * share = error / Σ of the row's errors (0 when the sum is 0). Sorted by error descending, ties by lower feature
 * index first; NaN errors are skipped; fewer than n entries when the row has fewer numeric errors.
 * O(features log features).
 */
export function topContributors(rowErrors: ArrayLike<number>, names: readonly string[], n = 3): Contributor[] {
  checkInteger(n, 'n', 1, 'how many features to list');
  checkNames(names, rowErrors.length);
  let total = 0;
  const items: { value: number; index: number }[] = [];
  for (let j = 0; j < rowErrors.length; j++) {
    const e = rowErrors[j] as number;
    if (Number.isNaN(e)) continue;
    if (e > 0) total += e;
    items.push({ value: e, index: j });
  }
  return items
    .sort(byValueDesc)
    .slice(0, n)
    .map(({ value, index }) => ({ feature: names[index] as string, index, error: value, share: total === 0 ? 0 : value / total }));
}
