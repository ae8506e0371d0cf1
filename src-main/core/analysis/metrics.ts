/**
 * Label-based evaluation of anomaly scores (higher = more anomalous; a row is flagged when score >= threshold).
 *
 * Labels: 1 = anomaly (positive), 0 = normal (negative), -1 or NaN = unknown. Unknown rows are left out of
 * every metric here (they are neither positives nor negatives, and never take a top-k slot). Scores must be
 * finite (BAD_INPUT otherwise). Everything is O(n log n): the labelled scores are split by class, sorted
 * (typed-array sort) and merged.
 */
import { ResidualError } from '../errors';
import { checkInteger, checkLabels, checkScores, countAboveSorted, countAtLeastSorted, labelClass } from './internal';
import type { RocPoint, PrPoint, Confusion, Evaluation } from '../../contract/analysis';
export type { RocPoint, PrPoint, Confusion, Evaluation };

/** Labelled scores split by class, each ascending. */
interface Split {
  readonly pos: Float64Array;
  readonly neg: Float64Array;
}

function split(scores: ArrayLike<number>, labels: ArrayLike<number>): Split {
  checkScores(scores, 'scores', true);
  checkLabels(scores, labels);
  let p = 0;
  let q = 0;
  for (let i = 0; i < labels.length; i++) {
    const c = labelClass(labels[i] as number, i);
    if (c === 1) p++;
    else if (c === 0) q++;
  }
  const pos = new Float64Array(p);
  const neg = new Float64Array(q);
  p = 0;
  q = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i] as number;
    if (y === 1) pos[p++] = scores[i] as number;
    else if (y === 0) neg[q++] = scores[i] as number;
  }
  pos.sort();
  neg.sort();
  return { pos, neg };
}

function aucOf({ pos, neg }: Split): number {
  const n1 = pos.length;
  const n0 = neg.length;
  if (n1 === 0 || n0 === 0) return NaN;
  // Σ over anomalies of #{normals below} + ½·#{normals tied}: exactly the Mann–Whitney U with average ranks.
  // All terms are multiples of ½ below 2^52, so the sum is exact.
  let u = 0;
  let lt = 0;
  let le = 0;
  for (let i = 0; i < n1; i++) {
    const s = pos[i] as number;
    while (lt < n0 && (neg[lt] as number) < s) lt++;
    if (le < lt) le = lt;
    while (le < n0 && (neg[le] as number) <= s) le++;
    u += lt + (le - lt) / 2;
  }
  return u / (n1 * n0);
}

/**
 * Cumulative counts at every distinct labelled score, from the highest down: thresholds[k] is the k-th distinct
 * score (descending), tp[k] / fp[k] the anomalies / normal rows with score >= thresholds[k].
 */
function sweep({ pos, neg }: Split): { thresholds: Float64Array; tp: Float64Array; fp: Float64Array } {
  const cap = pos.length + neg.length;
  const thresholds = new Float64Array(cap);
  const tp = new Float64Array(cap);
  const fp = new Float64Array(cap);
  let pi = pos.length;
  let ni = neg.length;
  let k = 0;
  while (pi > 0 || ni > 0) {
    const a = pi > 0 ? (pos[pi - 1] as number) : -Infinity;
    const b = ni > 0 ? (neg[ni - 1] as number) : -Infinity;
    const t = a > b ? a : b;
    while (pi > 0 && pos[pi - 1] === t) pi--;
    while (ni > 0 && neg[ni - 1] === t) ni--;
    thresholds[k] = t;
    tp[k] = pos.length - pi;
    fp[k] = neg.length - ni;
    k++;
  }
  return { thresholds: thresholds.subarray(0, k), tp: tp.subarray(0, k), fp: fp.subarray(0, k) };
}

function apOf(s: Split): number {
  const P = s.pos.length;
  if (P === 0) return NaN;
  const { tp, fp } = sweep(s);
  let ap = 0;
  let prevRecall = 0;
  for (let k = 0; k < tp.length; k++) {
    const t = tp[k] as number;
    const recall = t / P;
    const precision = t / (t + (fp[k] as number));
    ap += (recall - prevRecall) * precision;
    prevRecall = recall;
  }
  return ap;
}

/**
 * Exact ROC AUC over the labelled rows: the Mann–Whitney U statistic divided by n₁·n₀, i.e. the probability that
 * a random labelled anomaly scores higher than a random labelled normal row, TIES COUNTING ½ (average ranks) —
 * the same value as scikit-learn's roc_auc_score. NaN when either class is absent. O(n log n).
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  return aucOf(split(scores, labels));
}

/**
 * Average precision exactly as scikit-learn's average_precision_score: AP = Σₙ (Rₙ − Rₙ₋₁)·Pₙ over the distinct
 * score thresholds taken in descending order (all rows tied at a threshold enter together), with R₀ = 0,
 * Rₙ = recall and Pₙ = precision when flagging score >= the n-th threshold. No interpolation. NaN when there are
 * no labelled anomalies; 1 when every labelled row is an anomaly. O(n log n).
 */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  return apOf(split(scores, labels));
}

/**
 * Picks at most maxPoints indices of a polyline, always the first and the last, spread evenly along its length
 * measured as Σ(|Δx| + |Δy|) so steep jumps keep their resolution.
 */
function pickIndices(x: Float64Array, y: Float64Array, maxPoints: number): number[] {
  const n = x.length;
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => i);
  const cum = new Float64Array(n);
  for (let i = 1; i < n; i++) {
    cum[i] = (cum[i - 1] as number) + Math.abs((x[i] as number) - (x[i - 1] as number)) + Math.abs((y[i] as number) - (y[i - 1] as number));
  }
  const total = cum[n - 1] as number;
  const out = [0];
  let j = 0;
  for (let m = 1; m < maxPoints - 1; m++) {
    const target = (total * m) / (maxPoints - 1);
    while (j < n - 1 && (cum[j] as number) < target) j++;
    if (j >= n - 1) break;
    if (j > (out[out.length - 1] as number)) out.push(j);
  }
  out.push(n - 1);
  return out;
}

function checkMaxPoints(maxPoints: number): void {
  checkInteger(maxPoints, 'maxPoints', 2, 'how many points to keep for the chart');
}

/**
 * ROC curve over the labelled rows: one point per distinct score threshold t (descending), with
 * fpr = #{normal: s >= t}/#normal and tpr = #{anomaly: s >= t}/#anomaly, preceded by (0, 0) at threshold +∞.
 * The last point is (1, 1) at the lowest labelled score. When there are more than maxPoints (default 500, ≥ 2)
 * points it is downsampled for plotting, evenly along the curve's length, keeping the exact first and last
 * points. Empty when either class is absent. O(n log n).
 */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number>, maxPoints = 500): RocPoint[] {
  checkMaxPoints(maxPoints);
  const s = split(scores, labels);
  const P = s.pos.length;
  const N = s.neg.length;
  if (P === 0 || N === 0) return [];
  const { thresholds, tp, fp } = sweep(s);
  const m = thresholds.length + 1;
  const x = new Float64Array(m);
  const y = new Float64Array(m);
  for (let k = 0; k < thresholds.length; k++) {
    x[k + 1] = (fp[k] as number) / N;
    y[k + 1] = (tp[k] as number) / P;
  }
  return pickIndices(x, y, maxPoints).map((i) => ({
    fpr: x[i] as number,
    tpr: y[i] as number,
    threshold: i === 0 ? Infinity : (thresholds[i - 1] as number),
  }));
}

/**
 * Precision–recall curve over the labelled rows: one point per distinct score threshold t (descending), with
 * recall = #{anomaly: s >= t}/#anomaly and precision = #{anomaly: s >= t}/#{labelled: s >= t}, preceded by
 * scikit-learn's conventional start (recall 0, precision 1) at threshold +∞. The last point has recall 1 at the
 * lowest labelled score. Downsampled like rocCurve above maxPoints (default 500, ≥ 2), keeping the exact first
 * and last points. Empty when there are no labelled anomalies. O(n log n).
 */
export function prCurve(scores: ArrayLike<number>, labels: ArrayLike<number>, maxPoints = 500): PrPoint[] {
  checkMaxPoints(maxPoints);
  const s = split(scores, labels);
  const P = s.pos.length;
  if (P === 0) return [];
  const { thresholds, tp, fp } = sweep(s);
  const m = thresholds.length + 1;
  const x = new Float64Array(m);
  const y = new Float64Array(m);
  y[0] = 1;
  for (let k = 0; k < thresholds.length; k++) {
    const t = tp[k] as number;
    x[k + 1] = t / P;
    y[k + 1] = t / (t + (fp[k] as number));
  }
  return pickIndices(x, y, maxPoints).map((i) => ({
    recall: x[i] as number,
    precision: y[i] as number,
    threshold: i === 0 ? Infinity : (thresholds[i - 1] as number),
  }));
}

interface TopK {
  /** min(k, labelled rows). */
  readonly kEff: number;
  readonly hits: number;
  readonly positives: number;
}

function topK(scores: ArrayLike<number>, labels: ArrayLike<number>, k: number, s?: Split): TopK {
  checkInteger(k, 'k', 1, 'how many top-scoring rows to look at');
  s ??= split(scores, labels);
  const labelled = new Float64Array(s.pos.length + s.neg.length);
  labelled.set(s.pos);
  labelled.set(s.neg, s.pos.length);
  labelled.sort();
  const kEff = Math.min(k, labelled.length);
  if (kEff === 0) return { kEff: 0, hits: 0, positives: s.pos.length };
  // v = k-th largest labelled score; every labelled row above v is in the top k, rows tied at v fill the
  // remaining slots in row order (lower index first).
  const v = labelled[labelled.length - kEff] as number;
  let hits = countAboveSorted(s.pos, v);
  let slots = kEff - countAboveSorted(labelled, v);
  for (let i = 0; i < scores.length && slots > 0; i++) {
    if (scores[i] !== v) continue;
    const y = labels[i] as number;
    if (y === 1) hits++;
    if (y === 1 || y === 0) slots--;
  }
  return { kEff, hits, positives: s.pos.length };
}

/**
 * Precision at k: the share of labelled anomalies among the k highest-scoring LABELLED rows (unknown-label rows
 * are skipped). Ties at the k-th score are broken by lower row index first. k must be a whole number ≥ 1; when
 * fewer than k rows are labelled, all of them are used (k is capped). NaN when no row is labelled. O(n log n).
 */
export function precisionAtK(scores: ArrayLike<number>, labels: ArrayLike<number>, k: number): number {
  const r = topK(scores, labels, k);
  return r.kEff === 0 ? NaN : r.hits / r.kEff;
}

/**
 * Recall at k: the share of all labelled anomalies found among the k highest-scoring labelled rows (same
 * selection and tie rule as precisionAtK: lower row index first). NaN when there are no labelled anomalies.
 */
export function recallAtK(scores: ArrayLike<number>, labels: ArrayLike<number>, k: number): number {
  const r = topK(scores, labels, k);
  return r.positives === 0 ? NaN : r.hits / r.positives;
}

function confusionOf(s: Split, threshold: number): Confusion {
  const tp = countAtLeastSorted(s.pos, threshold);
  const fp = countAtLeastSorted(s.neg, threshold);
  const fn = s.pos.length - tp;
  const tn = s.neg.length - fp;
  const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);
  return {
    tp,
    fp,
    tn,
    fn,
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    f1: ratio(2 * tp, 2 * tp + fp + fn),
    fpr: ratio(fp, fp + tn),
  };
}

function checkThreshold(threshold: number): void {
  if (Number.isNaN(threshold)) {
    throw new ResidualError('BAD_INPUT', 'The threshold is NaN; pass a number (or Infinity for "no alarms").', { field: 'threshold' });
  }
}

/**
 * Confusion matrix over the labelled rows when rows with score >= threshold are flagged, with precision, recall,
 * F1 and false positive rate. Every 0/0 ratio is 0 (scikit-learn's zero_division=0): precision = 0 when nothing
 * is flagged, recall = 0 with no labelled anomalies, fpr = 0 with no labelled normal rows, f1 = 0 when
 * tp = fp = fn = 0. threshold may be ±∞. O(n log n).
 */
export function confusionAt(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): Confusion {
  checkThreshold(threshold);
  return confusionOf(split(scores, labels), threshold);
}

/**
 * Everything the evaluation panel shows, in one call: rocAuc, averagePrecision, precisionAtK/recallAtK with k
 * defaulting to the number of labelled anomalies (so precision@k = recall@k = R-precision), the confusion matrix
 * at `threshold`, and the class counts. When there are no labelled anomalies and k is not given, k = 0 and both
 * @k values are NaN. Same definitions, tie and 0/0 rules as the individual functions. O(n log n).
 */
export function evaluate(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number, k?: number): Evaluation {
  checkThreshold(threshold);
  const s = split(scores, labels);
  const positives = s.pos.length;
  const negatives = s.neg.length;
  const kk = k ?? positives;
  let pAtK = NaN;
  let rAtK = NaN;
  if (k !== undefined || kk > 0) {
    const r = topK(scores, labels, kk, s);
    pAtK = r.kEff === 0 ? NaN : r.hits / r.kEff;
    rAtK = positives === 0 ? NaN : r.hits / positives;
  }
  return {
    rocAuc: aucOf(s),
    averagePrecision: apOf(s),
    k: kk,
    precisionAtK: pAtK,
    recallAtK: rAtK,
    threshold,
    confusion: confusionOf(s, threshold),
    positives,
    negatives,
  };
}
