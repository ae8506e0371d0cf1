import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { ResidualError } from '../errors';
import { tfPriorNll } from './family/aae';
import { convArchitecture, convDecode, convEncode, convLoss, fromGrid } from './conv';
import type { Prng } from './prng';
import type { Activation, Architecture, ConvImage, LossKind, ModelKind, VariableSpec } from './types';

export interface ArchitectureOptions {
  readonly kind: ModelKind;
  readonly inputDims: number;
  readonly layers: readonly number[];
  readonly activation: Activation;
  readonly loss: LossKind;
  /** conv: the image grid (its `layers` are the filters). */
  readonly image?: ConvImage;
}

/**
 * Layer shapes of a network. ae/sparse/denoising: input → layers… (the last is the code) → mirrored
 * hidden layers → linear output, every hidden layer (code included) activated, as reference.py.
 * vae: the last width is the latent size, produced by two linear heads (mean and log-variance).
 * aae/wae: the last width is the code, produced by one linear layer ('code'), so that it can match a standard
 * normal prior (an activated code could not: ReLU codes are never negative).
 */
export function architecture(o: ArchitectureOptions): Architecture {
  if (o.layers.length === 0 || o.layers.some((w) => !Number.isInteger(w) || w < 1)) {
    throw new ResidualError('BAD_INPUT', `layers must be whole numbers ≥ 1, e.g. 16,8; got ${o.layers.join(',') || '(empty)'}.`, { field: 'layers' });
  }
  if (o.kind === 'conv') {
    if (!o.image) throw new ResidualError('BAD_INPUT', 'The convolutional autoencoder (kind conv) needs an image dataset.', { field: 'kind' });
    return convArchitecture({ inputDims: o.inputDims, filters: o.layers, image: o.image, loss: o.loss });
  }
  const d = o.inputDims;
  const vars: VariableSpec[] = [];
  const dense = (name: string, from: number, to: number): void => {
    vars.push({ name: `${name}/kernel`, shape: [from, to] }, { name: `${name}/bias`, shape: [to] });
  };
  const widths = [...o.layers];
  const code = widths[widths.length - 1]!;
  const hidden = o.kind === 'vae' || hasLinearCode(o.kind) ? widths.slice(0, -1) : widths;
  let prev = d;
  hidden.forEach((w, i) => {
    dense(`enc${i}`, prev, w);
    prev = w;
  });
  if (o.kind === 'vae') {
    dense('z_mean', prev, code);
    dense('z_logvar', prev, code);
    prev = code;
  }
  if (hasLinearCode(o.kind)) {
    dense('code', prev, code);
    prev = code;
  }
  const decoder = widths.slice(0, -1).reverse();
  decoder.forEach((w, i) => {
    dense(`dec${i}`, prev, w);
    prev = w;
  });
  dense('out', prev, d);
  const parameterCount = vars.reduce((s, v) => s + v.shape.reduce((a, b) => a * b, 1), 0);
  return {
    kind: o.kind,
    inputDims: d,
    layers: widths,
    activation: o.activation,
    output: o.loss === 'bce' ? 'sigmoid' : 'linear',
    summary: [d, ...widths, ...decoder, d].join('-'),
    parameterCount,
    variables: vars,
  };
}

/** Fresh weights from the PRNG in arch.variables order: He-uniform for ReLU-like layers, Glorot-uniform otherwise, zero biases. */
export function initialWeights(arch: Architecture, prng: Prng): Float32Array {
  const all = new Float32Array(arch.parameterCount);
  let off = 0;
  for (const spec of arch.variables) {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    if (spec.shape.length === 2 || spec.shape.length === 4) {
      // A 3×3 convolution's fans are its window times its input and output channels.
      const [fanIn, fanOut] = spec.shape.length === 2 ? (spec.shape as [number, number]) : [spec.shape[0]! * spec.shape[1]! * spec.shape[2]!, spec.shape[0]! * spec.shape[1]! * spec.shape[3]!];
      const reluLike = arch.activation === 'relu' || arch.activation === 'leakyRelu' || arch.activation === 'elu';
      const activated = !spec.name.startsWith('out/') && !spec.name.startsWith('z_') && !spec.name.startsWith('code/');
      const limit = reluLike && activated ? Math.sqrt(6 / fanIn) : Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < size; i++) all[off + i] = (prng.next() * 2 - 1) * limit;
    }
    off += size;
  }
  return all;
}

/** Kinds whose code is one linear layer matched to a standard normal prior: the adversarial and Wasserstein autoencoders. */
export function hasLinearCode(kind: ModelKind): boolean {
  return kind === 'aae' || kind === 'wae';
}

/**
 * Whether a model's row scores add a latent term to the reconstruction error (per input dim): a VAE's KL when
 * scoreWithKl, an AAE's negative log prior density of its code when scoreWithPrior. Per-column errors never include it.
 */
export function latentInScore(kind: ModelKind, s: { readonly scoreWithKl?: boolean; readonly scoreWithPrior?: boolean }): boolean {
  return (kind === 'vae' && !!s.scoreWithKl) || (kind === 'aae' && !!s.scoreWithPrior);
}

/** A stored blob (little-endian float32, arch.variables order) as floats, checked against the architecture. */
export function weightsOf(arch: Architecture, blob: Uint8Array | Float32Array): Float32Array {
  const total = arch.variables.reduce((s, v) => s + v.shape.reduce((a, b) => a * b, 1), 0);
  if (blob instanceof Float32Array) {
    if (blob.length !== total) throw new ResidualError('BAD_FILE', `Weights have ${blob.length} values, the architecture needs ${total}.`);
    return blob;
  }
  if (blob.byteLength !== total * 4) {
    throw new ResidualError('BAD_FILE', `Stored weights have ${blob.byteLength} bytes, the architecture needs ${total * 4}; the model is damaged.`);
  }
  const all = new Float32Array(total);
  new Uint8Array(all.buffer).set(blob);
  return all;
}

/** A model's weights (weightsOf's floats, arch.variables order) by variable name: views into `weights`, with their shapes. */
export function weightsByName(arch: Architecture, weights: Float32Array): Map<string, { values: Float32Array; shape: readonly number[] }> {
  const byName = new Map<string, { values: Float32Array; shape: readonly number[] }>();
  let off = 0;
  for (const v of arch.variables) {
    const size = v.shape.reduce((a, b) => a * b, 1);
    byName.set(v.name, { values: weights.subarray(off, off + size), shape: v.shape });
    off += size;
  }
  return byName;
}

/** Hyper-parameters the forward pass and loss need. */
export interface LossOptions {
  readonly loss: LossKind;
  readonly dropout: number;
  readonly l1: number;
  readonly noiseStd: number;
  readonly beta: number;
  /** wae: weight of the MMD penalty (absent: 0). */
  readonly mmdLambda?: number;
}

/** Seeds for one training step's random ops, drawn from the run's PRNG so a seed repeats exactly. */
export interface StepSeeds {
  readonly noise: number;
  readonly dropout: number;
  readonly sample: number;
}

export interface Forward {
  /** Output before the final sigmoid (for BCE), else the output itself. */
  readonly out: tf.Tensor2D;
  readonly code: tf.Tensor2D;
  readonly mu?: tf.Tensor2D;
  readonly logvar?: tf.Tensor2D;
}

/** A network's variables plus its forward pass, losses and (de)serialisation. */
export class Network {
  private readonly byName: Map<string, tf.Variable>;

  private constructor(
    readonly arch: Architecture,
    readonly vars: tf.Variable[],
  ) {
    this.byName = new Map(arch.variables.map((v, i) => [v.name, vars[i]!]));
  }

  /** Fresh weights from the PRNG: He-uniform for ReLU-like layers, Glorot-uniform otherwise, zero biases. */
  static init(arch: Architecture, prng: Prng): Network {
    return Network.fromWeights(arch, initialWeights(arch, prng));
  }

  /** Weights from a stored blob (float32 in arch.variables order). */
  static fromWeights(arch: Architecture, blob: Uint8Array | Float32Array): Network {
    const all = weightsOf(arch, blob);
    let off = 0;
    const vars = arch.variables.map((spec) => {
      const size = spec.shape.reduce((a, b) => a * b, 1);
      const v = tf.tidy(() => tf.variable(tf.tensor(all.subarray(off, off + size), [...spec.shape]), true, undefined, 'float32'));
      off += size;
      return v;
    });
    return new Network(arch, vars);
  }

  /** All weights as one little-endian float32 blob, and its SHA-256. */
  async serialize(): Promise<{ blob: Buffer; sha256: string }> {
    const parts = await Promise.all(this.vars.map((v) => v.data() as Promise<Float32Array>));
    const total = parts.reduce((s, p) => s + p.length, 0);
    const all = new Float32Array(total);
    let off = 0;
    for (const p of parts) {
      all.set(p, off);
      off += p.length;
    }
    const blob = Buffer.from(all.buffer, all.byteOffset, all.byteLength);
    return { blob, sha256: createHash('sha256').update(blob).digest('hex') };
  }

  /** Copies of the current weights (kept outside any tidy), to restore the best epoch later. */
  snapshot(): tf.Tensor[] {
    return this.vars.map((v) => tf.keep(v.clone()));
  }

  restore(snapshot: readonly tf.Tensor[]): void {
    this.vars.forEach((v, i) => v.assign(snapshot[i]!));
  }

  dispose(): void {
    for (const v of this.vars) v.dispose();
  }

  /** A variable by name (e.g. 'enc0/kernel'). */
  readonly weight = (name: string): tf.Variable => {
    const v = this.byName.get(name);
    if (!v) throw new Error(`the network has no variable ${name}`);
    return v;
  };

  private dense(name: string, x: tf.Tensor2D, activation: Activation | 'linear', training: boolean): tf.Tensor2D {
    const kernel = this.byName.get(`${name}/kernel`)! as tf.Tensor2D;
    const bias = this.byName.get(`${name}/bias`)! as tf.Tensor1D;
    if (training) return activate(affine(x, kernel, bias), activation);
    if (activation === 'tanh') return tf.tanh(tf.add(tf.matMul(x, kernel), bias)) as tf.Tensor2D;
    const fused = activation === 'leakyRelu' ? 'leakyrelu' : activation;
    return tf.fused.matMul({ a: x, b: kernel, bias, activation: fused }) as tf.Tensor2D;
  }

  private dropper(training: boolean, o: LossOptions | null, seeds: StepSeeds | null): (t: tf.Tensor2D, i: number) => tf.Tensor2D {
    return (t, i) => (training && o && o.dropout > 0 && seeds ? (tf.dropout(t, o.dropout, undefined, seeds.dropout + i) as tf.Tensor2D) : t);
  }

  /** The encoder: the code (a VAE's sample while training, its mean otherwise), and a VAE's mean and log-variance. */
  encode(x: tf.Tensor2D, training: boolean, o: LossOptions | null, seeds: StepSeeds | null): Omit<Forward, 'out'> {
    const a = this.arch;
    // conv: the bottleneck feature maps, flattened (height × width × filters, channel-last).
    if (a.kind === 'conv') return { code: tf.reshape(convEncode(a, this.weight, x), [x.shape[0], -1]) };
    const linearCode = hasLinearCode(a.kind);
    const hiddenCount = a.kind === 'vae' || linearCode ? a.layers.length - 1 : a.layers.length;
    const drop = this.dropper(training, o, seeds);
    let h = x;
    for (let i = 0; i < hiddenCount; i++) {
      h = this.dense(`enc${i}`, h, a.activation, training);
      // The code itself is not dropped: it is what the decoder must rebuild from.
      if (a.kind === 'vae' || linearCode || i < hiddenCount - 1) h = drop(h, i);
    }
    if (linearCode) return { code: this.dense('code', h, 'linear', training) };
    if (a.kind !== 'vae') return { code: h };
    const mu = this.dense('z_mean', h, 'linear', training);
    const logvar = this.dense('z_logvar', h, 'linear', training);
    // Reparameterisation while training; the mean when scoring, so scores are deterministic.
    const code = training && seeds ? tf.add(mu, tf.mul(tf.exp(tf.mul(logvar, 0.5)), tf.randomNormal(mu.shape, 0, 1, 'float32', seeds.sample))) as tf.Tensor2D : mu;
    return { code, mu, logvar };
  }

  /** The decoder: output before the final sigmoid (for BCE), else the output itself. */
  decode(code: tf.Tensor2D, training: boolean, o: LossOptions | null, seeds: StepSeeds | null): tf.Tensor2D {
    if (this.arch.kind === 'conv') return fromGrid(this.arch, convDecode(this.arch, this.weight, code));
    const drop = this.dropper(training, o, seeds);
    let h = code;
    const decoderCount = this.arch.layers.length - 1;
    for (let i = 0; i < decoderCount; i++) {
      h = drop(this.dense(`dec${i}`, h, this.arch.activation, training), 100 + i);
    }
    return this.dense('out', h, 'linear', training);
  }

  /** Variables of the encoder (input to code): an AAE's generator phase updates only these. */
  encoderVars(): tf.Variable[] {
    return this.arch.variables.flatMap((v, i) => (/^(enc\d+|code|z_mean|z_logvar)\//.test(v.name) ? [this.vars[i]!] : []));
  }

  forward(x: tf.Tensor2D, training: boolean, o: LossOptions | null, seeds: StepSeeds | null): Forward {
    const e = this.encode(x, training, o, seeds);
    return { ...e, out: this.decode(e.code, training, o, seeds) };
  }

  /** The training objective on one batch (call inside optimizer.minimize / tf.tidy). */
  loss(x: tf.Tensor2D, o: LossOptions, training: boolean, seeds: StepSeeds | null): tf.Scalar {
    // conv: on the image grid, the padding and the pixels that are no input left out (see conv.ts).
    if (this.arch.kind === 'conv') return convLoss(this.arch, convDecode(this.arch, this.weight, this.encode(x, training, o, seeds).code), x, o.loss);
    const input = training && seeds && this.arch.kind === 'denoising' && o.noiseStd > 0 ? tf.add(x, tf.randomNormal(x.shape, 0, o.noiseStd, 'float32', seeds.noise)) : x;
    const f = this.forward(input as tf.Tensor2D, training, o, seeds);
    let loss = reconstructionLoss(f.out, x, o.loss);
    if (this.arch.kind === 'sparse' && o.l1 > 0) {
      loss = tf.add(loss, tf.mul(o.l1, tf.mean(tf.sum(tf.abs(f.code), 1))));
    }
    if (this.arch.kind === 'vae' && f.mu && f.logvar) {
      loss = tf.add(loss, tf.mul(o.beta / this.arch.inputDims, tf.mean(klPerRow(f.mu, f.logvar))));
    }
    return loss;
  }

  /**
   * Deterministic reconstruction (no dropout/noise, VAE at the latent mean) in model units, plus the
   * per-row KL for VAEs (null otherwise).
   */
  reconstruct(x: tf.Tensor2D): { recon: tf.Tensor2D; kl: tf.Tensor1D | null; prior: tf.Tensor1D | null } {
    const f = this.forward(x, false, null, null);
    const recon = this.arch.output === 'sigmoid' ? tf.sigmoid(f.out) : f.out;
    return { recon, kl: f.mu && f.logvar ? klPerRow(f.mu, f.logvar) : null, prior: this.arch.kind === 'aae' ? tfPriorNll(f.code) : null };
  }
}

/**
 * The reconstruction part of the objective, mean over rows and inputs: squared error, or BCE from logits (numerically
 * stable: max(z,0) − z·t + log(1 + e^−|z|), targets clipped to [0, 1] because rows outside the training range scale
 * outside it).
 */
export function reconstructionLoss(out: tf.Tensor2D, x: tf.Tensor2D, loss: LossKind): tf.Scalar {
  if (loss === 'bce') {
    const t = tf.clipByValue(x, 0, 1);
    return tf.mean(tf.add(tf.sub(tf.relu(out), tf.mul(out, t)), tf.log1p(tf.exp(tf.neg(tf.abs(out))))));
  }
  return tf.mean(tf.squaredDifference(out, x));
}

/**
 * x·W + b with a hand-written gradient whose products have no transposed operand: tf's own gradient
 * multiplies by transposed operands, which the wasm backend runs on its naive kernel instead of
 * XNNPACK (about 4× slower training for a 784-wide network). Explicit transposes cost a copy.
 */
export const affine = tf.customGrad(((x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x, w), b),
    gradFunc: (dy: tf.Tensor2D, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
      return [tf.matMul(dy, tf.transpose(sw)), tf.matMul(tf.transpose(sx), dy), tf.sum(dy, 0)];
    },
  };
}) as never) as (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

/** A layer's activation on tensors; the one definition for every network (autoencoders and the one-class networks). */
export function activate(t: tf.Tensor2D, activation: Activation | 'linear'): tf.Tensor2D {
  switch (activation) {
    case 'linear':
      return t;
    case 'relu':
      return tf.relu(t);
    case 'elu':
      return tf.elu(t);
    case 'tanh':
      return tf.tanh(t);
    case 'sigmoid':
      return tf.sigmoid(t);
    case 'leakyRelu':
      // The same slope as tf.fused.matMul's leakyrelu default, so training and scoring agree.
      return tf.leakyRelu(t, 0.2);
  }
}

function klPerRow(mu: tf.Tensor2D, logvar: tf.Tensor2D): tf.Tensor1D {
  return tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, logvar), tf.square(mu)), tf.exp(logvar)), 1));
}
