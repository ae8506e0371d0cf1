/**
 * `model.latent` through the Workbench (issue #14 item 4): the points' shapes, the sample bound with the top-ranked
 * rows always in it, the codes against model.ts's own encoder (tfjs), the compression's reconstruction error against
 * the stored scores, kNN on the codes against the inputs, the one-class and ensemble kinds, and the refusals.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LatentView } from '../../../src-main/contract';
import { LATENT_TOP_ROWS } from '../../../src-main/contract';
import { getModel, initBackend } from '../../../src-main/core/engine';
import { matchColumns } from '../../../src-main/core/engine/columns';
import { Network } from '../../../src-main/core/engine/model';
import { transform, type RawColumn } from '../../../src-main/core/engine/preprocess';
import { getWeights } from '../../../src-main/core/engine/repo';
import { ProjectStore } from '../../../src-main/core/store';
import { readRows } from '../../../src-main/core/store/store';
import { latentEncoder } from '../../../src-main/core/engine/latent';
import { latentSample } from '../../../src-main/core/workbench/latent';
import { hasFashionMnist, imageAt, readFashionMnist, writeIdxPair } from '../../helpers/idx';
import { tmpDir } from '../../helpers/tmp';
import { jobWorkbench } from '../../helpers/workbench';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const WDBC = path.join(ROOT, 'tests/fixtures/wdbc.csv');

const workbench = (): ReturnType<typeof jobWorkbench> => jobWorkbench({ mode: 'cli' });

describe('model.latent', () => {
  const dir = tmpDir('residual-latent-');
  const file = path.join(dir, 'latent.residual');
  const { wb, wait } = workbench();
  let datasetId = -1;
  const model: Record<string, number> = {};
  const score: Record<string, number> = {};

  beforeAll(async () => {
    await wb.invoke('project.open', { path: file, create: true });
    const imported = await wait(wb.invoke('data.import', { file: WDBC, options: { label: 'diagnosis', positive: 'malignant', id: 'id' } }));
    datasetId = imported.kind === 'import' ? imported.result.dataset.id : -1;
    const runs: [string, Record<string, unknown>][] = [
      ['ae', { kind: 'ae', layers: [16, 4], epochs: 8 }],
      ['vae', { kind: 'vae', layers: [16, 3], epochs: 5 }],
      ['deepsvdd', { kind: 'deepsvdd', layers: [8, 4], epochs: 3, pretrainEpochs: 2 }],
      ['ocnn', { kind: 'ocnn', layers: [8, 4], epochs: 3, pretrainEpochs: 2 }],
      ['ensemble', { kind: 'ensemble', members: ['iforest', 'ae'], layers: [8, 3], epochs: 3 }],
      ['iforest', { kind: 'iforest' }],
    ];
    for (const [name, settings] of runs) {
      const trained = await wait(wb.invoke('model.train', { datasetId, settings: { seed: 1, ...settings }, name }));
      if (trained.kind !== 'train') throw new Error('not a training');
      model[name] = trained.result.modelId;
      const scored = await wait(wb.invoke('score.run', { modelId: model[name]!, datasetId }));
      if (scored.kind === 'score') score[name] = scored.result.scoreId;
    }
  }, 300_000);

  afterAll(() => wb.close());

  it('gives every sampled row with its coordinates, score, rank, class, label and verdict; the top ranks always in', async () => {
    await wb.invoke('row.verdict', { datasetId, row: 0, verdict: 'anomaly' });
    const v: LatentView = await wb.invoke('model.latent', { scoreId: score['ae']!, sample: 150, seed: 3 });
    expect(v).toMatchObject({ scoreId: score['ae'], modelId: model['ae'], datasetId, kind: 'ae', inputDims: 30, latentDims: 4, rows: 569, sampled: 150, topIncluded: LATENT_TOP_ROWS, seed: 3 });
    expect(v.source).toMatch(/code layer \(4 units/);
    expect(v.points).toHaveLength(150);
    const ranks = new Set(v.points.map((p) => p.rank));
    for (let k = 1; k <= LATENT_TOP_ROWS; k++) expect(ranks.has(k)).toBe(true);
    expect(new Set(v.points.map((p) => p.row)).size).toBe(150);
    for (const p of v.points) {
      expect(Number.isFinite(p.x) && Number.isFinite(p.y) && Number.isFinite(p.score)).toBe(true);
      expect(p.label === 'malignant' || p.label === 'benign').toBe(true);
      expect(p.anomaly).toBe(p.label === 'malignant' ? 'anomaly' : 'normal');
    }
    // Scores fall as ranks rise.
    const byRank = [...v.points].sort((a, b) => a.rank - b.rank);
    for (let i = 1; i < byRank.length; i++) expect(byRank[i]!.score).toBeLessThanOrEqual(byRank[i - 1]!.score);
    const first = v.points.find((p) => p.row === 0);
    if (first) expect(first.verdict).toBe('anomaly');
    expect(v.explained[0]).toBeGreaterThan(0);
    expect(v.explained[0] + v.explained[1]).toBeLessThanOrEqual(1 + 1e-9);
    expect(v.explained[0]).toBeGreaterThanOrEqual(v.explained[1]);
    // The same seed gives the same sample and picture; another seed another sample.
    const again = await wb.invoke('model.latent', { scoreId: score['ae']!, sample: 150, seed: 3 });
    expect(again.points).toEqual(v.points);
    const other = await wb.invoke('model.latent', { scoreId: score['ae']!, sample: 150, seed: 4 });
    expect(other.points.map((p) => p.row)).not.toEqual(v.points.map((p) => p.row));
    // More than the dataset holds: all of it; the contract bounds the request.
    const all = await wb.invoke('model.latent', { modelId: model['ae']!, sample: 5000, knn: false });
    expect(all.sampled).toBe(569);
    expect(all.knn).toBeNull();
    await expect(wb.invoke('model.latent', { scoreId: score['ae']!, sample: 5001 })).rejects.toThrow(/sample/);
    await expect(wb.invoke('model.latent', { sample: 100 })).rejects.toThrow(/scoreId/);
  });

  it('carries the threshold in force, as the Ranking flags rows: the default mean + 2σ, then the saved one', async () => {
    const before = await wb.invoke('model.latent', { scoreId: score['ae']!, sample: 100, knn: false });
    const dist = await wb.invoke('score.distribution', { scoreId: score['ae']! });
    expect(dist.saved).toBeNull();
    expect(before.threshold).toBe(dist.threshold.value);
    expect(before.threshold).toBe((await wb.invoke('score.rank', { scoreId: score['ae']!, offset: 0, limit: 1 })).threshold);
    const stored = await wb.invoke('score.thresholdSave', { scoreId: score['ae']!, spec: { method: 'percentile', p: 90 } });
    try {
      const after = await wb.invoke('model.latent', { scoreId: score['ae']!, sample: 100, knn: false });
      expect(after.threshold).toBe(stored.result.value);
      expect(after.threshold).not.toBe(before.threshold);
    } finally {
      await wb.invoke('score.thresholdSave', { scoreId: score['ae']!, spec: { method: 'sigma', k: 2 } });
    }
  });

  it('the codes and reconstructions are model.ts\'s (tfjs), and the reconstruction error is the stored score', async () => {
    const v = await wb.invoke('model.latent', { scoreId: score['ae']!, sample: 200 });
    const store = ProjectStore.open(file);
    try {
      await initBackend('cpu');
      for (const name of ['ae', 'vae']) {
        const info = getModel(store, model[name]!);
        const ds = store.getDataset(datasetId);
        const cols = matchColumns(ds, info.preprocessing);
        const rows = v.points.map((p) => p.row);
        const values = readRows(store, ds, rows, cols.map((c) => c.column));
        const raw: RawColumn[] = cols.map((_, j) => Float64Array.from(values, (r) => r[j] as number));
        const n = rows.length;
        const d = info.preprocessing.inputDims;
        const x = transform(info.preprocessing, raw, n);
        const blob = getWeights(store, info.id)!;
        const net = Network.fromWeights(info.architecture, blob);
        const [codes, recon] = tf.tidy(() => {
          const input = tf.tensor2d(x, [n, d]);
          return [net.encode(input, false, null, null).code.dataSync().slice(), net.reconstruct(input).recon.dataSync().slice()];
        });
        net.dispose();
        const enc = latentEncoder(info.kind, info.architecture, blob);
        const ours = enc.encode(x, n);
        expect(ours.length).toBe(codes.length);
        let worst = 0;
        for (let i = 0; i < ours.length; i++) worst = Math.max(worst, Math.abs(ours[i]! - codes[i]!));
        expect(worst).toBeLessThan(1e-4);
        const back = enc.decode!(ours, n);
        worst = 0;
        for (let i = 0; i < back.length; i++) worst = Math.max(worst, Math.abs(back[i]! - recon[i]!));
        expect(worst).toBeLessThan(1e-4);
      }
    } finally {
      store.close();
    }
    // The stored row score of an ae is its mean squared error per input: the compression's mse over the same rows.
    const meanScore = v.points.reduce((a, p) => a + p.score, 0) / v.points.length;
    expect(v.compression).not.toBeNull();
    expect(v.compression!.ratio).toBeCloseTo(30 / 4, 12);
    expect(v.compression!.mse / meanScore).toBeCloseTo(1, 4);
    // A table: no pixels.
    expect(v.compression!.psnr).toBeNull();
  });

  it('compares kNN on the codes with kNN on the inputs, on a seeded split of the sampled rows with classes', async () => {
    const v = await wb.invoke('model.latent', { scoreId: score['ae']!, sample: 569, seed: 1 });
    expect(v.knnNote).toBeNull();
    const k = v.knn!;
    expect(k).toMatchObject({ k: 5, classColumn: 'diagnosis', classes: 2, trainRows: 427, testRows: 142 });
    expect(k.latent.dims).toBe(4);
    expect(k.inputs.dims).toBe(30);
    // wdbc's two classes are well apart on its 30 columns (kNN on scaled inputs: about 0.95); a 4-unit code keeps most of it.
    expect(k.inputs.accuracy).toBeGreaterThan(0.85);
    expect(k.latent.accuracy).toBeGreaterThan(0.7);
    expect(k.latent.seconds).toBeGreaterThanOrEqual(0);
  });

  it('VAE: the latent mean; Deep SVDD and OC-NN: their representation, without a decoder; an ensemble: its first network', async () => {
    const vae = await wb.invoke('model.latent', { scoreId: score['vae']!, sample: 100, knn: false });
    expect(vae.latentDims).toBe(3);
    expect(vae.source).toMatch(/latent mean/);
    expect(vae.compression).not.toBeNull();
    const svdd = await wb.invoke('model.latent', { scoreId: score['deepsvdd']!, sample: 100, knn: false });
    expect(svdd.latentDims).toBe(4);
    expect(svdd.source).toMatch(/Deep SVDD/);
    expect(svdd.compression).toBeNull();
    expect(svdd.compressionNote).toMatch(/no decoder/);
    const ocnn = await wb.invoke('model.latent', { scoreId: score['ocnn']!, sample: 100, knn: false });
    expect(ocnn.latentDims).toBe(4);
    expect(ocnn.source).toMatch(/OC-NN/);
    const ens = await wb.invoke('model.latent', { scoreId: score['ensemble']!, sample: 100, knn: false });
    expect(ens.latentDims).toBe(3);
    expect(ens.source).toMatch(/member 2 \(ae/);
  });

  it('refuses the kinds without a latent space, and a model that has not scored the dataset', async () => {
    await expect(wb.invoke('model.latent', { scoreId: score['iforest']! })).rejects.toThrow(/IsolationForest model has no latent space/);
    const trained = await wait(wb.invoke('model.train', { datasetId, settings: { kind: 'ae', layers: [4], epochs: 1 } }));
    const id = trained.kind === 'train' ? trained.result.modelId : -1;
    await expect(wb.invoke('model.latent', { modelId: id })).rejects.toThrow(/has not scored dataset "wdbc" yet: score it first/);
  });
});

describe('latentSample', () => {
  it('takes the top rows and a seeded uniform sample of the rest, without repeats, in row order', () => {
    const order = Int32Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000);
    const s = latentSample(order, 300, 50, 9);
    expect(s).toHaveLength(300);
    expect(new Set(s).size).toBe(300);
    for (let i = 1; i < s.length; i++) expect(s[i]!).toBeGreaterThan(s[i - 1]!);
    for (let p = 0; p < 50; p++) expect(s).toContain(order[p]!);
    expect(Array.from(latentSample(order, 300, 50, 9))).toEqual(Array.from(s));
    expect(latentSample(order, 5000, 50, 9)).toHaveLength(1000);
    expect(Array.from(latentSample(order, 20, 50, 1)).sort((a, b) => a - b)).toEqual(Array.from(order.subarray(0, 20)).sort((a, b) => a - b));
  });
});

describe.skipIf(!hasFashionMnist())('model.latent of a convolutional autoencoder', () => {
  const dir = tmpDir('residual-latent-conv-');
  const { wb, wait } = workbench();

  afterAll(() => wb.close());

  it('shows the flattened bottleneck, and its reconstruction error is the stored score, with a PSNR', async () => {
    const set = readFashionMnist('t10k');
    const images = Array.from({ length: 120 }, (_, i) => imageAt(set, i));
    const labels = Array.from({ length: 120 }, (_, i) => set.labels[i]!);
    const files = writeIdxPair(dir, 'small', images, labels, 28, 28, true);
    await wb.invoke('project.open', { path: path.join(dir, 'conv.residual'), create: true });
    const imported = await wait(wb.invoke('data.import', { file: files.images, options: { labels: files.labels } }));
    const datasetId = imported.kind === 'import' ? imported.result.dataset.id : -1;
    const trained = await wait(wb.invoke('model.train', { datasetId, settings: { kind: 'conv', filters: [4, 2], epochs: 2, patience: 0, seed: 1 } }));
    const modelId = trained.kind === 'train' ? trained.result.modelId : -1;
    await wait(wb.invoke('score.run', { modelId, datasetId }));
    const v = await wb.invoke('model.latent', { modelId, sample: 120 });
    // 28×28 through two 2×2 poolings: 7×7 maps of the last 2 filters.
    expect(v.latentDims).toBe(7 * 7 * 2);
    expect(v.source).toMatch(/convolutional bottleneck \(7×7×2/);
    expect(v.points).toHaveLength(120);
    const meanScore = v.points.reduce((a, p) => a + p.score, 0) / v.points.length;
    expect(v.compression!.mse / meanScore).toBeCloseTo(1, 3);
    expect(v.compression!.psnr).toBeGreaterThan(0);
    expect(v.knn!.classes).toBeGreaterThan(2);
  }, 300_000);
});
