import type { Architecture, FeatureSpec, HistoryEntry, ModelInfo } from '../engine';
import { architecture } from '../engine/model';
import { formatNumber } from './format';
import type { ReportFeature, ReportLayer, ReportModel } from './types';

/** The model as the report describes it: layers, how each column is prepared, training run. */
export function modelCard(model: ModelInfo, trainedOn: string | null, history: readonly HistoryEntry[]): ReportModel {
  const a = model.architecture;
  return {
    id: model.id,
    name: model.name,
    kind: model.kind,
    status: model.status,
    message: model.message,
    backend: model.backend,
    seed: model.seed,
    createdAt: model.createdAt,
    trainedOn,
    summary: a.summary,
    inputDims: a.inputDims,
    parameterCount: a.parameterCount,
    activation: a.activation,
    output: a.output,
    layers: a.kind === 'ensemble' ? members(model) : layers(a),
    scaler: model.preprocessing.scaler,
    features: model.preprocessing.features.map(feature),
    settings: model.settings,
    split: model.split,
    epochs: model.epochs,
    bestEpoch: model.bestEpoch,
    bestValLoss: model.bestValLoss,
    seconds: model.seconds,
    warnings: model.warnings,
    weightsSha256: model.weightsSha256,
    history: history.map((h) => ({ epoch: h.epoch, train: h.trainLoss, val: h.valLoss })),
    ...(a.oneClass ? { oneClass: a.oneClass } : {}),
  };
}

/** One row per dense layer, from the stored variable shapes (kernel [in, out] + bias [out]). */
export function layers(a: Architecture): ReportLayer[] {
  const out: ReportLayer[] = [];
  for (const v of a.variables) {
    const [layer, part] = v.name.split('/');
    if (part !== 'kernel' || v.shape.length !== 2) continue;
    const [inputs, outputs] = v.shape as [number, number];
    // Deep SVDD and OC-NN layers have no bias.
    const bias = a.variables.some((x) => x.name === `${layer}/bias`);
    out.push({ name: layerName(layer!, a), inputs, outputs, activation: activationOf(layer!, a), parameters: inputs * outputs + (bias ? outputs : 0) });
  }
  return out;
}

/** An ensemble's members, one row each: its kind and seed, what goes in and out, its parameters. */
function members(model: ModelInfo): ReportLayer[] {
  const a = model.architecture;
  const s = model.settings;
  return s.members.map((kind, i) => {
    const network = kind !== 'iforest' && kind !== 'ecod';
    return {
      name: `member ${i + 1}: ${kind}${network ? ` ${s.layers.join('-')}` : ''} (seed ${s.seed + i})`,
      inputs: a.inputDims,
      outputs: network ? a.inputDims : 1,
      activation: network ? a.activation : 'score',
      parameters: network ? architecture({ kind, inputDims: a.inputDims, layers: s.layers, activation: s.activation, loss: s.loss }).parameterCount : 0,
    };
  });
}

function layerName(id: string, a?: Architecture): string {
  if (id === 'rep') return 'representation φ(x) (no bias)';
  if (a?.kind === 'ocnn') {
    // OC-NN: the last hidden layer is V, the output w; the layers before V its encoder.
    const hidden = a.layers.length;
    if (id === 'out') return 'output w (no bias)';
    if (id === `enc${hidden - 1}`) return 'V (no bias)';
    const e = /^enc(\d+)$/.exec(id);
    if (e) return `encoder ${Number(e[1]) + 1} (no bias)`;
  }
  if (a?.kind === 'deepsvdd') {
    const e = /^enc(\d+)$/.exec(id);
    if (e) return `hidden ${Number(e[1]) + 1} (no bias)`;
  }
  const m = /^(enc|dec)(\d+)$/.exec(id);
  if (m) return `${m[1] === 'enc' ? 'encoder' : 'decoder'} ${Number(m[2]) + 1}`;
  if (id === 'z_mean') return 'latent mean';
  if (id === 'z_logvar') return 'latent log-variance';
  if (id === 'code') return 'code (linear)';
  if (id === 'out') return 'output';
  return id;
}

function activationOf(id: string, a: Architecture): string {
  if (id === 'out' || id === 'rep') return a.output;
  if (id === 'z_mean' || id === 'z_logvar' || id === 'code') return 'linear';
  return a.activation;
}

function feature(f: FeatureSpec): ReportFeature {
  if (f.kind === 'categorical') {
    return {
      name: f.name,
      kind: 'categorical',
      transform: `one-hot: ${f.categories.length} categor${f.categories.length === 1 ? 'y' : 'ies'} + other`,
      inputs: f.categories.length + 1,
    };
  }
  const steps = [
    f.log1p ? 'log1p' : '',
    `(x ${f.center < 0 ? '+' : '−'} ${formatNumber(Math.abs(f.center), 5)}) / ${formatNumber(f.scale, 5)}`,
    `missing → ${formatNumber(f.fill, 5)}`,
    f.indicatorDim >= 0 ? '+ missing indicator' : '',
  ].filter(Boolean);
  return { name: f.name, kind: 'numeric', transform: steps.join('; '), inputs: f.indicatorDim >= 0 ? 2 : 1 };
}
