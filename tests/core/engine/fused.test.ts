import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getModel, initBackend, readFeatureErrors, readRowErrors, scoreDataset, trainModel } from '../../../src-main/core/engine';
import type { Activation, LossKind, ModelKind, TrainSettings } from '../../../src-main/core/engine';
import { THREADS_ENV } from '../../../src-main/core/engine/fused/helper';
import { choosePath, FUSED_ENV, FusedNet, fusedUnsupported } from '../../../src-main/core/engine/fused/net';
import { architecture, initialWeights, Network, type LossOptions, type StepSeeds } from '../../../src-main/core/engine/model';
import { Prng } from '../../../src-main/core/engine/prng';
import { reconstructionErrors } from '../../../src-main/core/engine/recon';
import { getWeights } from '../../../src-main/core/engine/repo';
import { rankOrder } from '../../../src-main/core/engine/score';
import { ProjectStore } from '../../../src-main/core/store';
import { makeDataset } from '../../helpers/dataset';
import { tmpDir } from '../../helpers/tmp';
import { manifoldColumns } from './helpers';

/**
 * The fused WebAssembly path against the TensorFlow.js reference: from the same initial weights on the same
 * batches, the same losses, gradients, Adam trajectory, final weights and scores within float tolerance.
 */

const ACTIVATIONS: readonly Activation[] = ['relu', 'elu', 'tanh', 'sigmoid', 'leakyRelu'];
const D = 10; // not a multiple of 4: exercises the kernel's padding
const LAYERS = [6, 3];
const ROWS = 64;
const BATCH = 16;
const LR = 1e-3;
const dir = tmpDir();

/** Low-rank rows in [0, 1] (so BCE targets need no clipping) with a little noise. */
function data(rows: number, d: number, seed: number): Float32Array {
  const rng = new Prng(seed);
  const mix = Array.from({ length: 2 * d }, () => rng.normal());
  const x = new Float32Array(rows * d);
  for (let r = 0; r < rows; r++) {
    const a = rng.normal();
    const b = rng.normal();
    for (let j = 0; j < d; j++) x[r * d + j] = 1 / (1 + Math.exp(-(a * mix[j]! + b * mix[d + j]! + 0.1 * rng.normal())));
  }
  return x;
}

interface Case {
  readonly kind: ModelKind;
  readonly activation: Activation;
  readonly loss: LossKind;
  readonly l1: number;
}

function setup(c: Case): { arch: ReturnType<typeof architecture>; w0: Float32Array; opts: LossOptions; s: TrainSettings } {
  const arch = architecture({ kind: c.kind, inputDims: D, layers: LAYERS, activation: c.activation, loss: c.loss });
  const w0 = initialWeights(arch, new Prng(7));
  const opts: LossOptions = { loss: c.loss, dropout: 0, l1: c.l1, noiseStd: 0, beta: 1 };
  const s = { kind: c.kind, loss: c.loss, dropout: 0, l1: c.l1, noiseStd: 0, batchSize: BATCH, learningRate: LR } as TrainSettings;
  return { arch, w0, opts, s };
}

const SEEDS: StepSeeds = { noise: 1, dropout: 2, sample: 3 };

/** max |a - b| / (tol_abs + tol_rel·|b|) ≤ 1 elementwise. */
function expectClose(a: ArrayLike<number>, b: ArrayLike<number>, rel: number, abs: number): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < a.length; i++) {
    const r = Math.abs(a[i]! - b[i]!) / (abs + rel * Math.abs(b[i]!));
    if (!(r <= worst)) {
      worst = r;
      at = i;
    }
  }
  if (worst > 1) expect.fail(`element ${at}: ${a[at]} vs ${b[at]} (${worst.toFixed(2)}× the tolerance)`);
}

/** tf's loss and gradients (arch.variables order) on one batch; seeds null: no noise, dropout or VAE sampling. */
function tfGradients(net: Network, x: Float32Array, n: number, opts: LossOptions, seeds: StepSeeds | null = SEEDS): { loss: number; gradients: Float32Array } {
  const { value, grads } = tf.variableGrads(() => net.loss(tf.tensor2d(x.subarray(0, n * D), [n, D]), opts, true, seeds), net.vars);
  const loss = value.dataSync()[0]!;
  const gradients = new Float32Array(net.arch.parameterCount);
  let off = 0;
  for (const v of net.vars) {
    const g = grads[v.name]!.dataSync() as Float32Array;
    gradients.set(g, off);
    off += g.length;
  }
  tf.dispose([value, ...Object.values(grads)]);
  return { loss, gradients };
}

beforeAll(async () => {
  await initBackend('wasm');
});

const CASES: Case[] = [
  ...ACTIVATIONS.map((activation) => ({ kind: 'ae' as const, activation, loss: 'mse' as const, l1: 0 })),
  ...ACTIVATIONS.map((activation) => ({ kind: 'ae' as const, activation, loss: 'bce' as const, l1: 0 })),
  { kind: 'sparse', activation: 'relu', loss: 'mse', l1: 0.01 },
  { kind: 'sparse', activation: 'tanh', loss: 'mse', l1: 0.01 },
  { kind: 'sparse', activation: 'elu', loss: 'bce', l1: 0.01 },
];

describe('fused kernel vs TensorFlow.js, same weights and batches', () => {
  for (const c of CASES) {
    it(`${c.kind} ${c.activation} ${c.loss}: same loss and gradients, same Adam trajectory and final weights`, () => {
      const { arch, w0, opts, s } = setup(c);
      const x = data(ROWS, D, 11);
      const tnet = Network.fromWeights(arch, w0);
      const fnet = FusedNet.create(arch, s, w0, BATCH);
      try {
        // One batch: loss and gradients.
        const ref = tfGradients(tnet, x, BATCH, opts);
        const got = fnet.lossAndGradients(x, BATCH, SEEDS);
        expectClose([got.loss], [ref.loss], 1e-5, 0);
        expectClose(got.gradients, ref.gradients, 1e-4, 1e-6);

        // Three epochs of Adam on the same batches.
        const opt = tf.train.adam(LR, 0.9, 0.999, 1e-8);
        const tfLosses: number[] = [];
        const fzLosses: number[] = [];
        for (let epoch = 0; epoch < 3; epoch++) {
          for (let start = 0; start < ROWS; start += BATCH) {
            const xb = x.subarray(start * D, (start + BATCH) * D);
            const cost = tf.tidy(() => opt.minimize(() => tnet.loss(tf.tensor2d(xb, [BATCH, D]), opts, true, SEEDS), true, tnet.vars)!);
            tfLosses.push(cost.dataSync()[0]!);
            cost.dispose();
            fzLosses.push(fnet.trainStep(xb, BATCH, SEEDS, LR));
          }
        }
        opt.dispose();
        expectClose(fzLosses, tfLosses, 1e-4, 1e-7);
        const tfW = new Float32Array(arch.parameterCount);
        let off = 0;
        for (const v of tnet.vars) {
          const w = v.dataSync() as Float32Array;
          tfW.set(w, off);
          off += w.length;
        }
        expectClose(fnet.weights(), tfW, 1e-4, 1e-5);

        // Scores and per-feature errors of the trained (fused) weights on both paths, and the deterministic loss.
        const trained = Network.fromWeights(arch, fnet.weights());
        const owners = Int32Array.from({ length: D }, (_, j) => Math.floor(j / 3));
        const fe = fnet.errors(x, ROWS, owners, 4, true);
        const te = tf.tidy(() => {
          const r = trained.reconstruct(tf.tensor2d(x, [ROWS, D]));
          return r.recon.dataSync() as Float32Array;
        });
        expectClose(fe.recon!, te, 1e-5, 1e-6);
        const row = new Float64Array(ROWS);
        const feat = new Float64Array(ROWS * 4);
        for (let r = 0; r < ROWS; r++) {
          for (let j = 0; j < D; j++) {
            const e = (te[r * D + j]! - x[r * D + j]!) ** 2;
            row[r]! += e / D;
            feat[r * 4 + owners[j]!]! += e;
          }
        }
        expectClose(fe.row, row, 1e-4, 1e-8);
        expectClose(fe.feature, feat, 1e-4, 1e-8);
        const tEval = tf.tidy(() => trained.loss(tf.tensor2d(x, [ROWS, D]), opts, false, null).dataSync()[0]!);
        trained.dispose();
        expectClose([fnet.evalLoss(x)], [tEval], 1e-5, 0);
      } finally {
        tnet.dispose();
        fnet.dispose();
      }
    });
  }

  it('denoising: the loss is the clean rows against the reconstruction of the noisy ones', () => {
    const arch = architecture({ kind: 'denoising', inputDims: D, layers: LAYERS, activation: 'relu', loss: 'mse' });
    const w0 = initialWeights(arch, new Prng(3));
    const x = data(BATCH, D, 5);
    const fnet = FusedNet.create(arch, { kind: 'denoising', loss: 'mse', dropout: 0, l1: 0, noiseStd: 0.3 }, w0, BATCH);
    const tnet = Network.fromWeights(arch, w0);
    try {
      const got = fnet.lossAndGradients(x, BATCH, SEEDS).loss;
      // The fused path draws its noise from Prng(seeds.noise), row by row.
      const rng = new Prng(SEEDS.noise);
      const noisy = x.map((v) => v + rng.normal() * 0.3);
      const ref = tf.tidy(() => tf.mean(tf.squaredDifference(tnet.reconstruct(tf.tensor2d(noisy, [BATCH, D])).recon, tf.tensor2d(x, [BATCH, D]))).dataSync()[0]!);
      expect(got).toBeCloseTo(ref, 5);
      const clean = fnet.evalLoss(x);
      expect(Math.abs(got - clean)).toBeGreaterThan(1e-4);
    } finally {
      fnet.dispose();
      tnet.dispose();
    }
  });

  it('is deterministic: the same seeds twice give identical weights (noise and dropout included)', () => {
    const run = (dropSeed: number): Float32Array => {
      const arch = architecture({ kind: 'denoising', inputDims: D, layers: [8, 4], activation: 'elu', loss: 'mse' });
      const net = FusedNet.create(arch, { kind: 'denoising', loss: 'mse', dropout: 0.2, l1: 0, noiseStd: 0.1 }, initialWeights(arch, new Prng(1)), BATCH);
      const x = data(ROWS, D, 2);
      for (let i = 0; i < 8; i++) net.trainStep(x.subarray((i % 4) * BATCH * D), BATCH, { noise: i, dropout: dropSeed + i, sample: 0 }, LR);
      return net.weights();
    };
    const a = run(100);
    expect(run(100)).toEqual(a);
    expect(run(200)).not.toEqual(a);
  });
});

describe('fused VAE vs TensorFlow.js', () => {
  const VAE_LAYERS = [6, 3];
  const vaeSetup = (activation: Activation, loss: LossKind, scoreWithKl: boolean) => {
    const arch = architecture({ kind: 'vae', inputDims: D, layers: VAE_LAYERS, activation, loss });
    const w0 = initialWeights(arch, new Prng(7));
    // Non-zero log-variance biases, so that σ ≠ 1 and every term of the KL and its gradient is exercised.
    const w = w0.slice();
    let off = 0;
    for (const v of arch.variables) {
      const size = v.shape.reduce((a, b) => a * b, 1);
      if (v.name === 'z_logvar/bias' || v.name === 'z_mean/bias') for (let i = 0; i < size; i++) w[off + i] = 0.3 * Math.sin(i + off);
      off += size;
    }
    const opts: LossOptions = { loss, dropout: 0, l1: 0, noiseStd: 0, beta: 0.7 };
    const s = { kind: 'vae' as const, loss, dropout: 0, l1: 0, noiseStd: 0, beta: 0.7, scoreWithKl };
    return { arch, w, opts, s };
  };

  for (const [activation, loss] of [['relu', 'mse'], ['tanh', 'bce'], ['elu', 'mse'], ['leakyRelu', 'bce']] as const) {
    it(`vae ${activation} ${loss}: at the latent mean the same loss (KL included) and gradients; the same eval loss and scores`, () => {
      const { arch, w, opts, s } = vaeSetup(activation, loss, true);
      const x = data(ROWS, D, 11);
      const tnet = Network.fromWeights(arch, w);
      const fnet = FusedNet.create(arch, s, w, BATCH);
      try {
        // tfjs samples only when given seeds: without, z = μ, as the fused path with sample: false.
        const ref = tfGradients(tnet, x, BATCH, opts, null);
        const got = fnet.lossAndGradients(x, BATCH, SEEDS, { sample: false });
        expectClose([got.loss], [ref.loss], 1e-5, 0);
        expectClose(got.gradients, ref.gradients, 1e-4, 1e-6);

        // The deterministic objective and the scores with the KL term.
        const tEval = tf.tidy(() => tnet.loss(tf.tensor2d(x, [ROWS, D]), opts, false, null).dataSync()[0]!);
        expectClose([fnet.evalLoss(x)], [tEval], 1e-5, 0);
        const owners = Int32Array.from({ length: D }, (_, j) => j);
        const fe = fnet.errors(x, ROWS, owners, D, false);
        const te = reconstructionErrorsSync(tnet, x, owners);
        expectClose(fe.row, te.row, 1e-4, 1e-8);
        expectClose(fe.feature, te.feature, 1e-4, 1e-8);
      } finally {
        tnet.dispose();
        fnet.dispose();
      }
    });
  }

  it('vae: the gradient through the sampled latent matches finite differences of the loss', () => {
    const { arch, w, s } = vaeSetup('tanh', 'mse', false);
    const x = data(BATCH, D, 13);
    const fnet = FusedNet.create(arch, s, w, BATCH);
    try {
      const base = fnet.lossAndGradients(x, BATCH, SEEDS);
      // Every parameter of the heads and of the first decoder layer, plus a few of the encoder.
      const names = new Set(['z_mean/kernel', 'z_mean/bias', 'z_logvar/kernel', 'z_logvar/bias', 'dec0/bias', 'enc0/bias']);
      let off = 0;
      let checked = 0;
      for (const v of arch.variables) {
        const size = v.shape.reduce((a, b) => a * b, 1);
        if (names.has(v.name)) {
          for (let i = off; i < off + size; i += Math.max(1, Math.floor(size / 6))) {
            const h = 1e-2;
            const at = (delta: number): number => {
              const p = w.slice();
              p[i]! += delta;
              fnet.setWeights(p);
              return fnet.lossAndGradients(x, BATCH, SEEDS).loss;
            };
            const numeric = (at(h) - at(-h)) / (2 * h);
            expect(Math.abs(numeric - base.gradients[i]!)).toBeLessThan(2e-3 * Math.abs(numeric) + 2e-4);
            checked++;
          }
        }
        off += size;
      }
      expect(checked).toBeGreaterThan(20);
      // With sampling the loss differs from the latent mean's (the noise matters), and repeats exactly per seed.
      fnet.setWeights(w);
      expect(fnet.lossAndGradients(x, BATCH, SEEDS).loss).toBe(base.loss);
      expect(Math.abs(fnet.lossAndGradients(x, BATCH, SEEDS, { sample: false }).loss - base.loss)).toBeGreaterThan(1e-6);
    } finally {
      fnet.dispose();
    }
  });
});

/** tfjs's reconstruction errors (per row with KL/dims, per dim) of x, as the tfjs scoring path computes them. */
function reconstructionErrorsSync(net: Network, x: Float32Array, owners: Int32Array): { row: Float32Array; feature: Float32Array } {
  const n = x.length / D;
  const input = tf.tensor2d(x, [n, D]);
  const r = net.reconstruct(input);
  const recon = r.recon.dataSync() as Float32Array;
  const kl = r.kl ? (r.kl.dataSync() as Float32Array) : null;
  tf.dispose([input, r.recon, ...(r.kl ? [r.kl] : [])]);
  const row = new Float32Array(n);
  const feature = new Float32Array(n * D);
  for (let r = 0; r < n; r++) {
    let total = 0;
    for (let j = 0; j < D; j++) {
      const e = (recon[r * D + j]! - x[r * D + j]!) ** 2;
      feature[r * D + owners[j]!]! += e;
      total += e;
    }
    row[r] = total / D + (kl ? kl[r]! / D : 0);
  }
  return { row, feature };
}

describe('fused kernel on two threads (helper worker)', () => {
  const saved = process.env[THREADS_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[THREADS_ENV];
    else process.env[THREADS_ENV] = saved;
  });

  for (const kind of ['denoising', 'vae'] as const) it(`${kind}: trains, evaluates and scores as one thread does, within float tolerance, and repeats exactly`, () => {
    const arch = architecture({ kind, inputDims: D, layers: [8, 4], activation: 'tanh', loss: 'mse' });
    // The VAE's sampling noise, like dropout masks, is drawn for the whole batch and shared with the helper.
    const s = { kind, loss: 'mse' as const, dropout: 0.1, l1: 0, noiseStd: 0.1, beta: 1, scoreWithKl: true };
    const x = data(ROWS, D, 8);
    const owners = Int32Array.from({ length: D }, (_, j) => j % 3);
    const run = (threads: '1' | '2') => {
      process.env[THREADS_ENV] = threads;
      const net = FusedNet.create(arch, s, initialWeights(arch, new Prng(4)), 32);
      try {
        expect(net.threads).toBe(threads === '2' ? 2 : 1);
        const losses: number[] = [];
        // Step 5 has one row (as the last batch of an epoch may): the helper's weights must stay in step.
        for (let i = 0; i < 12; i++) losses.push(net.trainStep(x.subarray((i % 2) * 31 * D), i === 5 ? 1 : 31, { noise: i, dropout: 50 + i, sample: 70 + i }, 1e-2));
        const snap = net.snapshot();
        net.trainStep(x, 32, { noise: 99, dropout: 99, sample: 0 }, 1e-2);
        net.restore(snap);
        return { losses, weights: net.weights(), evalLoss: net.evalLoss(x), errors: net.errors(x, ROWS, owners, 3, false) };
      } finally {
        net.dispose();
      }
    };
    const one = run('1');
    const two = run('2');
    expectClose(two.losses, one.losses, 1e-4, 1e-7);
    expectClose(two.weights, one.weights, 1e-4, 1e-5);
    expectClose([two.evalLoss], [one.evalLoss], 1e-5, 0);
    expectClose(two.errors.row, one.errors.row, 1e-5, 1e-9);
    expectClose(two.errors.feature, one.errors.feature, 1e-5, 1e-9);
    const again = run('2');
    expect(again.weights).toEqual(two.weights);
    expect(again.errors.row).toEqual(two.errors.row);
  });
});

describe('engine path selection', () => {
  const saved = process.env[FUSED_ENV];
  afterEach(() => {
    if (saved === undefined) delete process.env[FUSED_ENV];
    else process.env[FUSED_ENV] = saved;
  });

  it('uses the fused path for every model kind on wasm, falls back for native backends and RESIDUAL_FUSED=0', () => {
    delete process.env[FUSED_ENV];
    const arch = (kind: ModelKind) => architecture({ kind, inputDims: 30, layers: [16, 8], activation: 'relu', loss: 'mse' });
    for (const kind of ['ae', 'sparse', 'denoising', 'vae'] as const) {
      expect(fusedUnsupported(arch(kind))).toBeNull();
      expect(choosePath(arch(kind), 'wasm').path).toBe('wasm-fused');
    }
    expect(choosePath(arch('ae'), 'tensorflow').path).toBe('tfjs');
    expect(choosePath(arch('vae'), 'tensorflow').path).toBe('tfjs');
    process.env[FUSED_ENV] = '1';
    expect(choosePath(arch('ae'), 'tensorflow').path).toBe('wasm-fused');
    expect(choosePath(arch('vae'), 'tensorflow').path).toBe('wasm-fused');
    process.env[FUSED_ENV] = '0';
    expect(choosePath(arch('ae'), 'wasm')).toEqual({ path: 'tfjs', reason: `${FUSED_ENV}=0` });
  });

  it('trainModel says which path it used; a fused model scores the same on the tfjs path and vice versa', async () => {
    delete process.env[FUSED_ENV];
    const store = ProjectStore.open(path.join(dir, 'fused.residual'), { create: true });
    try {
      makeDataset(store, 'd', manifoldColumns(300, 7, 4, 6));
      const settings: Partial<TrainSettings> = { kind: 'ae', layers: [5, 2], epochs: 4, batchSize: 32, validation: 0.2, patience: 2, seed: 9, dropout: 0.1 };
      const a = await trainModel(store, { dataset: 'd', settings });
      const b = await trainModel(store, { dataset: 'd', settings });
      expect([a.path, a.backend]).toEqual(['wasm-fused', 'wasm']);
      expect(getModel(store, a.modelId).weightsSha256).toBe(getModel(store, b.modelId).weightsSha256);
      const vae = await trainModel(store, { dataset: 'd', settings: { ...settings, kind: 'vae' } });
      expect(vae.path).toBe('wasm-fused');
      process.env[FUSED_ENV] = '0';
      const vaeTf = await trainModel(store, { dataset: 'd', settings: { ...settings, kind: 'vae' } });
      delete process.env[FUSED_ENV];
      expect([vaeTf.path, vaeTf.pathReason]).toEqual(['tfjs', `${FUSED_ENV}=0`]);
      // The path is stored with each model, so the run list and the report can say which built it.
      expect([getModel(store, a.modelId).path, getModel(store, vae.modelId).path, getModel(store, vaeTf.modelId).path]).toEqual(['wasm-fused', 'wasm-fused', 'tfjs']);

      // Scoring again replaces the score of the same model and dataset: read each before the next.
      const fused = await scoreDataset(store, { modelId: a.modelId });
      expect(fused.path).toBe('wasm-fused');
      const fusedRows = readRowErrors(store, fused.scoreId);
      const fusedFeatures = readFeatureErrors(store, fused.scoreId, 0, 300).values;
      process.env[FUSED_ENV] = '0';
      const ref = await scoreDataset(store, { modelId: a.modelId });
      expect(ref.path).toBe('tfjs');
      expectClose(fusedRows, readRowErrors(store, ref.scoreId), 1e-5, 1e-9);
      expectClose(fusedFeatures, readFeatureErrors(store, ref.scoreId, 0, 300).values, 1e-5, 1e-9);

      // A model trained on the tfjs path loads into the fused kernel unchanged.
      const t = await trainModel(store, { dataset: 'd', settings });
      expect(t.path).toBe('tfjs');
      const model = getModel(store, t.modelId);
      const fnet = FusedNet.create(model.architecture, model.settings, getWeights(store, t.modelId)!, 1024);
      expect(Buffer.from(fnet.serialize().blob)).toEqual(Buffer.from(getWeights(store, t.modelId)!));
      const tnet = Network.fromWeights(model.architecture, getWeights(store, t.modelId)!);
      const x = data(50, model.architecture.inputDims, 1);
      const owners = Int32Array.from({ length: model.architecture.inputDims }, (_, j) => j);
      const fe = fnet.errors(x, 50, owners, owners.length, false);
      const te = await reconstructionErrors(tnet, x, 50, owners, owners.length, { withKl: false, keepRecon: false });
      tnet.dispose();
      expectClose(fe.row, te.row, 1e-5, 1e-9);
      expectClose(fe.feature, te.feature, 1e-5, 1e-9);
    } finally {
      store.close();
    }
  });
});

describe('rankOrder (radix sort of order-preserving keys)', () => {
  it('gives the comparator order: highest first, NaN as +∞, ties (and ±0) by row', () => {
    const rng = new Prng(3);
    const reference = (errors: Float32Array): Int32Array => {
      const idx = Int32Array.from({ length: errors.length }, (_, i) => i);
      const key = (i: number): number => (Number.isNaN(errors[i]!) ? Infinity : errors[i]!);
      return idx.sort((a, b) => key(b) - key(a) || a - b);
    };
    for (let t = 0; t < 31; t++) {
      // The last case is large (every radix digit busy, many ties).
      const n = t === 30 ? 300_000 : 1 + rng.int(3000);
      const e = Float32Array.from({ length: n }, () => {
        const u = rng.next();
        if (u < 0.05) return NaN;
        if (u < 0.1) return Infinity;
        if (u < 0.13) return -0;
        if (u < 0.16) return 0;
        if (u < 0.2) return -Infinity;
        if (u < 0.3) return -rng.next();
        if (u < 0.5) return Math.round(rng.next() * 10);
        return rng.normal() ** 2;
      });
      expect(rankOrder(e)).toEqual(reference(e));
    }
  });
});
