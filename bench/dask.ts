/**
 * Scoring on a cluster (issue #15): the Dask recipe (scripts/dask_score.py) scoring the import bench's rows × cols data
 * (1M × 30 by default; --rows 10000000 for the 10M) as 8 CSV partitions on a LocalCluster of 1 and of 2 worker
 * processes, each evaluating the exported ONNX model with numpy (Debian has no Python onnxruntime). The model is an ae
 * trained here on the file's first 20,000 rows (the figure is the scoring, not the training). Rows/s is the recipe's
 * own: partitions read, scored and written, from the first task to the last result (the cluster's start-up excluded).
 *
 *   npx tsx bench/dask.ts [rows] [cols] [dir]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { main as cliMain } from '../src-main/cli/main';
import { ensureBenchCsv } from './import';
import { defaultBenchDir, fmtInt, isMain, pythonHas, repoRoot, table } from './util';

export const DASK_PARTITIONS = 8;
export const DASK_WORKERS: readonly number[] = [1, 2];
const TRAIN_ROWS = 20_000;
const PYTHON = '/usr/bin/python3';

export interface DaskRun {
  readonly workers: number;
  readonly rows: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
}

export interface DaskResult {
  readonly rows: number;
  readonly cols: number;
  readonly partitions: number;
  readonly runs: readonly DaskRun[];
}

async function cli(...argv: string[]): Promise<void> {
  let err = '';
  const code = await cliMain(argv, { out: () => undefined, err: (t) => void (err += t), errIsTty: false });
  if (code !== 0) throw new Error(`residual ${argv[0]} failed (${code}): ${err.trim()}`);
}

/** The CSV's first `n` data rows (and its header) as a file of their own. */
async function headOf(csv: string, n: number, out: string): Promise<void> {
  const lines: string[] = [];
  const rl = readline.createInterface({ input: fs.createReadStream(csv), crlfDelay: Infinity });
  for await (const line of rl) {
    lines.push(line);
    if (lines.length > n) break;
  }
  rl.close();
  fs.writeFileSync(out, lines.join('\n') + '\n');
}

/** The CSV as `parts` partition files (each with the header) in `dir`, written once and kept (a .done marker). */
async function ensurePartitions(csv: string, rows: number, parts: number, dir: string): Promise<void> {
  if (fs.existsSync(path.join(dir, '.done'))) return;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const per = Math.ceil(rows / parts);
  const rl = readline.createInterface({ input: fs.createReadStream(csv), crlfDelay: Infinity });
  let header: string | null = null;
  let fd = -1;
  let part = -1;
  let n = 0;
  let buf: string[] = [];
  const flush = (): void => {
    if (buf.length) fs.writeSync(fd, buf.join('\n') + '\n');
    buf = [];
  };
  for await (const line of rl) {
    if (header === null) {
      header = line;
      continue;
    }
    if (n % per === 0) {
      if (fd >= 0) {
        flush();
        fs.closeSync(fd);
      }
      part++;
      fd = fs.openSync(path.join(dir, `part-${String(part).padStart(3, '0')}.csv`), 'w');
      buf.push(header);
    }
    buf.push(line);
    if (buf.length >= 10_000) flush();
    n++;
  }
  if (fd >= 0) {
    flush();
    fs.closeSync(fd);
  }
  fs.writeFileSync(path.join(dir, '.done'), `${n} rows\n`);
}

/** Null where /usr/bin/python3 lacks onnx or distributed (the part then says so). */
export async function benchDask(opts: { rows: number; cols: number; dir: string }): Promise<DaskResult | null> {
  if (!pythonHas(['numpy', 'onnx', 'distributed'], PYTHON)) return null;
  const csv = ensureBenchCsv(opts.dir, opts.rows, opts.cols);
  const work = fs.mkdtempSync(path.join(opts.dir, 'dask-'));
  try {
    const sample = path.join(work, 'train.csv');
    await headOf(csv, TRAIN_ROWS, sample);
    const project = path.join(work, 'dask.residual');
    const model = path.join(work, 'model.onnx');
    await cli('import', sample, '--project', project);
    await cli('train', '--project', project, '--kind', 'ae', '--layers', '16,8', '--epochs', '2', '--seed', '1');
    await cli('export-model', '--project', project, '--model', '1', '--out', model);
    const parts = path.join(opts.dir, `dask-parts-${opts.rows}x${opts.cols}-${DASK_PARTITIONS}`);
    await ensurePartitions(csv, opts.rows, DASK_PARTITIONS, parts);
    const runs: DaskRun[] = [];
    for (const workers of DASK_WORKERS) {
      const out = path.join(work, `scores-${workers}`);
      const stdout = execFileSync(PYTHON, [path.join(repoRoot, 'scripts', 'dask_score.py'), '--model', model, '--input', parts, '--out', out, '--workers', String(workers), '--json'], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      const r = JSON.parse(stdout) as { rows: number; seconds: number; rows_per_second: number };
      runs.push({ workers, rows: r.rows, seconds: r.seconds, rowsPerSecond: r.rows_per_second });
      fs.rmSync(out, { recursive: true, force: true });
    }
    return { rows: opts.rows, cols: opts.cols, partitions: DASK_PARTITIONS, runs };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

export function describeDask(r: DaskResult): string {
  const one = r.runs.find((x) => x.workers === 1);
  return (
    `${fmtInt(r.rows)} rows × ${r.cols} columns in ${r.partitions} CSV partitions; an ae (16-8) exported as ONNX, evaluated with numpy on each worker\n` +
    table(
      ['workers', 'rows', 'seconds', 'rows/s', 'vs 1 worker'],
      r.runs.map((x) => [String(x.workers), fmtInt(x.rows), x.seconds.toFixed(2), fmtInt(x.rowsPerSecond), one ? `${(x.rowsPerSecond / one.rowsPerSecond).toFixed(2)}×` : '']),
    )
  );
}

if (isMain(import.meta.url)) {
  const [rows, cols, dir] = process.argv.slice(2);
  const r = await benchDask({ rows: Number(rows ?? 1_000_000), cols: Number(cols ?? 30), dir: dir ?? defaultBenchDir() });
  console.log(r ? describeDask(r) : `${PYTHON} lacks numpy, onnx or distributed: apt-get install python3-onnx python3-distributed`);
}
