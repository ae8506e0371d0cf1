/**
 * Engine throughput: training samples/s and scoring rows/s on the active backend for a small
 * (30-16-8-16-30) and a wide (784-128-32-128-784) autoencoder at batch 256, and the same shapes through
 * the PyTorch reference (../shared/bench/reference.py beside the checkout, or $REFERENCE_PY) when /usr/bin/python3 has
 * torch; and the convolutional autoencoder (seed 003's 16-8-8) on 28×28 images beside the same network in PyTorch
 * (bench/conv.ts, bench/conv_reference.py). Run alone: `npx tsx bench/engine.ts`.
 *
 * Scoring is measured two ways. In memory, like the reference (which times one forward pass over a tensor already
 * in memory and the mean squared error per row): our scoring pass over model inputs already in memory, in the score
 * job's batches, computing the per-row and the per-column errors. End to end: the whole score job, which also reads
 * the rows from the project file, transforms them, writes every row's and every column's error and the rank order.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { importDataset } from '../src-main/core/data';
import { getModel, initBackend, scoreDataset, trainModel } from '../src-main/core/engine';
import { BATCH_ROWS, matchColumns, readWindow } from '../src-main/core/engine/columns';
import { dimOwners, transform } from '../src-main/core/engine/preprocess';
import { reconstructionErrors } from '../src-main/core/engine/recon';
import { loadNetwork } from '../src-main/core/engine/score';
import { Prng } from '../src-main/core/engine/prng';
import { ProjectStore } from '../src-main/core/store';
import { benchConv } from './conv';
import { fmtInt, isMain, median, pythonHas, table } from './util';

export interface BenchCase {
  readonly name: string;
  readonly inputs: number;
  readonly layers: readonly number[];
  readonly rows: number;
  readonly epochs: number;
}

export interface BenchRow extends BenchCase {
  readonly backend: string;
  /** The engine path that trained and scored: 'wasm-fused' or 'tfjs' (RESIDUAL_FUSED=0 measures tfjs). */
  readonly path: string;
  readonly trainSamplesPerSecond: number;
  /** The scoring pass over model inputs in memory (row and column errors), as reference.py times its forward; median of 3. */
  readonly scoreInMemoryRowsPerSecond: number;
  /** End to end (reading the stored chunks, the forward pass, writing row/column errors and the rank), median of 3 runs. */
  readonly scoreRowsPerSecond: number;
  /** reference.py on the same CSV and shape, median of 3 runs. */
  readonly torch: { readonly trainSamplesPerSecond: number; readonly scoreRowsPerSecond: number } | null;
}

/** Sized so that each training run takes a few seconds on one wasm thread. */
export const BENCH_CASES: readonly BenchCase[] = [
  { name: '30-16-8-16-30', inputs: 30, layers: [16, 8], rows: 40_000, epochs: 6 },
  { name: '784-128-32-128-784', inputs: 784, layers: [128, 32], rows: 8_000, epochs: 4 },
];

const PYTHON = '/usr/bin/python3';
const BATCH = 256;

export async function benchEngine(cases: readonly BenchCase[] = BENCH_CASES, log: (line: string) => void = console.log): Promise<BenchRow[]> {
  const backend = await initBackend();
  log(`backend: ${backend.name}${backend.name === 'wasm' ? ` (simd ${backend.simd}, threads ${backend.threads})` : ''}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'residual-bench-'));
  // The workplace keeps the reference beside the checkout: ../shared/bench/reference.py.
  const reference = process.env.REFERENCE_PY ?? path.resolve(import.meta.dirname, '../../shared/bench/reference.py');
  const torch = fs.existsSync(reference) && pythonHas(['torch', 'sklearn', 'pandas'], PYTHON);
  if (!torch) log(`PyTorch comparison skipped (${fs.existsSync(reference) ? `${PYTHON} lacks torch/sklearn/pandas` : `${reference} not found`}).`);
  const out: BenchRow[] = [];
  try {
    const store = ProjectStore.open(path.join(dir, 'bench.residual'), { create: true });
    try {
      for (const c of cases) {
        const csv = path.join(dir, `${c.name}.csv`);
        writeSyntheticCsv(csv, c.inputs, c.rows, 1);
        const { dataset } = await importDataset(store, csv, { name: c.name, label: 'label', positive: '1' });
        // A plain autoencoder, as reference.py's (the wizard's default is an ensemble, and robust training's trim adds passes).
        const settings = { kind: 'ae' as const, layers: [...c.layers], epochs: c.epochs, batchSize: BATCH, validation: 0, patience: 0, trim: 0, log1p: 'none' as const, seed: 0 };
        const trained = await trainModel(store, { dataset: dataset.id, settings });
        const scoring: number[] = [];
        for (let i = 0; i < 3; i++) scoring.push((await scoreDataset(store, { modelId: trained.modelId })).rowsPerSecond);
        const row: BenchRow = {
          ...c,
          backend: backend.name,
          path: trained.path,
          trainSamplesPerSecond: trained.samplesPerSecond,
          scoreInMemoryRowsPerSecond: await scoreInMemory(store, trained.modelId, dataset.id),
          scoreRowsPerSecond: median(scoring),
          torch: torch ? runReference(reference, csv, c) : null,
        };
        out.push(row);
      }
      // The convolutional autoencoder on 28×28 images beside the same network in PyTorch (bench/conv.ts).
      if (cases === BENCH_CASES) out.push(await benchConv(store, dir, backend.name, pythonHas(['torch', 'numpy'], PYTHON), log));
    } finally {
      store.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  log(render(out));
  return out;
}

/**
 * The score job's inner loop without its I/O: the dataset's model inputs are read and transformed first (untimed),
 * then scored in the job's batches with per-row and per-column errors, as scoreDataset computes them.
 */
export async function scoreInMemory(store: ProjectStore, modelId: number, datasetId: number): Promise<number> {
  const model = getModel(store, modelId);
  const ds = store.getDataset(datasetId);
  const pp = model.preprocessing;
  const n = ds.rowCount;
  const d = pp.inputDims;
  const x = transform(pp, readWindow(store, ds.id, matchColumns(ds, pp), 0, n), n);
  const owners = dimOwners(pp);
  const net = loadNetwork(store, model);
  try {
    const rates: number[] = [];
    for (let k = 0; k < 3; k++) {
      const t = performance.now();
      for (let s = 0; s < n; s += BATCH_ROWS) {
        const m = Math.min(BATCH_ROWS, n - s);
        await reconstructionErrors(net, x.subarray(s * d, (s + m) * d), m, owners, pp.features.length, { withKl: false, keepRecon: false });
      }
      rates.push(n / ((performance.now() - t) / 1000));
    }
    return median(rates);
  } finally {
    net.dispose();
  }
}

/** Low-rank data plus noise, 1% of rows shifted (label 1), as a CSV reference.py can read too. */
export function writeSyntheticCsv(file: string, inputs: number, rows: number, seed: number): void {
  const rng = new Prng(seed);
  const rank = Math.max(2, Math.round(Math.sqrt(inputs) / 2));
  const mix = Array.from({ length: rank * inputs }, () => rng.normal());
  const lines = [[...Array.from({ length: inputs }, (_, j) => `f${j}`), 'label'].join(',')];
  const z = new Float64Array(rank);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < rank; k++) z[k] = rng.normal();
    const anomaly = rng.next() < 0.01;
    const vals = new Array<string>(inputs);
    for (let j = 0; j < inputs; j++) {
      let v = 0.1 * rng.normal() + (anomaly ? 2 * rng.normal() : 0);
      for (let k = 0; k < rank; k++) v += z[k]! * mix[k * inputs + j]!;
      vals[j] = v.toFixed(5);
    }
    lines.push(`${vals.join(',')},${anomaly ? 1 : 0}`);
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

/** Runs of reference.py per case: its single timed forward pass varies up to 2× from run to run, so the median of 3. */
const REFERENCE_RUNS = 3;

function runReference(script: string, csv: string, c: BenchCase): { trainSamplesPerSecond: number; scoreRowsPerSecond: number } {
  const runs = Array.from({ length: REFERENCE_RUNS }, () => runReferenceOnce(script, csv, c));
  return { trainSamplesPerSecond: median(runs.map((r) => r.trainSamplesPerSecond)), scoreRowsPerSecond: median(runs.map((r) => r.scoreRowsPerSecond)) };
}

function runReferenceOnce(script: string, csv: string, c: BenchCase): { trainSamplesPerSecond: number; scoreRowsPerSecond: number } {
  const stdout = execFileSync(PYTHON, [script, csv, 'label', '1', '--arch', c.layers.join(','), '--epochs', String(c.epochs), '--batch', String(BATCH)], {
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  const res = JSON.parse(stdout.trim().split('\n').pop()!) as { torch_ae: { train_samples_per_s: number; score_rows_per_s: number } };
  return { trainSamplesPerSecond: res.torch_ae.train_samples_per_s, scoreRowsPerSecond: res.torch_ae.score_rows_per_s };
}

function render(rows: readonly BenchRow[]): string {
  const head = ['network', 'rows x epochs', 'backend', 'path', 'train samples/s', 'torch', 'ours/torch', 'score rows/s in memory', 'torch', 'ours/torch', 'score job rows/s', 'ours/torch'];
  const ratio = (a: number, b: number | undefined): string => (b ? (a / b).toFixed(2) : '-');
  return table(
    head,
    rows.map((r) => [
      r.name,
      `${r.rows} x ${r.epochs}`,
      r.backend,
      r.path,
      fmtInt(r.trainSamplesPerSecond),
      r.torch ? fmtInt(r.torch.trainSamplesPerSecond) : '-',
      ratio(r.trainSamplesPerSecond, r.torch?.trainSamplesPerSecond),
      fmtInt(r.scoreInMemoryRowsPerSecond),
      r.torch ? fmtInt(r.torch.scoreRowsPerSecond) : '-',
      ratio(r.scoreInMemoryRowsPerSecond, r.torch?.scoreRowsPerSecond),
      fmtInt(r.scoreRowsPerSecond),
      ratio(r.scoreRowsPerSecond, r.torch?.scoreRowsPerSecond),
    ]),
  );
}

if (isMain(import.meta.url)) {
  await benchEngine();
}
