import * as tf from '@tensorflow/tfjs';
import { FusedNet } from '../fused/net';
import { Network, reconstructionLoss, type LossOptions, type StepSeeds } from '../model';
import { Prng } from '../prng';
import type { Architecture, TrainSettings } from '../types';
import type { Stepper } from '../train';
import { tfDiscriminatorLoss, tfGeneratorLoss } from './aae';
import { priorSamples, tfMmdImq } from './mmd';

/**
 * Training steps of the adversarial (AAE) and Wasserstein (WAE-MMD) autoencoders on TensorFlow.js. Both keep the
 * autoencoder in the stored layout of every network (src-main/core/engine/model.ts, a linear code layer), so scoring,
 * explanations and the fused scoring pass treat them like any autoencoder; the AAE's discriminator exists only while
 * training. The prior samples of a step come from the step's own seed through the run's PRNG (priorSamples), so the
 * same seed repeats a run exactly, and the fused kernel's WAE step draws the very same samples.
 */

export { priorSamples };

/**
 * The discriminator's hidden widths: two layers as wide as the encoder's first layer (Makhzani et al. gave the
 * adversarial network the autoencoder's hidden width, two layers of 1000 units on MNIST), at least 8 and twice the code.
 */
export function discriminatorLayers(layers: readonly number[]): number[] {
  const code = layers[layers.length - 1]!;
  const w = Math.max(8, 2 * code, layers.length > 1 ? layers[0]! : 0);
  return [w, w];
}

/** Parameters of the discriminator for an encoder of these widths (code → hidden → hidden → 1 logit). */
export function discriminatorParameters(layers: readonly number[]): number {
  const widths = [layers[layers.length - 1]!, ...discriminatorLayers(layers), 1];
  let p = 0;
  for (let i = 1; i < widths.length; i++) p += widths[i - 1]! * widths[i]! + widths[i]!;
  return p;
}

/** The stream that initialises an AAE's discriminator: the fifth fork of the run's seed (train.ts uses the first four). */
function discriminatorRng(seed: number): Prng {
  const root = new Prng(seed);
  for (let i = 0; i < 4; i++) root.fork();
  return root.fork();
}

/** The AAE's discriminator: ReLU hidden layers, one logit (D(z) = sigmoid(logit) is the probability z came from the prior). */
export class Discriminator {
  readonly vars: tf.Variable[];

  constructor(
    readonly codeWidth: number,
    readonly hidden: readonly number[],
    rng: Prng,
  ) {
    const widths = [codeWidth, ...hidden, 1];
    this.vars = [];
    for (let l = 1; l < widths.length; l++) {
      const [fanIn, fanOut] = [widths[l - 1]!, widths[l]!];
      // He-uniform before ReLU, Glorot-uniform for the logit, zero biases (as the autoencoder's initialWeights).
      const limit = l < widths.length - 1 ? Math.sqrt(6 / fanIn) : Math.sqrt(6 / (fanIn + fanOut));
      const k = Float32Array.from({ length: fanIn * fanOut }, () => (rng.next() * 2 - 1) * limit);
      // Unnamed: tf names variables uniquely, and two discriminators may live at once (an ensemble, tests).
      this.vars.push(tf.variable(tf.tensor2d(k, [fanIn, fanOut]), true), tf.variable(tf.zeros([fanOut]), true));
    }
  }

  /** Logits (n × 1) of codes z (n × codeWidth). */
  logits(z: tf.Tensor2D): tf.Tensor2D {
    let h = z;
    for (let i = 0; i < this.vars.length; i += 2) {
      h = tf.add(tf.matMul(h, this.vars[i]! as tf.Tensor2D), this.vars[i + 1]!) as tf.Tensor2D;
      if (i < this.vars.length - 2) h = tf.relu(h);
    }
    return h;
  }

  dispose(): void {
    for (const v of this.vars) v.dispose();
  }
}

/** The loss options of a run (as train.ts builds them) with the WAE's λ. */
export function familyLossOptions(s: TrainSettings): LossOptions {
  return { loss: s.loss, dropout: s.dropout, l1: s.l1, noiseStd: s.noiseStd, beta: s.beta, mmdLambda: s.mmdLambda };
}

/**
 * The WAE objective on one batch: reconstruction + λ·MMD(codes, prior samples); a batch of one row has no MMD
 * (the unbiased estimator needs two), only its reconstruction.
 */
export function waeLoss(net: Network, x: tf.Tensor2D, o: LossOptions, seeds: StepSeeds, prior: tf.Tensor2D): { total: tf.Scalar; recon: tf.Scalar; mmd: tf.Scalar } {
  const f = net.forward(x, true, o, seeds);
  const recon = reconstructionLoss(f.out, x, o.loss);
  const mmd = x.shape[0] >= 2 ? tfMmdImq(f.code, prior) : tf.scalar(0);
  return { total: tf.add(recon, tf.mul(o.mmdLambda ?? 0, mmd)), recon, mmd };
}

/** Running means of a run's extra loss terms over an epoch (shown live in the training monitor). */
class Terms {
  private sums = new Map<string, number>();
  private rows = 0;

  add(n: number, values: Readonly<Record<string, number>>): void {
    for (const [k, v] of Object.entries(values)) this.sums.set(k, (this.sums.get(k) ?? 0) + v * n);
    this.rows += n;
  }

  /** The epoch's means, and a fresh start for the next epoch. */
  take(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, v] of this.sums) out[k] = v / Math.max(1, this.rows);
    this.sums = new Map();
    this.rows = 0;
    return out;
  }
}

/** The tfjs stepper parts every network shares: the autoencoder's snapshots, weights and its deterministic loss. */
function networkParts(net: Network, o: LossOptions): Pick<Stepper, 'net' | 'evalLoss' | 'snapshot' | 'restore' | 'drop' | 'serialize'> {
  return {
    net,
    evalLoss: async (x) => {
      const d = net.arch.inputDims;
      const n = x.length / d;
      let sum = 0;
      for (let start = 0; start < n; start += 4096) {
        const m = Math.min(4096, n - start);
        const t = tf.tidy(() => net.loss(tf.tensor2d(x.subarray(start * d, (start + m) * d), [m, d]), o, false, null));
        sum += (await t.data())[0]! * m;
        t.dispose();
      }
      return sum / n;
    },
    snapshot: () => net.snapshot(),
    restore: (snap) => net.restore(snap as tf.Tensor[]),
    drop: (snap) => tf.dispose(snap as tf.Tensor[]),
    serialize: () => net.serialize(),
  };
}

/**
 * An AAE's training on TensorFlow.js: per batch, as Makhzani et al., a reconstruction phase (encoder and decoder, the
 * batch's reconstruction loss), a regularisation phase for the discriminator (prior samples against the codes) and
 * one for the generator (the encoder alone, to make the discriminator call its codes prior samples). Each phase has
 * its own Adam, at the run's learning rate; the adversarial ones with β1 = 0.5, as GAN practice (and the WAE paper's
 * code) has it. The step's loss, the history and early stopping are the reconstruction loss.
 */
export function makeAaeStepper(arch: Architecture, s: TrainSettings, weights: Float32Array): Stepper {
  const net = Network.fromWeights(arch, weights);
  const o = familyLossOptions(s);
  const dz = arch.layers[arch.layers.length - 1]!;
  const disc = new Discriminator(dz, discriminatorLayers(arch.layers), discriminatorRng(s.seed));
  const encoderVars = net.encoderVars();
  const optRec = tf.train.adam(s.learningRate, 0.9, 0.999, 1e-8);
  const optD = tf.train.adam(s.learningRate, 0.5, 0.999, 1e-8);
  const optG = tf.train.adam(s.learningRate, 0.5, 0.999, 1e-8);
  const d = arch.inputDims;
  const terms = new Terms();
  return {
    path: 'tfjs',
    ...networkParts(net, o),
    step: async (batch, n, seeds) => {
      const [rec, dl, gl] = tf.tidy(() => {
        const xb = tf.tensor2d(batch.subarray(0, n * d), [n, d]);
        const prior = tf.tensor2d(priorSamples(n, dz, seeds.sample), [n, dz]);
        const r = optRec.minimize(() => reconstructionLoss(net.forward(xb, true, o, seeds).out, xb, o.loss), true, net.vars)!;
        const codes = net.encode(xb, true, o, seeds).code;
        const dLoss = optD.minimize(() => tfDiscriminatorLoss(disc.logits(prior), disc.logits(codes)), true, disc.vars)!;
        const gLoss = optG.minimize(() => tfGeneratorLoss(disc.logits(net.encode(xb, true, o, seeds).code)), true, encoderVars)!;
        return [r, dLoss, gLoss];
      });
      const [rv, dv, gv] = await Promise.all([rec.data(), dl.data(), gl.data()]);
      tf.dispose([rec, dl, gl]);
      terms.add(n, { discriminator: dv[0]!, generator: gv[0]! });
      return rv[0]!;
    },
    terms: () => terms.take(),
    dispose: () => {
      for (const opt of [optRec, optD, optG]) opt.dispose();
      disc.dispose();
      net.dispose();
    },
  };
}

/**
 * A WAE-MMD's training on the fused WebAssembly kernel (fused.c computes the MMD and its gradient at the code layer in
 * the same call as the step), from the same prior samples as the tfjs path; one thread, as the MMD couples a batch's rows.
 */
export function makeWaeFusedStepper(arch: Architecture, s: TrainSettings, weights: Float32Array): Stepper {
  const net = FusedNet.create(arch, s, weights, Math.max(s.batchSize, 1024));
  const terms = new Terms();
  return {
    path: 'wasm-fused',
    net,
    step: async (batch, n, seeds) => {
      net.trainStep(batch, n, seeds, s.learningRate);
      const t = net.lastTerms();
      terms.add(n, { mmd: t.mmd });
      return t.reconstruction;
    },
    evalLoss: async (x) => net.evalLoss(x),
    terms: () => terms.take(),
    snapshot: () => net.snapshot(),
    restore: (snap) => net.restore(snap as Float32Array),
    drop: () => undefined,
    serialize: async () => net.serialize(),
    dispose: () => net.dispose(),
  };
}

/**
 * A WAE-MMD's training on TensorFlow.js: one Adam step on reconstruction + λ·MMD(codes, prior samples) per batch, the
 * encoder deterministic. The step's loss, the history and early stopping are the reconstruction loss; the MMD is a term.
 */
export function makeWaeTfStepper(arch: Architecture, s: TrainSettings, weights: Float32Array): Stepper {
  const net = Network.fromWeights(arch, weights);
  const o = familyLossOptions(s);
  const dz = arch.layers[arch.layers.length - 1]!;
  const optimizer = tf.train.adam(s.learningRate, 0.9, 0.999, 1e-8);
  const d = arch.inputDims;
  const terms = new Terms();
  return {
    path: 'tfjs',
    ...networkParts(net, o),
    step: async (batch, n, seeds) => {
      let kept: tf.Scalar[] = [];
      tf.tidy(() => {
        const xb = tf.tensor2d(batch.subarray(0, n * d), [n, d]);
        const prior = tf.tensor2d(priorSamples(n, dz, seeds.sample), [n, dz]);
        const { grads } = tf.variableGrads(() => {
          const l = waeLoss(net, xb, o, seeds, prior);
          kept = [tf.keep(l.recon), tf.keep(l.mmd)];
          return l.total;
        }, net.vars);
        optimizer.applyGradients(grads as Parameters<typeof optimizer.applyGradients>[0]);
      });
      const [rv, mv] = await Promise.all(kept.map((t) => t.data()));
      tf.dispose(kept);
      terms.add(n, { mmd: mv![0]! });
      return rv![0]!;
    },
    terms: () => terms.take(),
    dispose: () => {
      optimizer.dispose();
      net.dispose();
    },
  };
}
