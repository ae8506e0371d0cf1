import * as tf from '@tensorflow/tfjs';
import { imageShape, type ImageShape } from '../../contract/data';
import { ResidualError } from '../errors';
import type { DatasetInfo } from '../store/types';
import type { Architecture, ConvImage, LossKind, Preprocessing, Proposal, SettingRationale, TrainSettings, VariableSpec } from './types';

/**
 * The convolutional autoencoder ('conv', seed 003): an encoder of 3×3 convolutions (ReLU, 'same' padding), each followed
 * by 2×2 max-pooling, a decoder that mirrors it with 2×2 nearest-neighbour up-sampling, and a last 3×3 convolution to
 * the image's channels (sigmoid with binary cross-entropy). Its model inputs are an image dataset's pixel columns,
 * placed on the image grid (ConvImage): the grid is zero-padded at the bottom and right to a multiple of 2^layers so
 * every pooling halves it exactly (28×28 with three layers: 32×32 → 16 → 8 → a 4×4×8 code, the seed's 128 values), and
 * the output is cropped back; the loss and the errors cover the real pixels only. The scores are the dense kinds': the
 * per-pixel squared errors are the per-column errors and their mean the row's score.
 *
 * The convolutions' filter gradient is computed here (im2col: the nine shifted copies of the input times the output
 * gradient, one matrix product) because the wasm backend has no Conv2DBackpropFilter kernel; the forward pass and the
 * input gradient use tf.conv2d and its transpose (XNNPACK on wasm).
 */

/** The wizard's filters: seed 003's 16-8-8. */
export const DEFAULT_FILTERS: readonly number[] = [16, 8, 8];
/** The convolution window (3×3) and the pooling factor (2×2). */
const KERNEL = 3;
const POOL = 2;

/** The kind in the analyst's words (CLI, report, model card). */
export const CONV_WORDS = 'convolutional autoencoder (seed 003): 3×3 convolutions with 2×2 max-pooling, a mirrored decoder with up-sampling, sigmoid output and binary cross-entropy; the per-pixel squared errors are the per-column errors';

/** The dataset's image shape, or a BAD_INPUT naming the kind when it is not an image dataset. */
export function convImageShape(ds: Pick<DatasetInfo, 'name' | 'encoding' | 'delimiter'>): ImageShape {
  const shape = imageShape(ds);
  if (!shape) {
    throw new ResidualError(
      'BAD_INPUT',
      `The convolutional autoencoder (kind conv) needs an image dataset (imported from PNG/JPEG files or an IDX file), and "${ds.name}" is a table. Choose another kind (e.g. ae) or import images.`,
      { field: 'kind' },
    );
  }
  return shape;
}

/** The padded side: the smallest multiple of 2^layers at least `side`. */
export function paddedSide(side: number, layers: number): number {
  const m = POOL ** layers;
  return Math.ceil(side / m) * m;
}

/** The pixel index of a pixel column's name (p12 → 12 in grey; p12_g → 12·3 + 1 in colour), or -1 when it is none. */
export function pixelIndex(name: string, channels: 1 | 3): number {
  const m = /^p(\d+)(?:_([rgb]))?$/.exec(name);
  if (!m) return -1;
  if (channels === 1) return m[2] ? -1 : Number(m[1]);
  return m[2] ? Number(m[1]) * 3 + 'rgb'.indexOf(m[2]) : -1;
}

/**
 * The grid for a model's inputs: each model dim's pixel. Every dim must be a pixel column (no categorical column, no
 * missing indicator, no other numeric column): BAD_INPUT naming the first that is not.
 */
export function convImage(
  shape: Pick<ImageShape, 'width' | 'height' | 'channels'>,
  filters: readonly number[],
  pp: { readonly inputDims: number; readonly features: readonly { readonly kind: 'numeric' | 'categorical'; readonly name: string; readonly dim: number; readonly indicatorDim?: number }[] },
): ConvImage {
  const pixels = new Array<number>(pp.inputDims).fill(-1);
  const total = shape.width * shape.height * shape.channels;
  for (const f of pp.features) {
    const at = pixelIndex(f.name, shape.channels);
    if (f.kind !== 'numeric' || at < 0 || at >= total) {
      throw new ResidualError(
        'BAD_INPUT',
        `The convolutional autoencoder takes pixel columns only, and "${f.name}" is ${f.kind === 'numeric' ? 'not one of this image dataset\'s pixels' : 'categorical'}. Set its role to ignored (or label), or choose a dense kind (e.g. ae).`,
        { field: 'kind', column: f.name },
      );
    }
    if (f.indicatorDim !== undefined && f.indicatorDim >= 0) {
      throw new ResidualError('BAD_INPUT', `Pixel column "${f.name}" has missing values, which the convolutional autoencoder cannot place on the image. Train with missing indicators off (the median fills them), or choose a dense kind.`, { field: 'missingIndicators', column: f.name });
    }
    pixels[f.dim] = at;
  }
  const identity = pixels.length === total && pixels.every((p, j) => p === j);
  return {
    width: shape.width,
    height: shape.height,
    channels: shape.channels,
    paddedWidth: paddedSide(shape.width, filters.length),
    paddedHeight: paddedSide(shape.height, filters.length),
    ...(identity ? {} : { pixels }),
  };
}

/** A conv network's architecture: encoder enc0…, decoder dec0… (filters reversed), `out` to the channels. */
export function convArchitecture(o: { readonly inputDims: number; readonly filters: readonly number[]; readonly image: ConvImage; readonly loss: LossKind }): Architecture {
  if (o.filters.length === 0 || o.filters.some((f) => !Number.isInteger(f) || f < 1)) {
    throw new ResidualError('BAD_INPUT', `filters must be whole numbers ≥ 1, e.g. 16,8,8; got ${o.filters.join(',') || '(empty)'}.`, { field: 'filters' });
  }
  const img = o.image;
  const vars: VariableSpec[] = [];
  const conv = (name: string, from: number, to: number): void => {
    vars.push({ name: `${name}/kernel`, shape: [KERNEL, KERNEL, from, to] }, { name: `${name}/bias`, shape: [to] });
  };
  let prev: number = img.channels;
  o.filters.forEach((f, i) => {
    conv(`enc${i}`, prev, f);
    prev = f;
  });
  const decoder = [...o.filters].reverse();
  decoder.forEach((f, i) => {
    conv(`dec${i}`, prev, f);
    prev = f;
  });
  conv('out', prev, img.channels);
  const parameterCount = vars.reduce((s, v) => s + v.shape.reduce((a, b) => a * b, 1), 0);
  const code = codeShape(img, o.filters);
  const side = `${img.width}×${img.height}×${img.channels}`;
  const padded = img.paddedWidth !== img.width || img.paddedHeight !== img.height ? ` (padded to ${img.paddedWidth}×${img.paddedHeight})` : '';
  return {
    kind: 'conv',
    inputDims: o.inputDims,
    layers: [...o.filters],
    activation: 'relu',
    output: o.loss === 'bce' ? 'sigmoid' : 'linear',
    summary: `${side}${padded} → conv ${o.filters.join('-')} → ${code.height}×${code.width}×${code.channels} code (${code.height * code.width * code.channels}) → conv ${decoder.join('-')} → ${side}`,
    parameterCount,
    variables: vars,
    image: img,
  };
}

/** The bottleneck's height × width × channels. */
export function codeShape(img: ConvImage, filters: readonly number[]): { height: number; width: number; channels: number } {
  const f = POOL ** filters.length;
  return { height: img.paddedHeight / f, width: img.paddedWidth / f, channels: filters[filters.length - 1]! };
}

/** The code's width: the bottleneck's values per image. */
export function convCodeSize(arch: Architecture): number {
  const c = codeShape(arch.image!, arch.layers);
  return c.height * c.width * c.channels;
}

/** Index maps between the model inputs and the padded grid (cached per architecture object). */
interface GridMaps {
  /** Per padded-grid cell (channel-last): its model dim, or inputDims (a zero) for padding and pixels that are no input. */
  readonly toGrid: Int32Array;
  /** Per model dim: its padded-grid cell. */
  readonly fromGrid: Int32Array;
  /** 1 on the grid cells that are model inputs, 0 elsewhere; and their count (= inputDims). */
  readonly mask: Float32Array;
  /** True when the grid is the model inputs exactly (no padding, every pixel in order): a reshape does. */
  readonly identity: boolean;
}

const mapsCache = new WeakMap<Architecture, GridMaps>();

/** The index maps of a conv architecture (also what the ONNX export's Gather nodes place pixels with: core/export/onnx-conv.ts). */
export function gridMaps(arch: Architecture): GridMaps {
  const cached = mapsCache.get(arch);
  if (cached) return cached;
  const img = arch.image!;
  const d = arch.inputDims;
  const cells = img.paddedWidth * img.paddedHeight * img.channels;
  const toGrid = new Int32Array(cells).fill(d);
  const fromGrid = new Int32Array(d);
  const mask = new Float32Array(cells);
  for (let j = 0; j < d; j++) {
    const p = img.pixels ? img.pixels[j]! : j;
    const c = p % img.channels;
    const xy = (p - c) / img.channels;
    const x = xy % img.width;
    const y = (xy - x) / img.width;
    const cell = (y * img.paddedWidth + x) * img.channels + c;
    toGrid[cell] = j;
    fromGrid[j] = cell;
    mask[cell] = 1;
  }
  const identity = cells === d && fromGrid.every((g, j) => g === j);
  const maps = { toGrid, fromGrid, mask, identity };
  mapsCache.set(arch, maps);
  return maps;
}

type Weights = (name: string) => tf.Tensor;

/** Model inputs [n, d] on the padded grid [n, H, W, C] (zeros where no input lies). */
export function toGrid(arch: Architecture, x: tf.Tensor2D): tf.Tensor4D {
  const img = arch.image!;
  const n = x.shape[0];
  const m = gridMaps(arch);
  if (m.identity) return tf.reshape(x, [n, img.paddedHeight, img.paddedWidth, img.channels]);
  const withZero = tf.concat([x, tf.zeros([n, 1])], 1);
  return tf.reshape(tf.gather(withZero, tf.tensor1d(m.toGrid, 'int32'), 1), [n, img.paddedHeight, img.paddedWidth, img.channels]);
}

/** The padded grid [n, H, W, C] back to model inputs [n, d]. */
export function fromGrid(arch: Architecture, g: tf.Tensor4D): tf.Tensor2D {
  const n = g.shape[0];
  const m = gridMaps(arch);
  const flat = tf.reshape(g, [n, -1]) as tf.Tensor2D;
  if (m.identity) return flat;
  return tf.gather(flat, tf.tensor1d(m.fromGrid, 'int32'), 1);
}

/** Input channels up to which the filter gradient goes through explicit patches (see filterGradient). */
const PATCH_CHANNELS = 2;

/**
 * The gradient of a 3×3 'same' convolution with respect to its filter, [3, 3, cin, cout]: Σ over images and positions
 * of the input around each position times the output gradient there. Computed with the operations the wasm backend
 * runs fast (XNNPACK convolutions and matrix products; its slices and concatenations of small channel counts are
 * slow): for few input channels, the 3×3 patches by a convolution with a one-hot filter, then one matrix product;
 * otherwise as a convolution of the padded input (images as channels) with the output gradient as the filter, as
 * TensorFlow computes Conv2DBackpropFilter.
 */
function filterGradient(x: tf.Tensor4D, dy: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, cin] = x.shape;
  const cout = dy.shape[3];
  const k2 = KERNEL * KERNEL;
  if (cin <= PATCH_CHANNELS) {
    const onehot = new Float32Array(k2 * cin * k2 * cin);
    for (let k = 0; k < k2; k++) for (let c = 0; c < cin; c++) onehot[(k * cin + c) * k2 * cin + k * cin + c] = 1;
    const patches = tf.reshape(tf.conv2d(x, tf.tensor4d(onehot, [KERNEL, KERNEL, cin, k2 * cin]), 1, 'same'), [n * h * w, k2 * cin]);
    return tf.reshape(tf.matMul(tf.transpose(patches), tf.reshape(dy, [n * h * w, cout])), [KERNEL, KERNEL, cin, cout]);
  }
  const padded = tf.transpose(tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]), [3, 1, 2, 0]) as tf.Tensor4D;
  const filter = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D;
  return tf.transpose(tf.conv2d(padded, filter, 1, 'valid'), [1, 2, 0, 3]);
}

/**
 * conv2d(x, w, 'same') + b with a hand-written gradient (the wasm backend has no Conv2DBackpropFilter kernel, and its
 * Conv2DBackpropInput is slower than a forward convolution): the input gradient as the convolution of the output
 * gradient with the filter turned by 180° (in and out channels swapped), the filter gradient by filterGradient, the
 * bias gradient by a sum.
 */
export const conv2dSame = tf.customGrad(((x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D, save: tf.GradSaveFunc) => {
  save([x, w]);
  return {
    value: tf.add(tf.conv2d(x, w, 1, 'same'), b),
    gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as [tf.Tensor4D, tf.Tensor4D];
      const turned = tf.transpose(tf.reverse(sw, [0, 1]), [0, 1, 3, 2]) as tf.Tensor4D;
      return [tf.conv2d(dy, turned, 1, 'same'), filterGradient(sx, dy), tf.sum(dy, [0, 1, 2])];
    },
  };
}) as never) as (x: tf.Tensor4D, w: tf.Tensor4D, b: tf.Tensor1D) => tf.Tensor4D;

/**
 * 2×2 max-pooling (stride 2) whose gradient goes to the window's maximum by a mask (the input equal to its window's
 * maximum): elementwise operations the wasm backend runs faster than its MaxPoolGrad. Ties (the same maximum twice in
 * a window) share the gradient; after a ReLU these are zeros, whose gradient the ReLU stops anyway.
 */
export const maxPool2 = tf.customGrad(((x: tf.Tensor4D, save: tf.GradSaveFunc) => {
  const y = tf.maxPool(x, POOL, POOL, 'valid');
  save([x, y]);
  return {
    value: y,
    gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => {
      const [sx, sy] = saved as [tf.Tensor4D, tf.Tensor4D];
      const size: [number, number] = [sx.shape[1], sx.shape[2]];
      return tf.mul(tf.cast(tf.equal(sx, tf.image.resizeNearestNeighbor(sy, size)), 'float32'), tf.image.resizeNearestNeighbor(dy, size));
    },
  };
}) as never) as (x: tf.Tensor4D) => tf.Tensor4D;

/** 2×2 nearest-neighbour up-sampling whose gradient (the sum of each 2×2 block) is an average pooling times 4. */
export const upSample2 = tf.customGrad(((x: tf.Tensor4D) => ({
  value: tf.image.resizeNearestNeighbor(x, [x.shape[1] * POOL, x.shape[2] * POOL]),
  gradFunc: (dy: tf.Tensor4D) => tf.mul(tf.avgPool(dy, POOL, POOL, 'valid'), POOL * POOL),
})) as never) as (x: tf.Tensor4D) => tf.Tensor4D;

function layer(w: Weights, name: string, x: tf.Tensor4D, relu: boolean): tf.Tensor4D {
  const y = conv2dSame(x, w(`${name}/kernel`) as tf.Tensor4D, w(`${name}/bias`) as tf.Tensor1D);
  return relu ? tf.relu(y) : y;
}

/** The encoder: the bottleneck [n, h, w, f] (flatten it for the code). */
export function convEncode(arch: Architecture, w: Weights, x: tf.Tensor2D): tf.Tensor4D {
  let h = toGrid(arch, x);
  for (let i = 0; i < arch.layers.length; i++) h = maxPool2(layer(w, `enc${i}`, h, true));
  return h;
}

/** The decoder from a flattened code: the output grid [n, H, W, C] before the sigmoid (logits with BCE). */
export function convDecode(arch: Architecture, w: Weights, code: tf.Tensor2D): tf.Tensor4D {
  const c = codeShape(arch.image!, arch.layers);
  let h = tf.reshape(code, [code.shape[0], c.height, c.width, c.channels]) as tf.Tensor4D;
  for (let i = 0; i < arch.layers.length; i++) {
    h = upSample2(layer(w, `dec${i}`, h, true));
  }
  return layer(w, 'out', h, false);
}

/**
 * The reconstruction loss over the real pixels (padding and pixels that are no input left out), mean over rows and
 * inputs as the dense kinds': BCE from logits (targets clipped to [0, 1]) or squared error.
 */
export function convLoss(arch: Architecture, out: tf.Tensor4D, x: tf.Tensor2D, loss: LossKind): tf.Scalar {
  const m = gridMaps(arch);
  const target = toGrid(arch, x);
  const per = loss === 'bce'
    ? (() => {
        const t = tf.clipByValue(target, 0, 1);
        return tf.add(tf.sub(tf.relu(out), tf.mul(out, t)), tf.log1p(tf.exp(tf.neg(tf.abs(out)))));
      })()
    : tf.squaredDifference(out, target);
  const n = x.shape[0];
  const masked = m.identity ? per : tf.mul(per, tf.reshape(tf.tensor1d(m.mask), out.shape.slice(1) as [number, number, number]));
  return tf.div(tf.sum(masked), n * arch.inputDims);
}

// ---- settings and the wizard's proposal ---------------------------------------------------------

/**
 * The settings of a conv run: an image dataset (BAD_INPUT naming the kind otherwise); seed 003's choices unless the
 * user set them: binary cross-entropy, no missing indicators; ReLU and no dropout (the network's own). The pixels go in
 * as imported (pixelPreprocessing), so scaler, log1p and clip are recorded as what they amount to (min-max, none, 0).
 * The dense kinds' settings (layers, L1, noise, β, …) do not apply.
 */
export function convSettings(ds: Pick<DatasetInfo, 'name' | 'encoding' | 'delimiter'>, s: TrainSettings, user: Partial<TrainSettings>): TrainSettings {
  convImageShape(ds);
  if (user.activation && user.activation !== 'relu') {
    throw new ResidualError('BAD_INPUT', `The convolutional autoencoder uses ReLU (seed 003's network); activation ${user.activation} applies to the dense kinds. Leave it out.`, { field: 'activation' });
  }
  if (user.dropout) {
    throw new ResidualError('BAD_INPUT', 'The convolutional autoencoder has no dropout (seed 003\'s network); set dropout 0 or choose a dense kind.', { field: 'dropout' });
  }
  const loss = user.loss ?? 'bce';
  return {
    ...s, activation: 'relu', dropout: 0, members: [], loss,
    scaler: 'minmax', log1p: 'none', clip: 0, missingIndicators: user.missingIndicators ?? false,
  };
}

/**
 * The preprocessing of a conv run: the pixels as imported (0–1: the import divides by 255, a min-max scaling of its
 * own), so every pixel keeps the scale of the image. A scaler fitted per pixel would stretch a pixel that is nearly
 * constant in the training images (an edge that is almost always black) into a full-range input, and a held-out image
 * with ink there would score far outside the range; the fitted median still fills a missing pixel.
 */
export function pixelPreprocessing(pp: Preprocessing): Preprocessing {
  return { ...pp, clip: 0, features: pp.features.map((f) => (f.kind === 'numeric' ? { ...f, log1p: false, center: 0, scale: 1 } : f)) };
}

/** The model inputs a conv run on this dataset would have (its numeric pixel columns, in order), before training. */
export function describeConv(ds: DatasetInfo, s: TrainSettings): Architecture {
  const shape = convImageShape(ds);
  const features = ds.columns.filter((c) => c.role === 'numeric' || c.role === 'categorical');
  const pp = {
    inputDims: features.length,
    features: features.map((c, dim) => ({ kind: c.role === 'numeric' ? ('numeric' as const) : ('categorical' as const), name: c.name, dim, indicatorDim: -1 })),
  };
  return convArchitecture({ inputDims: pp.inputDims, filters: s.filters, image: convImage(shape, s.filters, pp), loss: s.loss });
}

/** The wizard's proposal as it reads for a conv run: the dense reasons that do not apply dropped, its own added. */
export function convProposal(p: Proposal, s: TrainSettings, arch: Architecture): Proposal {
  const img = arch.image!;
  const code = codeShape(img, s.filters);
  const padded = img.paddedWidth !== img.width || img.paddedHeight !== img.height
    ? ` The ${img.width}×${img.height} images are zero-padded at the bottom and right to ${img.paddedWidth}×${img.paddedHeight} (a multiple of 2^${s.filters.length}, so each pooling halves them exactly) and the output cropped back; the padding is in no loss and no score.`
    : '';
  const dropped: (keyof TrainSettings)[] = ['kind', 'members', 'layers', 'activation', 'loss', 'scaler', 'log1p', 'clip', 'missingIndicators', 'filters'];
  const own: SettingRationale[] = [
    { setting: 'kind', value: 'conv', why: `A ${CONV_WORDS}: convolutions share their weights across the image, so edges and textures are learned once wherever they appear.` },
    { setting: 'filters', value: s.filters, why: `Encoder ${s.filters.map((f) => `${f} 3×3 filters`).join(', ')}, each followed by 2×2 max-pooling: ${img.width}×${img.height}×${img.channels} → a ${code.height}×${code.width}×${code.channels} code (${code.height * code.width * code.channels} values, ${arch.inputDims} inputs); the decoder mirrors it with 2×2 up-sampling and a last convolution to ${img.channels} channel${img.channels > 1 ? 's' : ''}.${padded}` },
    { setting: 'loss', value: s.loss, why: s.loss === 'bce' ? 'Binary cross-entropy with a sigmoid output, as seed 003: pixels are intensities in [0, 1]. The score is still the mean squared error per pixel.' : 'Mean squared error with a linear output (seed 003 uses binary cross-entropy).' },
    { setting: 'scaler', value: s.scaler, why: 'The pixels go in as imported, 0–1 (the import\'s own min-max scaling, 0–255 → 0–1), whatever the scaler: a scaler fitted per pixel would stretch an edge pixel that is nearly always black into a full-range input.' },
    { setting: 'log1p', value: s.log1p, why: 'No log1p, no clipping: pixels are intensities in [0, 1], not heavy-tailed counts.' },
  ];
  return { ...p, settings: s, rationale: [...own, ...p.rationale.filter((r) => !dropped.includes(r.setting))], inputDims: arch.inputDims, parameterCount: arch.parameterCount };
}
