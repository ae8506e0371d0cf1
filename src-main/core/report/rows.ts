import { heatmapCap } from '../../contract/heatmap';
import { explainRows, readFeatureErrors, type RankWindow } from '../engine';
import type { RowVerdict } from '../review';
import type { ColumnInfo, DatasetInfo, ProjectStore } from '../store';
import { heatmapScale } from '../workbench/heatmap-scale';
import type { ReportHeatmap, ReportNote, ReportProfileColumn, ReportTopRow } from './types';

/** Most columns the heatmap draws; the rest stay in the profile table, where every column is listed. */
export const MAX_HEATMAP_COLUMNS = 40;
/** Most notes a report lists; a project with more says how many were left out. */
export const MAX_NOTES = 2000;

/** Rows per read of stored feature errors: bounds memory however far apart the top rows lie. */
const HEATMAP_WINDOW = 8192;

type Cell = string | number | null;

/**
 * Values of scattered rows of one column, reading each stored chunk that holds any of them once
 * (reading row by row would decode a whole chunk per row).
 */
export function valuesAt(store: ProjectStore, ds: DatasetInfo, col: ColumnInfo, rows: readonly number[]): Map<number, Cell> {
  const out = new Map<number, Cell>();
  const sorted = [...new Set(rows)].sort((a, b) => a - b);
  let i = 0;
  while (i < sorted.length) {
    const chunk = Math.floor(sorted[i]! / ds.chunkRows);
    let j = i;
    while (j + 1 < sorted.length && Math.floor(sorted[j + 1]! / ds.chunkRows) === chunk) j++;
    const first = sorted[i]!;
    const window = store.readRange(ds.id, col, first, sorted[j]! + 1);
    for (let k = i; k <= j; k++) {
      const v = window[sorted[k]! - first];
      out.set(sorted[k]!, v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? null : v);
    }
    i = j + 1;
  }
  return out;
}

/** How the analyst names a row: its id column's value, else its 1-based position. */
export function rowNamer(store: ProjectStore, ds: DatasetInfo, rows: readonly number[]): (row: number) => string {
  const idCol = ds.columns.find((c) => c.role === 'id');
  const ids = idCol ? valuesAt(store, ds, idCol, rows) : new Map<number, Cell>();
  return (row) => {
    const v = ids.get(row);
    if (v === undefined || v === null) return `#${row + 1}`;
    return typeof v === 'number' && idCol?.valueKind === 'time' ? new Date(v).toISOString() : String(v);
  };
}

export interface TopRowsInput {
  readonly store: ProjectStore;
  readonly ds: DatasetInfo;
  readonly scoreId: number;
  readonly window: RankWindow;
  readonly threshold: number;
  readonly verdicts: ReadonlyMap<number, RowVerdict>;
  readonly name: (row: number) => string;
}

/** The top rows with their three most broken columns (actual vs expected, recomputed by the engine). */
export async function topRows(input: TopRowsInput): Promise<ReportTopRow[]> {
  const { store, ds, window } = input;
  const rows = Array.from(window.rows);
  const labelCol = ds.columns.find((c) => c.role === 'label');
  const labels = labelCol ? valuesAt(store, ds, labelCol, rows) : null;
  const explained = await explainRows(store, input.scoreId, rows, 3);
  return rows.map((row, i) => {
    const v = input.verdicts.get(row);
    const label = labels?.get(row);
    return {
      rank: window.offset + i + 1,
      row,
      id: input.name(row),
      score: window.errors[i]!,
      flagged: window.errors[i]! >= input.threshold,
      label: label === undefined || label === null ? null : String(label),
      verdict: v?.verdict ?? null,
      note: v?.note ?? '',
      contributions: explained[i]!.contributions.map((c) => ({ column: c.column, actual: c.actual, expected: c.reconstructed, share: c.share })),
    };
  });
}

/**
 * Normalised per-column errors of the top rows as stored by the score (not recomputed), read one score
 * chunk window per group of nearby rows. Columns follow the anomaly profile, most broken first.
 */
export function heatmap(store: ProjectStore, scoreId: number, top: readonly ReportTopRow[], profile: readonly ReportProfileColumn[], signed: boolean): ReportHeatmap {
  const shown = profile.slice(0, MAX_HEATMAP_COLUMNS).map((p) => p.feature);
  const byRow = new Map<number, number[]>();
  const sorted = top.map((t) => t.row).sort((a, b) => a - b);
  let i = 0;
  while (i < sorted.length) {
    const group = Math.floor(sorted[i]! / HEATMAP_WINDOW);
    let j = i;
    while (j + 1 < sorted.length && Math.floor(sorted[j + 1]! / HEATMAP_WINDOW) === group) j++;
    const fe = readFeatureErrors(store, scoreId, sorted[i]!, sorted[j]! + 1, { normalized: true });
    const index = shown.map((name) => fe.columns.indexOf(name));
    const width = fe.columns.length;
    for (let k = i; k <= j; k++) {
      const base = (sorted[k]! - fe.rowStart) * width;
      byRow.set(sorted[k]!, index.map((c) => (c < 0 ? 0 : fe.values[base + c]!)));
    }
    i = j + 1;
  }
  const values = top.map((t) => byRow.get(t.row)!);
  return {
    rows: top.map((t) => `${t.rank}. ${t.id}`),
    columns: shown,
    values,
    // The app's colour scale for this score (score.heatmapScale, the contract's heatmapCap): the same colours and legend.
    cap: heatmapCap(top.length ? heatmapScale(store, scoreId, true).value : null, values.flat(), true, signed),
    omittedColumns: Math.max(0, profile.length - shown.length),
  };
}

/** The analyst's verdicts and notes on the dataset, in rank order (the rows the model ranks highest first). */
export function notes(verdicts: readonly RowVerdict[], rankOf: (row: number) => number, name: (row: number) => string): { notes: ReportNote[]; omitted: number } {
  const all = verdicts
    .map((v) => ({ row: v.row, id: name(v.row), rank: rankOf(v.row), verdict: v.verdict, note: v.note, updatedAt: v.updatedAt }))
    .sort((a, b) => a.rank - b.rank);
  return { notes: all.slice(0, MAX_NOTES), omitted: Math.max(0, all.length - MAX_NOTES) };
}
