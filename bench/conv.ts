/**
 * Convolutional autoencoder throughput (issue #14): Residual's 'conv' kind (seed 003's 16-8-8 network) on 28×28 grey
 * images, training samples/s and scoring rows/s, beside the same network in PyTorch (bench/conv_reference.py, torch on
 * 2 threads as ../shared/bench/reference.py's dense figures) on the same images. The images are the first of
 * Fashion-MNIST's test set (Debian's dataset-fashion-mnist) when installed, else seeded noise images of the same size.
 * Part of `npm run bench -- --only engine` (a row beside the dense networks); alone: `npx tsx bench/conv.ts`.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { importDataset } from '../src-main/core/data';
import { scoreDataset, trainModel } from '../src-main/core/engine';
import { Prng } from '../src-main/core/engine/prng';
import type { ProjectStore } from '../src-main/core/store';
import { scoreInMemory, type BenchRow } from './engine';
import { median } from './util';

export const FASHION_MNIST_TEST = '/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz';
const PYTHON = '/usr/bin/python3';
const SIDE = 28;
const FILTERS = [16, 8, 8] as const;
const BATCH = 256;
/** Sized so the training run takes tens of seconds on one wasm thread. */
export const CONV_CASE = { name: 'conv 28x28 16-8-8', inputs: SIDE * SIDE, layers: [...FILTERS], rows: 4000, epochs: 2 } as const;

/** An IDX file of `count` 28×28 grey images: Fashion-MNIST's first test images, or seeded noise when it is absent. */
export function writeBenchImages(file: string, count: number): 'fashion-mnist' | 'noise' {
  let pixels: Uint8Array;
  let source: 'fashion-mnist' | 'noise';
  if (fs.existsSync(FASHION_MNIST_TEST)) {
    const all = zlib.gunzipSync(fs.readFileSync(FASHION_MNIST_TEST));
    pixels = all.subarray(16, 16 + count * SIDE * SIDE);
    source = 'fashion-mnist';
  } else {
    const rng = new Prng(1);
    pixels = Uint8Array.from({ length: count * SIDE * SIDE }, () => Math.floor(rng.next() * 256));
    source = 'noise';
  }
  const head = Buffer.alloc(16);
  head.writeUInt32BE(0x803, 0);
  head.writeUInt32BE(count, 4);
  head.writeUInt32BE(SIDE, 8);
  head.writeUInt32BE(SIDE, 12);
  fs.writeFileSync(file, Buffer.concat([head, pixels]));
  return source;
}

/** The conv row of the engine table: trained and scored here, and by bench/conv_reference.py when torch is there. */
export async function benchConv(store: ProjectStore, dir: string, backend: string, torch: boolean, log: (line: string) => void): Promise<BenchRow> {
  const c = CONV_CASE;
  const file = path.join(dir, 'conv-images-idx3-ubyte');
  const source = writeBenchImages(file, c.rows);
  const { dataset } = await importDataset(store, file, { name: 'conv-bench' });
  const settings = { kind: 'conv' as const, filters: [...FILTERS], epochs: c.epochs, batchSize: BATCH, validation: 0, patience: 0, trim: 0, seed: 0 };
  const trained = await trainModel(store, { dataset: dataset.id, settings });
  const scoring: number[] = [];
  for (let i = 0; i < 3; i++) scoring.push((await scoreDataset(store, { modelId: trained.modelId })).rowsPerSecond);
  log(`conv: ${fmt(c.rows)} ${source === 'fashion-mnist' ? 'Fashion-MNIST test images' : 'noise images (dataset-fashion-mnist absent)'}, ${trained.path} (${trained.pathReason})`);
  return {
    ...c,
    backend,
    path: trained.path,
    trainSamplesPerSecond: trained.samplesPerSecond,
    scoreInMemoryRowsPerSecond: await scoreInMemory(store, trained.modelId, dataset.id),
    scoreRowsPerSecond: median(scoring),
    torch: torch ? runConvReference(file, c.rows, c.epochs) : null,
  };
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

/** bench/conv_reference.py on the same images, median of 3 runs. */
function runConvReference(file: string, count: number, epochs: number): { trainSamplesPerSecond: number; scoreRowsPerSecond: number } {
  const script = path.join(import.meta.dirname, 'conv_reference.py');
  const runs = Array.from({ length: 3 }, () => {
    const stdout = execFileSync(PYTHON, [script, file, '--count', String(count), '--filters', FILTERS.join(','), '--epochs', String(epochs), '--batch', String(BATCH)], { encoding: 'utf8' });
    const r = JSON.parse(stdout.trim().split('\n').pop()!) as { torch_conv: { train_samples_per_s: number; score_rows_per_s: number } };
    return { trainSamplesPerSecond: r.torch_conv.train_samples_per_s, scoreRowsPerSecond: r.torch_conv.score_rows_per_s };
  });
  return { trainSamplesPerSecond: median(runs.map((r) => r.trainSamplesPerSecond)), scoreRowsPerSecond: median(runs.map((r) => r.scoreRowsPerSecond)) };
}
