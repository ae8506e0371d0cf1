/**
 * ONNX export of the convolutional autoencoder (core/export/onnx-conv.ts), checked by running the written file with
 * onnxruntime-node and with scripts/dask_score.py's numpy evaluator: conv models trained on Fashion-MNIST images
 * (Debian's dataset-fashion-mnist; 28×28 grey, padded to 32×32, the pixels constant in these images no input), on
 * colour images (PNG files, 10×10 padded to 12×12, three channels) and on an 8×8 grid whose every pixel is an input (no
 * padding: the Reshape path), with BCE (sigmoid output) and squared error (linear output): the graph's row scores and
 * per-pixel errors equal the ones the app stored when it scored the same images.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../../src-main/core/data';
import { getModel, initBackend, readFeatureErrors, readRowErrors, scoreDataset, trainModel } from '../../../src-main/core/engine';
import type { ModelInfo, TrainSettings } from '../../../src-main/core/engine';
import { matchColumns, readWindow } from '../../../src-main/core/engine/columns';
import { Prng } from '../../../src-main/core/engine/prng';
import { toNumbers } from '../../../src-main/core/engine/preprocess';
import { exportModelOnnx, ONNX_OUTPUTS } from '../../../src-main/core/export/onnx';
import { CONV_OPS } from '../../../src-main/core/export/onnx-conv';
import { ProjectStore } from '../../../src-main/core/store';
import type { DatasetInfo } from '../../../src-main/core/store/types';
import { FASHION_MNIST_SKIP, hasFashionMnist, imageAt, readFashionMnist, writeIdxPair } from '../../helpers/idx';
import { expectClose, expectFlagsAgree } from '../../helpers/onnx';
import { tmpDir } from '../../helpers/tmp';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const RECIPE_DIR = path.join(ROOT, 'scripts');
const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';

/** Why the numpy evaluator cannot run here (null: it can). */
function missingPython(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import numpy, onnx'], { encoding: 'utf8' });
  if (r.error) return `${PYTHON} is not installed`;
  if (r.status !== 0) return `${PYTHON} lacks numpy or onnx; apt-get install python3-numpy python3-onnx`;
  return null;
}
const noPython = missingPython();
if (noPython) console.warn(`Skipping the numpy evaluation of the conv export: ${noPython}.`);
if (!hasFashionMnist()) console.warn(`Skipping the Fashion-MNIST conv export tests: ${FASHION_MNIST_SKIP}`);

const dir = tmpDir('residual-onnx-conv-');
let store: ProjectStore;

/** The rows' raw pixel values as the graph takes them (float64, NaN = missing), read from the project as scoring reads them. */
function pixelsOf(model: ModelInfo, ds: DatasetInfo): Map<string, Float64Array> {
  const raw = readWindow(store, ds.id, matchColumns(ds, model.preprocessing), 0, ds.rowCount);
  return new Map(model.preprocessing.features.map((f, i) => [f.name, toNumbers(raw[i]!)] as const));
}

function feedsOf(pixels: Map<string, Float64Array>, rows: number): Record<string, ort.Tensor> {
  return Object.fromEntries([...pixels].map(([name, v]) => [name, new ort.Tensor('float64', v, [rows])]));
}

/** The model evaluated by scripts/dask_score.py's NumpyModel on one CSV partition of the rows (read_partition). */
function numpyRun(file: string, pixels: Map<string, Float64Array>, rows: number): { score: number[]; errors: number[][] } {
  const names = [...pixels.keys()];
  const columns = [...pixels.values()];
  const lines = [names.join(',')];
  for (let r = 0; r < rows; r++) lines.push(columns.map((c) => (Number.isNaN(c[r]!) ? '' : String(c[r]))).join(','));
  const csv = `${file}.csv`;
  fs.writeFileSync(csv, lines.join('\n') + '\n');
  const script = [
    'import json, sys',
    `sys.path.insert(0, ${JSON.stringify(RECIPE_DIR)})`,
    'from dask_score import NumpyModel, read_partition',
    `m = NumpyModel(open(${JSON.stringify(file)}, 'rb').read(), ${JSON.stringify(file)})`,
    `feeds, _ = read_partition(${JSON.stringify(csv)}, m.columns, None)`,
    'out = m.run(feeds)',
    "print(json.dumps({'score': out['residual_score'].astype(float).tolist(), 'errors': out['residual_column_errors'].astype(float).tolist()}))",
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`numpy evaluation failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { score: number[]; errors: number[][] };
}

/** Trains a conv model, scores its training images, exports and runs the file; compares with the stored score. */
async function roundTrip(ds: DatasetInfo, settings: Partial<TrainSettings>, numpy: boolean): Promise<{ model: ModelInfo; file: string; session: ort.InferenceSession; pixels: Map<string, Float64Array> }> {
  const trained = await trainModel(store, { dataset: ds.id, settings: { epochs: 2, batchSize: 32, validation: 0.2, patience: 0, trim: 0, seed: 4, ...settings, kind: 'conv' } });
  expect(trained.status).toBe('complete');
  const model = getModel(store, trained.modelId);
  const scored = await scoreDataset(store, { modelId: model.id, dataset: ds.id });
  const file = path.join(dir, `conv-${ds.id}-${model.id}.onnx`);
  const res = exportModelOnnx(store, model.id, file);
  expect(res.kind).toBe('conv');
  const names = model.preprocessing.features.map((f) => f.name);
  // One input per pixel column, named as the column (the dense export's convention), double.
  expect(res.inputs).toEqual(names.map((name) => ({ name, type: 'double' })));
  const session = await ort.InferenceSession.create(file);
  expect([...session.inputNames].sort()).toEqual([...names].sort());
  expect([...session.outputNames]).toEqual([ONNX_OUTPUTS.score, ONNX_OUTPUTS.columnErrors, ONNX_OUTPUTS.flagged]);
  const pixels = pixelsOf(model, ds);
  const result = await session.run(feedsOf(pixels, ds.rowCount));
  const score = result[ONNX_OUTPUTS.score]!.data as Float32Array;
  const perPixel = result[ONNX_OUTPUTS.columnErrors]!;
  expect(perPixel.dims).toEqual([ds.rowCount, names.length]);
  const stored = readRowErrors(store, scored.scoreId);
  const storedPixels = readFeatureErrors(store, scored.scoreId, 0, ds.rowCount);
  expect(storedPixels.columns).toEqual(names);
  expectClose(score, stored, 'conv score');
  expectClose(perPixel.data as Float32Array, storedPixels.values, 'conv per-pixel errors');
  // The threshold in force (mean + 2σ of this score, none saved) flags the same rows as the app would.
  expect(res.threshold).not.toBeNull();
  const flagged = result[ONNX_OUTPUTS.flagged]!.data as Uint8Array;
  expectFlagsAgree(flagged, stored, res.threshold!);
  // The metadata, as the dense export's.
  const proto = onnxProto.onnx.ModelProto.decode(fs.readFileSync(file));
  const meta = Object.fromEntries(proto.metadataProps.map((p) => [p.key, p.value]));
  expect(meta['model_kind']).toBe('conv');
  expect(Number(meta['threshold'])).toBeCloseTo(res.threshold!, 12);
  expect(JSON.parse(meta['columns']!).map((c: { name: string }) => c.name)).toEqual(names);
  expect(meta['training_data_sha256']).toBe(ds.sourceSha256);
  expect(meta['model_weights_sha256']).toBe(model.weightsSha256);
  const ops = new Set(proto.graph!.node!.map((n) => n.opType));
  for (const op of ['Conv', 'MaxPool', 'Resize', 'Relu']) expect(ops.has(op)).toBe(true);
  if (numpy && noPython === null) {
    // scripts/dask_score.py's numpy evaluator gives what onnxruntime gives (and so the app's scores).
    const np = numpyRun(file, pixels, ds.rowCount);
    expectClose(np.score, score, 'numpy score', ['numpy', 'onnxruntime']);
    expectClose(np.errors.flat(), perPixel.data as Float32Array, 'numpy per-pixel errors', ['numpy', 'onnxruntime']);
    expect(np.score.length).toBe(ds.rowCount);
  }
  return { model, file, session, pixels };
}

beforeAll(async () => {
  await initBackend('wasm');
  store = ProjectStore.open(path.join(dir, 'onnx-conv.residual'), { create: true });
});
afterAll(() => store.close());

describe.skipIf(!hasFashionMnist())('ONNX export of a conv model on Fashion-MNIST', () => {
  const N = 240;
  let ds: DatasetInfo;
  beforeAll(async () => {
    const fashion = readFashionMnist('t10k');
    const files = writeIdxPair(dir, 'fashion', Array.from({ length: N }, (_, i) => imageAt(fashion, i)), Array.from(fashion.labels.subarray(0, N)), 28, 28, true);
    ds = (await importDataset(store, files.images, { labels: files.labels })).dataset;
  });

  it('scores the images as the app does with BCE (sigmoid output), in onnxruntime and in the numpy evaluator; a missing pixel is the training median', async () => {
    const { model, file, session, pixels } = await roundTrip(ds, { filters: [8, 4, 4], loss: 'bce' }, true);
    // The fixture does exercise the Gather path: 28×28 padded to 32×32, and pixels constant in these images are no input.
    expect(model.architecture.image).toMatchObject({ width: 28, height: 28, channels: 1, paddedWidth: 32, paddedHeight: 32 });
    expect(model.architecture.inputDims).toBeLessThan(784);
    expect(model.architecture.output).toBe('sigmoid');
    const ops = new Set(onnxProto.onnx.ModelProto.decode(fs.readFileSync(file)).graph!.node!.map((n) => n.opType));
    expect(CONV_OPS.filter((op) => !ops.has(op))).toEqual([]);
    // A missing pixel (NaN) scores as that pixel at the training median, as the app fills it.
    const f = model.preprocessing.features[model.preprocessing.features.length >> 1]!;
    expect(f.kind).toBe('numeric');
    const rows = 3;
    const withFill = new Map([...pixels].map(([k, v]) => [k, Float64Array.from(v.subarray(0, rows))] as const));
    const withNaN = new Map([...withFill].map(([k, v]) => [k, Float64Array.from(v)] as const));
    withFill.get(f.name)!.fill(f.kind === 'numeric' ? f.fill : 0);
    withNaN.get(f.name)!.fill(NaN);
    const a = await session.run(feedsOf(withFill, rows));
    const b = await session.run(feedsOf(withNaN, rows));
    expect(Array.from(b[ONNX_OUTPUTS.score]!.data as Float32Array)).toEqual(Array.from(a[ONNX_OUTPUTS.score]!.data as Float32Array));
    await session.release();
  });

  it('scores the images as the app does with squared error (linear output)', async () => {
    const { model, session } = await roundTrip(ds, { filters: [4, 4], loss: 'mse' }, false);
    expect(model.architecture.output).toBe('linear');
    await session.release();
  });
});

describe('ONNX export of a conv model on other grids', () => {
  it('scores colour images (three channels, 10×10 padded to 12×12) as the app does, in onnxruntime and in the numpy evaluator', async () => {
    const folder = path.join(dir, 'colour');
    const rng = new Prng(7);
    for (const label of ['a', 'b']) fs.mkdirSync(path.join(folder, label), { recursive: true });
    const fashion = hasFashionMnist() ? readFashionMnist('t10k') : null;
    for (let k = 0; k < 90; k++) {
      // A Fashion-MNIST image (else a random blob) tinted with a colour of its own, so the three channels differ.
      const png = new PNG({ width: 20, height: 20 });
      const tint = [rng.next(), rng.next(), rng.next()];
      const cx = 5 + rng.next() * 10;
      const cy = 5 + rng.next() * 10;
      for (let y = 0; y < 20; y++) {
        for (let x = 0; x < 20; x++) {
          const v = fashion ? imageAt(fashion, k)[Math.floor(y * 1.4) * 28 + Math.floor(x * 1.4)]! / 255 : Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 20);
          const at = (y * 20 + x) * 4;
          for (let c = 0; c < 3; c++) png.data[at + c] = Math.round(255 * Math.min(1, v * tint[c]! + 0.1 * rng.next()));
          png.data[at + 3] = 255;
        }
      }
      fs.writeFileSync(path.join(folder, k % 2 ? 'a' : 'b', `img${k}.png`), PNG.sync.write(png));
    }
    const ds = (await importDataset(store, folder, { imageColour: true, imageSize: 10, name: 'colour' })).dataset;
    const { model, session } = await roundTrip(ds, { filters: [6, 4], loss: 'bce' }, true);
    expect(model.architecture.image).toMatchObject({ width: 10, height: 10, channels: 3, paddedWidth: 12, paddedHeight: 12 });
    expect(model.preprocessing.features[0]!.name).toMatch(/^p\d+_[rgb]$/);
    await session.release();
  });

  it('scores an 8×8 grid whose every pixel is an input (no padding: a Reshape onto the grid) as the app does', async () => {
    const rng = new Prng(9);
    const images = Array.from({ length: 120 }, () => Uint8Array.from({ length: 64 }, (_, i) => Math.floor(255 * (0.5 + 0.4 * Math.sin(i * 0.3 + rng.next() * 2)) * rng.next())));
    const files = writeIdxPair(dir, 'grid8', images, images.map((_, i) => i % 3), 8, 8, false);
    const ds = (await importDataset(store, files.images, { labels: files.labels })).dataset;
    const { model, file, session } = await roundTrip(ds, { filters: [4, 4, 2], loss: 'mse' }, true);
    expect(model.architecture.inputDims).toBe(64);
    expect(model.architecture.image?.pixels).toBeUndefined();
    const ops = onnxProto.onnx.ModelProto.decode(fs.readFileSync(file)).graph!.node!.map((n) => n.opType);
    // The identity grid needs no Gather onto it nor back.
    expect(ops).not.toContain('Gather');
    await session.release();
  });
});
