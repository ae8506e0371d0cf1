/**
 * Parquet import (issue #15): the import bench's rows × cols data (1M × 30 by default) as Parquet, snappy (the
 * default of DuckDB, pandas/pyarrow and Spark) and zstd (Polars' default), each imported into a new project beside
 * the same data as CSV; and the candidate readers alone on the same files — how fast each decodes every column to
 * doubles, row group by row group, nothing stored — which is how the reader was chosen:
 *
 * - DuckDB (`@duckdb/node-api`, native; Residual's reader: its read step, parquet-source.ts, without the store),
 * - hyparquet (pure JavaScript, with hyparquet-compressors for zstd),
 * - parquet-wasm (Rust compiled to WebAssembly, through apache-arrow) — measured only where it is installed
 *   (`npm install --no-save parquet-wasm apache-arrow`): it is not a dependency.
 *
 * Each import and each reader runs in its own process, for its own peak RSS (VmHWM).
 *
 *   npx tsx bench/parquet.ts [rows] [cols] [dir]
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBenchCsv } from './import';
import { defaultBenchDir, fmtInt, fmtMB, isMain, repoRoot, reportFromChild, runChild, table } from './util';

const here = fileURLToPath(import.meta.url);

export type Codec = 'snappy' | 'zstd';
export const CODECS: readonly Codec[] = ['snappy', 'zstd'];
export const READERS = ['duckdb', 'hyparquet', 'parquet-wasm'] as const;
export type Reader = (typeof READERS)[number];

export interface ImportFigure {
  readonly source: string;
  readonly bytes: number;
  readonly rows: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
  readonly peakRssMB: number;
}

export interface ReaderFigure {
  readonly reader: Reader;
  readonly codec: Codec;
  /** The package's version; null when it is not installed (then nothing else is measured). */
  readonly version: string | null;
  readonly rows: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
  readonly peakRssMB: number;
}

export interface ParquetBenchResult {
  readonly rows: number;
  readonly cols: number;
  readonly imports: readonly ImportFigure[];
  readonly readers: readonly ReaderFigure[];
}

/** An installed package's version, from its package.json in node_modules (some packages export no ./package.json). */
function packageVersion(name: string): string | null {
  try {
    return (JSON.parse(fs.readFileSync(path.join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

/** Writes the bench CSV's data as Parquet with DuckDB (its default row groups of 122,880 rows) unless already there. */
export async function ensureBenchParquet(dir: string, rows: number, cols: number, codec: Codec): Promise<string> {
  const file = path.join(dir, `bench-${rows}x${cols}-${codec}.parquet`);
  if (fs.existsSync(file)) return file;
  const csv = ensureBenchCsv(dir, rows, cols);
  const { openDuckDb, sqlString } = await import('../src-main/core/data/duckdb');
  const db = await openDuckDb();
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await db.connection.run(`COPY (SELECT * FROM read_csv(${sqlString(csv)}, header = true)) TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION ${codec})`);
  } finally {
    db.close();
  }
  fs.renameSync(tmp, file);
  return file;
}

/** The child's side of an import: one file into a new project. */
async function importChild(file: string, project: string): Promise<void> {
  const { ProjectStore } = await import('../src-main/core/store');
  const { importDataset } = await import('../src-main/core/data');
  for (const f of [project, `${project}-wal`, `${project}-shm`]) fs.rmSync(f, { force: true });
  const store = ProjectStore.open(project, { create: true });
  const t0 = performance.now();
  const result = await importDataset(store, file);
  const seconds = (performance.now() - t0) / 1000;
  store.close();
  for (const f of [project, `${project}-wal`, `${project}-shm`]) fs.rmSync(f, { force: true });
  reportFromChild({ rows: result.dataset.rowCount, seconds });
}

/** Copies a column's values into a Float64Array (null → NaN), as the import's column buffers take them. */
function toDoubles(values: ArrayLike<unknown>): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = v === null || v === undefined ? NaN : Number(v);
  }
  return out;
}

/** The child's side of a reader: every column of every row group decoded to doubles; returns the rows read. */
async function readChild(reader: Reader, file: string): Promise<void> {
  const t0 = performance.now();
  let rows = 0;
  let check = 0;
  if (reader === 'duckdb') {
    const { ParquetSource } = await import('../src-main/core/data/parquet-source');
    const source = await ParquetSource.open(file);
    try {
      for await (const batch of source.batches({ what: 'bench' })) {
        for (let c = 0; c < source.info.columns.length; c++) check += batch.numbers(c).slice()[0]!;
        rows += batch.rows;
      }
    } finally {
      source.close();
    }
  } else if (reader === 'hyparquet') {
    const { asyncBufferFromFile, parquetMetadataAsync, parquetRead } = await import('hyparquet');
    const { compressors } = await import('hyparquet-compressors');
    const buffer = await asyncBufferFromFile(file);
    const metadata = await parquetMetadataAsync(buffer);
    let start = 0;
    for (const group of metadata.row_groups) {
      const n = Number(group.num_rows);
      await parquetRead({ file: buffer, metadata, compressors, rowStart: start, rowEnd: start + n, onChunk: (c) => void (check += toDoubles(c.columnData)[0]!) });
      start += n;
      rows += n;
    }
  } else {
    // Not a dependency: loaded by name where someone installed it for this comparison.
    const pw = (await import('parquet-wasm' + '/node')) as { readParquet(b: Uint8Array, o?: { rowGroups?: number[] }): { intoIPCStream(): Uint8Array }; ParquetFile?: unknown };
    const arrow = (await import('apache-' + 'arrow')) as { tableFromIPC(b: Uint8Array): { numRows: number; numCols: number; getChildAt(i: number): { toArray(): ArrayLike<unknown> } | null } };
    const bytes = new Uint8Array(fs.readFileSync(file));
    for (let group = 0; ; group++) {
      let ipc: Uint8Array;
      try {
        ipc = pw.readParquet(bytes, { rowGroups: [group] }).intoIPCStream();
      } catch {
        break;
      }
      const t = arrow.tableFromIPC(ipc);
      if (t.numRows === 0) break;
      for (let c = 0; c < t.numCols; c++) check += toDoubles(t.getChildAt(c)!.toArray())[0]!;
      rows += t.numRows;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  reportFromChild({ rows, seconds, finite: Number.isFinite(check) });
}

export async function benchParquet(opts: { rows?: number; cols?: number; dir: string }): Promise<ParquetBenchResult> {
  const rows = opts.rows ?? 1_000_000;
  const cols = opts.cols ?? 30;
  const csv = ensureBenchCsv(opts.dir, rows, cols);
  const files: Record<Codec, string> = { snappy: await ensureBenchParquet(opts.dir, rows, cols, 'snappy'), zstd: await ensureBenchParquet(opts.dir, rows, cols, 'zstd') };
  const project = path.join(opts.dir, `bench-parquet-${process.pid}.residual`);
  const imports: ImportFigure[] = [];
  for (const [source, file] of [['CSV', csv], ['Parquet, snappy', files.snappy], ['Parquet, zstd', files.zstd]] as const) {
    const r = await runChild<{ rows: number; seconds: number }>(here, 'import', [file, project]);
    imports.push({ source, bytes: fs.statSync(file).size, rows: r.rows, seconds: r.seconds, rowsPerSecond: r.rows / r.seconds, peakRssMB: r.peakRssMB });
  }
  const readers: ReaderFigure[] = [];
  const versions: Record<Reader, string | null> = {
    duckdb: packageVersion('@duckdb/node-api'),
    hyparquet: packageVersion('hyparquet'),
    'parquet-wasm': packageVersion('parquet-wasm') && packageVersion('apache-arrow') ? packageVersion('parquet-wasm') : null,
  };
  for (const reader of READERS) {
    for (const codec of CODECS) {
      if (versions[reader] === null) {
        readers.push({ reader, codec, version: null, rows: 0, seconds: 0, rowsPerSecond: 0, peakRssMB: 0 });
        continue;
      }
      const r = await runChild<{ rows: number; seconds: number; finite: boolean }>(here, 'read', [reader, files[codec]]);
      if (r.rows !== rows || !r.finite) throw new Error(`${reader} read ${r.rows} of ${rows} rows of ${files[codec]}`);
      readers.push({ reader, codec, version: versions[reader], rows: r.rows, seconds: r.seconds, rowsPerSecond: r.rows / r.seconds, peakRssMB: r.peakRssMB });
    }
  }
  return { rows, cols, imports, readers };
}

/** The figures as two tables, for bench/index.ts and a run of this file alone. */
export function describeParquet(r: ParquetBenchResult): string {
  const imports = table(
    ['source', 'file', 'import', 'rows/s', 'peak RSS'],
    r.imports.map((i) => [i.source, `${fmtInt(i.bytes / 1024 ** 2)} MiB`, `${i.seconds.toFixed(2)} s`, fmtInt(i.rowsPerSecond), fmtMB(i.peakRssMB)]),
  );
  const readers = table(
    ['reader', 'codec', 'decode all columns', 'rows/s', 'peak RSS'],
    r.readers.map((x) =>
      x.version === null
        ? [`${x.reader}`, x.codec, 'not installed', '', '']
        : [`${x.reader} ${x.version}`, x.codec, `${x.seconds.toFixed(2)} s`, fmtInt(x.rowsPerSecond), fmtMB(x.peakRssMB)],
    ),
    [0, 1],
  );
  return `Imports into a new project (read, columnar SQLite write, statistics, roles; each in its own process):\n${imports}\n\nReaders alone (every column to doubles, row group by row group, nothing stored):\n${readers}`;
}

if (isMain(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args[0] === '--child' && args[1] === 'import') await importChild(args[2]!, args[3]!);
  else if (args[0] === '--child' && args[1] === 'read') await readChild(args[2] as Reader, args[3]!);
  else {
    const rows = args[0] ? Number(args[0]) : undefined;
    const cols = args[1] ? Number(args[1]) : undefined;
    console.log(describeParquet(await benchParquet({ rows, cols, dir: args[2] ?? defaultBenchDir() })));
  }
}
