/**
 * The latent code of a stored model, computed in plain TypeScript from its weights (float64 arithmetic on float32
 * weights, like the one-class scorer): the same numbers on every backend and thread, and no tensor backend to load in
 * the query thread that answers `model.latent`. One `latentEncoder` over every kind that has a code:
 * - ae, sparse, denoising: the last encoder layer (activated, as trained); aae, wae: the linear code layer;
 *   vae: the latent mean (what scoring uses). Their decoder rebuilds rows from codes, for the compression figures.
 * - deepsvdd: the representation φ(x) in which the sphere lies; ocnn: g(V·e(x)), the hidden layer the output w reads.
 *   Neither has a decoder.
 * - conv: the bottleneck's feature maps, flattened (height × width × filters), through model.ts's own network on
 *   TensorFlow.js (the convolutions are not rewritten here): the caller must have a backend (initBackend).
 * - ensemble: its first network member's code (the members are trained on the same inputs); refused when it has none.
 * - iforest, ecod: refused (no latent space).
 */
import * as tf from '@tensorflow/tfjs';
import { ResidualError } from '../errors';
import { convCodeSize } from './conv';
import { activate, DenseStack, type LayerActivation } from './family/dense';
import { isOneClass, oneClassLayers, readOneClassBlob, type OneClassKind } from './family/oneclass';
import { ensembleMembers } from './ensemble';
import { Network, weightsByName, weightsOf } from './model';
import type { Architecture, ModelKind } from './types';

export interface LatentEncoder {
  /** Width of the code. */
  readonly dims: number;
  /** What the code is, in words. */
  readonly source: string;
  /** Codes of n rows of model inputs (n × inputDims, row-major): n × dims, row-major. */
  encode(x: Float32Array, n: number): Float64Array;
  /** Reconstructions (model units, n × inputDims) from n codes; absent for kinds without a decoder. */
  readonly decode?: (codes: Float64Array, n: number) => Float64Array;
  /** Frees what the encoder holds (a tfjs network's variables); absent when it holds plain arrays only. */
  readonly dispose?: () => void;
}

/** The convolutional autoencoder's code and decoder, through model.ts's network (tfjs). */
function convolutional(arch: Architecture, blob: Uint8Array): LatentEncoder {
  const net = Network.fromWeights(arch, blob);
  const dims = convCodeSize(arch);
  const d = arch.inputDims;
  const c = codeShapeWords(arch);
  return {
    dims,
    source: `the convolutional bottleneck (${c}, flattened: ${dims} units)`,
    encode: (x, n) => Float64Array.from(tf.tidy(() => net.encode(tf.tensor2d(x, [n, d]), false, null, null).code.dataSync())),
    decode: (codes, n) =>
      Float64Array.from(
        tf.tidy(() => {
          const out = net.decode(tf.tensor2d(Float32Array.from(codes), [n, dims]), false, null, null);
          return (arch.output === 'sigmoid' ? tf.sigmoid(out) : out).dataSync();
        }),
      ),
    dispose: () => net.dispose(),
  };
}

function codeShapeWords(arch: Architecture): string {
  const m = /(\d+×\d+×\d+) code/.exec(arch.summary);
  return m ? m[1]! : `${arch.layers.length} poolings`;
}

/** A dense layer with a bias (the autoencoders'): kernel row-major [inputs, outputs], as tf.matMul(x, kernel) reads it. */
interface AffineLayer {
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
  readonly inputs: number;
  readonly outputs: number;
  readonly activation: LayerActivation;
}

/** n rows through a stack of affine layers, then `final` (sigmoid for a BCE network's output). */
function runAffine(layers: readonly AffineLayer[], x: ArrayLike<number>, n: number, final: LayerActivation = 'linear'): Float64Array {
  let input: ArrayLike<number> = x;
  for (let l = 0; l < layers.length; l++) {
    const { kernel, bias, inputs, outputs, activation } = layers[l]!;
    const out = new Float64Array(n * outputs);
    const act = l === layers.length - 1 && final !== 'linear' ? final : activation;
    for (let r = 0; r < n; r++) {
      const o0 = r * outputs;
      for (let o = 0; o < outputs; o++) out[o0 + o] = bias[o]!;
      const i0 = r * inputs;
      for (let i = 0; i < inputs; i++) {
        const v = input[i0 + i]!;
        if (v === 0) continue;
        const k0 = i * outputs;
        for (let o = 0; o < outputs; o++) out[o0 + o]! += v * kernel[k0 + o]!;
      }
      if (activation !== 'linear') for (let o = 0; o < outputs; o++) out[o0 + o] = activate(activation, out[o0 + o]!);
      if (act !== activation) for (let o = 0; o < outputs; o++) out[o0 + o] = activate(act, out[o0 + o]!);
    }
    input = out;
  }
  return input as Float64Array;
}

/** The encoder and decoder of a dense autoencoder (model.ts's architecture) from its weights. */
function autoencoder(arch: Architecture, blob: Uint8Array): LatentEncoder {
  const byName = weightsByName(arch, weightsOf(arch, blob));
  const layer = (name: string, activation: LayerActivation): AffineLayer => {
    const k = byName.get(`${name}/kernel`);
    const b = byName.get(`${name}/bias`);
    if (!k || !b) throw new ResidualError('BAD_FILE', `Model weights lack layer "${name}"; the model is damaged.`);
    return { kernel: k.values, bias: b.values, inputs: k.shape[0]!, outputs: k.shape[1]!, activation };
  };
  const encoder: AffineLayer[] = [];
  const decoder: AffineLayer[] = [];
  for (let i = 0; byName.has(`enc${i}/kernel`); i++) encoder.push(layer(`enc${i}`, arch.activation));
  if (arch.kind === 'vae') encoder.push(layer('z_mean', 'linear'));
  else if (byName.has('code/kernel')) encoder.push(layer('code', 'linear'));
  for (let i = 0; byName.has(`dec${i}/kernel`); i++) decoder.push(layer(`dec${i}`, arch.activation));
  decoder.push(layer('out', 'linear'));
  const dims = encoder[encoder.length - 1]!.outputs;
  const source = arch.kind === 'vae' ? `the VAE's latent mean (${dims} units)` : arch.kind === 'aae' || arch.kind === 'wae' ? `the linear code layer (${dims} units)` : `the code layer (${dims} units, ${arch.activation})`;
  return {
    dims,
    source,
    encode: (x, n) => runAffine(encoder, x, n),
    decode: (codes, n) => runAffine(decoder, codes, n, arch.output === 'sigmoid' ? 'sigmoid' : 'linear'),
  };
}

/** Deep SVDD's representation, or OC-NN's hidden layer g(V·e(x)). */
function oneClass(arch: Architecture, blob: Uint8Array): LatentEncoder {
  const kind = arch.kind as OneClassKind;
  const { kernels } = readOneClassBlob(arch, blob);
  const layers = oneClassLayers({ kind, inputDims: arch.inputDims, layers: arch.layers, activation: arch.activation });
  // OC-NN's last layer is the output ŷ = ⟨w, ·⟩: the representation is what it reads.
  const used = kind === 'ocnn' ? layers.slice(0, -1) : layers;
  const stack = new DenseStack(used.map((l, i) => ({ kernel: kernels[i]!, inputs: l.inputs, outputs: l.outputs, activation: l.activation })));
  const dims = stack.outputs;
  const d = arch.inputDims;
  return {
    dims,
    source: kind === 'deepsvdd' ? `Deep SVDD's representation φ(x) (${dims} units)` : `OC-NN's hidden layer g(V·e(x)) (${dims} units)`,
    encode: (x, n) => {
      const out = new Float64Array(n * dims);
      for (let r = 0; r < n; r++) out.set(stack.forward(x, r * d), r * dims);
      return out;
    },
  };
}

/** The kinds with a latent code of their own (an ensemble borrows its first network member's). */
export function hasLatent(kind: ModelKind | string): boolean {
  return ['ae', 'sparse', 'denoising', 'vae', 'aae', 'wae', 'conv', 'deepsvdd', 'ocnn'].includes(kind);
}

/** Whether a model's encoder runs on TensorFlow.js (a conv model; an ensemble's members are never conv): initialise a backend first. */
export function usesTensors(kind: ModelKind | string): boolean {
  return kind === 'conv';
}

/** The encoder of a stored model (its kind, architecture and weights); BAD_INPUT for the kinds without a code. */
export function latentEncoder(kind: ModelKind | string, arch: Architecture, blob: Uint8Array): LatentEncoder {
  if (kind === 'iforest' || kind === 'ecod') {
    throw new ResidualError('BAD_INPUT', `A ${kind === 'iforest' ? 'IsolationForest' : 'ECOD'} model has no latent space (it is not a network): the latent view needs an autoencoder, Deep SVDD or OC-NN model.`, { field: 'modelId' });
  }
  if (kind === 'ensemble') {
    const members = ensembleMembers(blob);
    const at = members.findIndex((m) => hasLatent(m.kind));
    if (at < 0) {
      throw new ResidualError('BAD_INPUT', `This ensemble has no network member (${members.map((m) => m.kind).join(', ')}), so no latent space: the latent view needs an autoencoder.`, { field: 'modelId' });
    }
    const m = members[at]!;
    const inner = latentEncoder(m.kind, m.architecture, m.blob);
    return { ...inner, source: `member ${at + 1} (${m.kind}, seed ${m.seed}) of the ensemble: ${inner.source}` };
  }
  if (isOneClass(kind)) return oneClass(arch, blob);
  if (kind === 'conv') return convolutional(arch, blob);
  if (hasLatent(kind)) return autoencoder(arch, blob);
  throw new ResidualError('BAD_INPUT', `The latent view does not read ${kind} models yet.`, { field: 'modelId' });
}
