import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ResidualError } from '../errors';
import { migrations } from './migrations';
import type { ColumnInfo, ColumnRole, ColumnStats, ColumnStorage, ColumnValues, DatasetInfo, ValueKind } from './types';

export const PROJECT_EXTENSION = '.residual';
/** Rows per stored column chunk: large enough that SQLite overhead vanishes, small enough to stream. */
export const DEFAULT_CHUNK_ROWS = 65_536;
/** SQLite page size of new project files (see ProjectStore.open). */
export const PAGE_SIZE = 65_536;

export interface OpenOptions {
  /** Create the file (and its schema) when it does not exist. Default false. */
  readonly create?: boolean;
  readonly readonly?: boolean;
  /** Path of a better-sqlite3 native binding built for another ABI (Electron). */
  readonly nativeBinding?: string;
}

interface DatasetRow {
  id: number;
  name: string;
  source_path: string;
  source_sha256: string;
  source_bytes: number;
  encoding: string;
  delimiter: string;
  decimal_comma: number;
  row_count: number;
  skipped_rows: number;
  chunk_rows: number;
  created_at: string;
}

interface ColumnRow {
  idx: number;
  name: string;
  value_kind: ValueKind;
  storage: ColumnStorage;
  role: ColumnRole;
  inferred_role: ColumnRole;
  role_reason: string;
  positive_value: string | null;
  stats_json: string;
}

export type NewDataset = Omit<DatasetInfo, 'id' | 'columns'>;

/**
 * One project = one SQLite file. The only code that writes SQL for datasets; other parts of core
 * (engine, analysis) add their own tables through migrations and reach them through `db`.
 */
export class ProjectStore {
  readonly db: Database.Database;
  private inWriteTx = false;
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(
    readonly path: string,
    db: Database.Database,
  ) {
    this.db = db;
  }

  /**
   * A prepared statement, compiled once per connection: for the hot paths that run one small query per column and
   * window (a 784-column dataset asks 784 times per window). Only for statements run to completion before the
   * next use (run, get, all, or an iteration finished inside one function): a statement runs one query at a time.
   */
  prepared(sql: string): Database.Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  static open(file: string, options: OpenOptions = {}): ProjectStore {
    const abs = path.resolve(file);
    const exists = fs.existsSync(abs);
    if (!exists && !options.create) {
      throw new ResidualError('NOT_FOUND', `Project file ${abs} does not exist. Import a dataset to create it, or check the path.`, { file: abs });
    }
    if (!exists) fs.mkdirSync(path.dirname(abs), { recursive: true });
    let db: Database.Database;
    try {
      db = new Database(abs, {
        readonly: options.readonly ?? false,
        fileMustExist: !options.create,
        // Under Electron the engine loads a better-sqlite3 build made for Electron's ABI (see scripts/start.mjs).
        ...((options.nativeBinding ?? process.env['RESIDUAL_SQLITE_BINDING']) ? { nativeBinding: options.nativeBinding ?? process.env['RESIDUAL_SQLITE_BINDING'] } : {}),
      });
    } catch (e) {
      throw new ResidualError('BAD_FILE', `Cannot open project ${abs}: ${(e as Error).message}`, { file: abs });
    }
    try {
      // New projects use 64 KiB pages: their bulk is multi-megabyte column and score blobs, which SQLite then writes
      // and reads in a sixteenth of the pages (the score job at 1M × 30 runs about 2× faster than with 4 KiB). The
      // size is fixed when the file is created; projects made earlier keep theirs.
      if (!exists && !options.readonly) db.pragma(`page_size = ${PAGE_SIZE}`);
      if (!options.readonly) db.pragma('journal_mode = WAL');
      // With WAL, NORMAL never corrupts the file; at worst a power cut loses the last commit.
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      // Detects a file that is not SQLite at all before anything is written to it.
      db.prepare('SELECT count(*) FROM sqlite_master').get();
    } catch (e) {
      db.close();
      throw new ResidualError('BAD_FILE', `${abs} is not a Residual project (${(e as Error).message}).`, { file: abs });
    }
    const store = new ProjectStore(abs, db);
    if (!options.readonly) store.migrate();
    else store.checkSchema();
    return store;
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  private checkSchema(): void {
    const latest = migrations[migrations.length - 1]!.version;
    if (this.schemaVersion > latest) {
      throw new ResidualError(
        'SCHEMA',
        `${this.path} was written by a newer Residual (schema ${this.schemaVersion}, this one knows ${latest}). Update Residual to open it.`,
        { file: this.path },
      );
    }
  }

  /** Applies pending migrations, each in its own transaction with its version bump. */
  private migrate(): void {
    this.checkSchema();
    for (const m of migrations) {
      if (m.version <= this.schemaVersion) continue;
      this.db.transaction(() => {
        this.db.exec(m.up);
        this.db.pragma(`user_version = ${m.version}`);
        this.db
          .prepare('INSERT INTO project_meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
          .run('schema_version', String(m.version));
      })();
    }
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Runs `fn` in one synchronous transaction (rolled back if it throws). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /**
   * A transaction that spans awaits (streamed import, training). Only one at a time per store;
   * better-sqlite3 is synchronous, so nothing else can interleave statements on this connection
   * as long as callers do not start another write while one is open.
   */
  beginWrite(): WriteTransaction {
    if (this.inWriteTx) throw new ResidualError('CONFLICT', 'Another write to this project is in progress; wait for it to finish.');
    this.db.exec('BEGIN IMMEDIATE');
    this.inWriteTx = true;
    const done = (): void => {
      this.inWriteTx = false;
    };
    return {
      commit: () => {
        this.db.exec('COMMIT');
        done();
      },
      rollback: () => {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        done();
      },
    };
  }

  getMeta(key: string): string | undefined {
    const row = this.db.prepare('SELECT value FROM project_meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO project_meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  // ---- datasets -------------------------------------------------------------------------------

  listDatasets(): DatasetInfo[] {
    const rows = this.db.prepare('SELECT * FROM datasets ORDER BY id').all() as DatasetRow[];
    return rows.map((r) => this.toDataset(r));
  }

  /** By id, or by name; without an argument the project's only (or newest) dataset. */
  getDataset(ref?: number | string): DatasetInfo {
    let row: DatasetRow | undefined;
    if (ref === undefined) {
      row = this.db.prepare('SELECT * FROM datasets ORDER BY id DESC LIMIT 1').get() as DatasetRow | undefined;
      if (!row) throw new ResidualError('NOT_FOUND', `Project ${this.path} has no dataset yet. Import one first (residual import <file> --project ${this.path}).`);
    } else {
      row = (typeof ref === 'number'
        ? this.db.prepare('SELECT * FROM datasets WHERE id = ?').get(ref)
        : this.db.prepare('SELECT * FROM datasets WHERE name = ?').get(ref)) as DatasetRow | undefined;
      if (!row && typeof ref === 'string' && /^\d+$/.test(ref)) {
        row = this.db.prepare('SELECT * FROM datasets WHERE id = ?').get(Number(ref)) as DatasetRow | undefined;
      }
      if (!row) {
        const names = this.listDatasets().map((d) => d.name);
        throw new ResidualError('NOT_FOUND', `No dataset "${ref}" in ${this.path}. Datasets: ${names.length ? names.join(', ') : '(none)'}.`, { field: 'dataset' });
      }
    }
    return this.toDataset(row);
  }

  hasDatasetNamed(name: string): boolean {
    return this.db.prepare('SELECT 1 FROM datasets WHERE name = ?').get(name) !== undefined;
  }

  private toDataset(r: DatasetRow): DatasetInfo {
    const cols = this.db.prepare('SELECT * FROM dataset_columns WHERE dataset_id = ? ORDER BY idx').all(r.id) as ColumnRow[];
    return {
      id: r.id,
      name: r.name,
      sourcePath: r.source_path,
      sourceSha256: r.source_sha256,
      sourceBytes: r.source_bytes,
      encoding: r.encoding,
      delimiter: r.delimiter,
      decimalComma: r.decimal_comma === 1,
      rowCount: r.row_count,
      skippedRows: r.skipped_rows,
      chunkRows: r.chunk_rows,
      createdAt: r.created_at,
      columns: cols.map((c) => ({
        idx: c.idx,
        name: c.name,
        valueKind: c.value_kind,
        storage: c.storage,
        role: c.role,
        inferredRole: c.inferred_role,
        roleReason: c.role_reason,
        positiveValue: c.positive_value,
        stats: JSON.parse(c.stats_json) as ColumnStats,
      })),
    };
  }

  /** Call inside a write transaction; the dataset is visible to others only once it commits. */
  insertDataset(d: NewDataset): number {
    const res = this.db
      .prepare(
        `INSERT INTO datasets(name, source_path, source_sha256, source_bytes, encoding, delimiter, decimal_comma,
           row_count, skipped_rows, chunk_rows, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(d.name, d.sourcePath, d.sourceSha256, d.sourceBytes, d.encoding, d.delimiter, d.decimalComma ? 1 : 0, d.rowCount, d.skippedRows, d.chunkRows, d.createdAt);
    return Number(res.lastInsertRowid);
  }

  /** The file's SHA-256 is known only after the streamed read, when the dataset row already exists. */
  setDatasetFingerprint(datasetId: number, sha256: string): void {
    this.db.prepare('UPDATE datasets SET source_sha256 = ? WHERE id = ?').run(sha256, datasetId);
  }

  updateDatasetCounts(datasetId: number, rowCount: number, skippedRows: number): void {
    this.db.prepare('UPDATE datasets SET row_count = ?, skipped_rows = ? WHERE id = ?').run(rowCount, skippedRows, datasetId);
  }

  insertColumn(datasetId: number, c: ColumnInfo): void {
    this.db
      .prepare(
        `INSERT INTO dataset_columns(dataset_id, idx, name, value_kind, storage, role, inferred_role, role_reason, positive_value, stats_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(datasetId, c.idx, c.name, c.valueKind, c.storage, c.role, c.inferredRole, c.roleReason, c.positiveValue, JSON.stringify(c.stats));
  }

  updateColumn(datasetId: number, idx: number, patch: { valueKind?: ValueKind; storage?: ColumnStorage; stats?: ColumnStats; role?: ColumnRole; inferredRole?: ColumnRole; roleReason?: string; positiveValue?: string | null }): void {
    const cur = this.getDataset(datasetId).columns.find((c) => c.idx === idx);
    if (!cur) throw new ResidualError('NOT_FOUND', `Dataset ${datasetId} has no column #${idx}.`);
    const next = { ...cur, ...patch };
    this.db
      .prepare(
        `UPDATE dataset_columns SET value_kind = ?, storage = ?, role = ?, inferred_role = ?, role_reason = ?, positive_value = ?, stats_json = ?
         WHERE dataset_id = ? AND idx = ?`,
      )
      .run(next.valueKind, next.storage, next.role, next.inferredRole, next.roleReason, next.positiveValue, JSON.stringify(next.stats), datasetId, idx);
  }

  /** Changes a column's role (the analyst overriding the inference). Validates what it can. */
  setColumnRole(datasetRef: number | string, columnName: string, role: ColumnRole, positiveValue?: string | null): ColumnInfo {
    const ds = this.getDataset(datasetRef);
    const col = ds.columns.find((c) => c.name === columnName);
    if (!col) throw new ResidualError('NOT_FOUND', `Dataset "${ds.name}" has no column "${columnName}". Columns: ${ds.columns.map((c) => c.name).join(', ')}.`, { column: columnName });
    if (role === 'numeric' && col.valueKind !== 'number') {
      throw new ResidualError('BAD_INPUT', `Column "${columnName}" holds text, so it cannot be a numeric feature; make it categorical or ignore it.`, { column: columnName });
    }
    if (role === 'timestamp' && col.valueKind !== 'time') {
      throw new ResidualError('BAD_INPUT', `Column "${columnName}" does not hold dates or times that Residual can read, so it cannot be the timestamp.`, { column: columnName });
    }
    if (role === 'label' && (positiveValue === undefined || positiveValue === null) && col.positiveValue === null) {
      throw new ResidualError('BAD_INPUT', `Say which value of "${columnName}" marks an anomaly (--positive VALUE).`, { column: columnName });
    }
    const patch = { role, positiveValue: role === 'label' ? (positiveValue ?? col.positiveValue) : null };
    this.transaction(() => {
      if (role === 'label' || role === 'timestamp') {
        // One label and one timestamp per dataset: the previous one goes back to its inferred role
        // (or ignored when that was the same role).
        for (const other of ds.columns) {
          if (other.idx !== col.idx && other.role === role) {
            this.updateColumn(ds.id, other.idx, { role: other.inferredRole === role ? 'ignored' : other.inferredRole, positiveValue: null });
          }
        }
      }
      this.updateColumn(ds.id, col.idx, patch);
    });
    return { ...col, ...patch };
  }

  deleteDataset(datasetId: number): void {
    this.transaction(() => {
      this.db.prepare('DELETE FROM column_chunks WHERE dataset_id = ?').run(datasetId);
      this.db.prepare('DELETE FROM dataset_columns WHERE dataset_id = ?').run(datasetId);
      this.db.prepare('DELETE FROM datasets WHERE id = ?').run(datasetId);
    });
  }

  // ---- column data --------------------------------------------------------------------------

  writeChunk(datasetId: number, columnIdx: number, chunkIdx: number, rowStart: number, values: ColumnValues): void {
    const blob = values instanceof Float64Array ? Buffer.from(values.buffer, values.byteOffset, values.byteLength) : Buffer.from(JSON.stringify(values), 'utf8');
    this.db
      .prepare(
        `INSERT INTO column_chunks(dataset_id, column_idx, chunk_idx, row_start, row_count, data) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(dataset_id, column_idx, chunk_idx) DO UPDATE SET row_start = excluded.row_start, row_count = excluded.row_count, data = excluded.data`,
      )
      .run(datasetId, columnIdx, chunkIdx, rowStart, values.length, blob);
  }

  /** Streams a column chunk by chunk, in row order. */
  *iterateColumn(datasetId: number, columnIdx: number, storage: ColumnStorage): Generator<{ rowStart: number; values: ColumnValues }> {
    const stmt = this.db.prepare('SELECT row_start, row_count, data FROM column_chunks WHERE dataset_id = ? AND column_idx = ? ORDER BY chunk_idx');
    for (const r of stmt.iterate(datasetId, columnIdx) as Iterable<{ row_start: number; row_count: number; data: Buffer }>) {
      yield { rowStart: r.row_start, values: decodeChunk(r.data, r.row_count, storage) };
    }
  }

  /** A whole column. Numeric/time columns come back as one Float64Array (NaN = missing). */
  readColumn(datasetRef: number | string, column: number | string): ColumnValues {
    const ds = this.getDataset(datasetRef);
    const col = typeof column === 'number' ? ds.columns.find((c) => c.idx === column) : ds.columns.find((c) => c.name === column);
    if (!col) throw new ResidualError('NOT_FOUND', `Dataset "${ds.name}" has no column "${column}".`, { column });
    return this.readRange(ds.id, col, 0, ds.rowCount);
  }

  /** Rows [start, end) of one column, touching only the chunks that overlap. */
  readRange(datasetId: number, col: Pick<ColumnInfo, 'idx' | 'storage'>, start: number, end: number): ColumnValues {
    const n = Math.max(0, end - start);
    const out: ColumnValues = col.storage === 'f64' ? new Float64Array(n) : new Array<string | null>(n).fill(null);
    const stmt = this.prepared(
      'SELECT row_start, row_count, data FROM column_chunks WHERE dataset_id = ? AND column_idx = ? AND row_start < ? AND row_start + row_count > ? ORDER BY chunk_idx',
    );
    for (const r of stmt.iterate(datasetId, col.idx, end, start) as Iterable<{ row_start: number; row_count: number; data: Buffer }>) {
      const from = Math.max(start, r.row_start);
      const to = Math.min(end, r.row_start + r.row_count);
      if (out instanceof Float64Array) {
        // The stored bytes straight into place (no decoded copy of the whole chunk first).
        new Uint8Array(out.buffer, out.byteOffset + (from - start) * 8, (to - from) * 8).set(r.data.subarray((from - r.row_start) * 8, (to - r.row_start) * 8));
      } else {
        const chunk = decodeChunk(r.data, r.row_count, col.storage);
        const src = chunk as (string | null)[];
        for (let i = from; i < to; i++) out[i - start] = src[i - r.row_start]!;
      }
    }
    return out;
  }
}

/**
 * Values of the given rows (any order, duplicates allowed) for the given columns: each needed chunk is
 * decoded once per column, so a scattered page of rows costs a few chunk reads, not one per cell.
 */
export function readRows(store: ProjectStore, ds: DatasetInfo, rows: readonly number[], columns: readonly ColumnInfo[] = ds.columns): (number | string | null)[][] {
  const out = rows.map(() => new Array<number | string | null>(columns.length).fill(null));
  const byChunk = new Map<number, number[]>();
  rows.forEach((r, i) => {
    if (!Number.isInteger(r) || r < 0 || r >= ds.rowCount) {
      throw new ResidualError('BAD_INPUT', `Row ${r + 1} is outside dataset "${ds.name}" (rows 1–${ds.rowCount}).`, { field: 'row' });
    }
    const c = Math.floor(r / ds.chunkRows);
    const list = byChunk.get(c);
    if (list) list.push(i);
    else byChunk.set(c, [i]);
  });
  columns.forEach((col, j) => {
    for (const [c, idxs] of byChunk) {
      const start = c * ds.chunkRows;
      const values = store.readRange(ds.id, col, start, Math.min(ds.rowCount, start + ds.chunkRows));
      for (const i of idxs) {
        const v = values[rows[i]! - start];
        out[i]![j] = v === undefined || (typeof v === 'number' && Number.isNaN(v)) ? null : v;
      }
    }
  });
  return out;
}

export interface WriteTransaction {
  commit(): void;
  rollback(): void;
}

function decodeChunk(data: Buffer, rowCount: number, storage: ColumnStorage): ColumnValues {
  if (storage === 'f64') {
    // Copy: SQLite's buffer is not guaranteed to be 8-byte aligned.
    const out = new Float64Array(rowCount);
    new Uint8Array(out.buffer).set(data.subarray(0, rowCount * 8));
    return out;
  }
  return JSON.parse(data.toString('utf8')) as (string | null)[];
}
