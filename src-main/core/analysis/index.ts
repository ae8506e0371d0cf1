/**
 * Residual's analysis layer: pure functions over score arrays (no I/O, no store).
 *
 * Conventions shared by every function:
 * - Higher score = more anomalous. A row is FLAGGED when score >= threshold (+∞ flags nothing).
 * - Labels: 1 = anomaly, 0 = normal, -1 or NaN = unknown (excluded from every label-based computation).
 * - Threshold and metric functions reject non-finite scores (BAD_INPUT); the distribution helpers skip them.
 * - Everything is O(n log n) at most.
 */
export {
  alertCount,
  budgetThreshold,
  costOptimalThreshold,
  fprThreshold,
  manualThreshold,
  percentileThreshold,
  sigmaThreshold,
  thresholdFor,
} from './thresholds';
export type {
  BudgetThresholdResult,
  CostOptions,
  CostThresholdResult,
  FitSplit,
  FprThresholdResult,
  ManualThresholdResult,
  PercentileThresholdResult,
  SigmaThresholdResult,
  ThresholdData,
  ThresholdMethod,
  ThresholdResult,
  ThresholdSpec,
} from './thresholds';
export { averagePrecision, confusionAt, evaluate, precisionAtK, prCurve, recallAtK, rocAuc, rocCurve } from './metrics';
export type { Confusion, Evaluation, PrPoint, RocPoint } from './metrics';
export { featureErrorProfile, normalizeFeatureErrors, topContributors } from './explain';
export type { Contributor, FeatureShare } from './explain';
export { histogram, quantile, summary } from './distribution';
export type { HistogramOptions, HistogramResult, Summary } from './distribution';
export { topKOverlap } from './overlap';
