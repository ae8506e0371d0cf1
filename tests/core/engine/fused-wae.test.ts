import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/core/engine';
import type { Activation, LossKind, TrainSettings } from '../../../src-main/core/engine';
import { mmdImq } from '../../../src-main/core/engine/family/mmd';
import { familyLossOptions, makeWaeFusedStepper, makeWaeTfStepper, priorSamples, waeLoss } from '../../../src-main/core/engine/family/train';
import { FusedNet } from '../../../src-main/core/engine/fused/net';
import { architecture, initialWeights, Network, type StepSeeds } from '../../../src-main/core/engine/model';
import { Prng } from '../../../src-main/core/engine/prng';
import { reconstructionErrors } from '../../../src-main/core/engine/recon';

/**
 * The WAE-MMD on the fused kernel against TensorFlow.js (issue #13, item 6): from the same weights and batches, with
 * the same prior samples (both draw them from the step's seed), the same loss, MMD, gradients, Adam trajectory, final
 * weights and scores within float tolerance.
 */

const D = 10; // not a multiple of 4: the kernel's padding
const ROWS = 64;
const BATCH = 16;
const LR = 1e-3;
const SEEDS: StepSeeds = { noise: 1, dropout: 2, sample: 3 };

function data(rows: number, seed: number): Float32Array {
  const rng = new Prng(seed);
  const mix = Array.from({ length: 2 * D }, () => rng.normal());
  const x = new Float32Array(rows * D);
  for (let r = 0; r < rows; r++) {
    const a = rng.normal();
    const b = rng.normal();
    for (let j = 0; j < D; j++) x[r * D + j] = 1 / (1 + Math.exp(-(a * mix[j]! + b * mix[D + j]! + 0.1 * rng.normal())));
  }
  return x;
}

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

function settings(activation: Activation, loss: LossKind, mmdLambda: number): TrainSettings {
  return { kind: 'wae', layers: [6, 3], activation, loss, dropout: 0, l1: 0, noiseStd: 0, beta: 1, mmdLambda, batchSize: BATCH, learningRate: LR, seed: 0 } as unknown as TrainSettings;
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('WAE-MMD: fused kernel vs TensorFlow.js, same weights, batches and prior samples', () => {
  for (const [activation, loss, lambda] of [['relu', 'mse', 10], ['tanh', 'mse', 3], ['elu', 'bce', 10], ['leakyRelu', 'mse', 0]] as const) {
    it(`${activation} ${loss} λ ${lambda}: same loss, MMD and gradients, same Adam trajectory, weights and scores`, async () => {
      const s = settings(activation, loss, lambda);
      const arch = architecture({ kind: 'wae', inputDims: D, layers: s.layers, activation, loss });
      const w0 = initialWeights(arch, new Prng(7));
      const x = data(ROWS, 11);

      // One batch: the objective and its gradients.
      const tnet = Network.fromWeights(arch, w0);
      const fnet = FusedNet.create(arch, s, w0, BATCH);
      const prior = priorSamples(BATCH, 3, SEEDS.sample);
      const o = familyLossOptions(s);
      let mmdTf = 0;
      const { value, grads } = tf.variableGrads(() => {
        const l = waeLoss(tnet, tf.tensor2d(x.subarray(0, BATCH * D), [BATCH, D]), o, SEEDS, tf.tensor2d(prior, [BATCH, 3]));
        mmdTf = l.mmd.dataSync()[0]!;
        return l.total;
      }, tnet.vars);
      const refGrads = new Float32Array(arch.parameterCount);
      let off = 0;
      for (const v of tnet.vars) {
        const g = grads[v.name]!.dataSync();
        refGrads.set(g, off);
        off += g.length;
      }
      const got = fnet.lossAndGradients(x, BATCH, SEEDS);
      expectClose([got.loss], [value.dataSync()[0]!], 1e-5, 1e-7);
      expectClose([fnet.lastTerms().mmd], [mmdTf], 1e-4, 1e-6);
      expectClose(got.gradients, refGrads, 1e-4, 1e-6);
      // The kernel's MMD is the float64 reference's on the codes it computed.
      const codes = tf.tidy(() => tnet.encode(tf.tensor2d(x.subarray(0, BATCH * D), [BATCH, D]), true, o, SEEDS).code.dataSync());
      expectClose([fnet.lastTerms().mmd], [mmdImq(codes, prior, 3)], 1e-4, 1e-6);
      tf.dispose([value, ...Object.values(grads)]);
      tnet.dispose();
      fnet.dispose();

      // Three epochs through each path's stepper (what training runs): same losses, MMD terms and final weights.
      const tfStep = makeWaeTfStepper(arch, s, w0);
      const fzStep = makeWaeFusedStepper(arch, s, w0);
      try {
        expect(fzStep.path).toBe('wasm-fused');
        const seedRng = [new Prng(5), new Prng(5)];
        const tfLosses: number[] = [];
        const fzLosses: number[] = [];
        for (let epoch = 0; epoch < 3; epoch++) {
          for (let start = 0; start < ROWS; start += BATCH) {
            const xb = x.subarray(start * D, (start + BATCH) * D);
            const seeds = (r: Prng): StepSeeds => ({ noise: r.seed(), dropout: r.seed(), sample: r.seed() });
            tfLosses.push(await tfStep.step(xb, BATCH, seeds(seedRng[0]!)));
            fzLosses.push(await fzStep.step(xb, BATCH, seeds(seedRng[1]!)));
          }
          expectClose([fzStep.terms!()['mmd']!], [tfStep.terms!()['mmd']!], 2e-3, 1e-5);
        }
        expectClose(fzLosses, tfLosses, 1e-3, 1e-6);
        const wt = new Float32Array((await tfStep.serialize()).blob.buffer.slice(0));
        const wf = new Float32Array((await fzStep.serialize()).blob.buffer.slice(0));
        expectClose(wf, wt, 1e-3, 1e-4);
        expectClose([await fzStep.evalLoss(x)], [await tfStep.evalLoss(x)], 1e-3, 1e-6);
        const owners = Int32Array.from({ length: D }, (_, j) => j);
        const et = await reconstructionErrors(tfStep.net, x, ROWS, owners, D, { withKl: false, keepRecon: false });
        const ef = await reconstructionErrors(fzStep.net, x, ROWS, owners, D, { withKl: false, keepRecon: false });
        expectClose(ef.row, et.row, 2e-3, 1e-6);
        expectClose(ef.feature, et.feature, 2e-3, 1e-6);
      } finally {
        tfStep.dispose();
        fzStep.dispose();
      }
    });
  }

  it('a batch of one row has no MMD (the unbiased estimator needs two): only its reconstruction, on both paths', () => {
    const s = settings('relu', 'mse', 10);
    const arch = architecture({ kind: 'wae', inputDims: D, layers: s.layers, activation: 'relu', loss: 'mse' });
    const w0 = initialWeights(arch, new Prng(8));
    const x = data(1, 12);
    const fnet = FusedNet.create(arch, s, w0, 4);
    const tnet = Network.fromWeights(arch, w0);
    try {
      const got = fnet.lossAndGradients(x, 1, SEEDS);
      expect(fnet.lastTerms().mmd).toBe(0);
      const ref = tf.tidy(() => waeLoss(tnet, tf.tensor2d(x, [1, D]), familyLossOptions(s), SEEDS, tf.tensor2d(priorSamples(1, 3, 3), [1, 3])).total.dataSync()[0]!);
      expectClose([got.loss], [ref], 1e-5, 1e-7);
    } finally {
      fnet.dispose();
      tnet.dispose();
    }
  });
});
