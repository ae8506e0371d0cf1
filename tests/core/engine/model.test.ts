import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../../src-main/core/engine';
import { affine, architecture, Network, type LossOptions } from '../../../src-main/core/engine/model';
import { dimOwners, fitPreprocessing, transform } from '../../../src-main/core/engine/preprocess';
import { Prng } from '../../../src-main/core/engine/prng';
import { reconstructionErrors } from '../../../src-main/core/engine/recon';
import type { Architecture } from '../../../src-main/core/engine/types';

beforeAll(async () => {
  await initBackend('wasm');
});

const opts: LossOptions = { loss: 'mse', dropout: 0, l1: 0.01, noiseStd: 0.1, beta: 1 };

/** A network whose weights are all zero except the named biases, set to `value`. */
function zeroNet(arch: Architecture, biases: Record<string, number> = {}): Network {
  const sizes = arch.variables.map((v) => v.shape.reduce((a, b) => a * b, 1));
  const all = new Float32Array(sizes.reduce((a, b) => a + b, 0));
  let off = 0;
  arch.variables.forEach((v, i) => {
    const b = biases[v.name];
    if (b !== undefined) all.fill(b, off, off + sizes[i]!);
    off += sizes[i]!;
  });
  return Network.fromWeights(arch, new Uint8Array(all.buffer));
}

const x = [
  [1, -2, 0.5, 0],
  [0, 3, -1, 2],
];

function lossOf(net: Network, input: number[][] = x, o: LossOptions = opts): number {
  return tf.tidy(() => net.loss(tf.tensor2d(input), o, false, null).dataSync()[0]!);
}
const meanSquare = x.flat().reduce((s, v) => s + v * v, 0) / 8;

describe('architecture', () => {
  it('mirrors the encoder and counts parameters (30-16-8-16-30 as reference.py)', () => {
    const a = architecture({ kind: 'ae', inputDims: 30, layers: [16, 8], activation: 'relu', loss: 'mse' });
    expect(a.summary).toBe('30-16-8-16-30');
    expect(a.parameterCount).toBe(30 * 16 + 16 + 16 * 8 + 8 + 8 * 16 + 16 + 16 * 30 + 30);
    expect(a.output).toBe('linear');
    expect(architecture({ kind: 'ae', inputDims: 4, layers: [2], activation: 'relu', loss: 'bce' }).output).toBe('sigmoid');
  });

  it('gives a VAE two latent heads', () => {
    const a = architecture({ kind: 'vae', inputDims: 10, layers: [6, 3], activation: 'relu', loss: 'mse' });
    expect(a.variables.map((v) => v.name)).toEqual([
      'enc0/kernel', 'enc0/bias', 'z_mean/kernel', 'z_mean/bias', 'z_logvar/kernel', 'z_logvar/bias', 'dec0/kernel', 'dec0/bias', 'out/kernel', 'out/bias',
    ]);
    expect(a.summary).toBe('10-6-3-6-10');
  });

  it('rejects widths that are not whole numbers ≥ 1', () => {
    expect(() => architecture({ kind: 'ae', inputDims: 4, layers: [2, 0], activation: 'relu', loss: 'mse' })).toThrow(/whole numbers/);
  });
});

describe('losses on hand-computed cases', () => {
  it('MSE of a zero network is the mean square of the input', () => {
    const net = zeroNet(architecture({ kind: 'ae', inputDims: 4, layers: [3, 2], activation: 'relu', loss: 'mse' }));
    expect(lossOf(net)).toBeCloseTo(meanSquare, 6);
    net.dispose();
  });

  it('BCE of logits 0 is log 2 for any target in [0, 1]', () => {
    const net = zeroNet(architecture({ kind: 'ae', inputDims: 4, layers: [2], activation: 'relu', loss: 'bce' }));
    expect(lossOf(net, [[0, 1, 0.25, 1]], { ...opts, loss: 'bce' })).toBeCloseTo(Math.LN2, 6);
    net.dispose();
  });

  it('sparse adds l1 × the code activations summed per row', () => {
    const net = zeroNet(architecture({ kind: 'sparse', inputDims: 4, layers: [3, 2], activation: 'relu', loss: 'mse' }), { 'enc1/bias': 1 });
    // code = relu(1) on 2 units; the decoder sees zero weights → output 0
    expect(lossOf(net)).toBeCloseTo(meanSquare + 0.01 * 2, 6);
    net.dispose();
  });

  it('vae adds beta · KL / dims, KL = ½ Σ μ² at unit variance', () => {
    const net = zeroNet(architecture({ kind: 'vae', inputDims: 4, layers: [3, 2], activation: 'relu', loss: 'mse' }), { 'z_mean/bias': 1 });
    expect(lossOf(net, x, { ...opts, beta: 2 })).toBeCloseTo(meanSquare + (2 * (0.5 * 2)) / 4, 6);
    net.dispose();
  });
});

describe('dense layer gradient', () => {
  it("matches tf's own gradient of x·W + b", () => {
    const rng = new Prng(4);
    const t = (shape: [number, number] | [number]): tf.Tensor => tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);
    const [x, w, b] = [t([5, 3]), t([3, 4]), t([4])] as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
    // A non-uniform upstream gradient, so every entry of dy matters.
    const weights = t([5, 4]);
    const ours = tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(affine(xx as tf.Tensor2D, ww as tf.Tensor2D, bb as tf.Tensor1D), weights)))([x, w, b]);
    const theirs = tf.grads((xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(tf.add(tf.matMul(xx as tf.Tensor2D, ww as tf.Tensor2D), bb), weights)))([x, w, b]);
    ours.forEach((g, i) => {
      expect(g.shape).toEqual(theirs[i]!.shape);
      const a = g.dataSync();
      const e = theirs[i]!.dataSync();
      for (let k = 0; k < a.length; k++) expect(a[k]).toBeCloseTo(e[k]!, 5);
    });
    tf.dispose([x, w, b, weights, ...ours, ...theirs]);
  });
});

describe('weights and errors', () => {
  it('serialises weights to a blob that loads back bit for bit', async () => {
    const arch = architecture({ kind: 'ae', inputDims: 5, layers: [3], activation: 'tanh', loss: 'mse' });
    const net = Network.init(arch, new Prng(7));
    const { blob, sha256 } = await net.serialize();
    expect(blob.byteLength).toBe(arch.parameterCount * 4);
    const again = Network.fromWeights(arch, blob);
    expect((await again.serialize()).sha256).toBe(sha256);
    expect(() => Network.fromWeights(arch, blob.subarray(4))).toThrow(/damaged/);
    net.dispose();
    again.dispose();
  });

  it('per-column errors fold one-hot and indicator dims and sum to the row error × model dims', async () => {
    const pp = fitPreprocessing(
      [
        { name: 'n', kind: 'numeric', values: Float64Array.from([1, NaN, 3, 8]) },
        { name: 'c', kind: 'categorical', values: ['a', 'b', 'a', 'c'] },
      ],
      { scaler: 'standard', log1p: 'none', maxCategories: 20, missingIndicators: true },
    );
    expect(pp.inputDims).toBe(2 + 4);
    const rows = 4;
    const input = transform(pp, [Float64Array.from([1, NaN, 3, 30]), ['a', 'b', 'zzz', 'c']], rows);
    const net = Network.init(architecture({ kind: 'ae', inputDims: pp.inputDims, layers: [3, 2], activation: 'relu', loss: 'mse' }), new Prng(1));
    const e = await reconstructionErrors(net, input, rows, dimOwners(pp), 2, { withKl: false, keepRecon: true });
    const d = pp.inputDims;
    for (let r = 0; r < rows; r++) {
      const perDim = Array.from({ length: d }, (_, j) => (e.recon![r * d + j]! - input[r * d + j]!) ** 2);
      const numeric = perDim[0]! + perDim[1]!;
      const categorical = perDim.slice(2).reduce((a, b) => a + b, 0);
      expect(e.feature[r * 2]).toBeCloseTo(numeric, 5);
      expect(e.feature[r * 2 + 1]).toBeCloseTo(categorical, 5);
      expect(e.feature[r * 2]! + e.feature[r * 2 + 1]!).toBeCloseTo(e.row[r]! * d, 4);
    }
    net.dispose();
  });
});
