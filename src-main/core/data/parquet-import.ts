/**
 * A Parquet file → a dataset, whole or not at all, with the CSV import's steps after the read (statistics from the
 * stored chunks, roles, the same options and the same bad-input rules), and its preview.
 *
 * 1. open the file with DuckDB (parquet-source.ts): the magic bytes, the footer's columns, types and row counts,
 *    column names present and unique, the options' column names;
 * 2. in one write transaction: stream the rows batch by batch into chunks of `chunkRows` rows per column (the kinds
 *    come from the file's types, so one pass is enough), hashing the file's bytes beside it;
 * 3. statistics column by column, roles, commit. Any error or a cancel rolls everything back.
 *
 * A number column's ±Infinity is the CSV import's "number too large to compute with": the import fails naming the
 * row and the column, or, with `skipBadRows`, skips the row and counts it. Rows are numbered from 1 in the file's
 * order (Parquet has no lines).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SKIP_BAD_ROWS_REMEDY, SKIP_ROWS_ADVICE, type FilePreview } from '../../contract/data';
import { ResidualError, cancelled } from '../errors';
import { DEFAULT_CHUNK_ROWS, type ProjectStore } from '../store/store';
import type { ColumnValues, ValueKind } from '../store/types';
import type { ChunkSink } from './columns';
import { INITIAL_BUFFER_ROWS, MAX_BAD_ROWS_REPORTED, MAX_SKIPPED_LISTED } from './columns';
import {
  checkChunkRows,
  columnFacts,
  columnHasValue,
  createDataset,
  inWriteTransaction,
  nothingToTrainOn,
  SAVE,
  saveColumns,
  type ImportHooks,
  type ImportOptions,
  type ImportResult,
} from './import';
import type { ColumnFacts } from './infer';
import { fileChanged } from './messages';
import { ParquetSource, type ParquetBatch, type ParquetInfo } from './parquet-source';
import { ProgressReporter, type PhaseSpan } from './progress';
import { unreadable } from './reader';
import { checkOptionColumns, resolveRoles, type ResolvedRole } from './roles';
import { MemorySink, sampleFacts } from './sample';
import { formatTime, isMissing } from './values';

const READ: PhaseSpan = { from: 0, to: 0.85 };
/** Rows the preview reads to type the columns and propose roles (a CSV preview reads its first MiB). */
export const PREVIEW_SAMPLE_ROWS = 10_000;

/** A row skipped, or kept for the error, for an infinite number: its row (from 1), column index and value. */
export interface BadCell {
  readonly row: number;
  readonly column: number;
  readonly value: string;
}

/**
 * Batches → column chunks of `chunkRows` rows, written to `sink` as they fill. Buffers start small and double (a
 * 20,000-column file of 50 rows must not reserve 65,536 rows per column), with room for one batch past a chunk's
 * end: the rows past it move to the front after the chunk is written.
 */
export class ParquetTable {
  rows = 0;
  skippedCount = 0;
  /** The first MAX_SKIPPED_LISTED rows skipped. */
  readonly skipped: BadCell[] = [];
  /** Without skipBadRows: the first infinite values met (the import fails with them once the pass is over). */
  readonly infinite: BadCell[] = [];
  /** Columns with an infinite value (without skipBadRows). */
  readonly infiniteColumns = new Set<number>();
  private readonly f64: (Float64Array | null)[];
  private readonly str: ((string | null)[] | null)[];
  private rowInChunk = 0;
  private chunkIdx = 0;
  private capacity: number;
  private rowsSeen = 0;

  constructor(
    readonly kinds: readonly ValueKind[],
    private readonly chunkRows: number,
    private readonly skipBadRows: boolean,
    private readonly sink: ChunkSink,
  ) {
    this.capacity = Math.min(chunkRows, INITIAL_BUFFER_ROWS);
    this.f64 = kinds.map((k) => (k === 'text' ? null : new Float64Array(this.capacity)));
    this.str = kinds.map((k) => (k === 'text' ? new Array<string | null>(this.capacity).fill(null) : null));
  }

  /** Enough to report: the import fails on the first few, as a CSV's does. */
  get infiniteFull(): boolean {
    return this.infinite.length >= MAX_BAD_ROWS_REPORTED;
  }

  add(batch: ParquetBatch): void {
    const n = batch.rows;
    const first = this.rowsSeen + 1;
    this.rowsSeen += n;
    this.reserve(this.rowInChunk + n);
    const at = this.rowInChunk;
    let drop: Uint8Array | null = null;
    for (let c = 0; c < this.kinds.length; c++) {
      const kind = this.kinds[c]!;
      if (kind === 'text') {
        const values = batch.texts(c);
        const out = this.str[c]!;
        for (let j = 0; j < n; j++) {
          const v = values[j]!;
          out[at + j] = v === null || isMissing(v) ? null : v;
        }
        continue;
      }
      const values = batch.numbers(c);
      const out = this.f64[c]!;
      for (let j = 0; j < n; j++) {
        const v = values[j]!;
        // Finite, or NaN (missing): stored as is. ±Infinity is a bad value of a number column; a time's is missing.
        if (v - v === 0 || v !== v) out[at + j] = v;
        else if (kind === 'time') out[at + j] = NaN;
        else if (this.skipBadRows) {
          drop ??= new Uint8Array(n);
          if (drop[j] === 0) {
            drop[j] = 1;
            this.skippedCount++;
            if (this.skipped.length < MAX_SKIPPED_LISTED) this.skipped.push({ row: first + j, column: c, value: String(v) });
          }
        } else {
          this.infiniteColumns.add(c);
          if (this.infinite.length < MAX_BAD_ROWS_REPORTED) this.infinite.push({ row: first + j, column: c, value: String(v) });
          out[at + j] = NaN;
        }
      }
    }
    const kept = drop ? this.compact(at, n, drop) : n;
    this.rowInChunk += kept;
    this.rows += kept;
    if (this.rowInChunk >= this.chunkRows) this.flushFull();
  }

  /** Writes the last, partial chunk. */
  finish(): void {
    if (this.rowInChunk > 0) this.write(this.rowInChunk);
  }

  /** Removes the dropped rows of the batch just written at [at, at + n); returns how many are left. */
  private compact(at: number, n: number, drop: Uint8Array): number {
    let kept = 0;
    for (let c = 0; c < this.kinds.length; c++) {
      const col: Float64Array | (string | null)[] = this.f64[c] ?? this.str[c]!;
      kept = 0;
      for (let j = 0; j < n; j++) if (drop[j] === 0) col[at + kept++] = col[at + j]!;
    }
    return kept;
  }

  /** Buffers that hold `rows` rows: doubled while under a chunk, and a chunk plus one batch at most. */
  private reserve(rows: number): void {
    if (rows <= this.capacity) return;
    let cap = this.capacity;
    while (cap < rows) cap = cap < this.chunkRows ? Math.min(this.chunkRows, cap * 2) : rows;
    for (let c = 0; c < this.kinds.length; c++) {
      const f = this.f64[c];
      if (f) {
        const next = new Float64Array(cap);
        next.set(f.subarray(0, this.rowInChunk));
        this.f64[c] = next;
      } else {
        const s = this.str[c]!;
        const next = new Array<string | null>(cap).fill(null);
        for (let j = 0; j < this.rowInChunk; j++) next[j] = s[j]!;
        this.str[c] = next;
      }
    }
    this.capacity = cap;
  }

  /** Writes one full chunk and moves the rows past it to the front. */
  private flushFull(): void {
    const rest = this.rowInChunk - this.chunkRows;
    this.write(this.chunkRows);
    for (let c = 0; c < this.kinds.length; c++) {
      const f = this.f64[c];
      if (f) f.copyWithin(0, this.chunkRows, this.chunkRows + rest);
      else {
        const s = this.str[c]!;
        for (let j = 0; j < rest; j++) s[j] = s[this.chunkRows + j]!;
      }
    }
    this.rowInChunk = rest;
  }

  private write(n: number): void {
    const rowStart = this.chunkIdx * this.chunkRows;
    for (let c = 0; c < this.kinds.length; c++) {
      const f = this.f64[c];
      // The sink copies typed arrays into its blob at once; text arrays it may keep, so they are always fresh.
      const values: ColumnValues = f ? f.subarray(0, n) : this.str[c]!.slice(0, n);
      this.sink.write(c, this.chunkIdx, rowStart, values);
    }
    this.chunkIdx++;
  }
}

function columnName(info: ParquetInfo, column: number): string {
  return `column "${info.columns[column]!.name}"`;
}

/** The import's error for infinite values kept without skipBadRows: where, and what to do (as a CSV's too-large number). */
export function infiniteError(info: ParquetInfo, cells: readonly BadCell[], columns: number): ResidualError {
  const first = cells[0]!;
  const list = cells.map((c) => `row ${c.row.toLocaleString('en-US')}, ${columnName(info, c.column)}: ${c.value}`).join('; ');
  const more = columns > new Set(cells.map((c) => c.column)).size ? ` (and more in other columns)` : '';
  const what =
    cells.length === 1
      ? `In ${info.file}, row ${first.row.toLocaleString('en-US')}, ${columnName(info, first.column)} holds ${first.value}, a number too large to compute with`
      : `In ${info.file}, numbers too large to compute with: ${list}${more}`;
  return new ResidualError(
    'BAD_FILE',
    `${what}. ${cells.length === 1 ? 'Write the value as missing (null) if it is unknown' : 'Write those values as missing (null) if they are unknown'}, or ${SKIP_ROWS_ADVICE}.`,
    { file: info.file, row: first.row, column: info.columns[first.column]!.name, value: first.value, rows: [...new Set(cells.map((c) => c.row))], remedy: SKIP_BAD_ROWS_REMEDY },
  );
}

/** Nothing to train on: list what was found, and why a Parquet file's columns are what they are. */
function noFeature(info: ParquetInfo, facts: readonly ColumnFacts[], roles: readonly ResolvedRole[]): ResidualError {
  return nothingToTrainOn(info.file, facts, roles, 'A Parquet file keeps the types it was written with: numbers written as strings are text here. Write them as numbers (integers, floats or decimals).');
}

/** SHA-256 of the file's first `size` bytes, read beside DuckDB's pass; a file that changed size fails. */
async function hashFile(file: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  let bytes = 0;
  try {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 * 1024, end: size - 1 }) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      bytes += chunk.length;
    }
  } catch (e) {
    throw unreadable(file, e as NodeJS.ErrnoException);
  }
  if (bytes !== size) throw fileChanged(file, `it had ${size.toLocaleString('en-US')} bytes when the import started, ${bytes.toLocaleString('en-US')} could be read`);
  return hash.digest('hex');
}

function resultWarnings(info: ParquetInfo, table: ParquetTable, roleWarnings: readonly string[]): string[] {
  const warnings = [...roleWarnings];
  if (table.skippedCount > 0) {
    const n = table.skippedCount;
    const first = table.skipped[0]!;
    warnings.push(
      `${n.toLocaleString('en-US')} row${n === 1 ? '' : 's'} holding a number too large to compute with (infinity) ${n === 1 ? 'was' : 'were'} skipped (first at row ${first.row.toLocaleString('en-US')}, ${columnName(info, first.column)}: ${first.value}).`,
    );
  }
  return warnings;
}

export async function importParquet(store: ProjectStore, file: string, options: ImportOptions = {}, hooks: ImportHooks = {}): Promise<ImportResult> {
  const started = performance.now();
  const chunkRows = checkChunkRows(options.chunkRows);
  const parquet = await ParquetSource.open(file);
  try {
    const { info } = parquet;
    const header = info.columns.map((c) => c.name);
    const what = `Import of ${path.basename(info.file)}`;
    checkOptionColumns(header, options, info.file);
    if (hooks.signal?.aborted) throw cancelled(what);
    const progress = new ProgressReporter(info.size, hooks.onProgress);
    const mtime = (await fs.promises.stat(info.file)).mtimeMs;

    const done = await inWriteTransaction(
      store,
      async () => {
        const datasetId = createDataset(store, { file: info.file, size: info.size, encoding: 'utf-8', delimiter: '', decimalComma: false, header }, options, hooks, chunkRows);
        const kinds = info.columns.map((c) => c.kind);
        const table = new ParquetTable(kinds, chunkRows, options.skipBadRows === true, { write: store.chunkWriter(datasetId) });
        // The bytes are hashed beside the read (the same file, so mostly from the page cache).
        const hashing = hashFile(info.file, info.size);
        hashing.catch(() => undefined);
        for await (const batch of parquet.batches({ signal: hooks.signal, what })) {
          table.add(batch);
          if (table.infiniteFull) break;
          const done = info.rows > 0 ? table.rows / info.rows : 1;
          progress.report('reading', READ, done, Math.round(info.size * done), table.rows);
        }
        table.finish();
        // DuckDB's threads are done: let them go before the statistics.
        parquet.close();
        const sha256 = await hashing;
        const after = await fs.promises.stat(info.file).catch((e: NodeJS.ErrnoException) => {
          throw unreadable(info.file, e);
        });
        if (after.size !== info.size || after.mtimeMs !== mtime) throw fileChanged(info.file, 'it was written to while it was read');
        if (table.infinite.length > 0) throw infiniteError(info, table.infinite, table.infiniteColumns.size);
        if (table.rows === 0) {
          const why = table.skippedCount === 0 ? 'it has columns but no rows' : `all ${table.skippedCount.toLocaleString('en-US')} rows hold a number too large to compute with and were skipped`;
          throw new ResidualError('BAD_FILE', `${info.file} has nothing to import: ${why}.`, { file: info.file });
        }

        const facts = await columnFacts(store, datasetId, header, kinds, table.rows, { progress, span: { from: READ.to, to: SAVE.from }, bytes: info.size, signal: hooks.signal, what });
        const { roles, warnings } = resolveRoles(facts, options, {
          file: info.file,
          rowCount: table.rows,
          hasValue: (idx, value) => columnHasValue(store, datasetId, idx, facts[idx]!.kind, value),
        });
        if (!roles.some((r) => r.role === 'numeric' || r.role === 'categorical')) throw noFeature(info, facts, roles);
        progress.report('saving', SAVE, 0, info.size, table.rows);
        if (hooks.signal?.aborted) throw cancelled(what);
        saveColumns(store, datasetId, facts, roles, table.rows, table.skippedCount, sha256);
        return { datasetId, table, warnings: resultWarnings(info, table, warnings) };
      },
      (e) => e,
    );
    const { datasetId, table, warnings } = done;
    progress.report('saving', SAVE, 1, info.size, table.rows, true);
    const seconds = (performance.now() - started) / 1000;
    return {
      dataset: store.getDataset(datasetId),
      skippedRows: table.skippedCount,
      // Parquet has rows, not lines: `line` holds the row's number in the file (from 1).
      skippedLines: table.skipped.map((r) => ({ line: r.row, reason: `row ${r.row.toLocaleString('en-US')}: ${columnName(info, r.column)} holds ${r.value}, a number too large to compute with` })),
      warnings,
      seconds,
      rowsPerSecond: seconds > 0 ? table.rows / seconds : 0,
    };
  } finally {
    parquet.close();
  }
}

/** A value as the preview table shows it: numbers as JavaScript spells them, times as ISO 8601, missing as empty. */
function shown(kind: ValueKind, v: number | string | null): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (v !== v) return '';
  return kind === 'time' ? formatTime(v) : String(v);
}

/**
 * The import dialog's preview of a Parquet file: its first `maxRows` rows, and the kinds and roles an import would
 * infer from its first PREVIEW_SAMPLE_ROWS rows, with what the sample already shows is wrong.
 */
export async function previewParquet(file: string, options: { maxRows: number } & ImportOptions): Promise<FilePreview> {
  const parquet = await ParquetSource.open(file);
  try {
    const { info } = parquet;
    const header = info.columns.map((c) => c.name);
    checkOptionColumns(header, options, info.file);
    const kinds = info.columns.map((c) => c.kind);
    const sink = new MemorySink();
    const table = new ParquetTable(kinds, DEFAULT_CHUNK_ROWS, true, sink);
    const rows: string[][] = [];
    const what = `Preview of ${path.basename(info.file)}`;
    for await (const batch of parquet.batches({ limit: Math.max(options.maxRows, PREVIEW_SAMPLE_ROWS), what })) {
      if (rows.length < options.maxRows) {
        const take = Math.min(batch.rows, options.maxRows - rows.length);
        const cells = kinds.map((k, c) => {
          if (k === 'text') return batch.texts(c).slice(0, take);
          return Array.from(batch.numbers(c).subarray(0, take));
        });
        for (let j = 0; j < take; j++) rows.push(kinds.map((k, c) => shown(k, cells[c]![j]!)));
      }
      table.add(batch);
    }
    table.finish();

    const { facts, hasValue } = sampleFacts(header, (idx) => kinds[idx]!, sink, table.rows);
    const { roles, warnings } = resolveRoles(facts, options, { file: info.file, rowCount: table.rows, hasValue, lenient: true });
    if (table.skippedCount > 0) {
      const n = table.skippedCount;
      const list = table.skipped
        .slice(0, 5)
        .map((r) => `row ${r.row.toLocaleString('en-US')}, ${columnName(info, r.column)}: ${r.value}`)
        .join('; ');
      warnings.push(`${n} row${n === 1 ? ' holds' : 's hold'} a number too large to compute with (${list}); write ${n === 1 ? 'it' : 'them'} as missing, or ${SKIP_ROWS_ADVICE}.`);
    }
    if (table.rows > 0 && !roles.some((r) => r.role === 'numeric')) warnings.push('No column is a numeric feature, so there would be nothing to train on.');
    if (info.rows === 0) warnings.push('The file holds no rows.');
    return {
      file: info.file,
      format: 'parquet',
      encoding: 'utf-8',
      delimiter: '',
      decimalComma: false,
      header,
      rows,
      columns: header.map((name, i) => ({ name, valueKind: facts[i]!.kind, role: roles[i]!.role, roleReason: roles[i]!.roleReason, positiveValue: roles[i]!.positiveValue })),
      warnings,
      parquet: { rows: info.rows, rowGroups: info.rowGroups, createdBy: info.createdBy, sampleRows: table.rows + table.skippedCount },
    };
  } finally {
    parquet.close();
  }
}
