import type { ModelInfo, ModelKind } from '../../contract';
import { ResidualError } from '../errors';
import { ClassicalDetector } from '../engine/classical';
import { averagePathLength, type IsolationForestModel } from '../engine/classical/iforest';
import { ensembleMembers } from '../engine/ensemble';
import { isOneClass, oneClassLayers, readOneClassBlob, type OneClassKind } from '../engine/family/oneclass';
import { LEAKY_SLOPE, type LayerActivation } from '../engine/family/dense';
import { weightsOf } from '../engine/model';
import { dimOwners } from '../engine/preprocess';
import { DT, reconstructionGraph, type GraphBuilder, type OnnxBody } from './onnx';

/*
 * The ONNX graphs of the kinds that do not reconstruct their rows, or not alone (onnx.ts builds the preprocessing, the
 * outputs and the metadata around them):
 *
 * - Deep SVDD and OC-NN: the bias-free network's forward pass in float64 on the float32 weights (as family/dense.ts
 *   computes it), then Deep SVDD's squared distance to the centre c (minus R² for the soft-boundary objective) or
 *   OC-NN's r − ŷ. Their per-column values in the app are integrated-gradients attributions (32 gradient evaluations
 *   per row, made complete by a data-dependent spread), not a forward computation: the file has no per-column output.
 * - Ensembles whose members are all dense reconstruction networks: each member's score and per-column squared errors
 *   (float32 as the app keeps them), made symmetric (log), robustly standardised with the member's stored median and
 *   scale, through softplus, averaged; per column, every member's non-negative column shares weighted by its evidence
 *   (ensemble.ts's `combine`). An IsolationForest member joins as a model of its own does (its score is not logged).
 * - IsolationForest: every tree as ai.onnx.ml TreeEnsembleRegressor nodes (x ≤ split goes to the left child, the
 *   splits rounded down to float32 so that float32 inputs go the same way as against the app's float64 splits), each
 *   leaf's targets its path length depth + c(rows in it) and the bits of isolation every split on its path credits
 *   its feature with, summed over the trees; then the app's s(x) = 2^(−mean path length / c(ψ)) and the per-column
 *   shares of the credit (classical/iforest.ts's scoreIsolationForest).
 */

/** Whether the file of a model of this kind has per-column values (the one-class kinds' are attributions the app computes). */
export function onnxHasColumnValues(kind: ModelKind): boolean {
  return !isOneClass(kind);
}

/** The graph of a one-class model, an ensemble (or, later, a tree model); null for the dense reconstruction kinds. */
export function familyGraph(g: GraphBuilder, model: ModelInfo, blob: Uint8Array, x: string): OnnxBody | null {
  if (isOneClass(model.kind)) return oneClassGraph(g, model, blob, x);
  if (model.kind === 'ensemble') return ensembleGraph(g, model, blob, x);
  if (model.kind === 'iforest') {
    const { row, columns } = forestGraph(g, forestOf(blob), model.preprocessing, x);
    return { score: row, columns, columnValues: 'the shares of the isolation (bits of the splits on the row\'s paths) credited to each column, summing to 1' };
  }
  return null;
}

/** An activation in float64, as family/dense.ts's `activate`, from operators every evaluator supports in float64. */
function activationF64(g: GraphBuilder, z: string, act: LayerActivation): string {
  switch (act) {
    case 'linear':
      return z;
    case 'relu':
      return g.node('Max', [z, g.scalar(0, DT.DOUBLE)]);
    case 'elu':
      // x > 0 ? x : eˣ − 1, as max(x, 0) + (e^min(x, 0) − 1).
      return g.node('Add', [g.node('Max', [z, g.scalar(0, DT.DOUBLE)]), g.node('Sub', [g.node('Exp', [g.node('Min', [z, g.scalar(0, DT.DOUBLE)])]), g.scalar(1, DT.DOUBLE)])]);
    case 'tanh':
      return g.node('Tanh', [z]);
    case 'sigmoid':
      return g.node('Sigmoid', [z]);
    case 'leakyRelu':
      // x > 0 ? x : 0.2x is max(x, 0.2x) for a slope below 1.
      return g.node('Max', [z, g.node('Mul', [z, g.scalar(LEAKY_SLOPE, DT.DOUBLE)])]);
  }
}

function oneClassGraph(g: GraphBuilder, model: ModelInfo, blob: Uint8Array, x: string): OnnxBody {
  const arch = model.architecture;
  const kind = arch.kind as OneClassKind;
  const { kernels, state } = readOneClassBlob(arch, blob);
  const layers = oneClassLayers({ kind, inputDims: arch.inputDims, layers: arch.layers, activation: arch.activation });
  const one = g.constant([1], DT.INT64, [1]);
  let h = g.node('Cast', [x], { to: DT.DOUBLE });
  layers.forEach((l, i) => {
    h = activationF64(g, g.node('MatMul', [h, g.constant(kernels[i]!, DT.DOUBLE, [l.inputs, l.outputs])]), l.activation);
  });
  let score: string;
  if (kind === 'deepsvdd') {
    const c = state.center!;
    const diff = g.node('Sub', [h, g.constant(c, DT.DOUBLE, [c.length])]);
    score = g.node('ReduceSum', [g.node('Mul', [diff, diff]), one], { keepdims: 0 });
    if ((model.settings.objective ?? 'one-class') === 'soft-boundary') score = g.node('Sub', [score, g.scalar(state.radius2, DT.DOUBLE)]);
  } else {
    // ŷ is [N, 1]: its one column summed is ŷ itself.
    score = g.node('Sub', [g.scalar(state.r, DT.DOUBLE), g.node('ReduceSum', [h, one], { keepdims: 0 })]);
  }
  return {
    score,
    columns: null,
    columnValues: `none: the app's per-column values of a ${kind} model are integrated-gradients attributions, which the app computes; the file gives the row score only`,
  };
}

/** Guards the log of a zero error (ensemble.ts's LOG_FLOOR). */
const LOG_FLOOR = 1e-12;
/** softplus(z) is z above this (ensemble.ts's softplus). */
const SOFTPLUS_LINEAR = 30;

function ensembleGraph(g: GraphBuilder, model: ModelInfo, blob: Uint8Array, x: string): OnnxBody {
  const members = ensembleMembers(blob);
  const pp = model.preprocessing;
  const columns = pp.features.length;
  const m = members.length;
  const one = g.constant([1], DT.INT64, [1]);
  const zero = g.scalar(0, DT.DOUBLE);
  let total: string | null = null;
  let acc: string | null = null;
  members.forEach((member, k) => {
    if (member.kind === 'ecod') {
      throw new ResidualError('BAD_INPUT', `Model #${model.id} is an ensemble whose member ${k + 1} (${member.kind}) the ONNX export does not build.`, { model: model.id, field: 'model' });
    }
    // A network member scores without its latent term (reconstructionErrors' withKl: false); onnxUnsupported refused the settings that would add it.
    const part = member.kind === 'iforest'
      ? forestGraph(g, forestOf(member.blob), pp, x)
      : reconstructionGraph(g, member.architecture, weightsOf(member.architecture, member.blob), false, pp, x);
    // The app keeps each member's row and column values as float32 before combining them.
    const f32 = (t: string): string => g.node('Cast', [g.node('Cast', [t], { to: DT.FLOAT })], { to: DT.DOUBLE });
    const row = f32(part.row);
    const cols = f32(part.columns);
    const t = member.log ? g.node('Log', [g.node('Add', [g.node('Max', [row, zero]), g.scalar(LOG_FLOOR, DT.DOUBLE)])]) : row;
    const z = g.node('Div', [g.node('Sub', [t, g.scalar(member.center, DT.DOUBLE)]), g.scalar(member.scale, DT.DOUBLE)]);
    const lin = g.scalar(SOFTPLUS_LINEAR, DT.DOUBLE);
    const soft = g.node('Log', [g.node('Add', [g.scalar(1, DT.DOUBLE), g.node('Exp', [g.node('Min', [z, lin])])])]);
    const ev = g.node('Div', [g.node('Where', [g.node('GreaterOrEqual', [z, lin]), z, soft]), g.scalar(m, DT.DOUBLE)]);
    total = total === null ? ev : g.node('Add', [total, ev]);
    // Column shares of the member's non-negative values (evenly when they are all 0), weighted by its evidence.
    const pos = g.node('Max', [cols, zero]);
    const sum = g.node('ReduceSum', [pos, one], { keepdims: 1 });
    const none = g.node('Equal', [sum, zero]);
    const share = g.node('Where', [none, g.scalar(1 / columns, DT.DOUBLE), g.node('Div', [pos, g.node('Where', [none, g.scalar(1, DT.DOUBLE), sum])])]);
    const weighted = g.node('Mul', [share, g.node('Unsqueeze', [ev, one])]);
    acc = acc === null ? weighted : g.node('Add', [acc, weighted]);
  });
  return {
    score: total!,
    columns: acc!,
    columnValues: 'each member\'s per-column squared errors as shares of its row total, weighted by the member\'s evidence (softplus of its standardised score) and summed; a row\'s values add up to its score',
  };
}

/** The forest of a stored IsolationForest (ClassicalDetector's blob). */
function forestOf(blob: Uint8Array): IsolationForestModel {
  const forest = ClassicalDetector.fromBlob('iforest', blob).isolationForest;
  if (!forest || forest.trees.length === 0) throw new ResidualError('BAD_FILE', 'The stored IsolationForest has no trees; train the model again.');
  return forest;
}

/** The largest float32 ≤ v: for a float32 x, x ≤ v exactly when x ≤ floorF32(v). */
export function floorF32(v: number): number {
  const f = Math.fround(v);
  if (f <= v || !Number.isFinite(v)) return f;
  const bits = new Float32Array([f]);
  const int = new Int32Array(bits.buffer);
  if (f > 0) int[0]! -= 1;
  else if (f < 0) int[0]! += 1;
  else int[0] = 0x80000001 | 0; // f is ±0 and v < 0: the negative float32 closest to 0
  return bits[0]!;
}

/**
 * An IsolationForest as one TreeEnsembleRegressor (targets: 0 the path length, 1 + j the bits credited to model dim j,
 * summed over the trees), then the score and the per-column credit shares, as scoreIsolationForest and
 * ClassicalDetector.errors compute them: row tensor(double) [N], columns tensor(double) [N, columns].
 */
function forestGraph(g: GraphBuilder, forest: IsolationForestModel, pp: ModelInfo['preprocessing'], x: string): { row: string; columns: string } {
  const d = forest.dims;
  if (d !== pp.inputDims) throw new ResidualError('BAD_FILE', `The stored IsolationForest reads ${d} inputs, its preprocessing makes ${pp.inputDims}; train the model again.`);
  const nodes = { tree: [] as number[], node: [] as number[], feature: [] as number[], value: [] as number[], mode: [] as string[], left: [] as number[], right: [] as number[] };
  const targets = { tree: [] as number[], node: [] as number[], id: [] as number[], weight: [] as number[] };
  forest.trees.forEach((tree, t) => {
    const bits = new Float64Array(d);
    // Preorder from the root, with the bits each dim gained on the way down.
    const visit = (i: number, depth: number): void => {
      nodes.tree.push(t);
      nodes.node.push(i);
      const f = tree.feature[i]!;
      if (f < 0) {
        nodes.feature.push(0);
        nodes.value.push(0);
        nodes.mode.push('LEAF');
        nodes.left.push(0);
        nodes.right.push(0);
        targets.tree.push(t);
        targets.node.push(i);
        targets.id.push(0);
        targets.weight.push(depth + averagePathLength(tree.size[i]!));
        for (let j = 0; j < d; j++) {
          if (bits[j]! === 0) continue;
          targets.tree.push(t);
          targets.node.push(i);
          targets.id.push(1 + j);
          targets.weight.push(bits[j]!);
        }
        return;
      }
      nodes.feature.push(f);
      nodes.value.push(floorF32(tree.value[i]!));
      nodes.mode.push('BRANCH_LEQ');
      nodes.left.push(i + 1);
      nodes.right.push(tree.right[i]!);
      for (const child of [i + 1, tree.right[i]!]) {
        const gain = Math.log2(tree.size[i]! / tree.size[child]!);
        bits[f]! += gain;
        visit(child, depth + 1);
        bits[f]! -= gain;
      }
    };
    visit(0, 0);
  });
  const y = g.node('TreeEnsembleRegressor', [x], {
    n_targets: 1 + d,
    aggregate_function: 'SUM',
    post_transform: 'NONE',
    nodes_treeids: nodes.tree,
    nodes_nodeids: nodes.node,
    nodes_featureids: nodes.feature,
    nodes_values: Float32Array.from(nodes.value),
    nodes_modes: nodes.mode,
    nodes_truenodeids: nodes.left,
    nodes_falsenodeids: nodes.right,
    target_treeids: targets.tree,
    target_nodeids: targets.node,
    target_ids: targets.id,
    target_weights: Float32Array.from(targets.weight),
  }, 'ai.onnx.ml');
  const sums = g.node('Cast', [y], { to: DT.DOUBLE });
  const pick = new Float64Array(1 + d);
  pick[0] = 1;
  const pathSum = g.node('MatMul', [sums, g.constant(pick, DT.DOUBLE, [1 + d])]);
  const cPsi = averagePathLength(forest.samples);
  const T = forest.trees.length;
  // s = 2^(−(sum / T) / c(ψ)) = exp(sum · (−ln 2 / (T·c(ψ)))); 0.5 when c(ψ) = 0 (one row per tree).
  const row = cPsi > 0
    ? g.node('Exp', [g.node('Mul', [pathSum, g.scalar(-Math.LN2 / (T * cPsi), DT.DOUBLE)])])
    : g.node('Add', [g.node('Mul', [pathSum, g.scalar(0, DT.DOUBLE)]), g.scalar(0.5, DT.DOUBLE)]);
  // Per column: the credit of its dims over all the credit (0 where no split credited any).
  const cols = pp.features.length;
  const owners = dimOwners(pp);
  const toColumns = new Float64Array((1 + d) * cols);
  const toTotal = new Float64Array(1 + d);
  for (let j = 0; j < d; j++) {
    toColumns[(1 + j) * cols + owners[j]!] = 1;
    toTotal[1 + j] = 1;
  }
  const credit = g.node('MatMul', [sums, g.constant(toColumns, DT.DOUBLE, [1 + d, cols])]);
  const total = g.node('MatMul', [sums, g.constant(toTotal, DT.DOUBLE, [1 + d])]);
  const none = g.node('Equal', [total, g.scalar(0, DT.DOUBLE)]);
  const denom = g.node('Where', [none, g.scalar(1, DT.DOUBLE), total]);
  const columns = g.node('Div', [credit, g.node('Unsqueeze', [denom, g.constant([1], DT.INT64, [1])])]);
  return { row, columns };
}
