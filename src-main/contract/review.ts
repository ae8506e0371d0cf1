/** The analyst's review: verdicts, saved thresholds, evaluations and the anomaly profile. Part of the contract. */
import type { Evaluation, FeatureShare, PrPoint, RocPoint, ThresholdResult, ThresholdSpec } from './analysis';

/** The analyst's verdicts on a row, in the order the UI offers them. The one definition: the zod enums, the store's CHECK and every list use it. */
export const VERDICTS = ['anomaly', 'normal', 'unsure'] as const;
export type Verdict = (typeof VERDICTS)[number];
/**
 * Each verdict's name as the analyst reads it, the one table the app and the PDF report share: 'normal' is a row that
 * was flagged (or ranked high) but is normal, a false positive.
 */
export const VERDICT_NAMES: Readonly<Record<Verdict, string>> = { anomaly: 'Anomaly', normal: 'False positive', unsure: 'Unsure' };

/** What a label column says about a row (its positive value, or not). */
export type LabelClass = 'anomaly' | 'normal';

export interface RowVerdict {
  /** 0-based row index in the dataset. */
  readonly row: number;
  readonly verdict: Verdict | null;
  readonly note: string;
  readonly updatedAt: string;
}

export interface ScoreEvaluation extends Evaluation {
  readonly scoreId: number;
  readonly rocCurve: readonly RocPoint[];
  readonly prCurve: readonly PrPoint[];
}

export interface AnomalyProfile {
  readonly threshold: number;
  readonly flagged: number;
  /** Mean per-column error over the flagged rows, largest first (raw squared errors and normalised ones). */
  readonly columns: readonly (FeatureShare & { readonly meanNormalizedError: number })[];
}

export interface StoredThreshold {
  readonly id: number;
  readonly modelId: number;
  readonly scoreId: number | null;
  readonly spec: ThresholdSpec;
  readonly result: ThresholdResult;
  readonly createdAt: string;
}

/** The most scores one comparison takes (score.overlap; the Training section's Compare ticks). */
export const MAX_COMPARED = 12;
