import { ResidualError } from '../errors';
import { readLabels } from '../engine/split';
import type { DatasetInfo, ProjectStore } from '../store';
import type { Verdict, RowVerdict } from '../../contract/review';
export type { Verdict, RowVerdict };
import { VERDICTS } from '../../contract/review';
export { VERDICTS };

interface VerdictRow {
  row_index: number;
  verdict: Verdict | null;
  note: string;
  updated_at: string;
}

const toVerdict = (r: VerdictRow): RowVerdict => ({ row: r.row_index, verdict: r.verdict, note: r.note, updatedAt: r.updated_at });

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
    const current = store.db.prepare('SELECT * FROM verdicts WHERE dataset_id = ? AND row_index = ?').get(ds.id, row) as VerdictRow | undefined;
    const nextNote = note ?? current?.note ?? '';
    if (verdict === null && nextNote === '') {
      store.db.prepare('DELETE FROM verdicts WHERE dataset_id = ? AND row_index = ?').run(ds.id, row);
      return null;
    }
    const updatedAt = now.toISOString();
    store.db
      .prepare(
        `INSERT INTO verdicts(dataset_id, row_index, verdict, note, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(dataset_id, row_index) DO UPDATE SET verdict = excluded.verdict, note = excluded.note, updated_at = excluded.updated_at`,
      )
      .run(ds.id, row, verdict, nextNote, updatedAt);
    return { row, verdict, note: nextNote, updatedAt };
  });
}

export function listVerdicts(store: ProjectStore, datasetId: number): RowVerdict[] {
  return (store.db.prepare('SELECT * FROM verdicts WHERE dataset_id = ? ORDER BY row_index').all(datasetId) as VerdictRow[]).map(toVerdict);
}

/** Verdicts of the given rows (absent rows have none). */
export function verdictsOf(store: ProjectStore, datasetId: number, rows: ArrayLike<number>): Map<number, RowVerdict> {
  const out = new Map<number, RowVerdict>();
  if (rows.length === 0) return out;
  const stmt = store.db.prepare('SELECT * FROM verdicts WHERE dataset_id = ? AND row_index = ?');
  for (let i = 0; i < rows.length; i++) {
    const r = stmt.get(datasetId, rows[i]) as VerdictRow | undefined;
    if (r) out.set(r.row_index, toVerdict(r));
  }
  return out;
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
