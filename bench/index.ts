/**
 * `npm run bench`: CLI start-up (issue #11), import speed (issue #2; wide files, issue #18; Parquet, issue #15), engine throughput (issue #3), the ranking at 1M rows (issue #5) and the
 * app's whole flow end to end at 1M rows over HTTP (issue #7), detection quality on labelled data (issue #12), Fashion-MNIST one-class ROC AUC of the
 * convolutional autoencoder, the dense one and IsolationForest (issue #14, the `images` part; --fast: 1,000 normal images, --seeds N), Dask scoring with the exported ONNX model (issue #15),
 * ten million rows end to end and on Dask (issue #15, the `scale` part), each measured in this run, then one summary table.
 *
 *   npm run bench -- [--only cli|import|parquet|engine|ranking|e2e|concurrency|quality|images|views|dask|scale[,…]] [--rows N] [--cols N] [--dir D] [--rebuild]
 *                    [--quality-datasets a,b] [--seeds N] [--fast] [--scale-rows N]
 *
 * --rows/--cols size the generated CSV of the import, parquet, ranking, e2e and dask parts (default 1,000,000 × 30); the engine part
 * has its own fixed cases. --dir holds the CSV and the cached ranking project (default $RESIDUAL_BENCH_DIR or
 * <tmp>/residual-bench); --rebuild builds that project again instead of reusing it. --quality-datasets, --seeds and
 * --fast are the quality part's (bench/quality.ts): a subset of its datasets, seeds per stochastic method (default 3),
 * one seed and fewer methods. --scale-rows sizes the scale part (default 10,000,000 rows × --cols): the e2e flow and the
 * Dask recipe at that size, judged against issue #15's budgets (processes under 3 GB together, the window within 100 ms).
 */
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { benchCli } from './cli';
import { benchConcurrency, CHEAP_P95_TARGET_MS, CLIENTS } from './concurrency';
import { benchQuality, MAX_SEED_SPREAD } from './quality';
import { benchImages } from './images';
import { benchImageViews, viewsTable } from './image-views';
import { benchE2e, combinedPeakMB, E2E_EPOCHS, E2E_LAYERS, type E2eReport } from './e2e';
import { benchImport, benchPandas, benchWideImport, ensureBenchCsv, WIDE_ROWS, type BenchResult, type PandasResult } from './import';
import { benchParquet, describeParquet } from './parquet';
import { benchDask, describeDask } from './dask';
import { benchRanking, describeBackend, type RankingResult } from './ranking';
import { defaultBenchDir, fmtInt, fmtMB, fmtMs, peakRssMB, table } from './util';

const PARTS = ['cli', 'import', 'parquet', 'engine', 'ranking', 'e2e', 'concurrency', 'quality', 'images', 'views', 'dask', 'scale'] as const;
type Part = (typeof PARTS)[number];

/** The issue #2 target: pandas.read_csv's speed on the reference machine, SQLite write included, within 1 GB. */
const IMPORT_TARGET_ROWS_PER_S = 136_000;
const IMPORT_TARGET_RSS_MB = 1024;
/** The yardstick for an interactive view of the ranking screen. */
const VIEW_BUDGET_MS = 200;
/** Issue #7: engine and bridge processes together, and input handled while training runs. */
const E2E_RSS_BUDGET_MB = 2048;
const E2E_INPUT_BUDGET_MS = 100;
/** Issue #15: ten million rows, the app's processes together under 3 GB. */
const SCALE_ROWS = 10_000_000;
const SCALE_RSS_BUDGET_MB = 3072;

/** What the summary needs of bench/engine.ts's rows (another engineer's module, loaded when present). */
interface EngineRow {
  readonly name: string;
  readonly backend: string;
  readonly trainSamplesPerSecond: number;
  readonly scoreInMemoryRowsPerSecond: number;
  readonly scoreRowsPerSecond: number;
  readonly torch: { readonly trainSamplesPerSecond: number; readonly scoreRowsPerSecond: number } | null;
}
type BenchEngine = () => Promise<readonly EngineRow[]>;

interface Args {
  readonly parts: readonly Part[];
  readonly rows: number;
  readonly cols: number;
  readonly dir: string;
  readonly rebuild: boolean;
  readonly scaleRows: number;
  readonly quality: { datasets?: string[]; seeds?: number; fast: boolean };
}

function parseArgs(argv: readonly string[]): Args {
  let parts: Part[] = [...PARTS];
  let rows = 1_000_000;
  let cols = 30;
  let dir = defaultBenchDir();
  let rebuild = false;
  let scaleRows = SCALE_ROWS;
  const quality: { datasets?: string[]; seeds?: number; fast: boolean } = { fast: false };
  const count = (flag: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`${flag} needs a whole number ≥ ${min}; got ${v ?? 'nothing'}.`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string | undefined => argv[++i];
    if (a === '--only') {
      const names = (value() ?? '').split(',').filter(Boolean);
      const bad = names.filter((n) => !(PARTS as readonly string[]).includes(n));
      if (names.length === 0 || bad.length) throw new Error(`--only takes ${PARTS.join('|')} (comma-separated); got ${bad.join(',') || 'nothing'}.`);
      parts = PARTS.filter((p) => names.includes(p));
    } else if (a === '--rows') rows = count(a, value(), 100);
    else if (a === '--cols') cols = count(a, value(), 2);
    else if (a === '--dir') dir = value() ?? dir;
    else if (a === '--rebuild') rebuild = true;
    else if (a === '--scale-rows') scaleRows = count(a, value(), 100);
    else if (a === '--quality-datasets') quality.datasets = (value() ?? '').split(',').filter(Boolean);
    else if (a === '--seeds') quality.seeds = count(a, value(), 1);
    else if (a === '--fast') quality.fast = true;
    else throw new Error(`Unknown option ${a}. Usage: npm run bench -- [--only ${PARTS.join('|')}] [--rows N] [--cols N] [--dir D] [--rebuild] [--quality-datasets a,b] [--seeds N] [--fast] [--scale-rows N]`);
  }
  return { parts, rows, cols, dir, rebuild, scaleRows, quality };
}

type SummaryRow = [part: string, figure: string, measured: string, reference: string, verdict: string];

const meets = (ok: boolean): string => (ok ? 'meets' : 'MISSES');

function heading(title: string): void {
  console.log(`\n=== ${title} ${'='.repeat(Math.max(0, 100 - title.length))}`);
}

function cliPart(summary: SummaryRow[]): void {
  heading(`CLI start-up (issue #11): whole processes, median of 10 runs (5 for train and score)`);
  const figures = benchCli();
  console.log(table(
    ['command', 'median', 'min', 'max', 'target'],
    figures.map((f) => [f.name, `${f.medianSeconds.toFixed(3)} s`, `${f.minSeconds.toFixed(3)} s`, `${f.maxSeconds.toFixed(3)} s`, f.targetSeconds === null ? '' : `≤ ${f.targetSeconds} s`]),
    [0],
  ));
  for (const f of figures) {
    summary.push(['cli', f.name, `${f.medianSeconds.toFixed(3)} s`, f.targetSeconds === null ? 'reference' : `≤ ${f.targetSeconds} s`, f.targetSeconds === null ? '' : meets(f.medianSeconds <= f.targetSeconds)]);
  }
}

async function concurrencyPart(args: Args, summary: SummaryRow[]): Promise<void> {
  heading(`Contract latency (issue #18): ${CLIENTS} clients at once while a training runs, ${fmtInt(args.rows)} rows`);
  const r = await benchConcurrency({ dir: args.dir, rows: args.rows, cols: args.cols });
  console.log(`${fmtInt(r.rows)} rows × ${r.cols} columns; ${r.seconds.toFixed(1)} s of calls; the training was ${r.trainingStillRunning ? 'still running at the end (then cancelled)' : 'NOT running throughout'}`);
  const line = (x: { method: string; cheap: boolean; calls: number; p50: number; p95: number; max: number }): string[] => [x.method, x.cheap ? 'cheap' : 'heavy', fmtInt(x.calls), fmtMs(x.p50), fmtMs(x.p95), fmtMs(x.max)];
  console.log(table(['call', 'kind', 'calls', 'p50', 'p95', 'max'], [...r.byMethod.map(line), line(r.cheap), line(r.heavy)], [0, 1]));
  summary.push(['concurrency', `cheap calls p50 / p95 / max (${CLIENTS} clients, training)`, `${fmtMs(r.cheap.p50)} / ${fmtMs(r.cheap.p95)} / ${fmtMs(r.cheap.max)}`, `p95 ≤ ${CHEAP_P95_TARGET_MS} ms`, meets(r.cheap.p95 <= CHEAP_P95_TARGET_MS && r.trainingStillRunning)]);
  summary.push(['concurrency', 'heavy reads p50 / p95 / max', `${fmtMs(r.heavy.p50)} / ${fmtMs(r.heavy.p95)} / ${fmtMs(r.heavy.max)}`, 'reference', '']);
}

/** Issue #14 item 3: the image views' calls on 10,000 Fashion-MNIST images (bench/image-views.ts). */
async function viewsPart(summary: SummaryRow[]): Promise<void> {
  heading('Image views (issue #14): thumbnails, a gallery page, mean maps; 10,000 Fashion-MNIST images, a 784-64-16 ae');
  const figures = await benchImageViews();
  if (!figures) {
    summary.push(['views', '(dataset-fashion-mnist absent)', 'not measured', '', '']);
    return;
  }
  console.log(viewsTable(figures));
  for (const f of figures) summary.push(['views', `${f.call}, ${f.rows.toLocaleString('en-US')} rows (median)`, `${f.medianMs.toFixed(0)} ms`, 'reference', '']);
}

/** Issue #14: Fashion-MNIST one-class ROC AUC, conv vs dense ae vs IsolationForest (bench/images.ts); --fast: 1,000 normal images, --seeds N. */
async function imagesPart(args: Args, summary: SummaryRow[]): Promise<void> {
  heading(`Fashion-MNIST one-class (issue #14): one class normal, 5 % of the others anomalous${args.quality.fast ? ' (--fast: 1,000 normal images)' : ', full size (6,000 normal images)'}`);
  const runs = await benchImages({ ...(args.quality.fast ? { normal: 1000 } : {}), ...(args.quality.seeds ? { seeds: args.quality.seeds } : {}) });
  if (!runs) {
    summary.push(['images', '(dataset-fashion-mnist absent)', 'not measured', '', '']);
    return;
  }
  for (const kind of ['conv', 'ae', 'iforest']) {
    const aucs = runs.map((r) => r.results[kind]!.auc);
    summary.push(['images', `${kind} mean ROC AUC (${runs.length} runs)`, (aucs.reduce((a, b) => a + b, 0) / aucs.length).toFixed(3), 'reference', '']);
  }
}

async function qualityPart(args: Args, summary: SummaryRow[], backends: string[]): Promise<void> {
  heading('Detection quality (issue #12): ROC AUC / AP on labelled public data, unsupervised (train and score all rows)');
  const r = await benchQuality({ dir: args.dir, ...args.quality });
  backends.push(`quality: ${r.backend}`);
  const a = r.acceptance;
  const f = (v: number | null): string => (v === null ? 'n/a' : v.toFixed(3));
  summary.push(['quality', `wizard default mean ROC AUC (${a.datasets} datasets, ${r.seeds.length} seeds)`, f(a.defaultMeanAuc), `${a.iforestSource} ${f(a.iforestMeanAuc)}`, meets(a.meets)]);
  summary.push(['quality', 'wizard default mean seed spread (max − min AUC)', f(a.defaultMeanSpread), `≤ ${MAX_SEED_SPREAD}`, r.seeds.length > 1 ? meets(a.defaultMeanSpread !== null && a.defaultMeanSpread <= MAX_SEED_SPREAD) : '1 seed']);
  const best = [...r.summary].filter((s) => s.meanRank !== null).sort((x, y) => x.meanRank! - y.meanRank!)[0];
  if (best) summary.push(['quality', 'best mean rank', `${best.method} (${best.meanRank!.toFixed(2)})`, 'reference', '']);
}

async function importPart(args: Args, summary: SummaryRow[]): Promise<void> {
  await importMain(args, summary);
  await importWide(args, summary);
}

async function importMain(args: Args, summary: SummaryRow[]): Promise<void> {
  heading(`Import (issue #2): ${fmtInt(args.rows)} × ${args.cols} CSV into a new project`);
  await importFile(args, summary, false);
  console.log(`\nThe same shape with full-precision doubles as pandas' to_csv writes them (16–17 significant digits; issue #15)`);
  await importFile(args, summary, true);
}

/** One generated file (`full`: full-precision doubles) imported, beside pandas.read_csv on it in the same run. */
async function importFile(args: Args, summary: SummaryRow[], full: boolean): Promise<void> {
  const label = full ? 'import (full precision)' : 'import';
  const r: BenchResult = await benchImport({ rows: args.rows, cols: args.cols, dir: args.dir, full });
  const csv = ensureBenchCsv(args.dir, args.rows, args.cols, full);
  console.log(`file: ${csv} (${fmtInt(r.bytes / 1024 ** 2)} MiB)`);
  console.log(
    `Residual import (parse, infer roles, columnar SQLite write, statistics; own process): ${r.seconds.toFixed(2)} s, ` +
      `${fmtInt(r.rowsPerSecond)} rows/s, peak RSS ${fmtMB(r.peakRssMB)}`,
  );
  console.log(`target: ≥ ${fmtInt(IMPORT_TARGET_ROWS_PER_S)} rows/s within ${fmtInt(IMPORT_TARGET_RSS_MB)} MB`);
  summary.push([label, 'rows/s', fmtInt(r.rowsPerSecond), `≥ ${fmtInt(IMPORT_TARGET_ROWS_PER_S)}`, meets(r.rowsPerSecond >= IMPORT_TARGET_ROWS_PER_S)]);
  summary.push([label, 'peak RSS', fmtMB(r.peakRssMB), `≤ ${fmtInt(IMPORT_TARGET_RSS_MB)} MB`, meets(r.peakRssMB <= IMPORT_TARGET_RSS_MB)]);
  let pandas: PandasResult | null = null;
  try {
    pandas = benchPandas(csv);
  } catch (e) {
    console.log(`pandas.read_csv failed: ${(e as Error).message.split('\n')[0]}`);
    summary.push([label, 'pandas.read_csv', 'failed', '', '']);
    return;
  }
  if (!pandas) {
    console.log('pandas comparison: skipped (/usr/bin/python3 cannot import pandas; apt-get install python3-pandas)');
    summary.push([label, 'pandas.read_csv', 'not measured', 'python3-pandas absent', '']);
    return;
  }
  const ratio = r.rowsPerSecond / pandas.rowsPerSecond;
  console.log(
    `pandas ${pandas.version} read_csv (DataFrame in memory only, nothing written): ${pandas.seconds.toFixed(2)} s, ` +
      `${fmtInt(pandas.rowsPerSecond)} rows/s, peak RSS ${fmtMB(pandas.peakRssMB)}`,
  );
  console.log(`Residual / pandas on this machine, this run: ${ratio.toFixed(2)}× the rows/s`);
  summary.push([label, 'pandas.read_csv rows/s', fmtInt(pandas.rowsPerSecond), 'same file, same run', '']);
  summary.push([label, 'Residual / pandas', `${ratio.toFixed(2)}×`, '≥ 1.00×', meets(ratio >= 1)]);
}

/** Issue #18: wide files of WIDE_ROWS rows; columns/s that stays level as the width grows means linear in the columns. */
async function importWide(args: Args, summary: SummaryRow[]): Promise<void> {
  console.log(`\nWide files (issue #18): ${WIDE_ROWS}-row CSVs of 1k, 4k and 20k numeric columns, each imported in its own process`);
  const wide = await benchWideImport({ dir: args.dir });
  const kcols = (n: number): string => `${n / 1000}k`;
  console.log(table(
    ['columns', 'file', 'import', 'columns/s', 's per 1k columns', 'peak RSS'],
    wide.map((w) => [fmtInt(w.cols), `${(w.bytes / 1024 ** 2).toFixed(1)} MiB`, `${w.seconds.toFixed(2)} s`, fmtInt(w.columnsPerSecond), (w.seconds / (w.cols / 1000)).toFixed(3), fmtMB(w.peakRssMB)]),
  ));
  const first = wide[0]!;
  const last = wide[wide.length - 1]!;
  const ratio = last.columnsPerSecond / first.columnsPerSecond;
  console.log(`columns/s at ${kcols(last.cols)} ÷ at ${kcols(first.cols)}: ${ratio.toFixed(2)}× (about 1× when the import is linear in the column count; before issue #18 it fell with the width)`);
  for (const w of wide) summary.push(['import', `${WIDE_ROWS} rows × ${kcols(w.cols)} columns`, `${w.seconds.toFixed(2)} s (${fmtInt(w.columnsPerSecond)} columns/s)`, '', '']);
  summary.push(['import', `columns/s ${kcols(last.cols)} ÷ ${kcols(first.cols)}`, `${ratio.toFixed(2)}×`, '≈ 1× (linear)', '']);
}

/** Issue #15: the same data as Parquet (snappy, zstd) and as CSV, imported; the candidate readers alone on the same files. */
async function parquetPart(args: Args, summary: SummaryRow[]): Promise<void> {
  heading(`Parquet import (issue #15): ${fmtInt(args.rows)} × ${args.cols} as Parquet beside the same data as CSV; the candidate readers alone`);
  const r = await benchParquet({ rows: args.rows, cols: args.cols, dir: args.dir });
  console.log(describeParquet(r));
  const csv = r.imports.find((i) => i.source === 'CSV')!;
  for (const i of r.imports) {
    summary.push(['parquet', `import ${i.source} rows/s (peak RSS)`, `${fmtInt(i.rowsPerSecond)} (${fmtMB(i.peakRssMB)})`, i === csv ? 'reference' : `CSV ${fmtInt(csv.rowsPerSecond)} (${(i.rowsPerSecond / csv.rowsPerSecond).toFixed(2)}×)`, '']);
  }
  for (const x of r.readers) {
    if (x.version !== null) summary.push(['parquet', `${x.reader} decodes ${x.codec}, rows/s`, fmtInt(x.rowsPerSecond), 'reader alone', '']);
  }
}

/** Issue #15: the Dask scoring recipe (scripts/dask_score.py) over the same data in partitions, 1 and 2 workers. */
async function daskPart(args: Args, summary: SummaryRow[]): Promise<void> {
  heading(`Scoring on Dask (issue #15): scripts/dask_score.py on ${fmtInt(args.rows)} × ${args.cols} in partitions, LocalCluster of 1 and 2 workers`);
  const r = await benchDask({ rows: args.rows, cols: args.cols, dir: args.dir });
  if (!r) {
    console.log('/usr/bin/python3 lacks numpy, onnx or distributed (apt-get install python3-onnx python3-distributed): the dask part was not measured.');
    summary.push(['dask', '(python3-onnx or python3-distributed missing)', 'not measured', '', '']);
    return;
  }
  console.log(describeDask(r));
  for (const x of r.runs) {
    summary.push(['dask', `score rows/s, ${x.workers} worker${x.workers === 1 ? '' : 's'} (numpy evaluator)`, fmtInt(x.rowsPerSecond), 'reference', '']);
    summary.push(['dask', `scores equal to the app's (${x.workers} worker${x.workers === 1 ? '' : 's'})`, `${fmtInt(x.matched)} of ${fmtInt(x.checkedRows)}`, 'all', meets(x.matched === x.checkedRows)]);
  }
}

async function enginePart(summary: SummaryRow[], backends: string[]): Promise<boolean> {
  heading('Engine (issue #3): training and scoring throughput, beside PyTorch');
  const file = fileURLToPath(new URL('./engine.ts', import.meta.url));
  if (!fs.existsSync(file)) {
    console.log('bench/engine.ts is ABSENT from this checkout: the engine part was not measured.');
    summary.push(['engine', '(bench/engine.ts absent)', 'not measured', '', '']);
    return true;
  }
  let benchEngine: BenchEngine | undefined;
  try {
    benchEngine = ((await import(new URL('./engine.ts', import.meta.url).href)) as { benchEngine?: BenchEngine }).benchEngine;
  } catch (e) {
    console.log(`bench/engine.ts failed to load: ${(e as Error).message.split('\n')[0]}`);
    summary.push(['engine', '(bench/engine.ts failed to load)', 'not measured', '', '']);
    return false;
  }
  if (typeof benchEngine !== 'function') {
    console.log('bench/engine.ts exports no benchEngine(): the engine part was not measured.');
    summary.push(['engine', '(no benchEngine export)', 'not measured', '', '']);
    return true;
  }
  const rows = await benchEngine();
  backends.push(`engine: ${[...new Set(rows.map((r) => r.backend))].join(', ')}`);
  for (const r of rows) {
    const vs = (ours: number, torch: number | undefined): string => (torch ? `torch ${fmtInt(torch)} (${(ours / torch).toFixed(2)}×)` : 'no torch reference');
    // Issue #7's targets: training and scoring at least PyTorch's speed on this machine (scoring like for like, in memory).
    const atLeast = (ours: number, torch: number | undefined): string => (torch ? meets(ours >= torch) : '');
    summary.push([`engine ${r.name}`, `train samples/s (${r.backend})`, fmtInt(r.trainSamplesPerSecond), vs(r.trainSamplesPerSecond, r.torch?.trainSamplesPerSecond), atLeast(r.trainSamplesPerSecond, r.torch?.trainSamplesPerSecond)]);
    summary.push([`engine ${r.name}`, `score rows/s in memory (${r.backend})`, fmtInt(r.scoreInMemoryRowsPerSecond), vs(r.scoreInMemoryRowsPerSecond, r.torch?.scoreRowsPerSecond), atLeast(r.scoreInMemoryRowsPerSecond, r.torch?.scoreRowsPerSecond)]);
    summary.push([`engine ${r.name}`, `score job rows/s, end to end (${r.backend})`, fmtInt(r.scoreRowsPerSecond), vs(r.scoreRowsPerSecond, r.torch?.scoreRowsPerSecond), '']);
  }
  return true;
}

async function rankingPart(args: Args, summary: SummaryRow[], backends: string[]): Promise<void> {
  heading(`Ranking (issue #5): time to the first ranked page at ${fmtInt(args.rows)} rows`);
  const r: RankingResult = await benchRanking({ rows: args.rows, cols: args.cols, dir: args.dir, rebuild: args.rebuild });
  const { build: b, queries: q, bridge: br } = r;
  backends.push(`ranking: ${describeBackend(b.backend).split(';')[0]}`);
  const src = r.builtNow ? '' : ' (cached build)';
  const budget = `≤ ${VIEW_BUDGET_MS} ms`;
  const view = (figure: string, ms: number, cpuMs?: number): SummaryRow => [
    'ranking',
    figure,
    `${fmtMs(ms)}${cpuMs === undefined ? '' : ` (cpu ${fmtMs(cpuMs)})`}`,
    budget,
    meets(ms <= VIEW_BUDGET_MS),
  ];
  summary.push(['ranking', `training samples/s at ${fmtInt(b.rows)} rows (${b.backend.name})${src}`, fmtInt(b.train.samplesPerSecond), '', '']);
  summary.push(['ranking', `scoring rows/s at ${fmtInt(b.rows)} rows (${b.backend.name})${src}`, fmtInt(b.score.rowsPerSecond), '', '']);
  summary.push(view('first page, first call (fresh Workbench)', q.rankFirst.firstMs, q.rankFirst.firstCpuMs));
  summary.push(view('first page, warm', q.rankFirst.warmMs, q.rankFirst.warmCpuMs));
  summary.push(view(`page at offset ${fmtInt(q.rankDeep.offset)}, warm`, q.rankDeep.warmMs, q.rankDeep.warmCpuMs));
  summary.push(view('flagged & unreviewed page, warm', q.rankFiltered.warmMs, q.rankFiltered.warmCpuMs));
  summary.push(view('score.distribution, warm', q.distribution.warmMs, q.distribution.warmCpuMs));
  summary.push(view(`score.heatmap all rows → ${q.heatmap.bands} bands, warm`, q.heatmap.warmMs, q.heatmap.warmCpuMs));
  summary.push(view(`row.detail × ${q.rowDetail.rows}, warm`, q.rowDetail.warmMs, q.rowDetail.warmCpuMs));
  summary.push(['ranking', `row.detail × ${q.rowDetail.rows}, first call (+ backend init)`, fmtMs(q.rowDetail.firstMs), '', '']);
  summary.push(view('first page over HTTP + IPC, first call', br.rankFirst.firstMs));
  summary.push(view('first page over HTTP + IPC, warm', br.rankFirst.warmMs));
  summary.push(['ranking', 'peak RSS: build / queries / engine / bridge', [b.peakRssMB, q.peakRssMB, br.enginePeakRssMB, br.peakRssMB].map(fmtMB).join(' / '), '', '']);
}

async function e2ePart(args: Args, summary: SummaryRow[], backends: string[]): Promise<void> {
  heading(`End to end (issue #7): import → train → score → rank → heatmap → report at ${fmtInt(args.rows)} rows, over HTTP`);
  const r: E2eReport = await benchE2e({ rows: args.rows, cols: args.cols, dir: args.dir });
  backends.push(`e2e: ${r.backend}`);
  e2eSummary('e2e', r, E2E_RSS_BUDGET_MB, summary);
}

/** The e2e figures as summary rows of `part`: each step, the total, peak RSS and the window's latency against the budgets. */
function e2eSummary(part: string, r: E2eReport, rssBudgetMB: number, summary: SummaryRow[]): void {
  for (const s of r.steps) summary.push([part, s.step, fmtMs(s.ms), '', '']);
  summary.push([part, `total (model ${E2E_LAYERS.join('-')}, ${E2E_EPOCHS} epochs)`, fmtMs(r.totalMs), '', '']);
  const rss = combinedPeakMB(r);
  summary.push([part, `peak RSS, engine ${fmtMB(r.enginePeakRssMB)} + bridge ${fmtMB(r.peakRssMB)}`, fmtMB(rss), `< ${fmtInt(rssBudgetMB)} MB`, meets(r.enginePeakRssMB !== null && rss < rssBudgetMB)]);
  const input = (figure: string, ms: number): SummaryRow => [part, figure, fmtMs(ms), `≤ ${E2E_INPUT_BUDGET_MS} ms`, meets(r.status.count > 0 && ms <= E2E_INPUT_BUDGET_MS)];
  summary.push(input(`window's cheap calls during the steps, p95 (${r.status.count} calls)`, r.status.p95Ms));
  summary.push(input('window\'s cheap calls during the steps, max', r.status.maxMs));
  if (r.projectBytes !== undefined) summary.push([part, 'project file size', fmtMB(r.projectBytes / 1024 ** 2), 'reported', '']);
}

/** Issue #15: ten million rows end to end (the e2e flow) and scored on Dask (1 and 2 workers), against the budgets. */
async function scalePart(args: Args, summary: SummaryRow[], backends: string[]): Promise<void> {
  const rows = args.scaleRows;
  heading(`Scale (issue #15): import → train → score → rank → heatmap → report at ${fmtInt(rows)} rows × ${args.cols}, over HTTP; then Dask scoring`);
  console.log(`load average before: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const r = await benchE2e({ rows, cols: args.cols, dir: args.dir });
  backends.push(`scale: ${r.backend}`);
  console.log(`load average after the flow: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  e2eSummary('scale', r, SCALE_RSS_BUDGET_MB, summary);
  summary.push(['scale', 'rows trained on (training + validation)', `${fmtInt(r.trainedRows.used)} of ${fmtInt(r.trainedRows.rows)}`, r.trainedRows.sampleRows ? `sampleRows ${fmtInt(r.trainedRows.sampleRows)}` : 'all rows', '']);
  console.log('');
  const d = await benchDask({ rows, cols: args.cols, dir: args.dir });
  if (!d) {
    console.log('/usr/bin/python3 lacks numpy, onnx or distributed (apt-get install python3-onnx python3-distributed): Dask scoring was not measured.');
    summary.push(['scale', 'Dask scoring (python3-onnx or python3-distributed missing)', 'not measured', '', '']);
    return;
  }
  console.log(describeDask(d));
  for (const x of d.runs) {
    summary.push(['scale', `Dask score rows/s, ${x.workers} worker${x.workers === 1 ? '' : 's'}, ${d.partitions} partitions`, fmtInt(x.rowsPerSecond), 'reference', '']);
    summary.push(['scale', `Dask scores equal to the app's (${x.workers} worker${x.workers === 1 ? '' : 's'})`, `${fmtInt(x.matched)} of ${fmtInt(x.checkedRows)}`, 'all', meets(x.matched === x.checkedRows)]);
  }
}

async function main(): Promise<void> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`bench: ${(e as Error).message}`);
    process.exitCode = 2;
    return;
  }
  const cpu = os.cpus();
  console.log(`Residual bench — ${new Date().toISOString()}`);
  console.log(
    `machine: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${fmtInt(os.totalmem() / 1024 ** 3)} GiB RAM, Node ${process.version}, ` +
      `load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (figures are wall-clock: other work on the machine slows them)`,
  );
  console.log(`parts: ${args.parts.join(', ')}; data: ${fmtInt(args.rows)} rows × ${args.cols} columns${args.parts.includes('scale') ? ` (the scale part: ${fmtInt(args.scaleRows)} rows)` : ''} in ${args.dir}`);
  const summary: SummaryRow[] = [];
  const backends: string[] = [];
  const failed: string[] = [];
  for (const part of args.parts) {
    try {
      if (part === 'cli') cliPart(summary);
      else if (part === 'import') await importPart(args, summary);
      else if (part === 'parquet') await parquetPart(args, summary);
      else if (part === 'engine') {
        if (!(await enginePart(summary, backends))) failed.push(part);
      } else if (part === 'ranking') await rankingPart(args, summary, backends);
      else if (part === 'concurrency') await concurrencyPart(args, summary);
      else if (part === 'quality') await qualityPart(args, summary, backends);
      else if (part === 'images') await imagesPart(args, summary);
      else if (part === 'views') await viewsPart(summary);
      else if (part === 'dask') await daskPart(args, summary);
      else if (part === 'scale') await scalePart(args, summary, backends);
      else await e2ePart(args, summary, backends);
    } catch (e) {
      failed.push(part);
      console.log(`${part} part FAILED: ${(e as Error).stack ?? String(e)}`);
      summary.push([part, '(failed)', 'not measured', '', '']);
    }
  }
  heading('Summary');
  if (backends.length) console.log(`backend (backendInfo()) — ${backends.join('; ')}`);
  console.log(table(['part', 'figure', 'measured', 'target / reference', ''], summary, [0, 1, 3]));
  console.log('meets / MISSES judge the wall-clock figure; "cpu" is the serving process\'s own CPU time for the same call.');
  console.log(`load average at end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}; this process's peak RSS ${fmtMB(peakRssMB())}`);
  if (failed.length) {
    console.log(`failed parts: ${failed.join(', ')}`);
    process.exitCode = 1;
  }
}

await main();
