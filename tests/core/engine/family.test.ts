import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/core/engine';
import {
  discriminatorLoss,
  discriminatorLossGrad,
  generatorLoss,
  generatorLossGrad,
  priorNll,
  priorNllGrad,
  sigmoid,
  softplus,
  tfDiscriminatorLoss,
  tfGeneratorLoss,
  tfPriorNll,
} from '../../../src-main/core/engine/family/aae';
import { IMQ_SCALES, imqBase, mmdImq, mmdImqGrad, tfMmdImq } from '../../../src-main/core/engine/family/mmd';
import { discriminatorLayers, discriminatorParameters, familyLossOptions, priorSamples, waeLoss } from '../../../src-main/core/engine/family/train';
import { architecture, initialWeights, Network } from '../../../src-main/core/engine/model';
import { Prng } from '../../../src-main/core/engine/prng';
import type { TrainSettings } from '../../../src-main/core/engine';

/**
 * The adversarial and Wasserstein autoencoders' math on cases computed by hand, and every new loss's gradient against
 * central differences: the analytic float64 gradients and TensorFlow.js's (the ones training uses).
 */

beforeAll(async () => {
  await initBackend('wasm');
});

/** Central differences of f at x (float64), one coordinate at a time. */
function numericGrad(f: (x: Float64Array) => number, x: ArrayLike<number>, h = 1e-5): Float64Array {
  const at = Float64Array.from(x);
  return Float64Array.from(at, (v, i) => {
    at[i] = v + h;
    const up = f(at);
    at[i] = v - h;
    const down = f(at);
    at[i] = v;
    return (up - down) / (2 * h);
  });
}

function expectAllClose(a: ArrayLike<number>, b: ArrayLike<number>, abs: number, rel = 0): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) {
    const tol = abs + rel * Math.abs(b[i]!);
    if (!(Math.abs(a[i]! - b[i]!) <= tol)) expect.fail(`element ${i}: ${a[i]} vs ${b[i]} (tolerance ${tol})`);
  }
}

function randomRows(n: number, dz: number, seed: number, shift = 0, scale = 1): Float64Array {
  const rng = new Prng(seed);
  return Float64Array.from({ length: n * dz }, () => shift + scale * rng.normal());
}

describe('MMD with the inverse multiquadratic kernel (WAE-MMD)', () => {
  it('is the unbiased estimator on two hand-computed cases', () => {
    // d_z = 1, one scale: C = 2·d_z·σ² = 2, k(x, y) = 2 / (2 + (x − y)²).
    // q = {0, 1}, p = {0, 2}: within q k(0,1) = 2/3; within p k(0,2) = 1/3;
    // across Σ k = k(0,0) + k(0,2) + k(1,0) + k(1,2) = 1 + 1/3 + 2/3 + 2/3 = 8/3, times 2/(2·2) = 4/3.
    expect(imqBase(1)).toBe(2);
    expect(mmdImq([0, 1], [0, 2], 1, [1])).toBeCloseTo(2 / 3 + 1 / 3 - 4 / 3, 14);
    // d_z = 1, scales 1 and 2: C ∈ {2, 4}, k(d²) = 2/(2 + d²) + 4/(4 + d²): k(0) = 2, k(1) = 22/15, k(4) = 5/6,
    // k(9) = 70/143, k(16) = 14/45. q = {0, 1, 3}: (k(1) + k(9) + k(4)) · 2 / (3·2) = 3989/4290;
    // p = {−1, 1}: k(4) · 2 / (2·1) = 5/6; across: (2·k(1) + k(4) + k(0) + k(16) + k(4)) · 2 / (3·2) = 311/135.
    expect(mmdImq([0, 1, 3], [-1, 1], 1, [1, 2])).toBeCloseTo(3989 / 4290 + 5 / 6 - 311 / 135, 14);
    // d_z = 2, the paper's seven scales: q = {(0,0), (1,1)} against two prior samples both at the origin. Within p
    // every scale gives 1 (7 in all); across, half the pairs are at distance 0: MMD = K(2) + 7 − (2·7 + 2·K(2))/2 = 0.
    expect(mmdImq([0, 0, 1, 1], [0, 0, 0, 0], 2)).toBeCloseTo(0, 14);
  });

  it('has the hand-computed gradient, and the analytic gradient matches central differences', () => {
    // q = {0, 1}, p = {0, 2}, C = 2: dk(x, y)/dx = −2(x − y)·C/(C + (x − y)²)².
    // d/dq0 = dk(0,1)/dq0 − ½(dk(0,0) + dk(0,2)) = 4/9 − ½·2/9 = 1/3; d/dq1 = −4/9 − ½(−4/9 + 4/9) = −4/9.
    const g = mmdImqGrad([0, 1], [0, 2], 1, [1]);
    expectAllClose(g.grad, [1 / 3, -4 / 9], 1e-14);
    for (const [n, m, dz, seed] of [[5, 5, 3, 1], [7, 4, 2, 2], [3, 6, 4, 3]] as const) {
      const q = randomRows(n, dz, seed, 0.5, 1.5);
      const p = randomRows(m, dz, seed + 10);
      const { value, grad } = mmdImqGrad(q, p, dz);
      expect(value).toBeCloseTo(mmdImq(q, p, dz), 12);
      expectAllClose(grad, numericGrad((x) => mmdImq(x, p, dz), q), 1e-8, 1e-6);
    }
  });

  it('is near 0 for prior samples against prior samples and grows as the codes move away', () => {
    const p = randomRows(200, 2, 5);
    const same = mmdImq(randomRows(200, 2, 6), p, 2);
    const shifted = mmdImq(randomRows(200, 2, 6, 1), p, 2);
    const far = mmdImq(randomRows(200, 2, 6, 3), p, 2);
    expect(Math.abs(same)).toBeLessThan(0.02);
    expect(shifted).toBeGreaterThan(0.1);
    expect(far).toBeGreaterThan(shifted);
    expect(() => mmdImq([1, 2], [0, 0, 1, 1], 2)).toThrow(/at least 2 rows/);
  });

  it("TensorFlow.js's MMD and its gradient (what training runs) equal the float64 ones", () => {
    for (const [n, dz, seed] of [[6, 3, 1], [16, 8, 2], [2, 1, 3]] as const) {
      const q = randomRows(n, dz, seed, 0.3, 1.2);
      const p = randomRows(n, dz, seed + 20);
      const ref = mmdImqGrad(q, p, dz);
      const qt = tf.tensor2d(Float32Array.from(q), [n, dz]);
      const pt = tf.tensor2d(Float32Array.from(p), [n, dz]);
      const { value, grads } = tf.valueAndGrads((a: tf.Tensor) => tfMmdImq(a as tf.Tensor2D, pt))([qt]);
      expect(value.dataSync()[0]!).toBeCloseTo(ref.value, 5);
      expectAllClose(grads[0]!.dataSync(), ref.grad, 2e-5, 1e-3);
      tf.dispose([qt, pt, value, ...grads]);
    }
    expect(IMQ_SCALES).toEqual([0.1, 0.2, 0.5, 1, 2, 5, 10]);
  });
});

describe("the adversarial autoencoder's losses", () => {
  const ln3 = Math.log(3);

  it('discriminator and generator losses on hand-computed logits', () => {
    // softplus(0) = ln 2, softplus(−ln 3) = ln(4/3), softplus(ln 3) = ln 4.
    expect(softplus(0)).toBeCloseTo(Math.LN2, 15);
    expect(softplus(-ln3)).toBeCloseTo(Math.log(4 / 3), 15);
    expect(softplus(800)).toBe(800);
    // Real logits {0, ln 3}: (ln 2 + ln 4/3)/2; fake {0, −ln 3}: the same. Sum: ln(8/3).
    expect(discriminatorLoss([0, ln3], [0, -ln3])).toBeCloseTo(Math.log(8 / 3), 14);
    // At chance (every logit 0) the discriminator's loss is 2 ln 2; a perfect one's tends to 0.
    expect(discriminatorLoss([0, 0, 0], [0])).toBeCloseTo(2 * Math.LN2, 14);
    expect(discriminatorLoss([40], [-40])).toBeLessThan(1e-15);
    // The generator (non-saturating) on fake logits {0, −ln 3}: (ln 2 + ln 4)/2 = 1.5 ln 2.
    expect(generatorLoss([0, -ln3])).toBeCloseTo(1.5 * Math.LN2, 14);
    // Gradients: real (σ − 1)/n = {−1/4, −1/8}; fake σ/n = {1/4, 1/8}; generator (σ − 1)/n = {−1/4, −3/8}.
    const g = discriminatorLossGrad([0, ln3], [0, -ln3]);
    expectAllClose(g.real, [-1 / 4, -1 / 8], 1e-15);
    expectAllClose(g.fake, [1 / 4, 1 / 8], 1e-15);
    expectAllClose(generatorLossGrad([0, -ln3]), [-1 / 4, -3 / 8], 1e-15);
    expect(sigmoid(-800)).toBe(0);
  });

  it('their analytic gradients match central differences, and TensorFlow.js matches both', () => {
    const real = Float64Array.from(randomRows(6, 1, 1, 0, 2));
    const fake = Float64Array.from(randomRows(5, 1, 2, -1, 2));
    const g = discriminatorLossGrad(real, fake);
    expectAllClose(g.real, numericGrad((r) => discriminatorLoss(r, fake), real), 1e-9);
    expectAllClose(g.fake, numericGrad((f) => discriminatorLoss(real, f), fake), 1e-9);
    expectAllClose(generatorLossGrad(fake), numericGrad((f) => generatorLoss(f), fake), 1e-9);

    const rt = tf.tensor1d(Float32Array.from(real));
    const ft = tf.tensor1d(Float32Array.from(fake));
    const d = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) => tfDiscriminatorLoss(a, b))([rt, ft]);
    expect(d.value.dataSync()[0]!).toBeCloseTo(discriminatorLoss(real, fake), 5);
    expectAllClose(d.grads[0]!.dataSync(), g.real, 1e-6);
    expectAllClose(d.grads[1]!.dataSync(), g.fake, 1e-6);
    const gen = tf.valueAndGrads((b: tf.Tensor) => tfGeneratorLoss(b))([ft]);
    expect(gen.value.dataSync()[0]!).toBeCloseTo(generatorLoss(fake), 5);
    expectAllClose(gen.grads[0]!.dataSync(), generatorLossGrad(fake), 1e-6);
    tf.dispose([rt, ft, d.value, ...d.grads, gen.value, ...gen.grads]);
  });

  it("the prior's negative log-density of a code, by hand and by central differences", () => {
    // z = (1, 2): ½·5 + 2·½·log 2π = 2.5 + log 2π.
    expect(priorNll([1, 2], 2)).toBeCloseTo(2.5 + Math.log(2 * Math.PI), 14);
    expect(priorNll([9, 9, 0, 0], 2, 1)).toBeCloseTo(Math.log(2 * Math.PI), 14);
    const z = randomRows(1, 4, 3);
    expectAllClose(priorNllGrad(z, 4), numericGrad((x) => priorNll(x, 4), z), 1e-8);
    const t = tf.tensor2d([1, 2, 0, 0], [2, 2]);
    expectAllClose(tfPriorNll(t).dataSync(), [2.5 + Math.log(2 * Math.PI), Math.log(2 * Math.PI)], 1e-5);
    t.dispose();
  });

  it('the discriminator is two hidden layers as wide as the encoder (at least 8, twice the code)', () => {
    expect(discriminatorLayers([16, 8])).toEqual([16, 16]);
    expect(discriminatorLayers([64, 2])).toEqual([64, 64]);
    expect(discriminatorLayers([3])).toEqual([8, 8]);
    expect(discriminatorLayers([6, 5])).toEqual([10, 10]);
    // 8 → 16 → 16 → 1: 8·16 + 16 + 16·16 + 16 + 16 + 1.
    expect(discriminatorParameters([16, 8])).toBe(8 * 16 + 16 + 16 * 16 + 16 + 16 * 1 + 1);
    // The generator phase updates the encoder alone: its two layers (enc0, code), not the decoder's.
    const arch = architecture({ kind: 'aae', inputDims: 5, layers: [4, 2], activation: 'relu', loss: 'mse' });
    const net = Network.fromWeights(arch, initialWeights(arch, new Prng(1)));
    expect(net.encoderVars().map((v) => net.vars.indexOf(v))).toEqual([0, 1, 2, 3]);
    net.dispose();
  });
});

describe('the WAE objective through the network', () => {
  it("TensorFlow.js's gradient of reconstruction + λ·MMD matches central differences on the weights", () => {
    const D = 5;
    const arch = architecture({ kind: 'wae', inputDims: D, layers: [4, 2], activation: 'tanh', loss: 'mse' });
    expect(arch.variables.map((v) => v.name)).toEqual(['enc0/kernel', 'enc0/bias', 'code/kernel', 'code/bias', 'dec0/kernel', 'dec0/bias', 'out/kernel', 'out/bias']);
    const w = initialWeights(arch, new Prng(4));
    const x = Float32Array.from(randomRows(8, D, 7));
    const prior = priorSamples(8, 2, 11);
    const o = familyLossOptions({ loss: 'mse', dropout: 0, l1: 0, noiseStd: 0, beta: 1, mmdLambda: 3 } as TrainSettings);
    const seeds = { noise: 1, dropout: 2, sample: 3 };
    const lossAt = (weights: Float32Array): number => {
      const net = Network.fromWeights(arch, weights);
      const v = tf.tidy(() => waeLoss(net, tf.tensor2d(x, [8, D]), o, seeds, tf.tensor2d(prior, [8, 2])).total.dataSync()[0]!);
      net.dispose();
      return v;
    };
    const net = Network.fromWeights(arch, w);
    const { value, grads } = tf.variableGrads(() => waeLoss(net, tf.tensor2d(x, [8, D]), o, seeds, tf.tensor2d(prior, [8, 2])).total, net.vars);
    const analytic = new Float32Array(arch.parameterCount);
    let off = 0;
    for (const v of net.vars) {
      const g = grads[v.name]!.dataSync();
      analytic.set(g, off);
      off += g.length;
    }
    expect(value.dataSync()[0]!).toBeCloseTo(lossAt(w), 5);
    tf.dispose([value, ...Object.values(grads)]);
    net.dispose();
    // float32 forward passes: a step of 1e-2 keeps the rounding well below the differences compared.
    const h = 1e-2;
    let checked = 0;
    for (let i = 0; i < w.length; i += 3) {
      const up = Float32Array.from(w);
      const down = Float32Array.from(w);
      up[i] = up[i]! + h;
      down[i] = down[i]! - h;
      const fd = (lossAt(up) - lossAt(down)) / (2 * h);
      expect(Math.abs(analytic[i]! - fd)).toBeLessThanOrEqual(2e-3 + 2e-2 * Math.abs(fd));
      checked++;
    }
    expect(checked).toBeGreaterThan(20);
    // The MMD part matters: without λ the gradient differs.
    const o0 = { ...o, mmdLambda: 0 };
    const net0 = Network.fromWeights(arch, w);
    const g0 = tf.variableGrads(() => waeLoss(net0, tf.tensor2d(x, [8, D]), o0, seeds, tf.tensor2d(prior, [8, 2])).total, net0.vars);
    const codeGrad = g0.grads[net0.vars[2]!.name]!.dataSync();
    expect(Math.max(...codeGrad.map((v, i) => Math.abs(v - analytic[4 * 4 + 4 + i]!)))).toBeGreaterThan(1e-4);
    tf.dispose([g0.value, ...Object.values(g0.grads)]);
    net0.dispose();
  });
});
