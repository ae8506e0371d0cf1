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

/** What a file to import is: delimited text (CSV, TSV), or Parquet. */
export type SourceFormat = 'csv' | 'parquet';

/**
 * The format of a dataset's source. A Parquet file has no delimiter: the dataset records its delimiter as '' (and
 * its text as UTF-8, as Parquet's strings are).
 */
export function sourceFormat(source: { readonly delimiter: string }): SourceFormat {
  return source.delimiter === '' ? 'parquet' : 'csv';
}

export interface FilePreview {
  file: string;
  format: SourceFormat;
  encoding: string;
  /** '' for a Parquet file. */
  delimiter: string;
  decimalComma: boolean;
  header: string[];
  /** The first `maxRows` data rows, as text, quotes removed (a Parquet file's numbers and times as text). */
  rows: string[][];
  columns: { name: string; valueKind: ValueKind; role: ColumnRole; roleReason: string; positiveValue: string | null }[];
  /** What the sample already shows: rows with the wrong number of fields, no numeric column, … */
  warnings: string[];
  /** A Parquet file's footer: its rows and row groups, its writer, and how many rows the preview typed the columns on. */
  parquet?: { rows: number; rowGroups: number; createdBy: string | null; sampleRows: number };
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

/**
 * An import error whose rows the import could skip (a wrong number of fields, a number too large) carries
 * `details.remedy` = SKIP_BAD_ROWS_REMEDY, and its message says SKIP_ROWS_ADVICE: words that fit every front end.
 * Each front end may name its own way to do it in their place: the CLI its `--skip-bad-rows` flag, the app the
 * checkbox beside the message.
 */
export const SKIP_BAD_ROWS_REMEDY = 'skip-bad-rows';
export const SKIP_ROWS_ADVICE = 'skip such rows when importing';
