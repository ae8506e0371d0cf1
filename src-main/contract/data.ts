/** Importing files: the preview, progress and result that cross a boundary. Part of the contract: imports nothing outside it. */
import type { ColumnRole, DatasetInfo, ValueKind } from './store';

export type ImportPhase = 'reading' | 'statistics' | 'saving';

export interface ImportProgress {
  /** Bytes read by the current pass over the file (a second pass, when a column needs one, starts again at 0). */
  bytesRead: number;
  totalBytes: number;
  rows: number;
  /** 0..1 over the whole import (see `PhaseSpan`): reading dominates, statistics and saving follow. */
  fraction: number;
  rowsPerSecond: number;
  /** From the elapsed time and the fraction done; null until a little is done. */
  etaSeconds: number | null;
  phase: ImportPhase;
}

export interface FilePreview {
  file: string;
  encoding: string;
  delimiter: string;
  decimalComma: boolean;
  header: string[];
  /** The first `maxRows` data rows, as text, quotes removed. */
  rows: string[][];
  columns: { name: string; valueKind: ValueKind; role: ColumnRole; roleReason: string; positiveValue: string | null }[];
  /** What the sample already shows: rows with the wrong number of fields, no numeric column, … */
  warnings: string[];
}

export interface ImportResult {
  dataset: DatasetInfo;
  skippedRows: number;
  /** The first MAX_SKIPPED_LISTED skipped lines; `skippedRows` counts them all. */
  skippedLines: { line: number; reason: string }[];
  warnings: string[];
  seconds: number;
  rowsPerSecond: number;
}
