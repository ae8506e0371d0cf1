/**
 * A Parquet file as the import sees it: its columns (name, DuckDB type, the kind Residual stores), row and row-group
 * counts, and a stream of typed batches read by DuckDB row group by row group (a few thousand rows per batch), so
 * memory stays flat whatever the file's size.
 *
 * Kinds follow the file's own types, not the spelling of values: integers, floats and decimals are numbers; dates and
 * timestamps are times (milliseconds since 1970, UTC, like a CSV's dates); everything else — strings, booleans
 * ("true"/"false"), times of day, UUIDs, lists and structs (as DuckDB writes them) — is text. A null, and a float's
 * NaN, is a missing value; so is a string that a CSV would read as missing ("", "NA", "null", …).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ValueKind } from '../store/types';
import { ResidualError, cancelled } from '../errors';
import { duckDbMessage, openDuckDb, sqlString, type DuckDb } from './duckdb';
import { statImportFile, unreadable } from './reader';

/** The magic bytes at the start and at the end of every Parquet file. */
const MAGIC = 'PAR1';
/** Extensions a Parquet file usually has; a file with another name is still read as Parquet when it starts with PAR1. */
export const PARQUET_EXTENSIONS: readonly string[] = ['.parquet', '.parq', '.pq'];

export interface ParquetColumn {
  readonly name: string;
  /** DuckDB's name for the column's type, e.g. DOUBLE, VARCHAR, TIMESTAMP WITH TIME ZONE, DECIMAL(10,2). */
  readonly type: string;
  readonly kind: ValueKind;
}

export interface ParquetInfo {
  /** Absolute path. */
  readonly file: string;
  readonly size: number;
  readonly columns: readonly ParquetColumn[];
  readonly rows: number;
  readonly rowGroups: number;
  /** The writer the file names (e.g. "parquet-cpp-arrow version 17.0.0"), when it does. */
  readonly createdBy: string | null;
}

/** One batch of rows, column by column: numbers and times with NaN for missing, text with null. */
export interface ParquetBatch {
  readonly rows: number;
  /** Values of a number or time column, in a buffer that the next call reuses: copy them before asking for another column. */
  numbers(column: number): Float64Array;
  /** Values of a text column, missing values null. */
  texts(column: number): (string | null)[];
}

const NUMBER_TYPE = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL\(\d+,\s*\d+\))$/;
const TIME_TYPE = /^(DATE|TIMESTAMP|TIMESTAMP_S|TIMESTAMP_MS|TIMESTAMP_NS|TIMESTAMP WITH TIME ZONE)$/;

export function kindOfType(type: string): ValueKind {
  if (NUMBER_TYPE.test(type)) return 'number';
  if (TIME_TYPE.test(type)) return 'time';
  return 'text';
}

/** The SQL that reads column `c{i}` as Residual stores it: DOUBLE with NaN for missing, or VARCHAR. */
function readExpression(c: ParquetColumn, i: number): string {
  const col = `c${i}`;
  if (c.kind === 'number') return `coalesce(CAST(${col} AS DOUBLE), 'NaN'::DOUBLE)`;
  if (c.kind === 'time') return `coalesce(CAST(epoch_ms(${col}) AS DOUBLE), 'NaN'::DOUBLE)`;
  // Binary without a string annotation (older writers): UTF-8 text when it is, DuckDB's \xNN escapes when not.
  if (c.type === 'BLOB') return `coalesce(TRY(decode(${col})), CAST(${col} AS VARCHAR))`;
  return `CAST(${col} AS VARCHAR)`;
}

/** The file's columns renamed c0, c1, …: no name of the file's (quotes, case twins) ever reaches the SQL. */
function source(info: { file: string; columns: readonly unknown[] }): string {
  return `read_parquet(${sqlString(info.file)}) AS t(${info.columns.map((_, i) => `c${i}`).join(', ')})`;
}

/** Whether `file` is to be read as Parquet: it starts with PAR1, or it is named like one (and then must be one). */
export async function isParquetFile(file: string): Promise<boolean> {
  if (PARQUET_EXTENSIONS.includes(path.extname(file).toLowerCase())) return true;
  let fh: fs.promises.FileHandle | null = null;
  try {
    fh = await fs.promises.open(file, 'r');
    const head = Buffer.alloc(4);
    const { bytesRead } = await fh.read(head, 0, 4, 0);
    return bytesRead === 4 && head.toString('latin1') === MAGIC;
  } catch {
    // Unreadable: the CSV path says why, in its words.
    return false;
  } finally {
    await fh?.close();
  }
}

function notParquet(file: string, why: string): ResidualError {
  return new ResidualError('BAD_FILE', `${file} is not a readable Parquet file: ${why}`, { file });
}

/** The magic bytes at both ends: a clear word for a text file named .parquet, or a file cut short, before DuckDB's. */
async function checkMagic(file: string, size: number): Promise<void> {
  if (size < 12) throw notParquet(file, `it has only ${size} bytes, fewer than any Parquet file. Export or copy it again.`);
  const fh = await fs.promises.open(file, 'r');
  try {
    const head = Buffer.alloc(4);
    const tail = Buffer.alloc(4);
    await fh.read(head, 0, 4, 0);
    await fh.read(tail, 0, 4, size - 4);
    if (head.toString('latin1') !== MAGIC) {
      throw notParquet(file, `it does not start with the Parquet signature "${MAGIC}". If it is a CSV or TSV file, give it a .csv or .tsv name and import it again.`);
    }
    if (tail.toString('latin1') !== MAGIC) {
      throw notParquet(file, `it does not end with the Parquet signature "${MAGIC}", so it is cut short (an unfinished download or copy). Export or copy it again.`);
    }
  } finally {
    await fh.close();
  }
}

/** Header names must be present and unique, as a CSV's: they become the column names. */
function checkNames(file: string, columns: readonly ParquetColumn[]): void {
  const empty = columns.map((c, i) => (c.name.trim() === '' ? i + 1 : 0)).filter((i) => i > 0);
  if (empty.length > 0) {
    throw new ResidualError('BAD_FILE', `In ${file}, column${empty.length === 1 ? ` ${empty[0]} has` : `s ${empty.join(', ')} have`} no name. Give every column a name and write the file again.`, {
      file,
      column: empty[0],
    });
  }
  const seen = new Map<string, number[]>();
  columns.forEach((c, i) => seen.set(c.name.trim(), [...(seen.get(c.name.trim()) ?? []), i + 1]));
  const dups = [...seen].filter(([, at]) => at.length > 1);
  if (dups.length > 0) {
    const list = dups.map(([name, at]) => `"${name}" (columns ${at.join(' and ')})`).join(', ');
    throw new ResidualError('BAD_FILE', `Column names in ${file} must be unique, but these repeat: ${list}. Rename them and write the file again.`, { file, column: dups[0]![0] });
  }
}

/** An open Parquet file: its description and its rows, batch by batch. Close it when done. */
export class ParquetSource {
  private constructor(
    readonly info: ParquetInfo,
    private readonly db: DuckDb,
  ) {}

  /** Checks the file and reads its footer (columns, types, row counts); BAD_FILE, naming the file, when it cannot. */
  static async open(file: string): Promise<ParquetSource> {
    const { abs, size } = await statImportFile(file);
    try {
      await checkMagic(abs, size);
    } catch (e) {
      if (e instanceof ResidualError) throw e;
      throw unreadable(abs, e as NodeJS.ErrnoException);
    }
    const db = await openDuckDb();
    try {
      const c = db.connection;
      const meta = await c.runAndReadAll(`SELECT num_rows, num_row_groups, created_by FROM parquet_file_metadata(${sqlString(abs)})`);
      const [rows, rowGroups, createdBy] = meta.getRows()[0] ?? [0n, 0n, null];
      const described = await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(abs)})`);
      const columns = described.getRows().map(([name, type]) => ({ name: String(name), type: String(type), kind: kindOfType(String(type)) }));
      if (columns.length === 0) throw notParquet(abs, 'it has no columns.');
      checkNames(abs, columns);
      return new ParquetSource({ file: abs, size: size, columns, rows: Number(rows), rowGroups: Number(rowGroups), createdBy: createdBy === null ? null : String(createdBy) }, db);
    } catch (e) {
      db.close();
      if (e instanceof ResidualError) throw e;
      throw notParquet(abs, `${duckDbMessage(e)}. The file is damaged or was not written completely; export it again.`);
    }
  }

  /**
   * Reads the rows in the file's order, at most `limit` of them, a batch at a time. A cancel (`signal`) interrupts
   * DuckDB and throws CANCELLED with `what`; a damaged page throws BAD_FILE naming the file and the rows read so far.
   */
  async *batches(opts: { limit?: number; signal?: AbortSignal; what: string }): AsyncGenerator<ParquetBatch> {
    const { info } = this;
    const c = this.db.connection;
    const limit = opts.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(opts.limit))}` : '';
    const onAbort = (): void => c.interrupt();
    opts.signal?.addEventListener('abort', onAbort);
    let rowsRead = 0;
    const scratch = new Float64Array(4096);
    try {
      const result = await c.stream(`SELECT ${info.columns.map(readExpression).join(', ')} FROM ${source(info)}${limit}`);
      for (;;) {
        if (opts.signal?.aborted) throw cancelled(opts.what);
        const chunk = await result.fetchChunk();
        if (!chunk || chunk.rowCount === 0) break;
        const n = chunk.rowCount;
        const numbers = (column: number): Float64Array => {
          const v = chunk.getColumnVector(column);
          const out = scratch.length >= n ? scratch.subarray(0, n) : new Float64Array(n);
          for (let j = 0; j < n; j++) out[j] = v.getItem(j) as number;
          return out;
        };
        const texts = (column: number): (string | null)[] => {
          const v = chunk.getColumnVector(column);
          const out = new Array<string | null>(n);
          for (let j = 0; j < n; j++) out[j] = v.getItem(j) as string | null;
          return out;
        };
        yield { rows: n, numbers, texts };
        rowsRead += n;
      }
    } catch (e) {
      if (e instanceof ResidualError) throw e;
      if (opts.signal?.aborted) throw cancelled(opts.what);
      const where = rowsRead > 0 ? ` after ${rowsRead.toLocaleString('en-US')} of its ${info.rows.toLocaleString('en-US')} rows` : '';
      throw notParquet(info.file, `reading failed${where}: ${duckDbMessage(e)}. The file is damaged; export it again.`);
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Closes DuckDB; safe to call again. */
  close(): void {
    this.db.close();
  }
}
