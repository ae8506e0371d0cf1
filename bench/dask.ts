/**
 * Scoring on a cluster (issue #15): the Dask recipe (scripts/dask_score.py) scoring the import bench's rows × cols data
 * (1M × 30 by default; --rows 10000000 for the 10M) as CSV partitions (8, or one per 250,000 rows when that is
 * more: 40 at 10M) on a LocalCluster of 1 and of 2 worker processes, each evaluating the exported ONNX model with numpy
 * (Debian has no Python onnxruntime). The model is an ae trained here on the file's first 20,000 rows (the figure is the
 * scoring, not the training). Rows/s is the recipe's own: partitions read, scored and written, from the first task to
 * the last result (the cluster's start-up excluded). Each run's scores are checked against the app's on a sample of rows
 * spread over every partition (CHECK_ROWS rows, imported and scored by the app as a dataset of their own).
 *
 *   npx tsx bench/dask.ts [rows] [cols] [dir]
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { main as cliMain } from '../src-main/cli/main';
import { readRowErrors } from '../src-main/core/engine';
import { ProjectStore } from '../src-main/core/store';
import { listScores } from '../src-main/core/store/models';
import { ensureBenchCsv } from './import';
import { defaultBenchDir, fmtInt, isMain, pythonHas, repoRoot, table } from './util';

export const DASK_PARTITIONS = 8;
/** Rows per partition at most (more partitions for larger data): a worker holds one partition's rows as Python strings. */
const PARTITION_ROWS = 250_000;
export const DASK_WORKERS: readonly number[] = [1, 2];
const TRAIN_ROWS = 20_000;
/** Rows (spread evenly over the file) whose Dask scores are checked against the app's. */
export const CHECK_ROWS = 2_000;
/** The recipe's float32 numpy evaluation against the app's kernel: relative difference allowed (as tests/cli/dask-recipe.test.ts). */
const CHECK_TOLERANCE = 1e-4;
const PYTHON = '/usr/bin/python3';

export interface DaskRun {
  readonly workers: number;
  readonly rows: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
  /** Sample rows whose score equals the app's within CHECK_TOLERANCE, of `checkedRows`. */
  readonly matched: number;
  readonly checkedRows: number;
  /** Largest relative difference seen. */
  readonly maxRelDiff: number;
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

/**
 * One pass over the CSV: its first `n` data rows (and the header) into `head`, and every `stride`-th data row (rows 0,
 * stride, 2·stride, …) into `sample`; returns those rows' 0-based indices.
 */
async function headAndSample(csv: string, n: number, stride: number, head: string, sample: string): Promise<number[]> {
  const first: string[] = [];
  const picked: string[] = [];
  const rows: number[] = [];
  const rl = readline.createInterface({ input: fs.createReadStream(csv), crlfDelay: Infinity });
  let header: string | null = null;
  let r = 0;
  for await (const line of rl) {
    if (header === null) {
      header = line;
      continue;
    }
    if (r < n) first.push(line);
    if (r % stride === 0) {
      picked.push(line);
      rows.push(r);
    }
    r++;
  }
  fs.writeFileSync(head, [header, ...first].join('\n') + '\n');
  fs.writeFileSync(sample, [header, ...picked].join('\n') + '\n');
  return rows;
}

/** The recipe's scores of the given global rows, read from the partitions' score files (`per` rows a partition). */
async function daskScoresOf(out: string, rows: readonly number[], per: number): Promise<Map<number, number>> {
  const byPart = new Map<number, Set<number>>();
  for (const r of rows) {
    const p = Math.floor(r / per);
    if (!byPart.has(p)) byPart.set(p, new Set());
    byPart.get(p)!.add(r % per);
  }
  const found = new Map<number, number>();
  for (const [p, wanted] of byPart) {
    const rl = readline.createInterface({ input: fs.createReadStream(path.join(out, `part-${String(p).padStart(3, '0')}.scores.csv`)), crlfDelay: Infinity });
    let header = true;
    for await (const line of rl) {
      if (header) {
        header = false;
        continue;
      }
      const comma = line.indexOf(',');
      const i = Number(line.slice(0, comma));
      if (wanted.has(i)) found.set(p * per + i, Number(line.slice(comma + 1, line.indexOf(',', comma + 1))));
    }
  }
  return found;
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

/** The row scores of the newest score of dataset `name` in the project, in row order. */
function appScoresOf(project: string, name: string): Float32Array {
  const store = ProjectStore.open(project);
  try {
    const ds = store.getDataset(name);
    const score = listScores(store, { datasetId: ds.id }).at(-1);
    if (!score) throw new Error(`no score of dataset "${name}" in ${project}`);
    return readRowErrors(store, score.scoreId);
  } finally {
    store.close();
  }
}

/** Null where /usr/bin/python3 lacks onnx or distributed (the part then says so). */
export async function benchDask(opts: { rows: number; cols: number; dir: string }): Promise<DaskResult | null> {
  if (!pythonHas(['numpy', 'onnx', 'distributed'], PYTHON)) return null;
  const csv = ensureBenchCsv(opts.dir, opts.rows, opts.cols);
  const work = fs.mkdtempSync(path.join(opts.dir, 'dask-'));
  try {
    const head = path.join(work, 'train.csv');
    const sample = path.join(work, 'check.csv');
    const checkRows = await headAndSample(csv, TRAIN_ROWS, Math.max(1, Math.floor(opts.rows / CHECK_ROWS)), head, sample);
    const project = path.join(work, 'dask.residual');
    const model = path.join(work, 'model.onnx');
    await cli('import', head, '--project', project);
    await cli('train', '--project', project, '--kind', 'ae', '--layers', '16,8', '--epochs', '2', '--seed', '1');
    await cli('export-model', '--project', project, '--model', '1', '--out', model);
    // The app's scores of the sample rows: imported as a dataset of their own and scored with the same model.
    await cli('import', sample, '--project', project, '--name', 'check');
    await cli('score', '--project', project, '--model', '1', '--dataset', 'check');
    const appScores = appScoresOf(project, 'check');
    if (appScores.length !== checkRows.length) throw new Error(`the app scored ${appScores.length} sample rows, ${checkRows.length} were picked`);
    const partitions = Math.max(DASK_PARTITIONS, Math.ceil(opts.rows / PARTITION_ROWS));
    const per = Math.ceil(opts.rows / partitions);
    const parts = path.join(opts.dir, `dask-parts-${opts.rows}x${opts.cols}-${partitions}`);
    await ensurePartitions(csv, opts.rows, partitions, parts);
    const runs: DaskRun[] = [];
    for (const workers of DASK_WORKERS) {
      const out = path.join(work, `scores-${workers}`);
      const stdout = execFileSync(PYTHON, [path.join(repoRoot, 'scripts', 'dask_score.py'), '--model', model, '--input', parts, '--out', out, '--workers', String(workers), '--json'], {
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      const r = JSON.parse(stdout) as { rows: number; seconds: number; rows_per_second: number };
      const theirs = await daskScoresOf(out, checkRows, per);
      let matched = 0;
      let maxRelDiff = 0;
      checkRows.forEach((row, k) => {
        const app = appScores[k]!;
        const dask = theirs.get(row);
        const rel = dask === undefined ? Infinity : Math.abs(dask - app) / Math.max(Math.abs(app), 1e-12);
        maxRelDiff = Math.max(maxRelDiff, rel);
        if (rel <= CHECK_TOLERANCE) matched++;
      });
      runs.push({ workers, rows: r.rows, seconds: r.seconds, rowsPerSecond: r.rows_per_second, matched, checkedRows: checkRows.length, maxRelDiff });
      fs.rmSync(out, { recursive: true, force: true });
    }
    return { rows: opts.rows, cols: opts.cols, partitions, runs };
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

export function describeDask(r: DaskResult): string {
  const one = r.runs.find((x) => x.workers === 1);
  return (
    `${fmtInt(r.rows)} rows × ${r.cols} columns in ${r.partitions} CSV partitions; an ae (16-8) exported as ONNX, evaluated with numpy on each worker; ` +
    `scores checked against the app's on ${fmtInt(r.runs[0]?.checkedRows ?? 0)} rows spread over every partition (relative difference ≤ ${CHECK_TOLERANCE})\n` +
    table(
      ['workers', 'rows', 'seconds', 'rows/s', 'vs 1 worker', 'equal to the app', 'max rel. diff'],
      r.runs.map((x) => [
        String(x.workers), fmtInt(x.rows), x.seconds.toFixed(2), fmtInt(x.rowsPerSecond), one ? `${(x.rowsPerSecond / one.rowsPerSecond).toFixed(2)}×` : '',
        `${fmtInt(x.matched)} of ${fmtInt(x.checkedRows)}`, x.maxRelDiff.toExponential(1),
      ]),
    )
  );
}

if (isMain(import.meta.url)) {
  const [rows, cols, dir] = process.argv.slice(2);
  const r = await benchDask({ rows: Number(rows ?? 1_000_000), cols: Number(cols ?? 30), dir: dir ?? defaultBenchDir() });
  console.log(r ? describeDask(r) : `${PYTHON} lacks numpy, onnx or distributed: apt-get install python3-onnx python3-distributed`);
}
