import { ResidualError } from '../../errors';
import type { BatchErrors } from '../recon';
import type { Activation, Architecture, ModelKind, TrainSettings, VariableSpec } from '../types';
import { IntegratedGradients, IG_STEPS } from './attribution';
import { DenseStack, type DenseLayer } from './dense';
import type { SvddObjective } from './svdd';

/**
 * The one-class kinds, which learn a boundary around the normal rows instead of reconstructing them: Deep SVDD
 * ('deepsvdd', svdd.ts) and the one-class neural network ('ocnn', ocnn.ts). This file holds what they share: the
 * architecture (bias-free dense layers), the stored blob (float32 in arch.variables order: the kernels, then what the
 * training fixed — Deep SVDD's centre and R², OC-NN's r — and the baseline row of the explanations) and the scorer,
 * which computes the score and the per-column integrated-gradients attributions (attribution.ts) in plain TypeScript.
 */

export type OneClassKind = 'deepsvdd' | 'ocnn';
export const ONE_CLASS_KINDS: readonly OneClassKind[] = ['deepsvdd', 'ocnn'];

export function isOneClass(kind: ModelKind | string): kind is OneClassKind {
  return kind === 'deepsvdd' || kind === 'ocnn';
}

export interface OneClassArchitectureOptions {
  readonly kind: OneClassKind;
  readonly inputDims: number;
  readonly layers: readonly number[];
  readonly activation: Activation;
}

/** One dense layer of the network: its kernel's variable name, widths and activation. */
export interface OneClassLayer {
  readonly name: string;
  readonly inputs: number;
  readonly outputs: number;
  readonly activation: Activation | 'linear';
}

/**
 * The network's layers. deepsvdd: input → layers… with the hidden activation, the last one ('rep', the
 * representation φ(x) in which the sphere lies) linear. ocnn: input → layers… activated, the last of them the paper's
 * V with its g, the ones before it the encoder whose features V reads → one linear output ('out', w). No biases in either.
 */
export function oneClassLayers(o: OneClassArchitectureOptions): OneClassLayer[] {
  if (o.layers.length === 0 || o.layers.some((w) => !Number.isInteger(w) || w < 1)) {
    throw new ResidualError('BAD_INPUT', `layers must be whole numbers ≥ 1, e.g. 16,8; got ${o.layers.join(',') || '(empty)'}.`, { field: 'layers' });
  }
  const out: OneClassLayer[] = [];
  let prev = o.inputDims;
  o.layers.forEach((w, i) => {
    const last = i === o.layers.length - 1;
    const rep = o.kind === 'deepsvdd' && last;
    out.push({ name: rep ? 'rep' : `enc${i}`, inputs: prev, outputs: w, activation: rep ? 'linear' : o.activation });
    prev = w;
  });
  if (o.kind === 'ocnn') out.push({ name: 'out', inputs: prev, outputs: 1, activation: 'linear' });
  return out;
}

/** The architecture stored with a one-class model: its kernels (the parameters) and the state the training fixed. */
export function oneClassArchitecture(o: OneClassArchitectureOptions): Architecture {
  const layers = oneClassLayers(o);
  const d = o.inputDims;
  const vars: VariableSpec[] = layers.map((l) => ({ name: `${l.name}/kernel`, shape: [l.inputs, l.outputs] }));
  const parameterCount = layers.reduce((s, l) => s + l.inputs * l.outputs, 0);
  if (o.kind === 'deepsvdd') vars.push({ name: 'svdd/center', shape: [o.layers[o.layers.length - 1]!] }, { name: 'svdd/radius2', shape: [1] });
  else vars.push({ name: 'ocnn/r', shape: [1] });
  vars.push({ name: 'baseline/input', shape: [d] });
  return {
    kind: o.kind,
    inputDims: d,
    layers: [...o.layers],
    activation: o.activation,
    output: 'linear',
    summary: [d, ...o.layers, ...(o.kind === 'ocnn' ? [1] : [])].join('-'),
    parameterCount,
    variables: vars,
  };
}

/** What the training fixed besides the kernels. */
export interface OneClassState {
  /** deepsvdd: the centre c (null for ocnn). */
  readonly center: Float64Array | null;
  /** deepsvdd soft-boundary: R² (0 otherwise). */
  readonly radius2: number;
  /** ocnn: r, the ν-quantile of the training outputs (0 otherwise). */
  readonly r: number;
  /** The explanations' baseline row in model units (training medians, one-hot shares). */
  readonly baseline: Float64Array;
}

/** The stored blob: float32, arch.variables order. */
export function oneClassBlob(arch: Architecture, kernels: readonly Float32Array[], state: OneClassState): Buffer {
  const total = arch.variables.reduce((s, v) => s + v.shape.reduce((a, b) => a * b, 1), 0);
  const all = new Float32Array(total);
  let off = 0;
  for (const k of kernels) {
    all.set(k, off);
    off += k.length;
  }
  if (arch.kind === 'deepsvdd') {
    all.set(state.center!, off);
    off += state.center!.length;
    all[off++] = state.radius2;
  } else all[off++] = state.r;
  all.set(state.baseline, off);
  off += state.baseline.length;
  if (off !== total) throw new Error(`one-class blob: wrote ${off} of ${total} values`);
  return Buffer.from(all.buffer, all.byteOffset, all.byteLength);
}

/** The kernels and state of a stored blob, checked against the architecture. */
export function readOneClassBlob(arch: Architecture, blob: Uint8Array): { kernels: Float32Array[]; state: OneClassState } {
  const total = arch.variables.reduce((s, v) => s + v.shape.reduce((a, b) => a * b, 1), 0);
  if (blob.byteLength !== total * 4) {
    throw new ResidualError('BAD_FILE', `Stored weights have ${blob.byteLength} bytes, the ${arch.kind} architecture needs ${total * 4}; the model is damaged.`);
  }
  const all = new Float32Array(total);
  new Uint8Array(all.buffer).set(blob);
  const kernels: Float32Array[] = [];
  const byName = new Map<string, Float32Array>();
  let off = 0;
  for (const v of arch.variables) {
    const size = v.shape.reduce((a, b) => a * b, 1);
    const part = all.slice(off, off + size);
    off += size;
    if (v.name.endsWith('/kernel')) kernels.push(part);
    else byName.set(v.name, part);
  }
  const center = byName.get('svdd/center');
  return {
    kernels,
    state: {
      center: center ? Float64Array.from(center) : null,
      radius2: byName.get('svdd/radius2')?.[0] ?? 0,
      r: byName.get('ocnn/r')?.[0] ?? 0,
      baseline: Float64Array.from(byName.get('baseline/input')!),
    },
  };
}

/**
 * What an explanation's numbers are for a one-class kind: the method, named, with the baseline's own score when known
 * (the part of every row's score that no column is credited with).
 */
export function oneClassMethod(kind: OneClassKind, objective: SvddObjective = 'one-class', baselineScore?: number): string {
  const score = kind === 'deepsvdd'
    ? `Deep SVDD: the score is the squared distance of the row's representation to the centre c${objective === 'soft-boundary' ? ' minus R²' : ''}`
    : 'OC-NN: the score is r − ŷ, how far the network\'s output lies below the margin r';
  const base = baselineScore === undefined ? 's(median row)' : `s(median row) = ${Number(baselineScore.toPrecision(4))}`;
  return `${score}. Per column: integrated gradients (${IG_STEPS} steps) from the median row to this row, in score units; ` +
    `they sum to the score minus ${base}; negative = the column makes the row look more normal; expected = the training median`;
}

/** The settings a scorer needs. */
export interface OneClassScoring {
  readonly objective: SvddObjective;
}

/**
 * A stored one-class model, loaded for scoring: row scores, and per-column integrated-gradients attributions where
 * the autoencoders give per-column squared errors; the "expected" values of an explanation are the baseline row.
 */
export class OneClassScorer {
  private readonly stack: DenseStack;
  private readonly ig: IntegratedGradients;
  private readonly gOut: Float64Array;
  private readonly attr: Float64Array;
  /** s(b): the score of the baseline row, which the columns' attributions do not cover. */
  readonly baselineScore: number;

  constructor(
    readonly arch: Architecture,
    readonly kernels: readonly Float32Array[],
    readonly state: OneClassState,
    readonly objective: SvddObjective,
  ) {
    const kind = arch.kind as OneClassKind;
    const layers = oneClassLayers({ kind, inputDims: arch.inputDims, layers: arch.layers, activation: arch.activation });
    this.stack = new DenseStack(layers.map((l, i): DenseLayer => ({ kernel: kernels[i]!, inputs: l.inputs, outputs: l.outputs, activation: l.activation })));
    this.gOut = new Float64Array(this.stack.outputs);
    this.attr = new Float64Array(arch.inputDims);
    this.ig = new IntegratedGradients((z, grad) => this.scoreAt(z, grad), state.baseline, IG_STEPS);
    this.baselineScore = this.ig.baselineScore();
  }

  static fromBlob(arch: Architecture, settings: Pick<TrainSettings, 'objective'>, blob: Uint8Array): OneClassScorer {
    const { kernels, state } = readOneClassBlob(arch, blob);
    return new OneClassScorer(arch, kernels, state, settings.objective ?? 'one-class');
  }

  /** The row score at z (model units), and its gradient with respect to z when `grad` is given. */
  scoreAt(z: ArrayLike<number>, grad?: Float64Array, offset = 0): number {
    const out = this.stack.forward(z, offset);
    let s: number;
    if (this.arch.kind === 'deepsvdd') {
      const c = this.state.center!;
      s = 0;
      for (let k = 0; k < out.length; k++) {
        const diff = out[k]! - c[k]!;
        s += diff * diff;
        this.gOut[k] = 2 * diff;
      }
      if (this.objective === 'soft-boundary') s -= this.state.radius2;
    } else {
      s = this.state.r - out[0]!;
      this.gOut[0] = -1;
    }
    if (grad) grad.set(this.stack.backward(this.gOut));
    return s;
  }

  /** The explanation method in words, with this model's baseline score. */
  method(): string {
    return oneClassMethod(this.arch.kind as OneClassKind, this.objective, this.baselineScore);
  }

  /** Row scores only (no attributions): n rows of model inputs. */
  scores(x: Float32Array, n: number): Float64Array {
    const d = this.arch.inputDims;
    const out = new Float64Array(n);
    for (let r = 0; r < n; r++) out[r] = this.scoreAt(x, undefined, r * d);
    return out;
  }

  /**
   * Scores of n rows with their per-column attributions (model inputs summed into their source column, `owners`);
   * `recon` the baseline row per row when asked (the explanation's expected values).
   */
  errors(x: Float32Array, n: number, owners: Int32Array, columns: number, keepRecon: boolean, into?: { readonly row: Float32Array; readonly feature: Float32Array }): BatchErrors {
    const d = this.arch.inputDims;
    const row = into && into.row.length >= n ? into.row.subarray(0, n) : new Float32Array(n);
    const feature = into && into.feature.length >= n * columns ? into.feature.subarray(0, n * columns) : new Float32Array(n * columns);
    const acc = new Float64Array(columns);
    for (let r = 0; r < n; r++) {
      const { score } = this.ig.attribute(x, r * d, this.baselineScore, this.attr);
      acc.fill(0);
      for (let j = 0; j < d; j++) acc[owners[j]!]! += this.attr[j]!;
      feature.set(acc, r * columns);
      row[r] = score;
    }
    let recon: Float32Array | null = null;
    if (keepRecon) {
      recon = new Float32Array(n * d);
      const b = Float32Array.from(this.state.baseline);
      for (let r = 0; r < n; r++) recon.set(b, r * d);
    }
    return { row, feature, recon };
  }

  dispose(): void {
    // Plain arrays: nothing to free.
  }
}
