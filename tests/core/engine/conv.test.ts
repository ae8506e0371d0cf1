/**
 * The convolutional autoencoder ('conv', seed 003's network, issue #14): its shapes on 28×28, 20×20 and 10×10 images
 * (sizes not divisible by 8 padded and cropped back), the hand-written convolution gradient against TensorFlow.js's own
 * (cpu backend), training that lowers the loss, scores whose per-pixel errors add up to the row score, the same scores
 * after the project is closed and reopened, pixels that are no model input, and the refusals.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../../src-main/core/data';
import { onnxUnsupported } from '../../../src-main/core/export/onnx';
import { getModel, initBackend, readFeatureErrors, readRowErrors, scoreDataset, trainModel } from '../../../src-main/core/engine';
import { conv2dSame, convArchitecture, convImage, fromGrid, maxPool2, paddedSide, pixelIndex, toGrid, upSample2 } from '../../../src-main/core/engine/conv';
import { initialWeights, Network } from '../../../src-main/core/engine/model';
import { Prng } from '../../../src-main/core/engine/prng';
import { resolveSettings } from '../../../src-main/core/engine/settings';
import { ProjectStore } from '../../../src-main/core/store';
import { writeIdxPair } from '../../helpers/idx';
import { tmpDir } from '../../helpers/tmp';
import { errorOf } from './helpers';

const dir = tmpDir('residual-conv-');

/** width × height grey pixels, every pixel a model input in order. */
function fullGrid(width: number, height: number, filters: readonly number[]) {
  const d = width * height;
  const features = Array.from({ length: d }, (_, i) => ({ kind: 'numeric' as const, name: `p${i}`, dim: i, indicatorDim: -1 }));
  return { d, image: convImage({ width, height, channels: 1 }, filters, { inputDims: d, features }) };
}

/** Normal images: a bright 3×3 square at a random place on a dark ground; anomalies: a bright horizontal bar. */
function syntheticImages(n: number, anomalies: number, side: number, seed: number): { images: Uint8Array[]; labels: number[] } {
  const rng = new Prng(seed);
  const images: Uint8Array[] = [];
  const labels: number[] = [];
  for (let k = 0; k < n + anomalies; k++) {
    const img = new Uint8Array(side * side);
    for (let i = 1; i < img.length; i++) img[i] = Math.floor(rng.next() * 30);
    if (k < n) {
      const x = 1 + Math.floor(rng.next() * (side - 4));
      const y = 1 + Math.floor(rng.next() * (side - 4));
      for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) img[(y + dy) * side + x + dx] = 200 + Math.floor(rng.next() * 55);
    } else {
      const y = 1 + Math.floor(rng.next() * (side - 2));
      for (let x = 0; x < side; x++) img[y * side + x] = 230;
    }
    // Pixel 0 stays 0 in every image: a constant column the import leaves out, so the grid has a hole.
    img[0] = 0;
    images.push(img);
    labels.push(k < n ? 0 : 1);
  }
  return { images, labels };
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('conv architecture', () => {
  it('is seed 003\'s network for 28×28 grey images: a 4×4×8 code, 4,385 parameters', () => {
    const { d, image } = fullGrid(28, 28, [16, 8, 8]);
    expect(image).toMatchObject({ width: 28, height: 28, paddedWidth: 32, paddedHeight: 32 });
    const arch = convArchitecture({ inputDims: d, filters: [16, 8, 8], image, loss: 'bce' });
    // Keras's summary of the seed's autoencoder: 160 + 1,160 + 584 | 584 + 584 + 1,168 + 145.
    expect(arch.parameterCount).toBe(4385);
    expect(arch.variables.map((v) => v.shape)).toEqual([
      [3, 3, 1, 16], [16], [3, 3, 16, 8], [8], [3, 3, 8, 8], [8],
      [3, 3, 8, 8], [8], [3, 3, 8, 8], [8], [3, 3, 8, 16], [16], [3, 3, 16, 1], [1],
    ]);
    expect(arch.summary).toContain('4×4×8 code (128)');
    const net = Network.init(arch, new Prng(1));
    try {
      const x = tf.randomUniform([5, d], 0, 1, 'float32', 3) as tf.Tensor2D;
      const { code } = net.encode(x, false, null, null);
      const { recon } = net.reconstruct(x);
      expect(code.shape).toEqual([5, 128]);
      expect(recon.shape).toEqual([5, 784]);
      const values = recon.dataSync();
      expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...values)).toBeLessThanOrEqual(1);
      tf.dispose([x, code, recon]);
    } finally {
      net.dispose();
    }
  });

  it.each([
    [20, 24, 3],
    [10, 16, 2],
  ])('pads %i×%i images to %i and crops the output back', (side, padded, codeSide) => {
    expect(paddedSide(side, 3)).toBe(padded);
    const { d, image } = fullGrid(side, side, [16, 8, 8]);
    const arch = convArchitecture({ inputDims: d, filters: [16, 8, 8], image, loss: 'bce' });
    const net = Network.init(arch, new Prng(2));
    try {
      const x = tf.randomUniform([3, d], 0, 1, 'float32', 4) as tf.Tensor2D;
      const { code } = net.encode(x, false, null, null);
      const { recon } = net.reconstruct(x);
      expect(code.shape).toEqual([3, codeSide * codeSide * 8]);
      expect(recon.shape).toEqual([3, d]);
      // The grid round trip puts every input back in its place.
      const back = fromGrid(arch, toGrid(arch, x));
      expect(Array.from(back.dataSync())).toEqual(Array.from(x.dataSync()));
      tf.dispose([x, code, recon, back]);
    } finally {
      net.dispose();
    }
  });

  it('reads colour pixel names channel-last', () => {
    expect(pixelIndex('p0', 1)).toBe(0);
    expect(pixelIndex('p12', 1)).toBe(12);
    expect(pixelIndex('p12_g', 3)).toBe(37);
    expect(pixelIndex('p12_g', 1)).toBe(-1);
    expect(pixelIndex('label', 1)).toBe(-1);
  });

  it('places colour pixels channel-last and runs a 3-channel network (6×6 padded to 8×8)', () => {
    const names = Array.from({ length: 36 }, (_, i) => [`p${i}_r`, `p${i}_g`, `p${i}_b`]).flat();
    const features = names.map((name, dim) => ({ kind: 'numeric' as const, name, dim }));
    const image = convImage({ width: 6, height: 6, channels: 3 }, [4, 4], { inputDims: 108, features });
    expect(image).toMatchObject({ channels: 3, paddedWidth: 8, paddedHeight: 8 });
    const arch = convArchitecture({ inputDims: 108, filters: [4, 4], image, loss: 'bce' });
    expect(arch.variables[0]!.shape).toEqual([3, 3, 3, 4]);
    expect(arch.variables.at(-2)!.shape).toEqual([3, 3, 4, 3]);
    const x = tf.tensor2d(Float32Array.from({ length: 108 }, (_, j) => j / 108), [1, 108]);
    const grid = toGrid(arch, x);
    // Pixel 7 is (x 1, y 1): on the padded 8-wide grid at (1, 1); its green value is input 7·3 + 1.
    expect(grid.shape).toEqual([1, 8, 8, 3]);
    expect(grid.arraySync()[0]![1]![1]![1]).toBeCloseTo(22 / 108, 6);
    expect(grid.arraySync()[0]![7]![7]![2]).toBe(0);
    const net = Network.init(arch, new Prng(5));
    try {
      const { recon } = net.reconstruct(x);
      expect(recon.shape).toEqual([1, 108]);
      tf.dispose([recon]);
    } finally {
      net.dispose();
      tf.dispose([x, grid]);
    }
  });

  it('refuses a column that is not a pixel, naming it', () => {
    const features = [{ kind: 'numeric' as const, name: 'p0', dim: 0 }, { kind: 'numeric' as const, name: 'weight', dim: 1 }];
    expect(() => convImage({ width: 2, height: 2, channels: 1 }, [4], { inputDims: 2, features })).toThrow(/"weight" is not one of this image dataset's pixels/);
  });

  it('pools with the gradient of TensorFlow.js\'s own max-pooling (cpu backend) and up-samples with block sums', async () => {
    await initBackend('cpu');
    try {
      const x = tf.randomNormal([2, 6, 4, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
      const r = tf.randomNormal([2, 3, 2, 3], 0, 1, 'float32', 10);
      const ours = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(maxPool2(xx as tf.Tensor4D), r)))(x).dataSync();
      const theirs = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(xx as tf.Tensor4D, 2, 2, 'valid'), r)))(x).dataSync();
      expect(ours.length).toBe(theirs.length);
      for (let k = 0; k < ours.length; k++) expect(ours[k]! + 0).toBeCloseTo(theirs[k]! + 0, 5);
      const small = tf.randomNormal([2, 3, 2, 3], 0, 1, 'float32', 11) as tf.Tensor4D;
      const r2 = tf.randomNormal([2, 6, 4, 3], 0, 1, 'float32', 12);
      const up = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(upSample2(xx as tf.Tensor4D), r2)))(small).dataSync();
      // Each input's gradient is the sum of its 2×2 block (computed here by hand: the cpu backend's own
      // ResizeNearestNeighborGrad gets the second image of a batch wrong in tfjs 4.22).
      const rr = r2.arraySync() as number[][][][];
      const blocks: number[] = [];
      for (let n = 0; n < 2; n++) for (let y = 0; y < 3; y++) for (let x = 0; x < 2; x++) for (let c = 0; c < 3; c++) {
        blocks.push(rr[n]![2 * y]![2 * x]![c]! + rr[n]![2 * y + 1]![2 * x]![c]! + rr[n]![2 * y]![2 * x + 1]![c]! + rr[n]![2 * y + 1]![2 * x + 1]![c]!);
      }
      expect(up.length).toBe(blocks.length);
      for (let k = 0; k < up.length; k++) expect(up[k]!).toBeCloseTo(blocks[k]!, 4);
    } finally {
      await initBackend('wasm');
    }
  });

  it.each([[1], [16]])('has the gradient of TensorFlow.js\'s own convolution with %i input channels (cpu backend)', async (cin) => {
    await initBackend('cpu');
    try {
      const x = tf.randomNormal([2, 5, 6, cin], 0, 1, 'float32', 5) as tf.Tensor4D;
      const w = tf.randomNormal([3, 3, cin, 4], 0, 1, 'float32', 6) as tf.Tensor4D;
      const b = tf.randomNormal([4], 0, 1, 'float32', 7) as tf.Tensor1D;
      const r = tf.randomNormal([2, 5, 6, 4], 0, 1, 'float32', 8);
      const ours = tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(conv2dSame(xx as tf.Tensor4D, ww as tf.Tensor4D, bb as tf.Tensor1D), r)))([x, w, b]);
      const theirs = tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(tf.add(tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 1, 'same'), bb), r)))([x, w, b]);
      for (let i = 0; i < 3; i++) {
        const a = ours[i]!.dataSync();
        const e = theirs[i]!.dataSync();
        expect(a.length).toBe(e.length);
        for (let k = 0; k < a.length; k++) expect(a[k]!).toBeCloseTo(e[k]!, 3);
      }
      const value = conv2dSame(x, w, b).dataSync();
      const expected = tf.add(tf.conv2d(x, w, 1, 'same'), b).dataSync();
      for (let k = 0; k < value.length; k++) expect(value[k]!).toBeCloseTo(expected[k]!, 4);
    } finally {
      await initBackend('wasm');
    }
  });

  it('lowers its loss on a few images with Adam', () => {
    const side = 12;
    const { images } = syntheticImages(64, 0, side, 11);
    const { d, image } = fullGrid(side, side, [8, 4]);
    const arch = convArchitecture({ inputDims: d, filters: [8, 4], image, loss: 'bce' });
    const net = Network.fromWeights(arch, initialWeights(arch, new Prng(3)));
    const opt = tf.train.adam(0.01);
    const xs = new Float32Array(images.length * d);
    images.forEach((img, i) => img.forEach((v, j) => (xs[i * d + j] = v / 255)));
    const x = tf.tensor2d(xs, [images.length, d]);
    const o = { loss: 'bce' as const, dropout: 0, l1: 0, noiseStd: 0, beta: 0 };
    try {
      const lossNow = (): number => {
        const t = tf.tidy(() => net.loss(x, o, false, null));
        const v = t.dataSync()[0]!;
        t.dispose();
        return v;
      };
      const before = lossNow();
      for (let step = 0; step < 25; step++) tf.tidy(() => void opt.minimize(() => net.loss(x, o, true, null), false, net.vars));
      const after = lossNow();
      expect(after).toBeLessThan(before * 0.8);
    } finally {
      opt.dispose();
      x.dispose();
      net.dispose();
    }
  });
});

describe('conv end to end (image dataset → train → score → reopen)', () => {
  const file = path.join(dir, 'conv.residual');
  let store: ProjectStore;
  let datasetId: number;
  let tableId: number;
  let modelId: number;
  let scoreId: number;
  const side = 12;
  const { images, labels } = syntheticImages(150, 8, side, 21);

  beforeAll(async () => {
    const files = writeIdxPair(dir, 'blobs', images, labels, side, side, false);
    store = ProjectStore.open(file, { create: true });
    datasetId = (await importDataset(store, files.images, { labels: files.labels })).dataset.id;
    const csv = path.join(dir, 'table.csv');
    fs.writeFileSync(csv, 'a,b\n' + Array.from({ length: 30 }, (_, i) => `${i},${(i * 7) % 5}`).join('\n') + '\n');
    tableId = (await importDataset(store, csv)).dataset.id;
  });
  afterAll(() => store?.close());

  it('proposes seed 003\'s settings for an image dataset and refuses a table, naming the kind', async () => {
    const p = resolveSettings(store.getDataset(datasetId), { kind: 'conv' }).proposal;
    expect(p.settings).toMatchObject({ kind: 'conv', filters: [16, 8, 8], loss: 'bce', scaler: 'minmax', log1p: 'none', activation: 'relu' });
    expect(p.rationale.find((r) => r.setting === 'filters')?.why).toMatch(/padded at the bottom and right to 16×16/);
    const e = await errorOf(trainModel(store, { dataset: tableId, settings: { kind: 'conv' } }));
    expect(e.code).toBe('BAD_INPUT');
    expect(e.details).toMatchObject({ field: 'kind' });
    expect(e.message).toMatch(/kind conv.*needs an image dataset/);
  });

  it('trains on TensorFlow.js with progress, and scores per pixel', async () => {
    const epochs: number[] = [];
    const r = await trainModel(store, { dataset: datasetId, settings: { kind: 'conv', filters: [8, 4], epochs: 4, patience: 0, trim: 0, seed: 1 } }, { onProgress: (p) => epochs.push(p.epoch) });
    modelId = r.modelId;
    expect(r.path).toBe('tfjs');
    expect(r.pathReason).toMatch(/convolutions/);
    expect(epochs).toEqual([1, 2, 3, 4]);
    const model = getModel(store, modelId);
    expect(model.kind).toBe('conv');
    // Pixel 0 is constant, so not an input: 143 inputs on a 16×16 grid.
    expect(model.architecture.inputDims).toBe(side * side - 1);
    expect(model.architecture.image?.pixels?.[0]).toBe(1);
    // The pixels go in as imported (0–1), not stretched per pixel.
    expect(model.preprocessing.features.every((f) => f.kind === 'numeric' && f.center === 0 && f.scale === 1 && !f.log1p)).toBe(true);
    scoreId = (await scoreDataset(store, { modelId })).scoreId;
    const rows = readRowErrors(store, scoreId);
    const fe = readFeatureErrors(store, scoreId, 0, rows.length);
    expect(fe.columns).toHaveLength(side * side - 1);
    for (let r2 = 0; r2 < rows.length; r2++) {
      let sum = 0;
      for (let c = 0; c < fe.columns.length; c++) sum += fe.values[r2 * fe.columns.length + c]!;
      expect(sum / fe.columns.length).toBeCloseTo(rows[r2]!, 5);
    }
    // The training rows' error stats come from the network in memory; the scores from the stored weights.
    const stats = model.errorStats!;
    expect(stats.train.count + (stats.validation?.count ?? 0)).toBe(images.length);
    const mean = rows.reduce((a, b) => a + b, 0) / rows.length;
    const expected = (stats.train.mean * stats.train.count + (stats.validation ? stats.validation.mean * stats.validation.count : 0)) / images.length;
    expect(mean).toBeCloseTo(expected, 5);
  });

  it('cancels, keeping the best epoch so far', async () => {
    const ac = new AbortController();
    const r = await trainModel(store, { dataset: datasetId, settings: { kind: 'conv', filters: [4], epochs: 50, patience: 0, trim: 0 } }, {
      signal: ac.signal,
      onProgress: (p) => {
        if (p.epoch === 2) ac.abort();
      },
    });
    expect(r.status).toBe('cancelled');
    expect(r.epochs).toBe(2);
  });

  it('is exported to ONNX (tests/core/export/onnx-conv.test.ts runs the file)', () => {
    expect(onnxUnsupported(getModel(store, modelId))).toBeNull();
  });

  it('gives the same scores after the project is closed and reopened', async () => {
    const before = readRowErrors(store, scoreId);
    store.close();
    store = ProjectStore.open(file);
    const again = await scoreDataset(store, { modelId, dataset: datasetId });
    expect(Array.from(readRowErrors(store, again.scoreId))).toEqual(Array.from(before));
  });
});
