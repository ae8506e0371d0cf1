/**
 * Import throughput: a deterministic rows × cols numeric CSV (1M × 30 by default, ~6 significant
 * digits per value) imported into a fresh project, SQLite writes and statistics included; and the same shape with
 * full-precision doubles as pandas' to_csv writes them (`--full`: 16–17 significant digits). Also wide files
 * (issue #18): 50 rows × 1k, 4k and 20k columns, whose columns/s shows whether the import is linear in the
 * column count.
 *
 * The import runs in a child process (`node --import tsx`) so that its peak RSS is its own:
 * process.resourceUsage().maxRSS there, i.e. the kernel's high-water mark of the whole process
 * (Node, tsx, SQLite's cache and the import), measured after the import finished.
 *
 *   npx tsx bench/import.ts [--full] [rows] [cols] [dir]
 *   npx tsx bench/import.ts --wide [dir]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultBenchDir, isMain, pythonHas, reportFromChild, runChild } from './util';
import { mulberry32 } from '../tests/helpers/mulberry32';

export interface BenchResult {
  rows: number;
  cols: number;
  bytes: number;
  seconds: number;
  rowsPerSecond: number;
  peakRssMB: number;
}

/** One wide file's import (issue #18). */
export interface WideResult extends BenchResult {
  columnsPerSecond: number;
}

/** Issue #18: an import must be linear in the column count; these widths at WIDE_ROWS rows show it. */
export const WIDE_ROWS = 50;
export const WIDE_COLS: readonly number[] = [1_000, 4_000, 20_000];

/** pandas.read_csv on the same file, when /usr/bin/python3 has pandas (Debian's python3-pandas). */
export interface PandasResult {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
  peakRssMB: number;
  version: string;
}

const here = fileURLToPath(import.meta.url);
const PYTHON = '/usr/bin/python3';


/**
 * Writes the CSV unless a complete one is already there (written to a temporary name, then renamed). `full`: doubles
 * of full precision as pandas' to_csv writes them (the shortest form that reads back the same double: 16 or 17
 * significant digits, e.g. -1303.157231604361), into bench-<rows>x<cols>-full.csv; else about 6 digits per value.
 */
export function ensureBenchCsv(dir: string, rows: number, cols: number, full = false): string {
  const file = path.join(dir, `bench-${rows}x${cols}${full ? '-full' : ''}.csv`);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    // mulberry32: the same on every machine, so the file is the same everywhere.
    const rand = mulberry32(20240601);
    // Each column has its own scale: 6 random digits, point after 1 to 6 of them, some negative.
    const scales = Array.from({ length: cols }, (_, c) => 10 ** (1 + (c % 6)));
    // Full precision: 53 random bits (two draws) in [-1, 1), times 10^-2 … 10^4 by column.
    const fullValue = (c: number): number => ((Math.floor(rand() * 2 ** 26) * 2 ** 27 + Math.floor(rand() * 2 ** 27)) / 2 ** 52 - 1) * 10 ** ((c % 7) - 2);
    let buf = Array.from({ length: cols }, (_, c) => `f${c + 1}`).join(',') + '\n';
    for (let r = 0; r < rows; r++) {
      let line = '';
      for (let c = 0; c < cols; c++) {
        const v = full ? fullValue(c) : Math.floor(rand() * 2e6 - 1e6) / scales[c]!;
        line += (c === 0 ? '' : ',') + String(v);
      }
      buf += line + '\n';
      if (buf.length > 4 * 1024 * 1024) {
        fs.writeSync(fd, buf);
        buf = '';
      }
    }
    fs.writeSync(fd, buf);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  return file;
}

/** The child's side: import once, print one JSON line. */
async function child(csv: string, project: string): Promise<void> {
  const { ProjectStore } = await import('../src-main/core/store');
  const { importDataset } = await import('../src-main/core/data');
  for (const f of [project, `${project}-wal`, `${project}-shm`]) fs.rmSync(f, { force: true });
  const store = ProjectStore.open(project, { create: true });
  const t0 = performance.now();
  const result = await importDataset(store, csv);
  const seconds = (performance.now() - t0) / 1000;
  store.close();
  reportFromChild({ rows: result.dataset.rowCount, cols: result.dataset.columns.length, seconds });
}

/** `full`: the full-precision file of ensureBenchCsv. */
export async function benchImport(opts: { rows?: number; cols?: number; dir: string; full?: boolean }): Promise<BenchResult> {
  const rows = opts.rows ?? 1_000_000;
  const cols = opts.cols ?? 30;
  const csv = ensureBenchCsv(opts.dir, rows, cols, opts.full);
  const project = path.join(opts.dir, `bench-${process.pid}.residual`);
  try {
    const r = await runChild<{ rows: number; cols: number; seconds: number }>(here, 'import', [csv, project]);
    return { rows: r.rows, cols: r.cols, bytes: fs.statSync(csv).size, seconds: r.seconds, rowsPerSecond: r.rows / r.seconds, peakRssMB: r.peakRssMB };
  } finally {
    for (const f of [project, `${project}-wal`, `${project}-shm`]) fs.rmSync(f, { force: true });
  }
}

/** Imports WIDE_ROWS-row files of each width (generated once into `dir`, like the main file), each in its own process. */
export async function benchWideImport(opts: { dir: string; cols?: readonly number[]; rows?: number }): Promise<WideResult[]> {
  const out: WideResult[] = [];
  for (const cols of opts.cols ?? WIDE_COLS) {
    const r = await benchImport({ rows: opts.rows ?? WIDE_ROWS, cols, dir: opts.dir });
    out.push({ ...r, columnsPerSecond: r.cols / r.seconds });
  }
  return out;
}

/**
 * Times pandas.read_csv on the file (parsing into a DataFrame only, nothing written), in its own Python
 * process; peak RSS is that process's ru_maxrss. Null when /usr/bin/python3 cannot import pandas.
 */
export function benchPandas(csv: string): PandasResult | null {
  if (!pythonHas(['pandas'], PYTHON)) return null;
  const script = [
    'import json, resource, sys, time',
    'import pandas as pd',
    't = time.perf_counter()',
    'df = pd.read_csv(sys.argv[1])',
    's = time.perf_counter() - t',
    'print(json.dumps({"rows": len(df), "seconds": s, "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "version": pd.__version__}))',
  ].join('\n');
  const out = execFileSync(PYTHON, ['-c', script, csv], { encoding: 'utf8', maxBuffer: 1024 * 1024 });
  const r = JSON.parse(out.trim().split('\n').pop()!) as { rows: number; seconds: number; maxrss_kb: number; version: string };
  return { rows: r.rows, seconds: r.seconds, rowsPerSecond: r.rows / r.seconds, peakRssMB: r.maxrss_kb / 1024, version: r.version };
}

if (isMain(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    await child(args[2]!, args[3]!);
  } else if (args[0] === '--wide') {
    for (const r of await benchWideImport({ dir: args[1] ?? defaultBenchDir() })) {
      console.log(
        `${r.rows} rows × ${r.cols.toLocaleString('en-US')} columns (${(r.bytes / 1024 / 1024).toFixed(1)} MiB): ${r.seconds.toFixed(2)} s, ` +
          `${Math.round(r.columnsPerSecond).toLocaleString('en-US')} columns/s, peak RSS ${r.peakRssMB.toFixed(0)} MB`,
      );
    }
  } else {
    const full = args[0] === '--full';
    if (full) args.shift();
    const rows = args[0] ? Number(args[0]) : undefined;
    const cols = args[1] ? Number(args[1]) : undefined;
    const dir = args[2] ?? defaultBenchDir();
    const r = await benchImport({ rows, cols, dir, full });
    console.log(
      `${r.rows.toLocaleString('en-US')} rows × ${r.cols} columns (${(r.bytes / 1024 / 1024).toFixed(0)} MiB): ` +
        `${r.seconds.toFixed(2)} s, ${Math.round(r.rowsPerSecond).toLocaleString('en-US')} rows/s, peak RSS ${r.peakRssMB.toFixed(0)} MB (child maxRSS)`,
    );
  }
}
