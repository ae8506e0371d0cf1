import type { ProjectStore } from './store';
import type { ReportInfo } from '../../contract/report';
export type { ReportInfo };

/** The project's report history (table `reports`, migration 003): the only SQL for it, in the store layer. */

interface ReportRow {
  id: number;
  model_id: number | null;
  dataset_id: number | null;
  path: string;
  options_json: string;
  pages: number;
  bytes: number;
  sha256: string;
  created_at: string;
}

export function insertReport(store: ProjectStore, r: Omit<ReportInfo, 'id'>): number {
  const res = store.db
    .prepare('INSERT INTO reports(model_id, dataset_id, path, options_json, pages, bytes, sha256, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(r.modelId, r.datasetId, r.path, JSON.stringify(r.options), r.pages, r.bytes, r.sha256, r.createdAt);
  return Number(res.lastInsertRowid);
}

/** Exported reports, newest first, optionally of one model. */
export function listReports(store: ProjectStore, filter: { modelId?: number } = {}): ReportInfo[] {
  const rows = store.db
    .prepare('SELECT * FROM reports WHERE (? IS NULL OR model_id = ?) ORDER BY id DESC')
    .all(filter.modelId ?? null, filter.modelId ?? null) as ReportRow[];
  return rows.map((r) => ({
    id: r.id,
    modelId: r.model_id,
    datasetId: r.dataset_id,
    path: r.path,
    options: JSON.parse(r.options_json) as ReportInfo['options'],
    pages: r.pages,
    bytes: r.bytes,
    sha256: r.sha256,
    createdAt: r.created_at,
  }));
}
