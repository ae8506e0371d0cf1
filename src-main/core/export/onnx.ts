import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { ONNX_KINDS as ONNX_KIND_LIST, onnxKindRefusal, type Activation, type ModelInfo, type ModelKind, type OnnxExportResult } from '../../contract';
import { ResidualError } from '../errors';
import { getModel, getWeights } from '../engine/repo';
import { latentInScore, weightsByName, weightsOf } from '../engine/model';
import type { Architecture } from '../engine/types';
import { MISSING_CATEGORY } from '../engine/preprocess';
import { effectiveThreshold } from '../review/thresholds';
import type { ProjectStore } from '../store';
import { latestScore } from '../store/models';
import { activeThreshold } from '../store/thresholds';
import { RESIDUAL_VERSION } from '../version';
import { convBody } from './onnx-conv';
import { familyGraph, onnxHasColumnValues } from './onnx-family';
import { checkOverwrite } from './owned';

/*
 * One ONNX file for a trained dense reconstruction model (ae, sparse, denoising, vae, aae, wae): the fitted
 * preprocessing (log1p, missing values → the training median, missing indicators, scaling, clipping, one-hot), the
 * network's deterministic forward pass (a VAE at its latent mean) and the app's error arithmetic, as one graph.
 *
 * Inputs: one per explained column, named as the column: numeric columns tensor(double) [N] (NaN = missing), categorical
 * columns tensor(string) [N] ("" = missing). Outputs: `residual_score` float [N] (the row score the app stores),
 * `residual_column_errors` float [N, columns] (the per-column squared errors, model dims of a column summed) and, when
 * the model has a threshold in force, `residual_flagged` bool [N] (score ≥ threshold, as the app flags).
 *
 * Deep SVDD, OC-NN, IsolationForest and ensembles: onnx-family.ts (the one-class files have no
 * `residual_column_errors`: the app's per-column values for them are integrated-gradients attributions).
 */

const { onnx } = onnxProto;
type INodeProto = onnxProto.onnx.INodeProto;
type ITensorProto = onnxProto.onnx.ITensorProto;
type IAttributeProto = onnxProto.onnx.IAttributeProto;
export type IValueInfoProto = onnxProto.onnx.IValueInfoProto;
export const DT = onnx.TensorProto.DataType;
const AT = onnx.AttributeProto.AttributeType;

/** The kinds written to ONNX: their score is a deterministic function of the row. */
export const ONNX_KINDS: readonly ModelKind[] = ONNX_KIND_LIST;
/** Opsets the graph uses: ai.onnx 13 (Unsqueeze/ReduceSum axes as inputs), ai.onnx.ml 2 (LabelEncoder). */
export const ONNX_OPSET = 13;
export const ONNX_ML_OPSET = 2;
/** Output names (prefixed so that they do not clash with a column of the same name). */
export const ONNX_OUTPUTS = { score: 'residual_score', columnErrors: 'residual_column_errors', flagged: 'residual_flagged' } as const;
/** The metadata pair that marks an ONNX file as one Residual wrote (see isResidualOnnx). */
export const ONNX_MARK_KEY = 'residual_export';
export const ONNX_MARK_VALUE = 'model';
export const ONNX_PRODUCER = 'Residual';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
const INTERNAL = '__residual/';

/** What is written beside the graph as metadata. */
export interface OnnxMeta {
  /** The threshold in force (null: none known) and how it was set. */
  readonly threshold: number | null;
  readonly thresholdMethod: string;
  /** SHA-256 of the training data's source file (null: the training dataset was deleted). */
  readonly trainingDataSha256: string | null;
  readonly trainingDataName: string | null;
}

/** Why a model cannot be exported to ONNX (null: it can). */
export function onnxUnsupported(model: Pick<ModelInfo, 'id' | 'kind' | 'status' | 'architecture' | 'preprocessing'> & { readonly settings?: Pick<ModelInfo['settings'], 'members'> }): string | null {
  // Kind, members and state: the contract's check, which the Training section shows beside a disabled Export ONNX.
  const refused = onnxKindRefusal({ id: model.id, kind: model.kind, status: model.status, members: model.settings?.members });
  if (refused !== null) return refused;
  if (model.preprocessing.version !== 1) return `Model #${model.id}'s preprocessing is version ${String(model.preprocessing.version)}, which the ONNX export does not know; only version 1 is exported.`;
  const acts: readonly Activation[] = ['relu', 'elu', 'tanh', 'sigmoid', 'leakyRelu'];
  if (!acts.includes(model.architecture.activation)) return `Model #${model.id}'s activation ${model.architecture.activation} is not exported to ONNX yet.`;
  for (const f of model.preprocessing.features as readonly { kind: string; name: string }[]) {
    if (f.kind !== 'numeric' && f.kind !== 'categorical') return `Model #${model.id}'s column "${f.name}" has preprocessing of kind "${f.kind}", which the ONNX export does not support yet.`;
  }
  const names = model.preprocessing.features.map((f) => f.name);
  const clash = names.find((n) => n.startsWith(INTERNAL) || (Object.values(ONNX_OUTPUTS) as string[]).includes(n));
  if (clash !== undefined) return `Model #${model.id}'s column "${clash}" has the name of one of the graph's own values; rename the column and train again to export.`;
  return null;
}

/**
 * What a kind's part of the graph computes from the model inputs: the row score (tensor(double) [N]), the per-column
 * values (tensor(double) [N, columns]; null: the file has none) and what those values are, in words (metadata).
 */
export interface OnnxBody {
  readonly score: string;
  readonly columns: string | null;
  readonly columnValues: string;
}

/** Builds the ONNX model (ModelProto bytes) of a model and its stored weights. Throws BAD_INPUT for what it cannot export. */
export function buildOnnxModel(model: ModelInfo, blob: Uint8Array, meta: OnnxMeta): Uint8Array {
  const why = onnxUnsupported(model);
  if (why) throw new ResidualError('BAD_INPUT', why, { model: model.id, field: 'model' });
  const g = new GraphBuilder();
  const pp = model.preprocessing;
  const { inputs, x } = preprocessGraph(g, pp);
  // The one-class kinds, ensembles and IsolationForest (onnx-family.ts); a convolutional autoencoder (onnx-conv.ts);
  // else a dense reconstruction network.
  const body = familyGraph(g, model, blob, x) ?? (model.kind === 'conv' ? convBody(g, model, blob, x) : reconstructionBody(g, model, blob, x));
  const score = g.node('Cast', [body.score], { to: DT.FLOAT }, '', ONNX_OUTPUTS.score);
  const outputs = [valueInfo(ONNX_OUTPUTS.score, DT.FLOAT, ['N'])];
  if (body.columns !== null) {
    g.node('Cast', [body.columns], { to: DT.FLOAT }, '', ONNX_OUTPUTS.columnErrors);
    outputs.push(valueInfo(ONNX_OUTPUTS.columnErrors, DT.FLOAT, ['N', pp.features.length]));
  }
  if (meta.threshold !== null) {
    g.node('GreaterOrEqual', [score, g.scalar(meta.threshold, DT.FLOAT)], {}, '', ONNX_OUTPUTS.flagged);
    outputs.push(valueInfo(ONNX_OUTPUTS.flagged, DT.BOOL, ['N']));
  }

  const weightsSha256 = createHash('sha256').update(blob).digest('hex');
  const columns = pp.features.map((f) => ({ name: f.name, kind: f.kind, type: f.kind === 'numeric' ? 'double' : 'string' }));
  const props: Record<string, string> = {
    [ONNX_MARK_KEY]: ONNX_MARK_VALUE,
    residual_version: RESIDUAL_VERSION,
    model_id: String(model.id),
    model_name: model.name,
    model_kind: model.kind,
    columns: JSON.stringify(columns),
    column_values: body.columnValues,
    threshold: meta.threshold === null ? '' : String(meta.threshold),
    threshold_method: meta.thresholdMethod,
    training_data_sha256: meta.trainingDataSha256 ?? '',
    training_data_name: meta.trainingDataName ?? '',
    model_weights_sha256: weightsSha256,
    missing_values: 'numeric inputs: NaN; categorical inputs: the empty string',
  };
  const proto = onnx.ModelProto.create({
    irVersion: 7,
    producerName: ONNX_PRODUCER,
    producerVersion: RESIDUAL_VERSION,
    domain: 'app.residual',
    modelVersion: model.id,
    docString: `Residual ${model.kind} model #${model.id} (${model.name}): raw rows in, the row score${body.columns !== null ? ' and per-column values' : ''} out, as the app computes them.`,
    opsetImport: [{ domain: '', version: ONNX_OPSET }, { domain: 'ai.onnx.ml', version: ONNX_ML_OPSET }],
    metadataProps: Object.entries(props).map(([key, value]) => ({ key, value })),
    graph: { name: `residual_model_${model.id}`, node: g.nodes, initializer: g.initializers, input: inputs, output: outputs },
  });
  return onnx.ModelProto.encode(proto).finish();
}

/** The outputs a model's file has (the per-column values are absent for the one-class kinds). */
export function onnxOutputNames(kind: ModelKind, threshold: number | null): string[] {
  return [ONNX_OUTPUTS.score, ...(onnxHasColumnValues(kind) ? [ONNX_OUTPUTS.columnErrors] : []), ...(threshold !== null ? [ONNX_OUTPUTS.flagged] : [])];
}

/**
 * The fitted preprocessing as a graph: one input per explained column, and the model inputs x, tensor(float) [N, dims]
 * (log1p, missing values → the training median, missing indicators, scaling, clipping, one-hot).
 */
export function preprocessGraph(g: GraphBuilder, pp: ModelInfo['preprocessing']): { inputs: IValueInfoProto[]; x: string } {
  const inputs: IValueInfoProto[] = [];
  // Model dims, each piece [N, width] float at its first dim; concatenated in dim order.
  const pieces: { dim: number; name: string }[] = [];
  const one = g.constant([1], DT.INT64, [1]);
  const unsq = (x: string): string => g.node('Unsqueeze', [x, one]);
  for (const f of pp.features) {
    if (f.kind === 'numeric') {
      inputs.push(valueInfo(f.name, DT.DOUBLE, ['N']));
      const nan = g.node('IsNaN', [f.name]);
      let t = f.name;
      if (f.log1p) {
        // Signed log1p, as slog1p: sign(x)·log(1 + |x|).
        t = g.node('Mul', [g.node('Sign', [t]), g.node('Log', [g.node('Add', [g.node('Abs', [t]), g.scalar(1, DT.DOUBLE)])])]);
      }
      t = g.node('Where', [nan, g.scalar(f.fill, DT.DOUBLE), t]);
      let y = g.node('Div', [g.node('Sub', [t, g.scalar(f.center, DT.DOUBLE)]), g.scalar(f.scale, DT.DOUBLE)]);
      if (pp.clip) y = g.node('Min', [g.node('Max', [y, g.scalar(-pp.clip, DT.DOUBLE)]), g.scalar(pp.clip, DT.DOUBLE)]);
      pieces.push({ dim: f.dim, name: unsq(g.node('Cast', [y], { to: DT.FLOAT })) });
      if (f.indicatorDim >= 0) pieces.push({ dim: f.indicatorDim, name: unsq(g.node('Cast', [nan], { to: DT.FLOAT })) });
    } else {
      inputs.push(valueInfo(f.name, DT.STRING, ['N']));
      const k = f.categories.length;
      const keys = [...f.categories];
      const values = f.categories.map((_, i) => i);
      // A missing value arrives as "": it is the "(missing)" category where training saw one, else "other".
      const missing = f.categories.indexOf(MISSING_CATEGORY);
      if (missing >= 0 && !keys.includes('')) {
        keys.push('');
        values.push(missing);
      }
      // LabelEncoder needs one key at least: with no categories kept, every value is "other".
      if (keys.length === 0) {
        keys.push(`${INTERNAL}none`);
        values.push(k);
      }
      const idx = g.node('LabelEncoder', [f.name], { keys_strings: keys, values_int64s: values, default_int64: k }, 'ai.onnx.ml');
      const range = g.constant(Array.from({ length: k + 1 }, (_, i) => i), DT.INT64, [k + 1]);
      pieces.push({ dim: f.dim, name: g.node('Cast', [g.node('Equal', [unsq(idx), range])], { to: DT.FLOAT }) });
    }
  }
  pieces.sort((a, b) => a.dim - b.dim);
  const x = pieces.length === 1 ? pieces[0]!.name : g.node('Concat', pieces.map((p) => p.name), { axis: 1 });
  return { inputs, x };
}

/** A dense reconstruction model (ae, sparse, denoising, vae, aae, wae): its score and per-column squared errors. */
function reconstructionBody(g: GraphBuilder, model: ModelInfo, blob: Uint8Array, x: string): OnnxBody {
  const { row, columns } = reconstructionGraph(g, model.architecture, weightsOf(model.architecture, blob), latentInScore(model.kind, model.settings), model.preprocessing, x);
  return { score: row, columns, columnValues: 'squared errors of the reconstruction, the model dims of each column summed' };
}

/**
 * A dense reconstruction network's row score (tensor(double) [N]) and per-column squared errors (tensor(double)
 * [N, columns]) of the model inputs x, as reconstructionErrors computes them; `withLatent` adds a VAE's KL or an AAE's
 * prior term to the score.
 */
export function reconstructionGraph(g: GraphBuilder, arch: Architecture, weights: Float32Array, withLatent: boolean, pp: ModelInfo['preprocessing'], x: string): { row: string; columns: string } {
  const one = g.constant([1], DT.INT64, [1]);
  // The network, as Network.forward with training off (no noise, no dropout, a VAE at its mean).
  // Initialisers are written for the variables the graph uses (not a VAE's log-variance head scored without its KL).
  const byName = weightsByName(arch, weights);
  const weight = (name: string): string => g.constant(byName.get(name)!.values, DT.FLOAT, byName.get(name)!.shape);
  const dense = (layer: string, h: string, act: Activation | 'linear'): string => {
    const z = g.node('Gemm', [h, weight(`${layer}/kernel`), weight(`${layer}/bias`)]);
    return activation(g, z, act);
  };
  const linearCode = arch.kind === 'aae' || arch.kind === 'wae';
  const hiddenCount = arch.kind === 'vae' || linearCode ? arch.layers.length - 1 : arch.layers.length;
  let h = x;
  for (let i = 0; i < hiddenCount; i++) h = dense(`enc${i}`, h, arch.activation);
  let code = h;
  let latent: string | null = null;
  if (linearCode) {
    code = dense('code', h, 'linear');
    if (withLatent) {
      // An AAE's −log p(z) under the standard normal prior: ½‖z‖² + k·½log 2π.
      const k = arch.layers[arch.layers.length - 1]!;
      const half = g.node('Mul', [g.scalar(0.5, DT.FLOAT), g.node('ReduceSum', [g.node('Mul', [code, code]), one], { keepdims: 0 })]);
      latent = g.node('Add', [half, g.scalar(k * HALF_LOG_2PI, DT.FLOAT)]);
    }
  } else if (arch.kind === 'vae') {
    code = dense('z_mean', h, 'linear');
    if (withLatent) {
      // KL(q(z|x) ‖ N(0, I)) = −½ Σ (1 + log σ² − μ² − σ²).
      const lv = dense('z_logvar', h, 'linear');
      const inner = g.node('Sub', [g.node('Sub', [g.node('Add', [g.scalar(1, DT.FLOAT), lv]), g.node('Mul', [code, code])]), g.node('Exp', [lv])]);
      latent = g.node('Mul', [g.scalar(-0.5, DT.FLOAT), g.node('ReduceSum', [inner, one], { keepdims: 0 })]);
    }
  }
  h = code;
  for (let i = 0; i < arch.layers.length - 1; i++) h = dense(`dec${i}`, h, arch.activation);
  let recon = dense('out', h, 'linear');
  if (arch.output === 'sigmoid') recon = g.node('Sigmoid', [recon]);

  // Errors as reconstructionErrors: squares and sums in float64, the row score the mean over model dims.
  const d = pp.inputDims;
  const diff = g.node('Sub', [g.node('Cast', [recon], { to: DT.DOUBLE }), g.node('Cast', [x], { to: DT.DOUBLE })]);
  const sq = g.node('Mul', [diff, diff]);
  const owners = new Float64Array(d * pp.features.length);
  pp.features.forEach((f, fi) => {
    const dims = f.kind === 'numeric' ? [f.dim, ...(f.indicatorDim >= 0 ? [f.indicatorDim] : [])] : Array.from({ length: f.categories.length + 1 }, (_, k) => f.dim + k);
    for (const j of dims) owners[j * pp.features.length + fi] = 1;
  });
  const columns = g.node('MatMul', [sq, g.constant(owners, DT.DOUBLE, [d, pp.features.length])]);
  let row = g.node('Div', [g.node('ReduceSum', [sq, one], { keepdims: 0 }), g.scalar(d, DT.DOUBLE)]);
  if (latent) row = g.node('Add', [row, g.node('Div', [g.node('Cast', [latent], { to: DT.DOUBLE }), g.scalar(d, DT.DOUBLE)])]);
  return { row, columns };
}

export function activation(g: GraphBuilder, z: string, act: Activation | 'linear'): string {
  switch (act) {
    case 'linear':
      return z;
    case 'relu':
      return g.node('Relu', [z]);
    case 'elu':
      return g.node('Elu', [z], { alpha: 1 });
    case 'tanh':
      return g.node('Tanh', [z]);
    case 'sigmoid':
      return g.node('Sigmoid', [z]);
    case 'leakyRelu':
      // The slope the app uses (tf.leakyRelu(t, 0.2) and the fused kernel).
      return g.node('LeakyRelu', [z], { alpha: 0.2 });
  }
}

export function valueInfo(name: string, elemType: number, shape: readonly (number | string)[]): IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: shape.map((s) => (typeof s === 'number' ? { dimValue: s } : { dimParam: s })) } } },
  };
}

/** A Float32Array is a list of floats (FLOATS); a plain number list is a list of ints (INTS). */
type AttrValue = number | string | readonly number[] | readonly string[] | Float32Array;

/** Nodes and initialisers with generated value names. */
export class GraphBuilder {
  readonly nodes: INodeProto[] = [];
  readonly initializers: ITensorProto[] = [];
  private next = 0;

  private fresh(): string {
    return `${INTERNAL}${this.next++}`;
  }

  node(op: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, domain = '', output?: string): string {
    const out = output ?? this.fresh();
    this.nodes.push({ opType: op, domain, name: `${op}_${this.nodes.length}`, input: [...inputs], output: [out], attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) });
    return out;
  }

  constant(values: ArrayLike<number>, dataType: number, dims: readonly number[]): string {
    const name = this.fresh();
    let raw: Uint8Array;
    if (dataType === DT.FLOAT) raw = bytesOf(Float32Array.from(values));
    else if (dataType === DT.DOUBLE) raw = bytesOf(Float64Array.from(values));
    else if (dataType === DT.INT64) raw = bytesOf(BigInt64Array.from(Array.from(values, (v) => BigInt(v))));
    else throw new Error(`constant of type ${dataType}`);
    this.initializers.push({ name, dataType, dims: [...dims], rawData: raw });
    return name;
  }

  scalar(v: number, dataType: number): string {
    return this.constant([v], dataType, []);
  }
}

/** Little-endian bytes (ONNX raw_data); this runs on little-endian machines only, as the weights blob does. */
function bytesOf(a: Float32Array | Float64Array | BigInt64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function attribute(name: string, v: AttrValue): IAttributeProto {
  if (typeof v === 'number') return Number.isInteger(v) && name !== 'alpha' ? { name, type: AT.INT, i: v } : { name, type: AT.FLOAT, f: v };
  if (typeof v === 'string') return { name, type: AT.STRING, s: new TextEncoder().encode(v) };
  if (v instanceof Float32Array) return { name, type: AT.FLOATS, floats: Array.from(v) };
  if (v.length > 0 && typeof v[0] === 'string') return { name, type: AT.STRINGS, strings: (v as readonly string[]).map((s) => new TextEncoder().encode(s)) };
  return { name, type: AT.INTS, ints: [...(v as readonly number[])] };
}

/** The threshold in force for a model: its saved one, else mean + 2σ of its newest score of its training data. */
function thresholdOf(store: ProjectStore, model: ModelInfo): { value: number | null; method: string } {
  const saved = activeThreshold(store, model.id);
  if (saved) return { value: saved.result.value, method: saved.spec.method };
  const score = model.datasetId === null ? undefined : latestScore(store, model.id, model.datasetId);
  if (score) return { value: effectiveThreshold(store, score.scoreId).result.value, method: 'sigma (mean + 2σ of the training data score; none saved)' };
  return { value: null, method: 'none (no threshold saved and the training data not scored)' };
}

/**
 * Writes a model as one ONNX file at `out` (refusing a file Residual did not write, and a model kind or preprocessing
 * it cannot export), through a temporary file renamed into place.
 */
export function exportModelOnnx(store: ProjectStore, modelId: number, out: string): OnnxExportResult {
  const started = performance.now();
  const model = getModel(store, modelId);
  const why = onnxUnsupported(model);
  if (why) throw new ResidualError('BAD_INPUT', why, { model: model.id, field: 'model' });
  const file = path.resolve(out);
  if (path.extname(file).toLowerCase() !== '.onnx') throw new ResidualError('BAD_INPUT', `${out}: an ONNX model file must end in .onnx.`, { file: out, field: 'out' });
  if (!fs.existsSync(path.dirname(file))) throw new ResidualError('BAD_INPUT', `The folder of ${out} does not exist. Choose an existing folder.`, { file: out, field: 'out' });
  checkOverwrite(file, 'onnx');
  const blob = getWeights(store, model.id);
  if (!blob) throw new ResidualError('BAD_INPUT', `Model #${model.id} has no stored weights to export.`, { field: 'model' });
  const ds = model.datasetId === null ? null : store.getDataset(model.datasetId);
  const threshold = thresholdOf(store, model);
  const bytes = buildOnnxModel(model, blob, { threshold: threshold.value, thresholdMethod: threshold.method, trainingDataSha256: ds?.sourceSha256 ?? null, trainingDataName: ds?.name ?? null });
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code === 'ENOSPC' ? 'DISK_FULL' : 'BAD_INPUT';
    throw new ResidualError(code, `Could not write ${out}: ${e instanceof Error ? e.message : String(e)}. Choose another folder.`, { file: out, field: 'out' });
  }
  return {
    out: file,
    modelId: model.id,
    kind: model.kind,
    bytes: bytes.byteLength,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    inputs: model.preprocessing.features.map((f) => ({ name: f.name, type: f.kind === 'numeric' ? 'double' : 'string' })),
    outputs: onnxOutputNames(model.kind, threshold.value),
    threshold: threshold.value,
    trainingDataSha256: ds?.sourceSha256 ?? null,
    weightsSha256: createHash('sha256').update(blob).digest('hex'),
    seconds: (performance.now() - started) / 1000,
  };
}
