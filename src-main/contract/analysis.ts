/** Analysis results that cross a boundary: thresholds, their specs, evaluations, curves, column shares. Part of the contract: imports only zod. */
import { z } from 'zod';

export type ThresholdMethod = 'sigma' | 'percentile' | 'budget' | 'fpr' | 'cost' | 'manual';

/** Which split's errors a sigma threshold is fitted on; the caller selects the rows, this only names them. */
export type FitSplit = 'train' | 'validation' | 'all';

interface ThresholdResultBase<M extends ThresholdMethod> {
  readonly method: M;
  /** The numeric parameters the value was computed with (e.g. { k: 2 }, { cAlarm: 1, cMissed: 5, tolerance: 0 }). */
  readonly params: Readonly<Record<string, number>>;
  /** The threshold: rows with score >= value are flagged. +∞ (cost/fpr only) means "raise no alarms". */
  readonly value: number;
  /** Number of rows with score >= value among the scores counted (scoresToCount). */
  readonly alerts: number;
  /** One or two plain sentences explaining the value, for the analyst and the PDF report. */
  readonly why: string;
}

export interface SigmaThresholdResult extends ThresholdResultBase<'sigma'> {
  /** Mean of the fitting errors. */
  readonly mean: number;
  /** Population standard deviation of the fitting errors. */
  readonly std: number;
}
export type PercentileThresholdResult = ThresholdResultBase<'percentile'>;
export interface BudgetThresholdResult extends ThresholdResultBase<'budget'> {
  /** The alert budget asked for; `alerts` can be larger when rows tie at the threshold. */
  readonly requested: number;
}
export interface FprThresholdResult extends ThresholdResultBase<'fpr'> {
  /** Achieved false positive rate over the labelled-normal fitting rows (≤ the target). */
  readonly fpr: number;
  /** Share of the labelled anomalies (fitting rows) flagged at this threshold. */
  readonly tpr: number;
  readonly falsePositives: number;
  readonly normals: number;
  readonly detected: number;
  readonly anomalies: number;
}
export interface CostThresholdResult extends ThresholdResultBase<'cost'> {
  /** cAlarm · falseAlarms + cMissed · missed, over the labelled fitting rows. */
  readonly cost: number;
  readonly falseAlarms: number;
  readonly missed: number;
  readonly detected: number;
  /** Labelled anomalies in the fitting rows (detected + missed). */
  readonly anomalies: number;
}
export type ManualThresholdResult = ThresholdResultBase<'manual'>;

export type ThresholdResult =
  | SigmaThresholdResult
  | PercentileThresholdResult
  | BudgetThresholdResult
  | FprThresholdResult
  | CostThresholdResult
  | ManualThresholdResult;

/**
 * Upper bounds of the threshold parameters, shared by this schema and the CLI. None is needed for the
 * arithmetic (the core's algorithms cost the same whatever the value), but values past these are typos or
 * attacks, never analysis: a detection window wider than a million rows on either side, a threshold more than
 * 1,000 standard deviations above the mean, a review budget over a billion rows or a cost over a billion per event.
 */
export const THRESHOLD_LIMITS = {
  /** Detection tolerance of the cost method, in rows on either side of an anomaly. */
  tolerance: 1_000_000,
  /** Standard deviations above the mean (sigma method). */
  k: 1_000,
  /** Alert budget in rows (budget method). */
  alerts: 1_000_000_000,
  /** Cost of one false alarm / one missed anomaly (cost method). */
  cost: 1_000_000_000,
} as const;

const en = (v: number): string => v.toLocaleString('en-US');
const costField = (name: string) =>
  z
    .number()
    .positive(`${name} must be above 0 (a cost per event)`)
    .max(THRESHOLD_LIMITS.cost, `${name} must be above 0 and at most ${en(THRESHOLD_LIMITS.cost)} (a cost per event; only the ratio of the two costs matters)`);

export const thresholdSpecSchema = z.discriminatedUnion('method', [
  z
    .object({
      method: z.literal('sigma'),
      k: z.number().positive('k must be above 0').max(THRESHOLD_LIMITS.k, `k must be above 0 and at most ${en(THRESHOLD_LIMITS.k)} standard deviations`).optional(),
      on: z.enum(['train', 'validation', 'all']).optional(),
    })
    .strict(),
  z.object({ method: z.literal('percentile'), p: z.number().gt(0).lt(100).optional() }).strict(),
  z
    .object({
      method: z.literal('budget'),
      alerts: z.number().int().min(1).max(THRESHOLD_LIMITS.alerts, `alerts must be a whole number of rows from 1 to ${en(THRESHOLD_LIMITS.alerts)}`),
    })
    .strict(),
  z.object({ method: z.literal('fpr'), fpr: z.number().gt(0).lt(1).optional() }).strict(),
  z
    .object({
      method: z.literal('cost'),
      cAlarm: costField('cAlarm').optional(),
      cMissed: costField('cMissed').optional(),
      tolerance: z
        .number()
        .int(`tolerance must be a whole number of rows from 0 to ${en(THRESHOLD_LIMITS.tolerance)}`)
        .min(0, `tolerance must be a whole number of rows from 0 to ${en(THRESHOLD_LIMITS.tolerance)}`)
        .max(THRESHOLD_LIMITS.tolerance, `tolerance must be a whole number of rows from 0 to ${en(THRESHOLD_LIMITS.tolerance)}`)
        .optional(),
    })
    .strict(),
  z.object({ method: z.literal('manual'), value: z.number() }).strict(),
]);

/** Parameters of each method, as stored with a saved threshold (inferred from the schema: one definition). Defaults: k 2, p 99, fpr 0.01, cAlarm 1, cMissed 5, tolerance 0. */
export type ThresholdSpec = z.output<typeof thresholdSpecSchema>;

export interface RocPoint {
  readonly fpr: number;
  readonly tpr: number;
  /** Rows with score >= threshold are flagged at this point; the first point (0, 0) has threshold +∞. */
  readonly threshold: number;
}

export interface PrPoint {
  readonly recall: number;
  readonly precision: number;
  /** Rows with score >= threshold are flagged at this point; the first point (recall 0, precision 1) has threshold +∞. */
  readonly threshold: number;
}

export interface Confusion {
  /** Labelled anomalies flagged. */
  readonly tp: number;
  /** Labelled normal rows flagged. */
  readonly fp: number;
  /** Labelled normal rows not flagged. */
  readonly tn: number;
  /** Labelled anomalies not flagged. */
  readonly fn: number;
  /** tp / (tp + fp); 0 when nothing is flagged. */
  readonly precision: number;
  /** tp / (tp + fn); 0 when there are no labelled anomalies. */
  readonly recall: number;
  /** 2tp / (2tp + fp + fn) (= harmonic mean of precision and recall); 0 when that is 0/0. */
  readonly f1: number;
  /** fp / (fp + tn); 0 when there are no labelled normal rows. */
  readonly fpr: number;
}

export interface Evaluation {
  /** NaN when either class is absent. */
  readonly rocAuc: number;
  /** NaN when there are no labelled anomalies. */
  readonly averagePrecision: number;
  /** The k used for precisionAtK / recallAtK (default: the number of labelled anomalies; 0 when there are none). */
  readonly k: number;
  /** NaN when k = 0 or nothing is labelled. */
  readonly precisionAtK: number;
  /** NaN when there are no labelled anomalies. */
  readonly recallAtK: number;
  readonly threshold: number;
  readonly confusion: Confusion;
  /** Labelled anomalies. */
  readonly positives: number;
  /** Labelled normal rows. */
  readonly negatives: number;
}

export interface FeatureShare {
  /** Feature name. */
  readonly feature: string;
  /** Feature position (column of the featureErrors matrix). */
  readonly index: number;
  /** Mean error of this feature over the flagged rows (NaN entries skipped); NaN if it has no numeric entry. */
  readonly meanError: number;
  /** meanError / Σ of the positive meanErrors over the features (0 when that sum is 0; NaN when meanError is NaN; negative for a one-class model's column that lowers the score). */
  readonly share: number;
}
