/** The analyst's review: verdicts, saved thresholds, evaluations and the anomaly profile. Part of the contract. */
import type { Evaluation, FeatureShare, PrPoint, RocPoint, ThresholdResult, ThresholdSpec } from './analysis';

export type Verdict = 'anomaly' | 'normal' | 'unsure';

export const VERDICTS: readonly Verdict[] = ['anomaly', 'normal', 'unsure'];

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
