import { normalizeFeatureErrors } from '../analysis';
import { ResidualError } from '../errors';
import type { ProjectStore } from '../store';
import { getModel, getScore, getSplitBlobs, scoreChunks, type ChunkKind } from './repo';
import { fromBitmaps } from './split';
import { SPLIT_TRAIN, SPLIT_VALIDATION, type FeatureErrors, type RankWindow, type SplitInfo } from './types';

/** Readers of stored scores and splits: windows of the blobs, never more than asked for. */

/** Every row's error, in row order. */
export function readRowErrors(store: ProjectStore, scoreId: number): Float32Array {
  const s = getScore(store, scoreId);
  return readFloats(store, scoreId, 'row', 0, s.rows, 1);
}

/** Ranks [offset, offset + limit) of the ranking (highest error first): row indices and their errors. */
export function readRankWindow(store: ProjectStore, scoreId: number, offset: number, limit: number): RankWindow {
  const s = getScore(store, scoreId);
  checkRange(offset, limit, 'offset', 'limit');
  const start = Math.min(offset, s.rows);
  const end = Math.min(s.rows, offset + limit);
  const rows = new Int32Array(end - start);
  copyChunks(store, scoreId, 'rank', start, end, 1, new Uint8Array(rows.buffer));
  const errors = readFloats(store, scoreId, 'rank_error', start, end, 1);
  return { offset: start, total: s.rows, rows, errors };
}

/**
 * Per-column squared errors of rows [rowStart, rowEnd) (rows × columns, row-major). With `normalized`,
 * each column is divided by its mean training error (the model's featureErrorMean).
 */
export function readFeatureErrors(store: ProjectStore, scoreId: number, rowStart: number, rowEnd: number, opts: { normalized?: boolean } = {}): FeatureErrors {
  const s = getScore(store, scoreId);
  checkRange(rowStart, rowEnd - rowStart, 'rowStart', 'rowEnd - rowStart');
  const start = Math.min(rowStart, s.rows);
  const end = Math.min(s.rows, rowEnd);
  const cols = s.columns.length;
  const raw = readFloats(store, scoreId, 'feature', start, end, cols);
  if (!opts.normalized) return { columns: s.columns, rowStart: start, rowEnd: end, values: raw, normalized: false };
  const means = getModel(store, s.modelId).featureErrorMean;
  if (!means) throw new ResidualError('BAD_INPUT', `Model #${s.modelId} has no training error per column to normalise by.`, { field: 'model' });
  return { columns: s.columns, rowStart: start, rowEnd: end, values: normalizeFeatureErrors(raw, cols, means), normalized: true };
}

/** Which rows of the training dataset trained and which validated the model. */
export function splitOf(store: ProjectStore, modelId: number): SplitInfo {
  const b = getSplitBlobs(store, modelId);
  const part = fromBitmaps(b.rows, b.train, b.val);
  let train = 0;
  let validation = 0;
  for (const p of part) {
    if (p === SPLIT_TRAIN) train++;
    else if (p === SPLIT_VALIDATION) validation++;
  }
  return { datasetId: b.datasetId, rows: b.rows, part, train, validation };
}

function readFloats(store: ProjectStore, scoreId: number, kind: ChunkKind, start: number, end: number, width: number): Float32Array {
  const out = new Float32Array(Math.max(0, end - start) * width);
  copyChunks(store, scoreId, kind, start, end, width, new Uint8Array(out.buffer));
  return out;
}

/** Copies the bytes of rows [start, end) (each `width` 4-byte values) from the overlapping chunks. */
function copyChunks(store: ProjectStore, scoreId: number, kind: ChunkKind, start: number, end: number, width: number, out: Uint8Array): void {
  if (end <= start) return;
  const rowBytes = 4 * width;
  for (const c of scoreChunks(store, scoreId, kind, start, end)) {
    const from = Math.max(start, c.rowStart);
    const to = Math.min(end, c.rowStart + c.rowCount);
    out.set(c.data.subarray((from - c.rowStart) * rowBytes, (to - c.rowStart) * rowBytes), (from - start) * rowBytes);
  }
}

function checkRange(start: number, count: number, startName: string, countName: string): void {
  if (!Number.isInteger(start) || start < 0) throw new ResidualError('BAD_INPUT', `${startName} must be a whole number ≥ 0; got ${start}.`, { field: startName });
  if (!Number.isInteger(count) || count < 0) throw new ResidualError('BAD_INPUT', `${countName} must be a whole number ≥ 0; got ${count}.`, { field: countName });
}
