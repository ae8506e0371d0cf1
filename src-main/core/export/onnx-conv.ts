import onnxProto from 'onnx-proto';
import type { ModelInfo } from '../../contract';
import { codeShape, gridMaps } from '../engine/conv';
import { weightsByName, weightsOf } from '../engine/model';
import { ResidualError } from '../errors';
import type { GraphBuilder, OnnxBody } from './onnx';

/*
 * The network and errors of a convolutional autoencoder ('conv', seed 003; src-main/core/engine/conv.ts) for the ONNX
 * export. onnx.ts builds the rest of the file around it, as for every kind: one input per explained column (here the
 * pixel columns p0 … in grey, p0_r, p0_g, p0_b … in colour, tensor(double) [N], NaN = missing), the fitted
 * preprocessing (for a conv run the pixels as imported, 0–1, a missing pixel → the training median) giving the model
 * inputs x [N, d] float, and the score output, the threshold's flag and the metadata.
 *
 * From x, as the app scores (Network.reconstruct and reconstructionErrors): x placed on the zero-padded image grid
 * (Gather from x and an appended zero column — toGrid's index map; a Reshape when the inputs are the grid exactly)
 * [N, H, W, C] → NCHW; per encoder layer a 3×3 Conv with pads 1 (tf.conv2d 'same', stride 1; kernels stored HWIO,
 * written OIHW), Relu and a 2×2 MaxPool with stride 2; per decoder layer Conv, Relu and a 2×2 nearest-neighbour
 * up-sampling (Resize, mode nearest, coordinate_transformation_mode asymmetric, nearest_mode floor: output pixel i reads
 * input pixel ⌊i / 2⌋, as tf.image.resizeNearestNeighbor without half-pixel centres); the last Conv to the image's
 * channels; back to channel-last and cropped to the model inputs (Gather: fromGrid); Sigmoid when the model's output is
 * (BCE). The errors as reconstructionErrors: differences, squares and sums in float64, the per-pixel squared errors in
 * the order of the model's columns, the row score their mean.
 */

const DT = onnxProto.onnx.TensorProto.DataType;

/** The operators the conv graph adds to the dense export's (scripts/dask_score.py's numpy evaluator knows them). */
export const CONV_OPS = ['Conv', 'MaxPool', 'Resize', 'Transpose', 'Reshape', 'Pad', 'Gather'] as const;

/** The convolution window and the pooling factor of the app's network (conv.ts). */
const KERNEL = 3;
const POOL = 2;

/** A conv model's row score (tensor(double) [N]) and per-pixel squared errors (tensor(double) [N, columns]) of the model inputs x. */
export function convBody(g: GraphBuilder, model: ModelInfo, blob: Uint8Array, x: string): OnnxBody {
  const arch = model.architecture;
  const pp = model.preprocessing;
  const img = arch.image;
  if (arch.kind !== 'conv' || !img) throw new ResidualError('BAD_INPUT', `Model #${model.id} has no image grid in its architecture: it is not a convolutional autoencoder that can be exported. Train it again.`, { model: model.id, field: 'model' });
  for (const f of pp.features) {
    if (f.kind !== 'numeric' || f.indicatorDim >= 0) {
      throw new ResidualError('BAD_INPUT', `Model #${model.id}'s column "${f.name}" is not a plain pixel input (${f.kind === 'numeric' ? 'it has a missing indicator' : 'it is categorical'}), which a convolutional autoencoder does not have; train it again.`, { model: model.id, field: 'model', column: f.name });
    }
  }
  const d = pp.inputDims;
  const one = g.constant([1], DT.INT64, [1]);

  // On the padded grid, channel-last [N, H, W, C] (toGrid), then NCHW for ONNX's Conv.
  const maps = gridMaps(arch);
  const cells = img.paddedHeight * img.paddedWidth * img.channels;
  const nhwc = g.constant([0, img.paddedHeight, img.paddedWidth, img.channels], DT.INT64, [4]);
  let grid: string;
  if (maps.identity) {
    grid = g.node('Reshape', [x, nhwc]);
  } else {
    // Cell k reads model input toGrid[k]; toGrid[k] = d (a zero column appended) for padding and pixels that are no input.
    const padded = g.node('Pad', [x, g.constant([0, 0, 0, 1], DT.INT64, [4])], { mode: 'constant' });
    grid = g.node('Reshape', [g.node('Gather', [padded, g.constant(maps.toGrid, DT.INT64, [cells])], { axis: 1 }), nhwc]);
  }
  let h = g.node('Transpose', [grid], { perm: [0, 3, 1, 2] });

  // The network: weights as stored (arch.variables order), kernels HWIO → OIHW.
  const byName = weightsByName(arch, weightsOf(arch, blob));
  const conv = (name: string, input: string, relu: boolean): string => {
    const k = byName.get(`${name}/kernel`);
    const b = byName.get(`${name}/bias`);
    if (!k || !b || k.shape.length !== 4 || k.shape[0] !== KERNEL || k.shape[1] !== KERNEL) throw new ResidualError('BAD_INPUT', `Model #${model.id} has no ${KERNEL}×${KERNEL} convolution ${name}; train it again.`, { model: model.id, field: 'model' });
    const [kh, kw, cin, cout] = k.shape as [number, number, number, number];
    const oihw = new Float32Array(k.values.length);
    for (let o = 0; o < cout; o++) for (let i = 0; i < cin; i++) for (let r = 0; r < kh; r++) for (let c = 0; c < kw; c++) {
      oihw[((o * cin + i) * kh + r) * kw + c] = k.values[((r * kw + c) * cin + i) * cout + o]!;
    }
    const pad = (KERNEL - 1) / 2;
    const z = g.node('Conv', [input, g.constant(oihw, DT.FLOAT, [cout, cin, kh, kw]), g.constant(b.values, DT.FLOAT, [cout])], {
      kernel_shape: [kh, kw], pads: [pad, pad, pad, pad], strides: [1, 1], dilations: [1, 1], group: 1,
    });
    return relu ? g.node('Relu', [z]) : z;
  };
  for (let i = 0; i < arch.layers.length; i++) {
    h = g.node('MaxPool', [conv(`enc${i}`, h, true)], { kernel_shape: [POOL, POOL], strides: [POOL, POOL], pads: [0, 0, 0, 0] });
  }
  const code = codeShape(img, arch.layers);
  if (code.height < 1 || code.width < 1) throw new ResidualError('BAD_INPUT', `Model #${model.id}'s image grid does not halve ${arch.layers.length} times; train it again.`, { model: model.id, field: 'model' });
  const scales = g.constant([1, 1, POOL, POOL], DT.FLOAT, [4]);
  for (let i = 0; i < arch.layers.length; i++) {
    h = g.node('Resize', [conv(`dec${i}`, h, true), '', scales], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });
  }
  h = conv('out', h, false);

  // Back to channel-last, cropped to the model inputs (fromGrid); the sigmoid of a BCE model's output.
  let recon = g.node('Reshape', [g.node('Transpose', [h], { perm: [0, 2, 3, 1] }), g.constant([0, cells], DT.INT64, [2])]);
  if (!maps.identity) recon = g.node('Gather', [recon, g.constant(maps.fromGrid, DT.INT64, [d])], { axis: 1 });
  if (arch.output === 'sigmoid') recon = g.node('Sigmoid', [recon]);

  // The errors as reconstructionErrors: squares and sums in float64, the row score the mean over the model inputs.
  const diff = g.node('Sub', [g.node('Cast', [recon], { to: DT.DOUBLE }), g.node('Cast', [x], { to: DT.DOUBLE })]);
  const sq = g.node('Mul', [diff, diff]);
  const inOrder = pp.features.every((f, i) => f.dim === i);
  const perColumn = inOrder ? sq : g.node('Gather', [sq, g.constant(pp.features.map((f) => f.dim), DT.INT64, [pp.features.length])], { axis: 1 });
  const row = g.node('Div', [g.node('ReduceSum', [sq, one], { keepdims: 0 }), g.scalar(d, DT.DOUBLE)]);
  return { score: row, columns: perColumn, columnValues: 'squared errors of the reconstruction, one per pixel column' };
}
