/** The analyst's verdicts (table `verdicts`, migration 003): the only SQL for them. The rules live in core/review. */
import type { RowVerdict, Verdict } from '../../contract/review';
import type { ProjectStore } from './store';

interface VerdictRow {
  row_index: number;
  verdict: Verdict | null;
  note: string;
  updated_at: string;
}

const toVerdict = (r: VerdictRow): RowVerdict => ({ row: r.row_index, verdict: r.verdict, note: r.note, updatedAt: r.updated_at });

/** One row's review, or null. */
export function verdictRow(store: ProjectStore, datasetId: number, row: number): RowVerdict | null {
  const r = store.db.prepare('SELECT * FROM verdicts WHERE dataset_id = ? AND row_index = ?').get(datasetId, row) as VerdictRow | undefined;
  return r ? toVerdict(r) : null;
}

/** Writes one row's review (replacing what it held). */
export function putVerdictRow(store: ProjectStore, datasetId: number, v: RowVerdict): void {
  store.db
    .prepare(
      `INSERT INTO verdicts(dataset_id, row_index, verdict, note, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(dataset_id, row_index) DO UPDATE SET verdict = excluded.verdict, note = excluded.note, updated_at = excluded.updated_at`,
    )
    .run(datasetId, v.row, v.verdict, v.note, v.updatedAt);
}

export function deleteVerdictRow(store: ProjectStore, datasetId: number, row: number): void {
  store.db.prepare('DELETE FROM verdicts WHERE dataset_id = ? AND row_index = ?').run(datasetId, row);
}

/** Every reviewed row of a dataset, by row. */
export function verdictRows(store: ProjectStore, datasetId: number): RowVerdict[] {
  return (store.db.prepare('SELECT * FROM verdicts WHERE dataset_id = ? ORDER BY row_index').all(datasetId) as VerdictRow[]).map(toVerdict);
}

/** The reviews of the given rows (rows without one are absent). */
export function verdictRowsOf(store: ProjectStore, datasetId: number, rows: ArrayLike<number>): Map<number, RowVerdict> {
  const out = new Map<number, RowVerdict>();
  if (rows.length === 0) return out;
  const stmt = store.db.prepare('SELECT * FROM verdicts WHERE dataset_id = ? AND row_index = ?');
  for (let i = 0; i < rows.length; i++) {
    const r = stmt.get(datasetId, rows[i]) as VerdictRow | undefined;
    if (r) out.set(r.row_index, toVerdict(r));
  }
  return out;
}
