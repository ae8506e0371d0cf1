import { ResidualError } from '../errors';
import type { ProjectStore } from './store';

/** What an undoable delete can put into the trash. */
export type TrashKind = 'dataset' | 'model';

/** A pending delete: the item is hidden from the workbench's views and deleted for good when purged. */
export interface TrashEntry {
  readonly id: number;
  readonly kind: TrashKind;
  readonly targetId: number;
  /** The item's name when it was deleted (for the "Deleted … — Undo" line). */
  readonly name: string;
  /** ISO time of the delete. */
  readonly deletedAt: string;
}

interface TrashRow {
  id: number;
  kind: TrashKind;
  target_id: number;
  name: string;
  deleted_at: string;
}

const toEntry = (r: TrashRow): TrashEntry => ({ id: r.id, kind: r.kind, targetId: r.target_id, name: r.name, deletedAt: r.deleted_at });

export function listTrash(store: ProjectStore): TrashEntry[] {
  return (store.db.prepare('SELECT * FROM trash ORDER BY id').all() as TrashRow[]).map(toEntry);
}

/** The ids in the trash, by kind: what the workbench hides. */
export function trashedIds(store: ProjectStore): { datasets: Set<number>; models: Set<number> } {
  const out = { datasets: new Set<number>(), models: new Set<number>() };
  for (const r of store.prepared('SELECT kind, target_id FROM trash').all() as Pick<TrashRow, 'kind' | 'target_id'>[]) {
    (r.kind === 'dataset' ? out.datasets : out.models).add(r.target_id);
  }
  return out;
}

/**
 * Puts a dataset or model into the trash (one INSERT: the delete is recorded, nothing is removed yet). CONFLICT
 * when it is there already.
 */
export function trashItem(store: ProjectStore, kind: TrashKind, targetId: number, name: string, now = new Date()): TrashEntry {
  const deletedAt = now.toISOString();
  try {
    const res = store.db.prepare('INSERT INTO trash(kind, target_id, name, deleted_at) VALUES (?, ?, ?, ?)').run(kind, targetId, name, deletedAt);
    return { id: Number(res.lastInsertRowid), kind, targetId, name, deletedAt };
  } catch (e) {
    if (String((e as { code?: unknown }).code).startsWith('SQLITE_CONSTRAINT')) {
      throw new ResidualError('CONFLICT', `The ${kind} "${name}" is already deleted.`, { field: kind === 'dataset' ? 'datasetId' : 'modelId' });
    }
    throw e;
  }
}

/** Takes an item out of the trash (undo). NOT_FOUND once it has been deleted for good. */
export function restoreItem(store: ProjectStore, trashId: number): TrashEntry {
  return store.transaction(() => {
    const row = store.db.prepare('SELECT * FROM trash WHERE id = ?').get(trashId) as TrashRow | undefined;
    if (!row) {
      throw new ResidualError('NOT_FOUND', 'That delete can no longer be undone: its undo window has passed (or the project was closed), so it was deleted for good.', { field: 'trashId' });
    }
    store.db.prepare('DELETE FROM trash WHERE id = ?').run(trashId);
    return toEntry(row);
  });
}

/**
 * Deletes for good what was put into the trash at or before `cutoff` (everything without one), each item in one
 * transaction together with its trash entry: a dataset with its columns, data, scores and verdicts (models trained on
 * it are kept), a model with its history, scores and thresholds (reports keep their file, no longer linked to it).
 * Returns the entries purged.
 */
export function purgeTrash(store: ProjectStore, cutoff?: Date): TrashEntry[] {
  const due = listTrash(store).filter((e) => cutoff === undefined || Date.parse(e.deletedAt) <= cutoff.getTime());
  for (const e of due) {
    store.transaction(() => {
      if (e.kind === 'dataset') store.deleteDataset(e.targetId);
      else store.db.prepare('DELETE FROM models WHERE id = ?').run(e.targetId);
      store.db.prepare('DELETE FROM trash WHERE id = ?').run(e.id);
    });
  }
  return due;
}
