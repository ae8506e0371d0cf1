import { ResidualError } from '../errors';
import { readLabels } from '../engine/split';
import type { DatasetInfo, ProjectStore } from '../store';
import { deleteVerdictRow, putVerdictRow, verdictRow, verdictRows, verdictRowsOf } from '../store/verdicts';
import type { Verdict, RowVerdict } from '../../contract/review';
export type { Verdict, RowVerdict };
import { VERDICTS } from '../../contract/review';
export { VERDICTS };

/**
 * Sets (or, with verdict null and no note, clears) the analyst's verdict on one row. A note alone is kept.
 * `note` undefined keeps the row's current note.
 */
export function setVerdict(store: ProjectStore, ds: DatasetInfo, row: number, verdict: Verdict | null, note?: string, now = new Date()): RowVerdict | null {
  if (!Number.isInteger(row) || row < 0 || row >= ds.rowCount) {
    throw new ResidualError('BAD_INPUT', `Row ${row + 1} is outside dataset "${ds.name}" (rows 1–${ds.rowCount}).`, { field: 'row' });
  }
  if (verdict !== null && !VERDICTS.includes(verdict)) {
    throw new ResidualError('BAD_INPUT', `A verdict is one of ${VERDICTS.join(', ')}; got "${String(verdict)}".`, { field: 'verdict' });
  }
  return store.transaction(() => {
    const current = verdictRow(store, ds.id, row);
    const nextNote = note ?? current?.note ?? '';
    if (verdict === null && nextNote === '') {
      deleteVerdictRow(store, ds.id, row);
      return null;
    }
    const saved: RowVerdict = { row, verdict, note: nextNote, updatedAt: now.toISOString() };
    putVerdictRow(store, ds.id, saved);
    return saved;
  });
}

/** setVerdict, with what the row held before (in the same transaction): what an undo puts back. */
export function changeVerdict(
  store: ProjectStore,
  ds: DatasetInfo,
  row: number,
  verdict: Verdict | null,
  note?: string,
  now = new Date(),
): { saved: RowVerdict | null; previous: RowVerdict | null } {
  return store.transaction(() => {
    const previous = Number.isInteger(row) ? verdictRow(store, ds.id, row) : null;
    const saved = setVerdict(store, ds, row, verdict, note, now);
    return { saved, previous };
  });
}

const sameVerdict = (a: RowVerdict | null, b: RowVerdict | null): boolean =>
  a === null || b === null ? a === b : a.verdict === b.verdict && a.note === b.note && a.updatedAt === b.updatedAt;

/**
 * Undoes a verdict change exactly: the row gets `previous` back (verdict, note and time of change; null removes the
 * row's review), in one transaction, provided it still holds `expected` (what the change saved). When it no longer
 * does (changed since, from another window or the command line), nothing is written: CONFLICT, saying what it holds.
 */
export function restoreVerdict(store: ProjectStore, ds: DatasetInfo, row: number, previous: RowVerdict | null, expected: RowVerdict | null): RowVerdict | null {
  if (!Number.isInteger(row) || row < 0 || row >= ds.rowCount) {
    throw new ResidualError('BAD_INPUT', `Row ${row + 1} is outside dataset "${ds.name}" (rows 1–${ds.rowCount}).`, { field: 'row' });
  }
  for (const [field, v] of [['previous', previous], ['expected', expected]] as const) {
    if (v && v.row !== row) throw new ResidualError('BAD_INPUT', `${field} is the review of row ${v.row + 1}, not of row ${row + 1}.`, { field });
    if (v && v.verdict !== null && !VERDICTS.includes(v.verdict)) throw new ResidualError('BAD_INPUT', `A verdict is one of ${VERDICTS.join(', ')}; got "${String(v.verdict)}".`, { field });
  }
  if (previous && previous.verdict === null && previous.note === '') {
    throw new ResidualError('BAD_INPUT', 'previous has neither a verdict nor a note: pass null for a row without a review.', { field: 'previous' });
  }
  return store.transaction(() => {
    const current = verdictRow(store, ds.id, row);
    if (!sameVerdict(current, expected)) {
      const now = current ? `${current.verdict ?? 'no verdict'}${current.note ? ', with a note' : ''}` : 'no verdict';
      throw new ResidualError('CONFLICT', `Row ${row + 1} of "${ds.name}" has changed since (it now holds ${now}), so that change was not undone.`, { field: 'expected' });
    }
    if (previous === null) {
      deleteVerdictRow(store, ds.id, row);
      return null;
    }
    const restored: RowVerdict = { row, verdict: previous.verdict, note: previous.note, updatedAt: previous.updatedAt };
    putVerdictRow(store, ds.id, restored);
    return restored;
  });
}

export function listVerdicts(store: ProjectStore, datasetId: number): RowVerdict[] {
  return verdictRows(store, datasetId);
}

/** Verdicts of the given rows (absent rows have none). */
export function verdictsOf(store: ProjectStore, datasetId: number, rows: ArrayLike<number>): Map<number, RowVerdict> {
  return verdictRowsOf(store, datasetId, rows);
}

/**
 * What is known about each row, for evaluation and label-based thresholds: 1 anomaly, 0 normal, -1 unknown.
 * The label column gives the start; the analyst's verdicts override it (anomaly → 1, normal → 0, unsure → -1),
 * since a reviewed row is the best knowledge there is. Null when neither labels nor verdicts exist.
 */
export function knownLabels(store: ProjectStore, ds: DatasetInfo): Float64Array | null {
  const verdicts = listVerdicts(store, ds.id).filter((v) => v.verdict !== null);
  const labels = readLabels(store, ds);
  if (!labels && verdicts.length === 0) return null;
  const out = labels ?? new Float64Array(ds.rowCount).fill(-1);
  for (const v of verdicts) out[v.row] = v.verdict === 'anomaly' ? 1 : v.verdict === 'normal' ? 0 : -1;
  return out;
}

/**
 * Finds a row by what the analyst sees: the id column's value when the dataset has one, or "#N" / N
 * for the N-th row (1-based). Returns the 0-based index.
 */
export function resolveRow(store: ProjectStore, ds: DatasetInfo, ref: string): number {
  const idCol = ds.columns.find((c) => c.role === 'id');
  const byNumber = /^#?\d+$/.test(ref) ? Number(ref.replace('#', '')) - 1 : NaN;
  if (idCol && !ref.startsWith('#')) {
    const values = store.readRange(ds.id, idCol, 0, ds.rowCount);
    const asNumber = Number(ref);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === ref || (typeof v === 'number' && v === asNumber && ref.trim() !== '')) return i;
    }
    throw new ResidualError('NOT_FOUND', `No row with ${idCol.name} = "${ref}" in dataset "${ds.name}". Use "#N" for the N-th row.`, { field: 'row' });
  }
  if (Number.isInteger(byNumber) && byNumber >= 0 && byNumber < ds.rowCount) return byNumber;
  throw new ResidualError('BAD_INPUT', `Row "${ref}" is not a row number of dataset "${ds.name}" (1–${ds.rowCount}), and it has no id column.`, { field: 'row' });
}
