import type { Activation } from '../types';

/**
 * A bias-free stack of dense layers evaluated in plain TypeScript (float64 arithmetic on float32 weights): the forward
 * pass of the one-class kinds (Deep SVDD, OC-NN) when they score, and the gradient of a row's score with respect to
 * its inputs that their integrated-gradients explanations integrate. It does not depend on the tensor backend, so the
 * job thread (which may run native TensorFlow) and the query thread (wasm) compute the very same scores and
 * attributions. Training runs on TensorFlow.js (oneclass.ts); tests check both give the same outputs.
 */

export type LayerActivation = Activation | 'linear';

/** tf.leakyRelu's slope as model.ts trains with it (the same as tf.fused.matMul's default). */
export const LEAKY_SLOPE = 0.2;

export function activate(a: LayerActivation, x: number): number {
  switch (a) {
    case 'linear':
      return x;
    case 'relu':
      return x > 0 ? x : 0;
    case 'elu':
      return x > 0 ? x : Math.expm1(x);
    case 'tanh':
      return Math.tanh(x);
    case 'sigmoid':
      return 1 / (1 + Math.exp(-x));
    case 'leakyRelu':
      return x > 0 ? x : LEAKY_SLOPE * x;
  }
}

/** d activation / d pre-activation, from the pre-activation `x` and the activation's value `y`. */
export function activationSlope(a: LayerActivation, x: number, y: number): number {
  switch (a) {
    case 'linear':
      return 1;
    case 'relu':
      return x > 0 ? 1 : 0;
    case 'elu':
      return x > 0 ? 1 : y + 1;
    case 'tanh':
      return 1 - y * y;
    case 'sigmoid':
      return y * (1 - y);
    case 'leakyRelu':
      return x > 0 ? 1 : LEAKY_SLOPE;
  }
}

export interface DenseLayer {
  /** Row-major [inputs, outputs], as tf.matMul(x, kernel) reads it. */
  readonly kernel: Float32Array;
  readonly inputs: number;
  readonly outputs: number;
  readonly activation: LayerActivation;
}

/**
 * One row at a time through the stack, keeping each layer's pre-activations and values for the backward pass. Not
 * thread-safe and not re-entrant: one instance per scorer.
 */
export class DenseStack {
  private readonly pre: Float64Array[];
  private readonly post: Float64Array[];
  private readonly grad: Float64Array[];
  readonly inputs: number;
  readonly outputs: number;

  constructor(readonly layers: readonly DenseLayer[]) {
    if (layers.length === 0) throw new Error('a dense stack needs at least one layer');
    this.inputs = layers[0]!.inputs;
    this.outputs = layers[layers.length - 1]!.outputs;
    this.pre = layers.map((l) => new Float64Array(l.outputs));
    this.post = layers.map((l) => new Float64Array(l.outputs));
    this.grad = [new Float64Array(this.inputs), ...layers.map((l) => new Float64Array(l.outputs))];
  }

  /** The output of the row at x[offset … offset + inputs) (a view valid until the next call). */
  forward(x: ArrayLike<number>, offset = 0): Float64Array {
    let input: ArrayLike<number> = x;
    let base = offset;
    for (let l = 0; l < this.layers.length; l++) {
      const { kernel, inputs, outputs, activation } = this.layers[l]!;
      const pre = this.pre[l]!;
      const post = this.post[l]!;
      pre.fill(0);
      for (let i = 0; i < inputs; i++) {
        const v = input[base + i]!;
        if (v === 0) continue;
        const row = i * outputs;
        for (let o = 0; o < outputs; o++) pre[o]! += v * kernel[row + o]!;
      }
      for (let o = 0; o < outputs; o++) post[o] = activate(activation, pre[o]!);
      input = post;
      base = 0;
    }
    return this.post[this.layers.length - 1]!;
  }

  /**
   * The gradient with respect to the inputs of Σ_k gOut[k]·output[k] at the row of the last `forward` call (a view
   * valid until the next call).
   */
  backward(gOut: ArrayLike<number>): Float64Array {
    const last = this.layers.length;
    this.grad[last]!.set(gOut as ArrayLike<number>);
    for (let l = last - 1; l >= 0; l--) {
      const { kernel, inputs, outputs, activation } = this.layers[l]!;
      const g = this.grad[l + 1]!;
      const pre = this.pre[l]!;
      const post = this.post[l]!;
      for (let o = 0; o < outputs; o++) g[o] = g[o]! * activationSlope(activation, pre[o]!, post[o]!);
      const gi = this.grad[l]!;
      for (let i = 0; i < inputs; i++) {
        const row = i * outputs;
        let s = 0;
        for (let o = 0; o < outputs; o++) s += kernel[row + o]! * g[o]!;
        gi[i] = s;
      }
    }
    return this.grad[0]!;
  }
}
