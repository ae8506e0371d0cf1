import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset } from '../../../src-main/core/data';
import { explainRows, getHistory, getModel, initBackend, readFeatureErrors, readRowErrors, scoreDataset, trainModel } from '../../../src-main/core/engine';
import type { ModelKind, TrainProgress, TrainSettings } from '../../../src-main/core/engine';
import { featureColumns } from '../../../src-main/core/engine/columns';
import { priorNll } from '../../../src-main/core/engine/family/aae';
import { FusedNet } from '../../../src-main/core/engine/fused/net';
import { buildMatrices } from '../../../src-main/core/engine/matrix';
import { architecture, initialWeights, Network } from '../../../src-main/core/engine/model';
import { dimOwners } from '../../../src-main/core/engine/preprocess';
import { Prng } from '../../../src-main/core/engine/prng';
import { reconstructionErrors } from '../../../src-main/core/engine/recon';
import { getWeights } from '../../../src-main/core/engine/repo';
import { makeStepper, TrainingRun } from '../../../src-main/core/engine/train';
import type { Preprocessing } from '../../../src-main/core/engine/types';
import { ProjectStore } from '../../../src-main/core/store';
import type { DatasetInfo } from '../../../src-main/core/store/types';
import { tmpDir } from '../../helpers/tmp';

/**
 * The adversarial (aae) and Wasserstein (wae) autoencoders trained end to end in the engine on a UCI fixture: the run
 * says its path, reports its loss terms, stores weights that reload (tfjs and the fused kernel) to the scores the
 * trained network gives in memory, and repeats exactly for a seed.
 */

const fixtures = fileURLToPath(new URL('../../fixtures', import.meta.url));
const dir = tmpDir();
let store: ProjectStore;
let ds: DatasetInfo;
const KINDS = ['aae', 'wae'] as const;
const QUICK: Partial<TrainSettings> = { layers: [12, 3], epochs: 6, batchSize: 64, validation: 0.2, patience: 0, trim: 0.1, clip: 5, seed: 4 };

beforeAll(async () => {
  await initBackend('wasm');
  store = ProjectStore.open(path.join(dir, 'family.residual'), { create: true });
  ds = (await importDataset(store, path.join(fixtures, 'ionosphere.csv'), { label: 'Class', positive: 'bad' })).dataset;
});
afterAll(() => store.close());

/** Every row of the dataset as the model's inputs, in row order. */
function inputsOf(pp: Preprocessing): Float32Array {
  return buildMatrices(store, ds, featureColumns(ds), pp, new Uint8Array(ds.rowCount).fill(1), ds.rowCount, 0).train;
}

function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, rel: number, abs: number): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    if (!(Math.abs(a[i]! - b[i]!) <= abs + rel * Math.abs(b[i]!))) expect.fail(`element ${i}: ${a[i]} vs ${b[i]}`);
  }
}

describe.each(KINDS)('%s through trainModel and scoreDataset', (kind) => {
  it('trains on its path and says so (an AAE on TensorFlow.js, a WAE on the fused kernel), reports its loss terms, scores with the stored weights as tfjs and the fused kernel do', async () => {
    const events: TrainProgress[] = [];
    const res = await trainModel(store, { dataset: ds.id, settings: { ...QUICK, kind } }, { onProgress: (p) => events.push(p) });
    expect(res.status).toBe('complete');
    const path = kind === 'aae' ? 'tfjs' : 'wasm-fused';
    expect(res.path).toBe(path);
    expect(res.pathReason).toMatch(kind === 'aae' ? /adversarial training .* runs on TensorFlow\.js/ : /faster than tfjs on the wasm backend; the MMD in the kernel; 1 thread/);
    expect(events.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    const terms = kind === 'aae' ? ['discriminator', 'generator'] : ['mmd'];
    for (const e of events) {
      expect(Object.keys(e.terms ?? {}).sort()).toEqual(terms);
      for (const v of Object.values(e.terms!)) expect(Number.isFinite(v)).toBe(true);
      expect(e.trainedRows).toBe(e.epoch === 1 ? 281 : 281 - Math.floor(281 * 0.1));
    }
    expect(events[5]!.trainLoss).toBeLessThan(events[0]!.trainLoss);

    const m = getModel(store, res.modelId);
    expect(m.kind).toBe(kind);
    expect(m.path).toBe(path);
    expect(m.architecture.variables.map((v) => v.name)).toEqual(['enc0/kernel', 'enc0/bias', 'code/kernel', 'code/bias', 'dec0/kernel', 'dec0/bias', 'out/kernel', 'out/bias']);
    const d = m.architecture.inputDims;
    expect(m.architecture.summary).toBe(`${d}-12-3-12-${d}`);
    expect(getHistory(store, res.modelId)).toHaveLength(6);

    const scored = await scoreDataset(store, { modelId: res.modelId });
    const stored = readRowErrors(store, scored.scoreId);
    const storedFeatures = readFeatureErrors(store, scored.scoreId, 0, ds.rowCount).values;
    const pp = m.preprocessing;
    const x = inputsOf(pp);
    const owners = dimOwners(pp);
    const cols = pp.features.length;
    const blob = getWeights(store, res.modelId)!;
    const tnet = Network.fromWeights(m.architecture, blob);
    const fnet = FusedNet.create(m.architecture, { ...m.settings, kind }, blob, 1024);
    try {
      const t = await reconstructionErrors(tnet, x, ds.rowCount, owners, cols, { withKl: false, keepRecon: false });
      const f = await reconstructionErrors(fnet, x, ds.rowCount, owners, cols, { withKl: false, keepRecon: false });
      // The score job ran on the path scoring chooses (the fused kernel on wasm): the same numbers.
      expect(scored.path).toBe('wasm-fused');
      expect(Array.from(f.row)).toEqual(Array.from(stored));
      expect(Array.from(f.feature)).toEqual(Array.from(storedFeatures));
      expectClose(t.row, stored, 1e-4, 1e-7);
      expectClose(t.feature, storedFeatures, 1e-4, 1e-7);
    } finally {
      tnet.dispose();
      fnet.dispose();
    }
  }, 120_000);

  it('repeats exactly for a seed and differs for another', async () => {
    const a = await trainModel(store, { dataset: ds.id, settings: { ...QUICK, kind, epochs: 2 } });
    const b = await trainModel(store, { dataset: ds.id, settings: { ...QUICK, kind, epochs: 2 } });
    const c = await trainModel(store, { dataset: ds.id, settings: { ...QUICK, kind, epochs: 2, seed: 5 } });
    expect(getModel(store, a.modelId).weightsSha256).toBe(getModel(store, b.modelId).weightsSha256);
    expect(getModel(store, c.modelId).weightsSha256).not.toBe(getModel(store, a.modelId).weightsSha256);
  }, 120_000);

  it('a cancel keeps the best epoch so far as a cancelled run', async () => {
    const ctrl = new AbortController();
    const res = await trainModel(store, { dataset: ds.id, settings: { ...QUICK, kind, epochs: 50 } }, { signal: ctrl.signal, onProgress: (p) => p.epoch === 2 && ctrl.abort() });
    expect(res.status).toBe('cancelled');
    expect(res.epochs).toBe(2);
    expect(getWeights(store, res.modelId)).not.toBeNull();
  }, 120_000);
});

describe('as ensemble members', () => {
  it('an ensemble of an AAE, a WAE and ECOD trains, scores and explains its rows like any other', async () => {
    const res = await trainModel(store, { dataset: ds.id, settings: { ...QUICK, kind: 'ensemble', members: ['aae', 'wae', 'ecod'], epochs: 2 } });
    const m = getModel(store, res.modelId);
    expect(m.settings.members).toEqual(['aae', 'wae', 'ecod']);
    expect(m.architecture.summary).toMatch(/aae.*wae.*ECOD/);
    const scored = await scoreDataset(store, { modelId: res.modelId });
    const rows = readRowErrors(store, scored.scoreId);
    expect(rows.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
    const [e] = await explainRows(store, scored.scoreId, [0], 3);
    expect(e!.contributions).toHaveLength(3);
    expect(e!.error).toBeCloseTo(rows[0]!, 5);
  }, 120_000);
});

describe('the MMD weight λ', () => {
  it('pulls the codes towards the prior: the last epoch\'s MMD is lower with λ = 20 than with λ = 0', async () => {
    const last = async (mmdLambda: number): Promise<number> => {
      const events: TrainProgress[] = [];
      await trainModel(store, { dataset: ds.id, settings: { ...QUICK, kind: 'wae', mmdLambda } }, { onProgress: (p) => events.push(p) });
      return events[events.length - 1]!.terms!['mmd']!;
    };
    const free = await last(0);
    const pulled = await last(20);
    expect(pulled).toBeLessThan(0.5 * free);
  }, 120_000);
});

describe('an AAE scored with its prior', () => {
  it("adds the code's negative log prior density per input to each row, on either path, and nothing to the columns", async () => {
    const res = await trainModel(store, { dataset: ds.id, settings: { ...QUICK, kind: 'aae', scoreWithPrior: true, epochs: 3 } });
    const m = getModel(store, res.modelId);
    expect(m.settings.scoreWithPrior).toBe(true);
    const scored = await scoreDataset(store, { modelId: res.modelId });
    const rows = readRowErrors(store, scored.scoreId);
    const feats = readFeatureErrors(store, scored.scoreId, 0, ds.rowCount).values;
    const pp = m.preprocessing;
    const d = pp.inputDims;
    const cols = pp.features.length;
    const x = inputsOf(pp);
    const tnet = Network.fromWeights(m.architecture, getWeights(store, res.modelId)!);
    const codes = tf.tidy(() => tnet.encode(tf.tensor2d(x, [ds.rowCount, d]), false, null, null).code.dataSync());
    tnet.dispose();
    for (let r = 0; r < ds.rowCount; r++) {
      let sum = 0;
      for (let c = 0; c < cols; c++) sum += feats[r * cols + c]!;
      const expected = sum / d + priorNll(codes, 3, r) / d;
      expect(Math.abs(rows[r]! - expected)).toBeLessThanOrEqual(1e-4 * expected + 1e-6);
      expect(rows[r]! - sum / d).toBeGreaterThan(0.9 * (1.5 * Math.log(2 * Math.PI)) / d);
    }
    const tnet2 = Network.fromWeights(m.architecture, getWeights(store, res.modelId)!);
    const t = await reconstructionErrors(tnet2, x, ds.rowCount, dimOwners(pp), cols, { withKl: true, keepRecon: false });
    tnet2.dispose();
    expectClose(t.row, rows, 1e-4, 1e-6);
  }, 120_000);
});

describe('in memory and reloaded', () => {
  for (const kind of KINDS satisfies readonly ModelKind[]) {
    it(`${kind}: the trained network's scores equal those of its serialized weights reloaded (tfjs exactly, fused within float tolerance)`, async () => {
      const D = 6;
      const rng = new Prng(9);
      const n = 200;
      const train = Float32Array.from({ length: n * D }, (_, i) => (i % D < 3 ? rng.normal() : 0.5 * rng.normal()));
      const pp: Preprocessing = {
        version: 1, scaler: 'standard', inputDims: D,
        features: Array.from({ length: D }, (_, j) => ({ kind: 'numeric' as const, name: `x${j}`, log1p: false, fill: 0, center: 0, scale: 1, dim: j, indicatorDim: -1 })),
      };
      const s = { ...QUICK, kind, layers: [5, 2], activation: 'elu', loss: 'mse', dropout: 0.1, l1: 0, noiseStd: 0, beta: 1, scoreWithKl: false, scoreWithPrior: false, mmdLambda: 2, learningRate: 1e-3, minDelta: 0, epochs: 4, trim: 0.1 } as TrainSettings;
      const arch = architecture({ kind, inputDims: D, layers: s.layers, activation: s.activation, loss: s.loss });
      const stepper = makeStepper('tfjs', arch, s, initialWeights(arch, new Prng(1)));
      const run = new TrainingRun(stepper, s, pp, train, new Float32Array(0), new Prng(2), new Prng(3), performance.now(), {});
      try {
        await run.fit();
        expect(run.history).toHaveLength(4);
        const owners = dimOwners(pp);
        const mem = await reconstructionErrors(stepper.net, train, n, owners, D, { withKl: false, keepRecon: true });
        const { blob } = await stepper.serialize();
        const reloaded = Network.fromWeights(arch, blob);
        const fused = FusedNet.create(arch, s, blob, 256);
        try {
          const again = await reconstructionErrors(reloaded, train, n, owners, D, { withKl: false, keepRecon: true });
          expect(Array.from(again.row)).toEqual(Array.from(mem.row));
          expect(Array.from(again.feature)).toEqual(Array.from(mem.feature));
          const f = await reconstructionErrors(fused, train, n, owners, D, { withKl: false, keepRecon: true });
          expectClose(f.row, mem.row, 1e-4, 1e-7);
          expectClose(f.recon!, mem.recon!, 1e-4, 1e-6);
        } finally {
          reloaded.dispose();
          fused.dispose();
        }
      } finally {
        run.dispose();
        stepper.dispose();
      }
    }, 60_000);
  }
});
