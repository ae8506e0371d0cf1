/**
 * importDataset: a CSV/TSV file → a dataset in the project, whole or not at all. A Parquet file (one that starts
 * with PAR1, or is named .parquet) takes parquet-import.ts's read step instead, and this file's steps after it;
 * images (an IDX file, a folder of PNG/JPEG files) take image-import.ts's.
 *
 * 1. inspect a sample (encoding, delimiter, decimal mark, header) and check the options;
 * 2. in one write transaction: stream the file once, typing columns as rows arrive and writing
 *    chunks of `chunkRows` rows (SHA-256 of the bytes on the way);
 * 3. re-read the file only if some column changed kind mid-way (its spellings must be exact);
 * 4. statistics column by column from the stored chunks; roles; commit.
 * Any error or a cancel rolls the transaction back, so the project is left as it was.
 */
import path from 'node:path';
import { ResidualError, cancelled } from '../errors';
import { DEFAULT_CHUNK_ROWS, type ProjectStore } from '../store/store';
import type { ColumnInfo, ColumnStats, ColumnStorage, ValueKind } from '../store/types';
import { DEFERRED, EMPTY, TableBuilder, secondPassStates, type BadRow, type ColumnBuilder } from './columns';
import { CsvParser } from './csv-parser';
import type { ColumnFacts } from './infer';
import { columnLabel, fileChanged, toResidualError } from './messages';
import { ProgressReporter, type ImportProgress, type PhaseSpan } from './progress';
import { isParquetFile } from './parquet-source';
import { isImageSource, refuseImageOptions } from './image-source';
import { readPass } from './reader';
import { checkOptionColumns, resolveRoles, type ResolvedRole, type RoleOptions } from './roles';
import { inspectFile, type SourceInfo } from './source';
import { FAST_STATS_ROWS, numericStats, textStats } from './stats';
import { FastCsv } from './fastcsv';
import { formatTime, parseNumber } from './values';
import type { ImportResult } from '../../contract/data';
export type { ImportResult };

/** Role options (label, positive, time, id, ignore, roles) are documented on RoleOptions. */
export interface ImportOptions extends RoleOptions {
  /** Dataset name; default: the file's base name without extension, made unique ("x (2)") if taken. */
  name?: string;
  /**
   * Skip bad rows instead of failing, counting them: rows with too many or too few fields, and rows with a number
   * too large to compute with (1e400, beyond ±1.8e308) in a numeric column.
   */
  skipBadRows?: boolean;
  /** Rows per stored chunk; default DEFAULT_CHUNK_ROWS. */
  chunkRows?: number;
  /** Images (image-import.ts): the IDX labels file read into the `label` column. */
  labels?: string;
  /** Images: the side they are resized to (square); default 28 for a folder, the file's own size for IDX. */
  imageSize?: number;
  /** Images: keep colour (three columns per pixel, r g b) instead of grey. */
  imageColour?: boolean;
}

export interface ImportHooks {
  signal?: AbortSignal;
  /** Called at most about ten times a second. */
  onProgress?: (p: ImportProgress) => void;
  /** What the dataset records as its source instead of the path read: an upload's file name, not its temporary path. */
  sourceName?: string;
}

// Shares of the progress fraction; statistics sort every numeric column, so they get a real share.
const READ: PhaseSpan = { from: 0, to: 0.7 };
const REREAD: PhaseSpan = { from: 0.7, to: 0.85 };
export const SAVE: PhaseSpan = { from: 0.98, to: 1 };

export function checkChunkRows(chunkRows: number | undefined): number {
  if (chunkRows === undefined) return DEFAULT_CHUNK_ROWS;
  if (!Number.isInteger(chunkRows) || chunkRows < 1 || chunkRows > 16_777_216) {
    throw new ResidualError('BAD_INPUT', `chunkRows must be a whole number from 1 to 16,777,216, not ${chunkRows}.`, { field: 'chunkRows' });
  }
  return chunkRows;
}

function datasetName(store: ProjectStore, wanted: string | undefined, file: string): string {
  if (wanted !== undefined) {
    const name = wanted.trim();
    if (name === '') throw new ResidualError('BAD_INPUT', 'The dataset name is empty; give a name or leave it out to use the file name.', { field: 'name' });
    if (store.hasDatasetNamed(name)) {
      throw new ResidualError('BAD_INPUT', `The project already has a dataset named "${name}". Choose another name, or leave it out to get a free one.`, { field: 'name' });
    }
    return name;
  }
  const base = path.basename(file, path.extname(file)) || path.basename(file);
  if (!store.hasDatasetNamed(base)) return base;
  for (let i = 2; ; i++) {
    const name = `${base} (${i})`;
    if (!store.hasDatasetNamed(name)) return name;
  }
}

function storageOf(kind: ValueKind): ColumnStorage {
  return kind === 'text' ? 'str' : 'f64';
}

const PLACEHOLDER_STATS: ColumnStats = { count: 0, missing: 0, distinct: 0, distinctCapped: false, topValues: [] };

/** Stats of one stored column, read chunk by chunk. */
function columnStats(store: ProjectStore, datasetId: number, idx: number, kind: ValueKind, rowCount: number, fast: FastCsv | null): ColumnStats {
  const chunks = store.iterateColumn(datasetId, idx, storageOf(kind));
  if (kind === 'text') {
    return textStats((function* () {
      for (const c of chunks) yield c.values as (string | null)[];
    })());
  }
  return numericStats(
    (function* () {
      for (const c of chunks) yield c.values as Float64Array;
    })(),
    rowCount,
    kind === 'time' ? formatTime : String,
    fast,
  );
}

export function columnHasValue(store: ProjectStore, datasetId: number, idx: number, kind: ValueKind, value: string): boolean {
  const target = kind === 'text' ? value : parseNumber(value, false);
  for (const { values } of store.iterateColumn(datasetId, idx, storageOf(kind))) {
    if ((values as ArrayLike<unknown> & { includes(v: unknown): boolean }).includes(target)) return true;
  }
  return false;
}

export function describeKind(kind: ValueKind): string {
  return kind === 'number' ? 'numbers' : kind === 'time' ? 'dates' : 'text';
}

/**
 * Nothing to train on (no numeric or categorical feature): list what was found, and the usual causes; `textHint` is
 * the format's own reason why numbers can read as text (a CSV's delimiter or decimal mark, a Parquet file's types).
 */
export function nothingToTrainOn(file: string, facts: readonly ColumnFacts[], roles: readonly ResolvedRole[], textHint: string): ResidualError {
  const found = facts.map((f, i) => `"${f.name}" (${describeKind(f.kind)}, ${roles[i]!.role}: ${roles[i]!.roleReason})`).join('; ');
  const byOptions = roles.some((r) => r.inferredRole === 'numeric' && r.role !== 'numeric');
  const hint = byOptions
    ? 'The import options took every numeric column out; keep at least one as a feature.'
    : facts.some((f) => f.kind === 'number')
      ? 'Its columns of numbers cannot serve as features (see why above); a file needs at least one that varies.'
      : textHint;
  return new ResidualError('BAD_INPUT', `${file} has no numeric or categorical column to learn from, so there is nothing to train on. Columns found: ${found}. ${hint}`, { file });
}

function noNumericColumn(src: SourceInfo, facts: readonly ColumnFacts[], roles: readonly ResolvedRole[]): ResidualError {
  return nothingToTrainOn(
    src.file,
    facts,
    roles,
    `Check the delimiter (read as ${JSON.stringify(src.delimiter)}) and the decimal mark (${src.decimalComma ? '","' : '"."'}): numbers read as text usually mean one of them is off.`,
  );
}

function kindWarnings(cols: readonly ColumnBuilder[], header: readonly string[]): string[] {
  const out: string[] = [];
  cols.forEach((c, i) => {
    if (c.demotion) {
      const was = c.demotion.from === 'number' ? 'numbers' : 'dates';
      out.push(`Column "${header[i]}" held ${was} until line ${c.demotion.line} ("${c.demotion.value}"), so all of it is kept as text, spelled as in the file.`);
    } else if (c.state !== DEFERRED && c.ambiguous && !c.dmyOnly && !c.mdyOnly) {
      out.push(`Dates in column "${header[i]}" such as ${c.ambiguousExample} could be day-first or month-first; they were read day-first (DD/MM/YYYY). If they are month-first, fix the file or re-export the dates as YYYY-MM-DD.`);
    }
  });
  return out;
}

/** Everything an import needs once the file is inspected and the options are checked. */
interface ImportJob {
  store: ProjectStore;
  src: SourceInfo;
  options: ImportOptions;
  hooks: ImportHooks;
  progress: ProgressReporter;
  chunkRows: number;
  /** "Import of x.csv", for the cancellation message. */
  what: string;
}

/** What the dataset row records of its source: a CSV's encoding and delimiter; a Parquet file has no delimiter (''). */
export interface DatasetSource {
  readonly file: string;
  readonly size: number;
  readonly encoding: string;
  readonly delimiter: string;
  readonly decimalComma: boolean;
  readonly header: readonly string[];
}

/** The dataset row and placeholder columns: chunks reference their column, so columns go in first. */
export function createDataset(store: ProjectStore, src: DatasetSource, options: ImportOptions, hooks: ImportHooks, chunkRows: number): number {
  const datasetId = store.insertDataset({
    name: datasetName(store, options.name, src.file),
    sourcePath: hooks.sourceName ?? src.file,
    sourceSha256: '',
    sourceBytes: src.size,
    encoding: src.encoding,
    delimiter: src.delimiter,
    decimalComma: src.decimalComma,
    rowCount: 0,
    skippedRows: 0,
    chunkRows,
    createdAt: new Date().toISOString(),
  });
  store.insertColumns(
    datasetId,
    src.header.map((name, idx) => ({ idx, name, valueKind: 'number', storage: 'f64', role: 'ignored', inferredRole: 'ignored', roleReason: '', positiveValue: null, stats: PLACEHOLDER_STATS })),
  );
  return datasetId;
}

/** One pass over the file into `table`; returns the SHA-256 of its bytes. */
async function readInto(job: ImportJob, table: TableBuilder, span: PhaseSpan): Promise<string> {
  const { src } = job;
  let inHeader = true;
  const parser = new CsvParser(
    src.delimiter,
    (row) => {
      // Rows up to and including the header line are not data (blank lines before it included).
      if (inHeader) {
        if (row.line >= src.headerLine) {
          inHeader = false;
          parser.fastRow = table.fastPath;
          parser.byteRows = table.byteRowsPath();
        }
        return;
      }
      table.onRow(row);
    },
    src.header.length + 1,
  );
  const { sha256 } = await readPass({
    file: src.file,
    size: src.size,
    encoding: src.encoding,
    parser,
    signal: job.hooks.signal,
    what: job.what,
    onChunk: (bytes) => job.progress.report('reading', span, bytes / src.size, bytes, table.rows),
  });
  table.finish();
  return sha256;
}

/** Reads the file (twice when a column changed kind part way) and stores every column's chunks. */
async function readColumns(job: ImportJob, datasetId: number): Promise<{ table: TableBuilder; sha256: string; statsFrom: number }> {
  const { src } = job;
  const tableOptions = {
    columns: src.header.length,
    delimiter: src.delimiter,
    chunkRows: job.chunkRows,
    decimalComma: src.decimalComma,
    skipBadRows: job.options.skipBadRows === true,
    sink: { write: job.store.chunkWriter(datasetId) },
  };
  const table = new TableBuilder(tableOptions, src.header.map(() => EMPTY));
  const sha256 = await readInto(job, table, READ);
  if (table.rows === 0) {
    const why =
      table.skippedCount === 0
        ? 'it has a header line but no data rows'
        : table.badValueCount === 0
          ? `all ${table.skippedCount} data rows have the wrong number of fields and were skipped`
          : `all ${table.skippedCount} data rows were skipped (${table.badValueCount} for a number too large to compute with, ${table.skippedCount - table.badValueCount} for the wrong number of fields)`;
    throw new ResidualError('BAD_FILE', `${src.file} has nothing to import: ${why}.`, { file: src.file });
  }
  if (!table.cols.some((c) => c.needsSecondPass)) return { table, sha256, statsFrom: REREAD.from };
  const { states, orders } = secondPassStates(table.cols);
  // Rows skipped for a bad value were judged on columns the second pass does not read: skip them by line.
  const again = new TableBuilder({ ...tableOptions, skipLines: table.badValueLines }, states, true, orders);
  const sha2 = await readInto(job, again, REREAD);
  if (sha2 !== sha256 || again.rows !== table.rows) throw fileChanged(src.file, 'its bytes differ between the two reads');
  return { table, sha256, statsFrom: REREAD.to };
}

/** Where the statistics step reports progress and looks for a cancel. */
export interface StepContext {
  readonly progress: ProgressReporter;
  readonly span: PhaseSpan;
  /** The source's size, for the progress reports (the bytes are all read by now). */
  readonly bytes: number;
  readonly signal?: AbortSignal;
  /** "Import of x.csv", for the cancellation message. */
  readonly what: string;
}

/** Statistics of each stored column in turn (memory: one column at a time). */
export async function columnFacts(store: ProjectStore, datasetId: number, header: readonly string[], kinds: readonly ValueKind[], rows: number, ctx: StepContext): Promise<ColumnFacts[]> {
  const facts: ColumnFacts[] = [];
  // One WebAssembly instance for every column (its memory grown once, to a column's size), dropped after.
  const fast = rows >= FAST_STATS_ROWS ? FastCsv.create() : null;
  for (let idx = 0; idx < header.length; idx++) {
    const kind = kinds[idx]!;
    facts.push({ name: header[idx]!, kind, stats: columnStats(store, datasetId, idx, kind, rows, fast) });
    ctx.progress.report('statistics', ctx.span, (idx + 1) / header.length, ctx.bytes, rows);
    if (ctx.signal?.aborted) throw cancelled(ctx.what);
    // Let a cancel (or the UI) get a word in between columns.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return facts;
}

/**
 * The last step inside the transaction, for every format: the columns' kinds, statistics and roles, the row counts
 * and the source's fingerprint. One prepared UPDATE per column by its key: linear in the column count.
 */
export function saveColumns(store: ProjectStore, datasetId: number, facts: readonly ColumnFacts[], roles: readonly ResolvedRole[], rows: number, skipped: number, sha256: string): void {
  facts.forEach((f, idx) => {
    const info: Omit<ColumnInfo, 'idx' | 'name'> = { valueKind: f.kind, storage: storageOf(f.kind), stats: f.stats, ...roles[idx]! };
    store.setColumnInfo(datasetId, idx, info);
  });
  store.updateDatasetCounts(datasetId, rows, skipped);
  // The hash is known only once the bytes are read, after the dataset row (which chunks need) went in.
  store.setDatasetFingerprint(datasetId, sha256);
}

/**
 * Runs `fn` in one write transaction: committed when it returns, rolled back (the project left as it was) when it
 * throws or is cancelled; the error goes through `mapError` on its way out.
 */
export async function inWriteTransaction<T>(store: ProjectStore, fn: () => Promise<T>, mapError: (e: unknown) => unknown): Promise<T> {
  const tx = store.beginWrite();
  try {
    const done = await fn();
    tx.commit();
    return done;
  } catch (e) {
    try {
      tx.rollback();
    } catch {
      // The original error says more than a failed rollback (which SQLite undoes on close anyway).
    }
    throw mapError(e);
  }
}

function skipReason(r: BadRow, header: readonly string[]): string {
  if (r.column !== undefined) return `${columnLabel(header, r.column)} holds ${r.value}, a number too large to compute with`;
  return `${r.fields} field${r.fields === 1 ? '' : 's'} where the header has ${header.length}`;
}

function resultWarnings(table: TableBuilder, header: readonly string[], roleWarnings: readonly string[]): string[] {
  const warnings = [...kindWarnings(table.cols, header), ...roleWarnings];
  if (table.blankLines > 0) warnings.push(`${table.blankLines.toLocaleString('en-US')} blank line${table.blankLines === 1 ? ' was' : 's were'} skipped.`);
  const fields = table.skippedCount - table.badValueCount;
  if (fields > 0) {
    const first = table.skipped.find((r) => r.column === undefined);
    warnings.push(`${fields.toLocaleString('en-US')} row${fields === 1 ? '' : 's'} with the wrong number of fields ${fields === 1 ? 'was' : 'were'} skipped${first ? ` (first at line ${first.line})` : ''}.`);
  }
  const values = table.badValueCount;
  if (values > 0) {
    const first = table.skipped.find((r) => r.column !== undefined);
    const where = first ? ` (first at line ${first.line}, ${columnLabel(header, first.column!)}: ${first.value})` : '';
    warnings.push(`${values.toLocaleString('en-US')} row${values === 1 ? '' : 's'} holding a number too large to compute with ${values === 1 ? 'was' : 'were'} skipped${where}.`);
  }
  return warnings;
}

/** Steps 2–4 of the import, inside the caller's write transaction. */
async function importInTransaction(job: ImportJob): Promise<{ datasetId: number; table: TableBuilder; warnings: string[] }> {
  const { store, src } = job;
  const datasetId = createDataset(store, src, job.options, job.hooks, job.chunkRows);
  const { table, sha256, statsFrom } = await readColumns(job, datasetId);
  const kinds = table.cols.map((c) => c.valueKind);
  const facts = await columnFacts(store, datasetId, src.header, kinds, table.rows, {
    progress: job.progress,
    span: { from: statsFrom, to: SAVE.from },
    bytes: src.size,
    signal: job.hooks.signal,
    what: job.what,
  });
  const { roles, warnings } = resolveRoles(facts, job.options, {
    file: src.file,
    rowCount: table.rows,
    hasValue: (idx, value) => columnHasValue(store, datasetId, idx, facts[idx]!.kind, value),
  });
  // Categorical columns are inputs too (one-hot): a survey of yes/no answers is learnable.
  if (!roles.some((r) => r.role === 'numeric' || r.role === 'categorical')) throw noNumericColumn(src, facts, roles);

  job.progress.report('saving', SAVE, 0, src.size, table.rows);
  if (job.hooks.signal?.aborted) throw cancelled(job.what);
  saveColumns(store, datasetId, facts, roles, table.rows, table.skippedCount, sha256);
  return { datasetId, table, warnings: resultWarnings(table, src.header, warnings) };
}

export async function importDataset(store: ProjectStore, file: string, options: ImportOptions = {}, hooks: ImportHooks = {}): Promise<ImportResult> {
  if (await isImageSource(file, options)) {
    const { importImages } = await import('./image-import');
    return importImages(store, file, options, hooks);
  }
  refuseImageOptions(file, options);
  if (await isParquetFile(file)) {
    const { importParquet } = await import('./parquet-import');
    return importParquet(store, file, options, hooks);
  }
  const started = performance.now();
  const src = await inspectFile(file);
  const what = `Import of ${path.basename(src.file)}`;
  checkOptionColumns(src.header, options, src.file);
  const chunkRows = checkChunkRows(options.chunkRows);
  if (hooks.signal?.aborted) throw cancelled(what);
  const job: ImportJob = { store, src, options, hooks, progress: new ProgressReporter(src.size, hooks.onProgress), chunkRows, what };

  const { datasetId, table, warnings } = await inWriteTransaction(store, () => importInTransaction(job), (e) => toResidualError(e, src.file, src.header));
  job.progress.report('saving', SAVE, 1, src.size, table.rows, true);
  const seconds = (performance.now() - started) / 1000;
  return {
    dataset: store.getDataset(datasetId),
    skippedRows: table.skippedCount,
    skippedLines: table.skipped.map((r) => ({ line: r.line, reason: skipReason(r, src.header) })),
    warnings,
    seconds,
    rowsPerSecond: seconds > 0 ? table.rows / seconds : 0,
  };
}
