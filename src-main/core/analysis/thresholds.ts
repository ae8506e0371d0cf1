/**
 * Alert thresholds on anomaly scores (reconstruction errors; higher = more anomalous).
 *
 * Convention used everywhere in Residual: a row is FLAGGED (raises an alert) when score >= threshold.
 * A threshold of +∞ therefore flags nothing ("no alarms").
 *
 * Every function returns a ThresholdResult: the value, the params it was computed with, the number of alerts
 * it raises over the scores it is asked to count (`scoresToCount`, by default the fitting scores), and a one- or
 * two-sentence `why` for the analyst and the PDF report. Scores must be finite numbers (BAD_INPUT otherwise);
 * labels are 1 (anomaly), 0 (normal), -1 or NaN (unknown: left out of every label-based count).
 * All functions are O(n log n) or better.
 */
import { ResidualError } from '../errors';
import { quantileSorted, summary } from './distribution';
import {
  checkInteger,
  checkLabels,
  checkOpenRange,
  checkPositive,
  checkScores,
  countAboveSorted,
  countAtLeastSorted,
  fmt,
  fmtCount,
  fmtPct,
  labelClass,
  ordinal,
  plural,
  sortedCopy,
} from './internal';

import type { BudgetThresholdResult, CostThresholdResult, FitSplit, FprThresholdResult, ManualThresholdResult, PercentileThresholdResult, SigmaThresholdResult, ThresholdMethod, ThresholdResult, ThresholdSpec } from '../../contract/analysis';
export type { BudgetThresholdResult, CostThresholdResult, FitSplit, FprThresholdResult, ManualThresholdResult, PercentileThresholdResult, SigmaThresholdResult, ThresholdMethod, ThresholdResult, ThresholdSpec };


export interface CostOptions {
  /** Cost of one false alarm (> 0). Default 1. */
  readonly cAlarm?: number;
  /** Cost of one missed anomaly (> 0). Default 5. */
  readonly cMissed?: number;
  /** Detection tolerance in rows (whole number ≥ 0), for time-ordered rows. Default 0. */
  readonly tolerance?: number;
}

/**
 * Number of scores >= value (the flagging rule). NaN scores are never counted. O(n).
 */
export function alertCount(scores: ArrayLike<number>, value: number): number {
  if (Number.isNaN(value)) {
    throw new ResidualError('BAD_INPUT', 'The threshold is NaN; pass a number (or Infinity for "no alarms").', { field: 'value' });
  }
  let count = 0;
  for (let i = 0; i < scores.length; i++) if ((scores[i] as number) >= value) count++;
  return count;
}

function countOver(scoresToCount: ArrayLike<number>, value: number): number {
  checkScores(scoresToCount, 'scoresToCount', true);
  return alertCount(scoresToCount, value);
}

function alertsSentence(alerts: number, rows: number): string {
  return `${fmtCount(alerts)} of ${plural(rows, 'row')} score at or above it.`;
}

function splitName(on: FitSplit | undefined): string {
  switch (on) {
    case 'train':
      return 'the training errors';
    case 'validation':
      return 'the validation errors';
    case 'all':
      return "all rows' errors";
    default:
      return 'the errors it was fitted on';
  }
}

/**
 * Sigma rule: value = mean + k·σ of `errorsForFit`, with σ the POPULATION standard deviation
 * (√(Σ(e − mean)²/n), numpy's default ddof = 0). Default k = 2 ("mean + 2 standard deviations").
 * `on` only names the split in `why`; the caller passes that split's errors. Alerts are counted over
 * `scoresToCount` (default: the fitting errors). Ties: every score equal to the value is flagged. O(n).
 */
export function sigmaThreshold(
  errorsForFit: ArrayLike<number>,
  k = 2,
  scoresToCount: ArrayLike<number> = errorsForFit,
  on?: FitSplit,
): SigmaThresholdResult {
  checkPositive(k, 'k', 'how many standard deviations above the mean, e.g. 2 or 3');
  checkScores(errorsForFit, 'errorsForFit');
  const { mean, std } = summary(errorsForFit);
  const value = mean + k * std;
  const alerts = countOver(scoresToCount, value);
  return {
    method: 'sigma',
    params: { k },
    value,
    alerts,
    mean,
    std,
    why: `Mean + ${fmt(k)}σ of ${splitName(on)} (${fmt(mean)} + ${fmt(k)} × ${fmt(std)} = ${fmt(value)}). ${alertsSentence(alerts, scoresToCount.length)}`,
  };
}

/**
 * Percentile rule: value = the p-th percentile (0 < p < 100, default 99) of `errors`, computed like
 * `numpy.percentile(errors, p)` (default 'linear' method: virtual index (n − 1)·p/100, linear interpolation
 * between the neighbouring order statistics). Alerts are counted over `scoresToCount` (default: `errors`);
 * every score equal to the value is flagged, so with ties more than (100 − p)% of rows can be flagged. O(n log n).
 */
export function percentileThreshold(
  errors: ArrayLike<number>,
  p = 99,
  scoresToCount: ArrayLike<number> = errors,
): PercentileThresholdResult {
  checkOpenRange(p, 'p', 0, 100, 'the percentile, e.g. 99 flags about the top 1%');
  checkScores(errors, 'errors');
  const value = quantileSorted(sortedCopy(errors), p / 100);
  const alerts = countOver(scoresToCount, value);
  return {
    method: 'percentile',
    params: { p },
    value,
    alerts,
    why: `The ${ordinal(p)} percentile of ${plural(errors.length, 'error')} it was fitted on (${fmt(value)}). ${alertsSentence(alerts, scoresToCount.length)}`,
  };
}

/**
 * Alert budget: flag the top n scores. value = the n-th largest score (counting duplicates), so at least n rows
 * are flagged; when several rows tie with the n-th largest score they are ALL flagged and `alerts` reports the
 * true count (≥ n). If there are n rows or fewer, value = the smallest score and every row is flagged.
 * n must be a whole number ≥ 1. O(n log n).
 */
export function budgetThreshold(scores: ArrayLike<number>, n: number): BudgetThresholdResult {
  checkInteger(n, 'alerts', 1, 'the number of rows you want to review');
  checkScores(scores, 'scores');
  const sorted = sortedCopy(scores);
  const rows = sorted.length;
  const value = sorted[Math.max(0, rows - n)] as number;
  const alerts = countAtLeastSorted(sorted, value);
  let why: string;
  if (n >= rows) {
    why = `The budget of ${fmtCount(n)} alerts covers all ${plural(rows, 'scored row')}, so the threshold is the lowest score (${fmt(value)}) and every row is flagged.`;
  } else {
    why = `The score of the ${ordinal(n)} highest row (${fmt(value)}), so that the top ${fmtCount(n)} rows are flagged.`;
    if (alerts > n) why += ` ${plural(alerts - n, 'more row ties', 'more rows tie')} with that score, so ${fmtCount(alerts)} rows are flagged.`;
  }
  return { method: 'budget', params: { alerts: n }, value, alerts, requested: n, why };
}

interface LabelCounts {
  anomalies: number;
  normals: number;
}

function countClasses(labels: ArrayLike<number>): LabelCounts {
  let anomalies = 0;
  let normals = 0;
  for (let i = 0; i < labels.length; i++) {
    const c = labelClass(labels[i] as number, i);
    if (c === 1) anomalies++;
    else if (c === 0) normals++;
  }
  return { anomalies, normals };
}

function needBothClasses(counts: LabelCounts, what: string): void {
  if (counts.anomalies === 0 || counts.normals === 0) {
    throw new ResidualError(
      'BAD_INPUT',
      `The ${what} threshold needs labelled anomalies and labelled normal rows among the rows it is fitted on; found ${plural(counts.anomalies, 'labelled anomaly', 'labelled anomalies')} and ${plural(counts.normals, 'labelled normal row')}. Fit it on a split that has both (usually validation), or pick the sigma, percentile or budget method.`,
      { field: 'labels', anomalies: counts.anomalies, normals: counts.normals },
    );
  }
}

/**
 * False-positive-rate rule: the LOWEST threshold whose false positive rate over the labelled-normal rows,
 * FPR(t) = #{normal rows with score >= t} / #{normal rows}, is ≤ `targetFpr` (0 < targetFpr < 1, default 0.01).
 * Candidate thresholds are the distinct scores of the LABELLED rows plus +∞ (the same thresholds as rocCurve),
 * so the result is the ROC point with the highest true positive rate among those meeting the target; unknown-label
 * rows neither count nor provide candidates. +∞ ("no alarms") only when no labelled score meets the target, i.e.
 * when the highest labelled score belongs to more normal rows than the target allows. Use it on validation rows.
 * Needs at least one labelled anomaly and one labelled normal row. Alerts are counted over `scoresToCount`
 * (default: `scores`). O(n log n).
 */
export function fprThreshold(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  targetFpr = 0.01,
  scoresToCount: ArrayLike<number> = scores,
): FprThresholdResult {
  checkOpenRange(targetFpr, 'fpr', 0, 1, 'the largest share of normal rows you accept to see flagged, e.g. 0.01 for 1%');
  checkScores(scores, 'scores');
  checkLabels(scores, labels);
  const counts = countClasses(labels);
  needBothClasses(counts, 'false-positive-rate');
  const { anomalies, normals } = counts;

  const normalScores = new Float64Array(normals);
  const anomalyScores = new Float64Array(anomalies);
  const labelled = new Float64Array(normals + anomalies);
  for (let i = 0, a = 0, b = 0, c = 0; i < scores.length; i++) {
    const cls = labelClass(labels[i] as number, i);
    if (cls === -1) continue;
    const s = scores[i] as number;
    labelled[c++] = s;
    if (cls === 0) normalScores[a++] = s;
    else anomalyScores[b++] = s;
  }
  normalScores.sort();
  anomalyScores.sort();
  labelled.sort();

  // Largest number of false positives m with m / normals <= target, compared as the division itself so that
  // decimal targets such as 0.29 with 100 normals allow exactly 29.
  let m = Math.floor(targetFpr * normals);
  while (m + 1 <= normals && (m + 1) / normals <= targetFpr) m++;
  while (m > 0 && m / normals > targetFpr) m--;
  // FPR(t) <= target  ⇔  t > v, with v the (m+1)-th largest normal score (m < normals since target < 1).
  const v = normalScores[normals - m - 1] as number;
  // Lowest labelled score strictly above v (or +∞).
  const above = countAboveSorted(labelled, v);
  const value = above > 0 ? (labelled[labelled.length - above] as number) : Infinity;

  const falsePositives = countAtLeastSorted(normalScores, value);
  const detected = countAtLeastSorted(anomalyScores, value);
  const fpr = falsePositives / normals;
  const tpr = detected / anomalies;
  const alerts = countOver(scoresToCount, value);
  const caught = `, catching ${fmtCount(detected)} of ${plural(anomalies, 'labelled anomaly', 'labelled anomalies')}`;
  const why =
    value === Infinity
      ? `No threshold keeps the false positive rate at or below ${fmtPct(targetFpr)}: the highest-scoring labelled rows are normal, so no alarms are raised.`
      : `The lowest threshold (${fmt(value)}) that flags at most ${fmtPct(targetFpr)} of the labelled normal rows: ${fmtCount(falsePositives)} of ${fmtCount(normals)} (${fmtPct(fpr)})${caught}. ${alertsSentence(alerts, scoresToCount.length)}`;
  return {
    method: 'fpr',
    params: { fpr: targetFpr },
    value,
    alerts,
    fpr,
    tpr,
    falsePositives,
    normals,
    detected,
    anomalies,
    why,
  };
}

/**
 * Cost-optimal threshold: minimises  cost(t) = cAlarm · falseAlarms(t) + cMissed · missed(t)  over the candidate
 * thresholds = every distinct score of `scores` plus +∞ ("no alarms"). Defaults cAlarm = 1, cMissed = 5,
 * tolerance = 0.
 *
 * With tolerance = tol > 0 the rows are assumed to be in time order, and for flagged set {i : s_i >= t}:
 * - an anomaly (label 1) at row j is DETECTED if any row in [j − tol, j + tol] is flagged (whatever that row's
 *   label), otherwise it is MISSED;
 * - a flagged row i is a FALSE ALARM only if its label is 0 (normal) and no anomaly lies in [i − tol, i + tol].
 *   Flagged anomalies, flagged normal rows near an anomaly, and flagged unknown-label rows cost nothing
 *   (unknown rows are excluded from false-alarm counts, not treated as normal).
 * tolerance = 0 is the plain row-by-row count.
 *
 * Ties: among thresholds with equal minimum cost the HIGHEST is chosen (fewest alerts), which may be +∞.
 * Costs are compared exactly as computed (cAlarm·fa + cMissed·missed in double precision).
 *
 * A tolerance of n rows or more covers every row, so it is clamped to n inside the algorithm: the cost of the
 * computation does not depend on the tolerance (params still report the tolerance asked for).
 *
 * Algorithm, O(n log n): w_j = max score in anomaly j's window (sliding-window maximum with a deque, O(n));
 * missed(t) = #{j : w_j < t}; falseAlarms(t) = #{i normal, far from every anomaly : s_i >= t}; both sorted, then
 * one sweep over the sorted distinct scores. Needs at least one labelled anomaly and one labelled normal row.
 * `falseAlarms`, `missed`, `detected` and `cost` describe the fitting rows; `alerts` counts `scoresToCount`
 * (default: `scores`).
 */
export function costOptimalThreshold(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: CostOptions = {},
  scoresToCount: ArrayLike<number> = scores,
): CostThresholdResult {
  const cAlarm = options.cAlarm ?? 1;
  const cMissed = options.cMissed ?? 5;
  const tol = options.tolerance ?? 0;
  checkPositive(cAlarm, 'cAlarm', 'the cost of one false alarm');
  checkPositive(cMissed, 'cMissed', 'the cost of one missed anomaly');
  checkInteger(tol, 'tolerance', 0, 'how many rows before or after an anomaly still count as catching it');
  checkScores(scores, 'scores');
  checkLabels(scores, labels);
  const counts = countClasses(labels);
  needBothClasses(counts, 'cost-optimal');
  const n = scores.length;
  // Window radius actually used: a window of radius n around any row already covers every row, so a larger
  // tolerance means exactly the same as n. Clamping keeps the work O(n) whatever the tolerance asked for
  // (the sliding-window loop below runs n + w times).
  const w = Math.min(tol, n);

  // prefix[i] = number of anomalies in rows [0, i).
  const prefix = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = (prefix[i] as number) + (labels[i] === 1 ? 1 : 0);

  // Far normal rows: label 0 and no anomaly within [i − tol, i + tol].
  const far: number[] = [];
  for (let i = 0; i < n; i++) {
    if (labels[i] !== 0) continue;
    const near = (prefix[Math.min(n, i + w + 1)] as number) - (prefix[Math.max(0, i - w)] as number);
    if (near === 0) far.push(scores[i] as number);
  }
  const farSorted = Float64Array.from(far);
  farSorted.sort();

  // Window maxima for anomalies: window of centre c is [c − w, c + w]; the deque holds indices of a
  // decreasing run of scores inside the window ending at r = c + w. At most 2n iterations since w ≤ n.
  const windowMax = new Float64Array(counts.anomalies);
  const deque = new Int32Array(n);
  let head = 0;
  let tail = 0;
  for (let r = 0, a = 0; r < n + w; r++) {
    if (r < n) {
      const s = scores[r] as number;
      while (tail > head && (scores[deque[tail - 1] as number] as number) <= s) tail--;
      deque[tail++] = r;
    }
    while ((deque[head] as number) < r - 2 * w) head++;
    const c = r - w;
    if (c >= 0 && labels[c] === 1) windowMax[a++] = scores[deque[head] as number] as number;
  }
  windowMax.sort();

  const candidates = sortedCopy(scores);
  let bestValue = Infinity;
  let bestCost = cMissed * counts.anomalies; // +∞: every anomaly missed, no alarm.
  let bestFa = 0;
  let bestMissed = counts.anomalies;
  // Sweep the distinct candidates from high to low, starting from +∞; only a strictly lower cost replaces the
  // best, so among equal costs the highest threshold wins.
  let missedPtr = windowMax.length; // invariant: windowMax[0..missedPtr) < t, i.e. missed(t) = missedPtr
  let farPtr = farSorted.length; // invariant: farSorted[farPtr..) >= t, i.e. falseAlarms(t) = length − farPtr
  for (let i = candidates.length - 1; i >= 0; i--) {
    const t = candidates[i] as number;
    if (i < candidates.length - 1 && candidates[i + 1] === t) continue;
    while (missedPtr > 0 && (windowMax[missedPtr - 1] as number) >= t) missedPtr--;
    while (farPtr > 0 && (farSorted[farPtr - 1] as number) >= t) farPtr--;
    const missed = missedPtr;
    const fa = farSorted.length - farPtr;
    const cost = cAlarm * fa + cMissed * missed;
    if (cost < bestCost) {
      bestCost = cost;
      bestValue = t;
      bestFa = fa;
      bestMissed = missed;
    }
  }

  const anomalies = counts.anomalies;
  const detected = anomalies - bestMissed;
  const alerts = countOver(scoresToCount, bestValue);
  const tolText =
    tol > 0 ? ` An anomaly counts as caught when any row within ${plural(tol, 'row')} of it is flagged.` : '';
  const why =
    bestValue === Infinity
      ? `Raising no alarms is cheapest: missing all ${plural(anomalies, 'labelled anomaly', 'labelled anomalies')} costs ${fmt(bestCost)} (${fmt(cMissed)} each), less than any threshold's false alarms (${fmt(cAlarm)} each) plus misses.${tolText}`
      : `Threshold ${fmt(bestValue)} minimises ${fmt(cAlarm)} × false alarms + ${fmt(cMissed)} × missed anomalies on the labelled rows: ${plural(bestFa, 'false alarm')} and ${fmtCount(bestMissed)} of ${plural(anomalies, 'anomaly', 'anomalies')} missed (cost ${fmt(bestCost)}).${tolText}`;
  return {
    method: 'cost',
    params: { cAlarm, cMissed, tolerance: tol },
    value: bestValue,
    alerts,
    cost: bestCost,
    falseAlarms: bestFa,
    missed: bestMissed,
    detected,
    anomalies,
    why,
  };
}

/** A threshold typed in by the analyst: value must be a finite number; alerts = #{scores >= value}. O(n). */
export function manualThreshold(scores: ArrayLike<number>, value: number): ManualThresholdResult {
  if (!Number.isFinite(value)) {
    throw new ResidualError('BAD_INPUT', `The manual threshold must be a finite number; got ${String(value)}.`, { field: 'value' });
  }
  const alerts = countOver(scores, value);
  return {
    method: 'manual',
    params: { value },
    value,
    alerts,
    why: `Set by hand to ${fmt(value)}. ${alertsSentence(alerts, scores.length)}`,
  };
}

export interface ThresholdData {
  /** Scores the threshold is fitted on (for sigma: the errors of the split chosen by `on`, selected by the caller). */
  readonly fit: ArrayLike<number>;
  /** Labels aligned with `fit`; required by 'fpr' and 'cost'. */
  readonly labels?: ArrayLike<number> | null;
  /** Scores over which alerts are counted; default `fit`. 'budget' picks its top n from these. */
  readonly count?: ArrayLike<number>;
}

/**
 * Computes the threshold a ThresholdSpec describes. `data.fit` are the fitting scores (the caller applies the
 * sigma `on` split choice), `data.labels` align with `data.fit`, and alerts are counted over `data.count`
 * (default `data.fit`). The budget method works directly on `data.count`: a budget is a number of alerts among
 * the rows the analyst will see. Manual thresholds ignore `data.fit`. Same defaults and rules as the
 * individual functions.
 */
export function thresholdFor(spec: ThresholdSpec, data: ThresholdData): ThresholdResult {
  return withReviewLoad(thresholdForSpec(spec, data), (data.count ?? data.fit).length);
}

/**
 * A threshold that flags more than half the rows is no alarm any more: its `why` says so plainly, whatever the
 * method (a sigma threshold on skewed errors, a cost model with a high cost of a miss, a budget over the rows).
 */
export function withReviewLoad<T extends ThresholdResult>(result: T, rows: number): T {
  if (rows === 0 || result.alerts * 2 <= rows) return result;
  const share = result.alerts >= rows ? 'all' : `${Math.min(99, Math.round((result.alerts / rows) * 100))} %`;
  return {
    ...result,
    why: `${result.why} It flags ${share} of the rows: too many to review; an alarm should single out the few rows that stand out, so raise the threshold (or check that the model fits this data).`,
  };
}

function thresholdForSpec(spec: ThresholdSpec, data: ThresholdData): ThresholdResult {
  const count = data.count ?? data.fit;
  const needLabels = (): ArrayLike<number> => {
    if (!data.labels) {
      throw new ResidualError(
        'BAD_INPUT',
        `The ${spec.method} threshold needs labels for the rows it is fitted on; map a label column, or pick the sigma, percentile or budget method.`,
        { field: 'labels' },
      );
    }
    return data.labels;
  };
  switch (spec.method) {
    case 'sigma':
      return sigmaThreshold(data.fit, spec.k ?? 2, count, spec.on);
    case 'percentile':
      return percentileThreshold(data.fit, spec.p ?? 99, count);
    case 'budget':
      return budgetThreshold(count, spec.alerts);
    case 'fpr':
      return fprThreshold(data.fit, needLabels(), spec.fpr ?? 0.01, count);
    case 'cost':
      return costOptimalThreshold(
        data.fit,
        needLabels(),
        { cAlarm: spec.cAlarm ?? 1, cMissed: spec.cMissed ?? 5, tolerance: spec.tolerance ?? 0 },
        count,
      );
    case 'manual':
      return manualThreshold(count, spec.value);
    default: {
      const unknown: { method?: unknown } = spec;
      throw new ResidualError('BAD_INPUT', `Unknown threshold method ${String(unknown.method)}; use sigma, percentile, budget, fpr, cost or manual.`, {
        field: 'method',
      });
    }
  }
}
