import { thresholdFor, type FitSplit, type ThresholdResult, type ThresholdSpec } from '../analysis';
import { getModel, getScore } from '../engine/repo';
import { readRowErrors, splitOf } from '../engine/results';
import { SPLIT_TRAIN, SPLIT_VALIDATION } from '../engine/types';
import type { ScoreInfo } from '../engine';
import { ResidualError } from '../errors';
import type { DatasetInfo, ProjectStore } from '../store';
import { knownLabels } from './verdicts';
import { activeThreshold, insertThreshold } from '../store/thresholds';
export { activeThreshold, listThresholds } from '../store/thresholds';
import type { StoredThreshold } from '../../contract/review';
export type { StoredThreshold };

/**
 * Picks the rows a threshold is fitted on and the order they are in, then computes it over a score.
 * - sigma: the errors of the chosen part of the model's split (default: validation when the score is of the
 *   training dataset and the model held rows out; otherwise all rows). Validation errors are not biased low
 *   by training on them, so they give fewer false alarms than training errors.
 * - percentile: all rows. budget and manual: all rows.
 * - fpr: labelled rows of the validation part when there is one, else all labelled rows.
 * - cost: all labelled rows, in time order when the dataset has a timestamp (the tolerance window is in rows
 *   of that order), else in file order.
 * Labels are the label column overridden by the analyst's verdicts.
 */
export function computeThreshold(store: ProjectStore, scoreId: number, spec: ThresholdSpec): ThresholdResult {
  const score = getScore(store, scoreId);
  const ds = store.getDataset(score.datasetId);
  const errors = readRowErrors(store, scoreId);
  const labels = knownLabels(store, ds);
  const part = splitPart(store, score);
  switch (spec.method) {
    case 'sigma': {
      const on: FitSplit = spec.on ?? (part && countPart(part, SPLIT_VALIDATION) > 0 ? 'validation' : 'all');
      if (on !== 'all' && !part) {
        throw new ResidualError('BAD_INPUT', `Dataset "${ds.name}" did not train this model, so it has no ${on} rows; fit the threshold on all rows.`, { field: 'on' });
      }
      const fit = on === 'all' ? errors : pick(errors, part!, on === 'train' ? SPLIT_TRAIN : SPLIT_VALIDATION);
      if (fit.length === 0) throw new ResidualError('BAD_INPUT', `The model has no ${on} rows to fit a threshold on; use on = all.`, { field: 'on' });
      return thresholdFor({ ...spec, on }, { fit, count: errors });
    }
    case 'fpr': {
      const rows = part && countPart(part, SPLIT_VALIDATION) > 0 ? rowsWhere(part, SPLIT_VALIDATION) : allRows(errors.length);
      return thresholdFor(spec, { fit: gather(errors, rows), labels: labels ? gather(labels, rows) : null, count: errors });
    }
    case 'cost': {
      const order = timeOrder(store, ds);
      return thresholdFor(spec, { fit: gather(errors, order), labels: labels ? gather(labels, order) : null, count: errors });
    }
    default:
      return thresholdFor(spec, { fit: errors, labels, count: errors });
  }
}

/** Computes and stores a threshold: it becomes the model's active one. One transaction. */
export function saveThreshold(store: ProjectStore, scoreId: number, spec: ThresholdSpec, now = new Date()): StoredThreshold {
  const result = computeThreshold(store, scoreId, spec);
  const score = getScore(store, scoreId);
  const saved = { modelId: score.modelId, scoreId, spec, result, createdAt: now.toISOString() };
  const id = store.transaction(() => insertThreshold(store, saved));
  return { id, ...saved };
}

/**
 * The threshold that flags rows of a score: the model's active one, or when none was set yet mean + 2σ as
 * the seeds prescribe (computed, not stored).
 */
export function effectiveThreshold(store: ProjectStore, scoreId: number): { result: ThresholdResult; stored: StoredThreshold | null } {
  const score = getScore(store, scoreId);
  const stored = activeThreshold(store, score.modelId);
  if (stored) {
    // A stored threshold keeps its value on new data; only its alert count is recounted here.
    const errors = readRowErrors(store, scoreId);
    let alerts = 0;
    for (let i = 0; i < errors.length; i++) if (errors[i]! >= stored.result.value) alerts++;
    return { result: { ...stored.result, alerts }, stored };
  }
  return { result: computeThreshold(store, scoreId, { method: 'sigma', k: 2 }), stored: null };
}

/** The model's split when the score is of its training dataset (same rows), else null. */
function splitPart(store: ProjectStore, score: ScoreInfo): Uint8Array | null {
  const model = getModel(store, score.modelId);
  if (model.datasetId !== score.datasetId) return null;
  const split = splitOf(store, score.modelId);
  return split.rows === score.rows ? split.part : null;
}

function countPart(part: Uint8Array, which: number): number {
  let n = 0;
  for (const p of part) if (p === which) n++;
  return n;
}

function rowsWhere(part: Uint8Array, which: number): Int32Array {
  const out = new Int32Array(countPart(part, which));
  let j = 0;
  for (let i = 0; i < part.length; i++) if (part[i] === which) out[j++] = i;
  return out;
}

function allRows(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

function pick(errors: Float32Array, part: Uint8Array, which: number): Float32Array {
  return gather(errors, rowsWhere(part, which)) as Float32Array;
}

function gather<T extends Float32Array | Float64Array>(values: T, rows: Int32Array): T {
  const out = new (values.constructor as { new (n: number): T })(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = values[rows[i]!]!;
  return out;
}

/** Row indices in time order (stable for equal or missing times, missing last), or file order without a timestamp. */
export function timeOrder(store: ProjectStore, ds: DatasetInfo): Int32Array {
  const order = allRows(ds.rowCount);
  const col = ds.columns.find((c) => c.role === 'timestamp');
  if (!col) return order;
  const t = store.readRange(ds.id, col, 0, ds.rowCount) as Float64Array;
  const key = (i: number): number => (Number.isNaN(t[i]!) ? Infinity : t[i]!);
  return Int32Array.from(Array.from(order).sort((a, b) => key(a) - key(b) || a - b));
}
