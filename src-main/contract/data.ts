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

/** What a file to import is: delimited text (CSV, TSV), Parquet, an IDX file of images, or a folder of PNG/JPEG images. */
export type SourceFormat = 'csv' | 'parquet' | 'idx' | 'images';

/**
 * The pixels of an image dataset: one column per pixel and channel (p0…, or p0_r, p0_g, p0_b… row by row), each
 * scaled from 0–255 to 0–1, so a row is one `width`×`height` image.
 */
export interface ImageShape {
  readonly source: 'idx' | 'images';
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
}

const IMAGE_ENCODING = /^(idx|images) (\d+)x(\d+) (grey|colour)$/;

/** How an image dataset records its shape in its `encoding` (it has no text encoding): "idx 28x28 grey". */
export function imageEncoding(shape: ImageShape): string {
  return `${shape.source} ${shape.width}x${shape.height} ${shape.channels === 1 ? 'grey' : 'colour'}`;
}

/** The image shape a dataset was imported with, or null for a table (CSV, Parquet). */
export function imageShape(source: { readonly encoding: string; readonly delimiter: string }): ImageShape | null {
  if (source.delimiter !== '') return null;
  const m = IMAGE_ENCODING.exec(source.encoding);
  if (!m) return null;
  return { source: m[1] as 'idx' | 'images', width: Number(m[2]), height: Number(m[3]), channels: m[4] === 'grey' ? 1 : 3 };
}

const PIXEL_COLUMN = /^p(\d+)(?:_([rgb]))?$/;
const CHANNELS = { r: 'red', g: 'green', b: 'blue' } as const;

/**
 * Where a pixel column sits in the image: x from the left and y from the top (0-based, as the column's index counts
 * pixels row by row), and its channel for colour images; null for a column that is not one of the shape's pixels.
 */
export function pixelAt(column: string, shape: Pick<ImageShape, 'width' | 'height' | 'channels'>): { x: number; y: number; channel: 'red' | 'green' | 'blue' | null } | null {
  const m = PIXEL_COLUMN.exec(column);
  if (!m) return null;
  const i = Number(m[1]);
  if (i >= shape.width * shape.height || (shape.channels === 3) !== (m[2] !== undefined)) return null;
  return { x: i % shape.width, y: Math.floor(i / shape.width), channel: m[2] ? CHANNELS[m[2] as 'r' | 'g' | 'b'] : null };
}

/**
 * A column's name as the views list it: a pixel column of an image dataset with its place, "p721 (x 21, y 25)" or
 * "p5_r (x 5, y 0, red)"; any other column (or any column of a table, `shape` null) as it is.
 */
export function columnWords(column: string, shape: Pick<ImageShape, 'width' | 'height' | 'channels'> | null): string {
  const at = shape ? pixelAt(column, shape) : null;
  return at ? `${column} (x ${at.x}, y ${at.y}${at.channel ? `, ${at.channel}` : ''})` : column;
}

/** "28×28 grey images (IDX)": an image dataset's shape in words. */
export function describeImageShape(shape: ImageShape): string {
  return `${shape.width}×${shape.height} ${shape.channels === 1 ? 'grey' : 'colour'} images (${shape.source === 'idx' ? 'IDX' : 'PNG/JPEG folder'}), pixels scaled to 0–1`;
}

/**
 * The format of a dataset's source. A Parquet file has no delimiter: the dataset records its delimiter as '' (and
 * its text as UTF-8, as Parquet's strings are). Image datasets have no delimiter either, and their shape as encoding.
 */
export function sourceFormat(source: { readonly delimiter: string; readonly encoding?: string }): SourceFormat {
  if (source.delimiter !== '') return 'csv';
  const image = source.encoding === undefined ? null : imageShape({ delimiter: '', encoding: source.encoding });
  return image ? image.source : 'parquet';
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
  /** Images (an IDX file or a folder): the shape they are stored at, how many there are, and their source size when known. */
  images?: { shape: ImageShape; count: number; sourceWidth: number | null; sourceHeight: number | null };
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

/**
 * The most files one folder upload may hold (browser mode uploads a folder file by file): the page refuses a larger
 * folder before sending anything, and the bridge refuses the file past it.
 */
export const MAX_UPLOAD_FILES = 200_000;

/** What to do with a folder of more than MAX_UPLOAD_FILES files, for the page's and the bridge's messages alike. */
export function tooManyUploadFiles(folder: string, max: number): string {
  return `The folder ${folder} has more than ${max.toLocaleString('en-US')} files, the most one upload may hold: import it in parts (a subfolder at a time), or start the server with \`residual serve --data-dir <the folder above it>\` and import it from there without uploading.`;
}
