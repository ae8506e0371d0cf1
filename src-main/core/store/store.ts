import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { plainError, ResidualError } from '../errors';
import { migrations } from './migrations';
import type { ColumnInfo, ColumnRole, ColumnStats, ColumnStorage, ColumnValues, DatasetInfo, ValueKind } from './types';

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

/** What updateColumn can change of a column (its index and name stay). */
export type ColumnPatch = Partial<Pick<ColumnInfo, 'valueKind' | 'storage' | 'stats' | 'role' | 'inferredRole' | 'roleReason' | 'positiveValue'>>;

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

function fileSize(file: string): number | null {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) throw new ResidualError('BAD_FILE', `${file} is not a file (it is a folder or a device). Name a .residual project file.`, { file });
    return st.size;
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return null;
    throw plainError(e, file) ?? e;
  }
}

/** The write lock is taken: by another connection (SQLITE_BUSY) or by a job's open transaction on this one. */
function isLockError(e: unknown): boolean {
  if (e instanceof ResidualError) return e.code === 'CONFLICT';
  const code = String((e as { code?: unknown } | null)?.code ?? '');
  return code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED');
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
}

/**
 * An existing non-empty file, looked at before anything is written to it: SQLite's header, then (read-only) its
 * schema version and tables. Refuses another application's database, a newer project, and anything not SQLite.
 */
function inspectExisting(file: string, options: OpenOptions): void {
  const head = Buffer.alloc(16);
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    throw plainError(e, file) ?? e;
  }
  try {
    fs.readSync(fd, head, 0, 16, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (!head.equals(SQLITE_HEADER)) {
    throw new ResidualError('BAD_FILE', `${file} is not a Residual project: it is not a SQLite database at all. Open a .residual file that Residual created.`, { file });
  }
  let version: number;
  let tables: string[];
  let look: Database.Database | null = null;
  try {
    look = new Database(file, {
      readonly: true,
      fileMustExist: true,
      ...((options.nativeBinding ?? process.env['RESIDUAL_SQLITE_BINDING']) ? { nativeBinding: options.nativeBinding ?? process.env['RESIDUAL_SQLITE_BINDING'] } : {}),
    });
    version = look.pragma('user_version', { simple: true }) as number;
    tables = (look.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name);
  } catch (e) {
    throw plainError(e, file) ?? new ResidualError('BAD_FILE', `${file} is not a Residual project (${(e as Error).message}).`, { file });
  } finally {
    look?.close();
  }
  const latest = migrations[migrations.length - 1]!.version;
  if (version > latest) {
    throw new ResidualError('SCHEMA', `${file} was written by a newer Residual (schema ${version}, this one knows ${latest}). Update Residual to open it; the file was not changed.`, { file });
  }
  const ours = tables.includes('project_meta') && tables.includes('datasets');
  if (!ours && !(version === 0 && tables.length === 0)) {
    const listed = tables.slice(0, 6).map((t) => `"${t}"`).join(', ') + (tables.length > 6 ? `, … (${tables.length} tables)` : '');
    throw new ResidualError('BAD_FILE', `${file} is another application's SQLite database (tables ${listed || 'none'}), not a Residual project. It was not changed. Open a .residual file that Residual created.`, { file });
  }
}

/** A write open needs the file and its folder (SQLite's -wal and -shm files live beside it) writable. */
function checkWritable(file: string, isNew: boolean): void {
  const dir = path.dirname(file);
  const targets = isNew ? [] : [file];
  if (fs.existsSync(dir)) targets.push(dir);
  for (const t of targets) {
    try {
      fs.accessSync(t, fs.constants.W_OK);
    } catch {
      throw new ResidualError('READ_ONLY', `${file} cannot be written: ${t === file ? 'the file' : 'its folder'} is read-only for this user. Copy the project somewhere writable, or change its permissions.`, { file });
    }
  }
}

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

  /**
   * Opens a project file, or creates one (`create`) where there is no file or an empty one. Nothing is written to
   * a file until it is known to be a Residual project of a schema this version knows: another application's SQLite
   * file, a newer project or a file that is not SQLite at all is refused untouched, with a message that says which.
   * A write open also drops scores that a killed process left half-written.
   */
  static open(file: string, options: OpenOptions = {}): ProjectStore {
    const abs = path.resolve(file);
    const size = fileSize(abs);
    if (size === null && !options.create) {
      throw new ResidualError('NOT_FOUND', `Project file ${abs} does not exist. Import a dataset to create it, or check the path.`, { file: abs });
    }
    if (size === 0 && !options.create) {
      throw new ResidualError('BAD_FILE', `${abs} is an empty file, not a Residual project. Import a dataset into it to make it one, or check the path.`, { file: abs });
    }
    const isNew = size === null || size === 0;
    if (!options.readonly) checkWritable(abs, isNew);
    if (!isNew) inspectExisting(abs, options);
    if (size === null) fs.mkdirSync(path.dirname(abs), { recursive: true });
    let db: Database.Database;
    try {
      db = new Database(abs, {
        readonly: options.readonly ?? false,
        fileMustExist: !isNew,
        // Under Electron the engine loads a better-sqlite3 build made for Electron's ABI (see scripts/start.mjs).
        ...((options.nativeBinding ?? process.env['RESIDUAL_SQLITE_BINDING']) ? { nativeBinding: options.nativeBinding ?? process.env['RESIDUAL_SQLITE_BINDING'] } : {}),
      });
    } catch (e) {
      throw plainError(e, abs) ?? new ResidualError('BAD_FILE', `Cannot open project ${abs}: ${(e as Error).message}`, { file: abs });
    }
    try {
      // New projects use 64 KiB pages: their bulk is multi-megabyte column and score blobs, which SQLite then writes
      // and reads in a sixteenth of the pages (the score job at 1M × 30 runs about 2× faster than with 4 KiB). The
      // size is fixed when the file is created; projects made earlier keep theirs.
      if (isNew && !options.readonly) db.pragma(`page_size = ${PAGE_SIZE}`);
      if (!options.readonly) db.pragma('journal_mode = WAL');
      // With WAL, NORMAL never corrupts the file; at worst a power cut loses the last commit.
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      db.prepare('SELECT count(*) FROM sqlite_master').get();
    } catch (e) {
      db.close();
      throw plainError(e, abs) ?? new ResidualError('BAD_FILE', `${abs} is not a Residual project (${(e as Error).message}).`, { file: abs });
    }
    const store = new ProjectStore(abs, db);
    try {
      if (!options.readonly) {
        store.migrate();
        store.dropAbandonedScores();
      } else store.checkSchema();
    } catch (e) {
      db.close();
      throw plainError(e, abs) ?? e;
    }
    return store;
  }

  /** Scores left 'writing' by a process that is gone (killed mid-score): invisible, but megabytes of dead chunks. */
  private dropAbandonedScores(): void {
    const writing = this.db.prepare("SELECT id, writer_pid FROM scores WHERE status = 'writing'").all() as { id: number; writer_pid: number | null }[];
    const dead = writing.filter((w) => w.writer_pid === null || !processAlive(w.writer_pid)).map((w) => w.id);
    if (dead.length === 0) return;
    try {
      this.transaction(() => {
        for (const id of dead) this.db.prepare("DELETE FROM scores WHERE id = ? AND status = 'writing'").run(id);
      });
    } catch (e) {
      // Another process holds the write lock: the next open cleans up instead.
      if (!String((e as { code?: string }).code).startsWith('SQLITE_BUSY')) throw e;
    }
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

  /** Applies pending migrations, in order, each with its version bump. */
  private migrate(): void {
    this.checkSchema();
    const pending = migrations.filter((m) => m.version > this.schemaVersion);
    if (pending.length === 0) return;
    // All pending migrations in one transaction, each with its version bump: a page the migrations share (the schema,
    // project_meta) goes into the write-ahead log once, not once per migration — a new project's log was 2.6 MB of
    // repeated 64 KiB pages, more than a small disk had room for — and an upgrade is all or nothing.
    this.db.transaction(() => {
      for (const m of pending) {
        if (m.apply) m.apply(this.db);
        else this.db.exec(m.up);
        this.db.pragma(`user_version = ${m.version}`);
        this.db
          .prepare('INSERT INTO project_meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
          .run('schema_version', String(m.version));
      }
    })();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  /**
   * Whether a statement waits for another connection's write lock (up to 5 s, the default) or fails at once with
   * SQLITE_BUSY (`false`): the Workbench's query connection never waits on a job's write; its small writes retry
   * asynchronously instead (see `write`).
   */
  waitForLocks(wait: boolean): void {
    this.db.pragma(`busy_timeout = ${wait ? 5000 : 0}`);
  }

  /**
   * Runs `fn` in one synchronous IMMEDIATE transaction (rolled back if it throws): the write lock is taken at BEGIN,
   * so a write never fails half-way upgrading a read lock that another writer beat it to. Inside another transaction
   * it is a savepoint.
   */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
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

  /**
   * A short write in one IMMEDIATE transaction (it takes the write lock first, so it never fails half-way on a lock
   * upgrade), retried asynchronously while another connection or a job of this one holds the lock, for up to
   * `timeoutMs`; then CONFLICT with a plain message. The one retry rule for every small write (verdicts, thresholds,
   * roles, a finished model) from every front end.
   */
  async write<T>(fn: () => T, timeoutMs = 120_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let tx: WriteTransaction;
      try {
        tx = this.beginWrite();
      } catch (e) {
        if (!isLockError(e)) throw plainError(e, this.path) ?? e;
        if (Date.now() > deadline) {
          throw new ResidualError('CONFLICT', `The project ${this.path} is busy: another job or program has been writing to it for ${Math.round(timeoutMs / 1000)} s. Try again when it has finished.`, { file: this.path });
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      try {
        const out = fn();
        tx.commit();
        return out;
      } catch (e) {
        tx.rollback();
        throw plainError(e, this.path) ?? e;
      }
    }
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

  /**
   * insertColumn for many columns: one statement compiled once and reused per column (a wide file has tens of
   * thousands). Call inside a write transaction.
   */
  insertColumns(datasetId: number, cols: Iterable<ColumnInfo>): void {
    const stmt = this.prepared(
      `INSERT INTO dataset_columns(dataset_id, idx, name, value_kind, storage, role, inferred_role, role_reason, positive_value, stats_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const c of cols) {
      stmt.run(datasetId, c.idx, c.name, c.valueKind, c.storage, c.role, c.inferredRole, c.roleReason, c.positiveValue, JSON.stringify(c.stats));
    }
  }

  /**
   * Changes some of one column's facts. Reads and writes only that column's row, by its key (dataset_id, idx):
   * never the whole dataset, so a loop over the columns stays linear in their count (issue #18).
   */
  updateColumn(datasetId: number, idx: number, patch: ColumnPatch): void {
    const cur = this.prepared(
      'SELECT value_kind, storage, role, inferred_role, role_reason, positive_value, stats_json FROM dataset_columns WHERE dataset_id = ? AND idx = ?',
    ).get(datasetId, idx) as Omit<ColumnRow, 'idx' | 'name'> | undefined;
    if (!cur) throw new ResidualError('NOT_FOUND', `Dataset ${datasetId} has no column #${idx}.`);
    this.writeColumnRow(datasetId, idx, {
      valueKind: patch.valueKind ?? cur.value_kind,
      storage: patch.storage ?? cur.storage,
      role: patch.role ?? cur.role,
      inferredRole: patch.inferredRole ?? cur.inferred_role,
      roleReason: patch.roleReason ?? cur.role_reason,
      positiveValue: patch.positiveValue !== undefined ? patch.positiveValue : cur.positive_value,
      // Unchanged stats keep their stored JSON as is (no parse and re-serialise).
      statsJson: patch.stats !== undefined ? JSON.stringify(patch.stats) : cur.stats_json,
    });
  }

  /**
   * Sets every fact of one column at once (the import's final write per column): one prepared statement reused
   * for every column, no read. Call inside a write transaction when writing many columns.
   */
  setColumnInfo(datasetId: number, idx: number, info: Required<ColumnPatch>): void {
    this.writeColumnRow(datasetId, idx, { ...info, statsJson: JSON.stringify(info.stats) });
  }

  /** The one UPDATE of a column's row, by its primary key; NOT_FOUND when the column does not exist. */
  private writeColumnRow(datasetId: number, idx: number, c: Omit<Required<ColumnPatch>, 'stats'> & { statsJson: string }): void {
    const res = this.prepared(
      `UPDATE dataset_columns SET value_kind = ?, storage = ?, role = ?, inferred_role = ?, role_reason = ?, positive_value = ?, stats_json = ?
       WHERE dataset_id = ? AND idx = ?`,
    ).run(c.valueKind, c.storage, c.role, c.inferredRole, c.roleReason, c.positiveValue, c.statsJson, datasetId, idx);
    if (res.changes === 0) throw new ResidualError('NOT_FOUND', `Dataset ${datasetId} has no column #${idx}.`);
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

  /**
   * writeChunk for one dataset (the same statement), compiled once and reused for every chunk of every column: the
   * import's sink, which writes at least one chunk per column (20,000 for a 20,000-column file).
   */
  chunkWriter(datasetId: number): (columnIdx: number, chunkIdx: number, rowStart: number, values: ColumnValues) => void {
    const stmt = this.prepared(
      `INSERT INTO column_chunks(dataset_id, column_idx, chunk_idx, row_start, row_count, data) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(dataset_id, column_idx, chunk_idx) DO UPDATE SET row_start = excluded.row_start, row_count = excluded.row_count, data = excluded.data`,
    );
    return (columnIdx, chunkIdx, rowStart, values) => {
      const blob = values instanceof Float64Array ? Buffer.from(values.buffer, values.byteOffset, values.byteLength) : Buffer.from(JSON.stringify(values), 'utf8');
      stmt.run(datasetId, columnIdx, chunkIdx, rowStart, values.length, blob);
    };
  }

  writeChunk(datasetId: number, columnIdx: number, chunkIdx: number, rowStart: number, values: ColumnValues): void {
    const blob = values instanceof Float64Array ? Buffer.from(values.buffer, values.byteOffset, values.byteLength) : Buffer.from(JSON.stringify(values), 'utf8');
    this.db
      .prepare(
        `INSERT INTO column_chunks(dataset_id, column_idx, chunk_idx, row_start, row_count, data) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(dataset_id, column_idx, chunk_idx) DO UPDATE SET row_start = excluded.row_start, row_count = excluded.row_count, data = excluded.data`,
      )
      .run(datasetId, columnIdx, chunkIdx, rowStart, values.length, blob);
  }

  /**
   * Streams a column chunk by chunk, in row order. Every chunk is checked against the rows it must hold (its place
   * in the dataset, the bytes its storage needs), and a missing chunk is noticed: BAD_FILE naming the dataset, the
   * column and the chunk, never silently wrong values.
   */
  *iterateColumn(datasetId: number, columnIdx: number, storage: ColumnStorage): Generator<{ rowStart: number; values: ColumnValues }> {
    const stmt = this.db.prepare(`SELECT ${CHUNK_SELECT} WHERE c.dataset_id = ? AND c.column_idx = ? ORDER BY c.chunk_idx`);
    let next = 0;
    for (const r of stmt.iterate(datasetId, columnIdx) as Iterable<ChunkRow>) {
      if (r.chunk_idx !== next) throw corruptChunk(this, datasetId, columnIdx, next, 'is missing');
      checkChunk(this, datasetId, columnIdx, storage, r);
      yield { rowStart: r.row_start, values: decodeChecked(this, datasetId, columnIdx, storage, r) };
      next++;
    }
    // A finished dataset (row_count > 0; an import in progress has 0) has every chunk of every column.
    const ds = this.prepared('SELECT row_count, chunk_rows FROM datasets WHERE id = ?').get(datasetId) as { row_count: number; chunk_rows: number } | undefined;
    if (ds && ds.row_count > 0 && next < Math.ceil(ds.row_count / ds.chunk_rows)) throw corruptChunk(this, datasetId, columnIdx, next, 'is missing');
  }

  /** A whole column. Numeric/time columns come back as one Float64Array (NaN = missing). */
  readColumn(datasetRef: number | string, column: number | string): ColumnValues {
    const ds = this.getDataset(datasetRef);
    const col = typeof column === 'number' ? ds.columns.find((c) => c.idx === column) : ds.columns.find((c) => c.name === column);
    if (!col) throw new ResidualError('NOT_FOUND', `Dataset "${ds.name}" has no column "${column}".`, { column });
    return this.readRange(ds.id, col, 0, ds.rowCount);
  }

  /**
   * Rows [start, end) of one column, touching only the chunks that overlap. Each chunk read is checked against the
   * rows it must hold and the rows asked for must all be stored (BAD_FILE naming dataset, column and chunk if not).
   */
  readRange(datasetId: number, col: Pick<ColumnInfo, 'idx' | 'storage'>, start: number, end: number): ColumnValues {
    const n = Math.max(0, end - start);
    const out: ColumnValues = col.storage === 'f64' ? new Float64Array(n) : new Array<string | null>(n).fill(null);
    const stmt = this.prepared(
      `SELECT ${CHUNK_SELECT} WHERE c.dataset_id = ? AND c.column_idx = ? AND c.row_start < ? AND c.row_start + c.row_count > ? ORDER BY c.chunk_idx`,
    );
    // Rows [start, covered) are stored so far: chunks must follow each other without a gap.
    let covered = start;
    for (const r of stmt.iterate(datasetId, col.idx, end, start) as Iterable<ChunkRow>) {
      checkChunk(this, datasetId, col.idx, col.storage, r);
      if (r.row_start > covered) throw corruptChunk(this, datasetId, col.idx, Math.floor(covered / r.ds_chunk_rows), 'is missing');
      const from = Math.max(start, r.row_start);
      const to = Math.min(end, r.row_start + r.row_count);
      if (out instanceof Float64Array) {
        // The stored bytes straight into place (no decoded copy of the whole chunk first).
        new Uint8Array(out.buffer, out.byteOffset + (from - start) * 8, (to - from) * 8).set(r.data.subarray((from - r.row_start) * 8, (to - r.row_start) * 8));
      } else {
        const src = decodeChecked(this, datasetId, col.idx, col.storage, r) as (string | null)[];
        for (let i = from; i < to; i++) out[i - start] = src[i - r.row_start]!;
      }
      covered = Math.max(covered, to);
    }
    if (covered < end) {
      // Rows past the dataset's end read as missing values; rows inside it must have been stored.
      const ds = this.prepared('SELECT row_count, chunk_rows FROM datasets WHERE id = ?').get(datasetId) as { row_count: number; chunk_rows: number } | undefined;
      if (ds && covered < ds.row_count) throw corruptChunk(this, datasetId, col.idx, Math.floor(covered / ds.chunk_rows), 'is missing');
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

/** A column chunk with its dataset's geometry (row_count 0 while an import is still writing it). */
interface ChunkRow {
  chunk_idx: number;
  row_start: number;
  row_count: number;
  data: Buffer;
  ds_rows: number;
  ds_chunk_rows: number;
}

const CHUNK_SELECT = 'c.chunk_idx, c.row_start, c.row_count, c.data, d.row_count AS ds_rows, d.chunk_rows AS ds_chunk_rows FROM column_chunks c JOIN datasets d ON d.id = c.dataset_id';

const count = (n: number): string => n.toLocaleString('en-US');

/** BAD_FILE for a damaged chunk: names the project, the dataset, the column and the chunk (dataset and column looked up only now). */
function corruptChunk(store: ProjectStore, datasetId: number, columnIdx: number, chunkIdx: number, what: string): ResidualError {
  const ds = store.db.prepare('SELECT name FROM datasets WHERE id = ?').get(datasetId) as { name: string } | undefined;
  const col = store.db.prepare('SELECT name FROM dataset_columns WHERE dataset_id = ? AND idx = ?').get(datasetId, columnIdx) as { name: string } | undefined;
  const dataset = ds?.name ?? `#${datasetId}`;
  const column = col?.name ?? `#${columnIdx}`;
  return new ResidualError(
    'BAD_FILE',
    `Dataset "${dataset}" in ${store.path} is corrupt: column "${column}", chunk ${chunkIdx} ${what}. Re-import the data or restore the project from a backup.`,
    { file: store.path, dataset, column, chunk: chunkIdx },
  );
}

/**
 * A chunk must sit where its index says (row_start = chunk_idx · chunk_rows), hold the rows the dataset gives it
 * (chunk_rows, fewer in the last chunk; at most chunk_rows while an import is writing) and, stored as f64, exactly
 * 8 bytes per row.
 */
function checkChunk(store: ProjectStore, datasetId: number, columnIdx: number, storage: ColumnStorage, r: ChunkRow): void {
  const expectedStart = r.chunk_idx * r.ds_chunk_rows;
  const expectedRows = r.ds_rows > 0 ? Math.min(r.ds_chunk_rows, r.ds_rows - expectedStart) : null;
  if (r.row_start !== expectedStart || (expectedRows !== null ? r.row_count !== expectedRows : r.row_count < 0 || r.row_count > r.ds_chunk_rows)) {
    const want = expectedRows !== null ? `${count(Math.max(0, expectedRows))} rows from row ${count(expectedStart + 1)}` : `at most ${count(r.ds_chunk_rows)} rows from row ${count(expectedStart + 1)}`;
    throw corruptChunk(store, datasetId, columnIdx, r.chunk_idx, `claims ${count(r.row_count)} rows from row ${count(r.row_start + 1)} where ${want} were expected`);
  }
  if (storage === 'f64' && r.data.byteLength !== r.row_count * 8) {
    throw corruptChunk(store, datasetId, columnIdx, r.chunk_idx, `holds ${count(r.data.byteLength)} bytes where ${count(r.row_count * 8)} were expected`);
  }
}

/** The values of a checked chunk; text chunks must parse to exactly row_count strings or nulls. */
function decodeChecked(store: ProjectStore, datasetId: number, columnIdx: number, storage: ColumnStorage, r: ChunkRow): ColumnValues {
  if (storage === 'f64') return decodeChunk(r.data, r.row_count, storage);
  let values: unknown;
  try {
    values = decodeChunk(r.data, r.row_count, storage);
  } catch {
    throw corruptChunk(store, datasetId, columnIdx, r.chunk_idx, `holds ${count(r.data.byteLength)} bytes that are not the text values it should`);
  }
  if (!Array.isArray(values) || values.length !== r.row_count) {
    const got = Array.isArray(values) ? `${count(values.length)} values` : 'no list of values';
    throw corruptChunk(store, datasetId, columnIdx, r.chunk_idx, `holds ${got} where ${count(r.row_count)} were expected`);
  }
  return values as (string | null)[];
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
