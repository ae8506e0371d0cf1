import { evaluate, featureErrorProfile, prCurve, rocCurve } from '../analysis';
import { getScore } from '../engine/repo';
import { readFeatureErrors, readRowErrors } from '../engine/results';
import { ResidualError } from '../errors';
import type { ProjectStore } from '../store';
import { effectiveThreshold } from './thresholds';
import { knownLabels } from './verdicts';
import type { ScoreEvaluation, AnomalyProfile } from '../../contract/review';
export type { ScoreEvaluation, AnomalyProfile };

/**
 * Quality of a score against what is known (label column, overridden by verdicts), at the given threshold or
 * the model's effective one. BAD_INPUT when nothing is labelled.
 */
export function evaluateScore(store: ProjectStore, scoreId: number, opts: { threshold?: number; k?: number; curvePoints?: number } = {}): ScoreEvaluation {
  const score = getScore(store, scoreId);
  const ds = store.getDataset(score.datasetId);
  const labels = knownLabels(store, ds);
  if (!labels) {
    throw new ResidualError('BAD_INPUT', `Dataset "${ds.name}" has no labels and no verdicts to evaluate against. Import it with --label COL, or mark rows with "residual verdict".`, { field: 'labels' });
  }
  const errors = readRowErrors(store, scoreId);
  const threshold = opts.threshold ?? effectiveThreshold(store, scoreId).result.value;
  const ev = evaluate(errors, labels, threshold, opts.k);
  return { ...ev, scoreId, rocCurve: rocCurve(errors, labels, opts.curvePoints), prCurve: prCurve(errors, labels, opts.curvePoints) };
}

/**
 * The domain expert's clue: which columns the flagged rows break, i.e. the average per-column error over the
 * rows at or above the threshold, streamed in windows so memory stays flat at any row count.
 */
export function anomalyProfile(store: ProjectStore, scoreId: number, threshold?: number, window = 65_536): AnomalyProfile {
  const score = getScore(store, scoreId);
  const t = threshold ?? effectiveThreshold(store, scoreId).result.value;
  const errors = readRowErrors(store, scoreId);
  const cols = score.columns.length;
  const sums = new Float64Array(cols);
  const normSums = new Float64Array(cols);
  let flagged = 0;
  for (let start = 0; start < score.rows; start += window) {
    const end = Math.min(score.rows, start + window);
    const local: number[] = [];
    for (let i = start; i < end; i++) if (errors[i]! >= t) local.push(i - start);
    if (local.length === 0) continue;
    flagged += local.length;
    const raw = readFeatureErrors(store, scoreId, start, end);
    const norm = readFeatureErrors(store, scoreId, start, end, { normalized: true });
    for (const p of featureErrorProfile(raw.values, cols, local, [...score.columns])) sums[p.index] = sums[p.index]! + p.meanError * local.length;
    for (const p of featureErrorProfile(norm.values, cols, local, [...score.columns])) normSums[p.index] = normSums[p.index]! + p.meanError * local.length;
  }
  const total = sums.reduce((a, b) => a + b, 0);
  const columns = score.columns
    .map((feature, index) => ({
      feature,
      index,
      meanError: flagged ? sums[index]! / flagged : 0,
      share: total > 0 ? sums[index]! / total : 0,
      meanNormalizedError: flagged ? normSums[index]! / flagged : 0,
    }))
    .sort((a, b) => b.meanNormalizedError - a.meanNormalizedError || a.index - b.index);
  return { threshold: t, flagged, columns };
}
