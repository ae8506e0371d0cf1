import type { ColumnInfo, DatasetInfo } from '../store/types';
import { classicalArchitecture, isClassical } from './classical';
import { DEFAULT_MEMBERS, ensembleArchitecture } from './ensemble';
import { architecture } from './model';
import { convCodeSize, DEFAULT_FILTERS, describeConv } from './conv';
import { isOneClass, oneClassArchitecture } from './family/oneclass';
import { pixelColumns } from './matrix';
import { LOG1P_SKEW } from './preprocess';
import { trainingRowCount } from './split';
import type { Proposal, SettingRationale, TrainSettings } from './types';

/** Categories one-hot encoded per column before the rest share "other". */
export const DEFAULT_MAX_CATEGORIES = 20;
/**
 * The wizard's robust defaults, chosen with `npm run bench -- --only quality` (21 labelled datasets, 3 seeds): trim
 * 0.1 / 0.2 / 0.3 / 0.4, clip 5 / 10, standard or robust scaling and 3 or 5 autoencoder members were tried; see the
 * README's quality table.
 */
export const DEFAULT_CLIP = 5;
export const DEFAULT_TRIM = 0.3;
const QUALITY_NOTE = '21 labelled public datasets';

/**
 * WAE: λ of the MMD penalty next to the mean squared error per input. The paper's λ = 10 (its code's MNIST and CelebA
 * configurations) weighs the MMD against 0.05 × the squared error summed over a row's inputs, i.e. λ / (0.05 · d) against
 * the mean per input: 0.26 for MNIST's 784 pixels, 3 to 20 for tabular widths of 10 to 60. 10 sits in that range; on four
 * labelled datasets (wdbc, ionosphere, glass, pima; 2 seeds) λ = 0.1, 1 and 10 ranked within seed noise of each other.
 */
export const DEFAULT_MMD_LAMBDA = 10;

/** deepsvdd / ocnn: ν, the share of training rows the one-class boundary may leave outside (Ruff et al. and Chalapathy et al. use 0.1 and 0.04–0.1). */
export const DEFAULT_NU = 0.1;
/** deepsvdd: λ of the weight decay, as Ruff et al.'s reference implementation. */
export const DEFAULT_WEIGHT_DECAY = 1e-6;
/** deepsvdd / ocnn: epochs of autoencoder pre-training of the network before the one-class objective (both papers pre-train). */
export const DEFAULT_PRETRAIN_EPOCHS = 10;

/** Optimiser steps a run should get at least (if early stopping allows): small data needs more epochs. */
const TARGET_STEPS = 3000;

/** Settings nobody has a data-driven reason to change; the wizard starts from these. */
export const BASE_SETTINGS: TrainSettings = {
  kind: 'ae',
  filters: DEFAULT_FILTERS,
  layers: [16, 8],
  activation: 'relu',
  dropout: 0,
  l1: 1e-3,
  noiseStd: 0.1,
  beta: 1,
  scoreWithKl: false,
  scoreWithPrior: false,
  mmdLambda: DEFAULT_MMD_LAMBDA,
  loss: 'mse',
  scaler: 'standard',
  log1p: 'auto',
  maxCategories: DEFAULT_MAX_CATEGORIES,
  missingIndicators: true,
  epochs: 50,
  batchSize: 256,
  learningRate: 1e-3,
  patience: 5,
  minDelta: 1e-4,
  validation: 0.2,
  split: 'random',
  trainOn: 'all',
  seed: 0,
  clip: 0,
  trim: 0,
  members: [],
  objective: 'one-class',
  nu: DEFAULT_NU,
  weightDecay: DEFAULT_WEIGHT_DECAY,
  pretrainEpochs: DEFAULT_PRETRAIN_EPOCHS,
  sampleRows: 0,
};

/**
 * Datasets of more rows than this train, by the wizard's proposal, on a seeded uniform sample of this many (editable;
 * 0 = all rows): a network of a few thousand parameters learns the structure rows share from a million of them, while
 * all of 10M rows would take ten times as long per epoch and hold their model inputs (1.2 GB at 30 inputs) in memory.
 */
export const TRAIN_SAMPLE_ROWS = 1_000_000;

/**
 * Proposes an architecture and training settings from the dataset's shape (feature width, rows,
 * heavy-tailed columns, label and timestamp columns), with one line of rationale per choice and warnings.
 * Pure: reads only the column stats the import computed.
 */
export function proposeSettings(ds: DatasetInfo): Proposal {
  const why: SettingRationale[] = [];
  const warnings: string[] = [];
  const say = <K extends keyof TrainSettings>(setting: K, value: TrainSettings[K], reason: string): TrainSettings[K] => {
    why.push({ setting, value, why: reason });
    return value;
  };
  const features = ds.columns.filter((c) => c.role === 'numeric' || c.role === 'categorical');
  const d = Math.max(1, estimateInputDims(features, DEFAULT_MAX_CATEGORIES));
  const hasLabel = ds.columns.some((c) => c.role === 'label');
  const timestamp = ds.columns.find((c) => c.role === 'timestamp');

  const validation = say('validation', ds.rowCount >= 50 ? 0.2 : 0, ds.rowCount >= 50
    ? 'Hold out 20% of the rows to stop training when the model starts to memorise instead of generalise.'
    : `Only ${ds.rowCount} rows: too few to hold any out, so no validation and no early stopping.`);
  const sampleRows = say('sampleRows', ds.rowCount > TRAIN_SAMPLE_ROWS ? TRAIN_SAMPLE_ROWS : 0, ds.rowCount > TRAIN_SAMPLE_ROWS
    ? `${ds.rowCount.toLocaleString('en-US')} rows: train on a seeded uniform sample of ${TRAIN_SAMPLE_ROWS.toLocaleString('en-US')} (the validation part taken within it). ` +
      `A million rows teach the network the structure rows share; all of them would make every epoch ${(ds.rowCount / TRAIN_SAMPLE_ROWS).toFixed(0)}× as long and hold their inputs in memory. Every row is still scored. 0 trains on all rows.`
    : `Train on all ${ds.rowCount.toLocaleString('en-US')} rows (datasets over ${TRAIN_SAMPLE_ROWS.toLocaleString('en-US')} rows get a sample of that many).`);
  const trainRows = Math.max(1, trainingRowCount(sampleRows > 0 ? Math.min(ds.rowCount, sampleRows) : ds.rowCount, validation));

  // The code must be narrower than the input or the network can learn the identity and explain everything;
  // ~1.5·√d keeps roughly a quarter of 30 inputs and shrinks relatively as width grows.
  const code = d <= 2 ? 1 : Math.max(1, Math.min(Math.round(1.5 * Math.sqrt(d)), Math.floor(d / 2)));
  const hidden = pow2Near(Math.sqrt(d * code));
  const usual = hidden > code && hidden < d ? [hidden, code] : [code];
  // Few rows: no more parameters than the training rows hold values, the bound the memorisation check (rowWarnings) applies.
  const values = trainRows * d;
  const aeParameters = (l: readonly number[]): number => architecture({ kind: 'ae', inputDims: d, layers: l, activation: 'relu', loss: 'mse' }).parameterCount;
  let layers = usual;
  if (aeParameters(usual) > values) {
    let k = code;
    while (k > 1 && aeParameters([k]) > values) k--;
    layers = [k];
  }
  say('layers', layers, layers === usual
    ? `${d} model inputs → ${layers.join('-')} encoder: a bottleneck of ${code} forces the network to keep only the structure most rows share${layers.length > 1 ? `, with one ${hidden}-wide layer between` : ''}.`
    : `${d} model inputs → ${layers.join('-')} encoder: ${usual.join('-')} would be usual for ${d} inputs, but its ${int(aeParameters(usual))} parameters per network could memorise the ${int(values)} values ${int(trainRows)} training rows hold; a bottleneck of ${layers[0]} (${int(aeParameters(layers))} parameters) keeps only the structure most rows share.`);
  say('kind', 'ensemble', `An ensemble of ${DEFAULT_MEMBERS.length} detectors (${DEFAULT_MEMBERS.join(', ')}), each standardised on the training rows and averaged: on ${QUALITY_NOTE} it ranked anomalies better than any single kind, IsolationForest included, and a ranking that does not hinge on one seed.`);
  say('members', [...DEFAULT_MEMBERS], 'Three autoencoders of different seeds (their disagreement is averaged out and reported as stability), IsolationForest (isolates rows in few random splits) and ECOD (how far into each column\'s tails a row lies): different views of "unusual".');
  say('activation', 'relu', 'ReLU hidden layers with a linear output, so reconstructions can take any scaled value.');
  say('loss', 'mse', 'Mean squared error: the anomaly score is the same squared error, so training optimises what is ranked.');

  // Enough steps per epoch for Adam to make progress on small data, 256 rows per step on large data.
  const batchSize = Math.min(256, Math.max(16, pow2Floor(trainRows / 20)));
  say('batchSize', batchSize, batchSize < 256
    ? `${trainRows} training rows: batches of ${batchSize} give ~${Math.ceil(trainRows / batchSize)} updates per epoch instead of ${Math.ceil(trainRows / 256)}.`
    : 'Batches of 256 rows: stable gradients and good throughput on large data.');
  const stepsPerEpoch = Math.ceil(trainRows / batchSize);
  const epochs = Math.min(300, Math.max(50, Math.ceil(TARGET_STEPS / stepsPerEpoch)));
  say('epochs', epochs, epochs > 50
    ? `At most ${epochs} epochs (~${TARGET_STEPS} updates) because the data is small; early stopping usually ends sooner.`
    : 'At most 50 epochs; early stopping usually ends sooner on data this large.');
  say('learningRate', 1e-3, "Adam's usual 0.001.");
  const patience = validation > 0 ? (stepsPerEpoch < 50 ? 10 : 5) : 0;
  say('patience', patience, validation > 0
    ? `Stop after ${patience} epochs without a validation improvement and keep the best epoch's weights${patience > 5 ? ' (short epochs are noisy, so wait longer)' : ''}.`
    : 'No validation rows, so early stopping is off: all epochs run.');

  // An image's pixels never get log1p under 'auto' (fitPreprocessing's noAutoLog): they are intensities in 0–1.
  const pixels = pixelColumns(ds);
  const skewed = features.filter((c) => !pixels.has(c.name) && heavyTailed(c)).map((c) => c.name);
  say('log1p', 'auto', pixels.size > 0
    ? `No log1p for the ${pixels.size.toLocaleString('en-US')} pixel columns: they are intensities scaled to 0–1, not heavy-tailed counts${skewed.length ? `; log1p for the other non-negative columns whose training skewness exceeds ${LOG1P_SKEW} (likely: ${listNames(skewed)})` : ''}.`
    : skewed.length
      ? `log1p for non-negative columns whose training skewness exceeds ${LOG1P_SKEW} (likely: ${listNames(skewed)}), so a few huge values do not dominate the scaling.`
      : `log1p only for non-negative columns whose training skewness exceeds ${LOG1P_SKEW}; none look that heavy-tailed.`);
  say('scaler', 'standard', 'Standard scaling (mean 0, std 1, fitted on the training rows) puts every column on the scale the squared error compares; clipping (below) keeps extreme values from stretching it.');
  say('clip', DEFAULT_CLIP, `Scaled values clipped to ±${DEFAULT_CLIP} standard deviations: one value 100 σ out can neither derail training nor drown every other column in the score (it still scores as far out as any value can).`);
  say('trim', DEFAULT_TRIM, `Robust training: from the second epoch on, the ${Math.round(DEFAULT_TRIM * 100)} % of training rows the network reconstructs worst sit out each epoch, so it does not learn to reconstruct the anomalies hiding in its training data (Merrill & Eskandarian 2020).`);
  const withMissing = features.filter((c) => c.role === 'numeric' && c.stats.missing > 0).length;
  say('missingIndicators', true, withMissing
    ? `${withMissing} numeric column${withMissing > 1 ? 's have' : ' has'} missing values: filled with the training median plus a "was missing" input, so missingness itself can look unusual.`
    : 'No numeric column has missing values now; one that has gets the training median plus a "was missing" input.');
  say('maxCategories', DEFAULT_MAX_CATEGORIES, `Categorical columns: the ${DEFAULT_MAX_CATEGORIES} most frequent values one-hot (missing counts as a value), the rest and values unseen in training share "other".`);
  say('trainOn', 'all', hasLabel
    ? 'Train on all rows even though a label exists: real data has unlabelled anomalies, and the label is kept for evaluation (choose normal for semi-supervised training).'
    : 'Train on all rows: without labels, anomalies are assumed rare enough not to be learned.');
  say('split', timestamp ? 'time' : 'random', timestamp
    ? `Validate on the latest rows by "${timestamp.name}": like the new data the model will score.`
    : 'Random (seeded) validation rows: there is no timestamp column.');
  say('seed', 0, 'Seed 0: the same settings repeat exactly on the same backend.');

  const settings: TrainSettings = {
    ...BASE_SETTINGS, kind: 'ensemble', members: [...DEFAULT_MEMBERS], clip: DEFAULT_CLIP, trim: DEFAULT_TRIM,
    layers, batchSize, epochs, patience, validation, split: timestamp ? 'time' : 'random', sampleRows,
  };
  // Shape warnings are about one network of the ensemble (each autoencoder member has these layers), worded as the
  // Model section's check words them (describeSettings).
  const arch = architecture({ kind: 'ae', inputDims: d, layers, activation: settings.activation, loss: settings.loss });
  warnings.push(...shapeWarnings(d, layers, arch.parameterCount, trainRows, PER_MEMBER));
  const dataWarnings = hasLabel ? [] : ['No label column: quality (ROC AUC) cannot be measured, only the ranking reviewed.'];
  warnings.push(...dataWarnings);
  return { settings, rationale: why, warnings, dataWarnings, inputDims: d, parameterCount: arch.parameterCount };
}

/**
 * The network that settings give on a dataset, before training: input width (estimated from the column
 * stats), layer summary, parameter count and the shape warnings. The Model section checks edits with it.
 */
export function describeSettings(ds: DatasetInfo, settings: TrainSettings): { inputDims: number; architecture: string; parameterCount: number; warnings: string[] } {
  const features = ds.columns.filter((c) => c.role === 'numeric' || c.role === 'categorical');
  const inputDims = Math.max(1, estimateInputDims(features, settings.maxCategories));
  if (isClassical(settings.kind)) {
    return { inputDims, architecture: classicalArchitecture(settings.kind, inputDims, features.length, ds.rowCount).summary, parameterCount: 0, warnings: ds.rowCount < 100 ? [`Only ${ds.rowCount} rows to fit on: scores will be noisy.`] : [] };
  }
  if (settings.kind === 'ensemble') {
    const members = settings.members.map((kind) => ({
      kind,
      architecture: isClassical(kind)
        ? classicalArchitecture(kind, inputDims, features.length, ds.rowCount)
        : architecture({ kind, inputDims, layers: settings.layers, activation: settings.activation, loss: settings.loss }),
    }));
    const arch = ensembleArchitecture(settings.layers, settings.activation, inputDims, members);
    const trainRows = Math.max(1, trainingRowCount(settings.sampleRows > 0 ? Math.min(ds.rowCount, settings.sampleRows) : ds.rowCount, settings.validation));
    const one = members.find((m) => !isClassical(m.kind));
    // The ensemble's count is all members'; the memorisation check is about one network member (each is trained alone).
    return { inputDims, architecture: arch.summary, parameterCount: arch.parameterCount, warnings: one ? shapeWarnings(inputDims, settings.layers, one.architecture.parameterCount, trainRows, PER_MEMBER) : [] };
  }
  const trainRows = Math.max(1, trainingRowCount(settings.sampleRows > 0 ? Math.min(ds.rowCount, settings.sampleRows) : ds.rowCount, settings.validation));
  if (settings.kind === 'conv') {
    const conv = describeConv(ds, settings);
    return { inputDims: conv.inputDims, architecture: conv.summary, parameterCount: conv.parameterCount, warnings: shapeWarnings(conv.inputDims, [convCodeSize(conv)], conv.parameterCount, trainRows) };
  }
  if (isOneClass(settings.kind)) {
    // No bottleneck to warn about: a one-class network's last width is a representation, not a code to rebuild from.
    const oc = oneClassArchitecture({ kind: settings.kind, inputDims, layers: settings.layers, activation: settings.activation });
    return { inputDims, architecture: oc.summary, parameterCount: oc.parameterCount, warnings: rowWarnings(oc.parameterCount, trainRows, inputDims) };
  }
  const arch = architecture({ kind: settings.kind, inputDims, layers: settings.layers, activation: settings.activation, loss: settings.loss });
  return { inputDims, architecture: arch.summary, parameterCount: arch.parameterCount, warnings: shapeWarnings(inputDims, settings.layers, arch.parameterCount, trainRows) };
}

/** How the memorisation warning says whose parameters it counts when the network is one member of an ensemble. */
export const PER_MEMBER = 'per network member';

/** Warnings about a network for its input width and training rows (used by the wizard and by training). */
export function shapeWarnings(inputDims: number, layers: readonly number[], parameterCount: number, trainRows: number, whose?: string): string[] {
  const out: string[] = [];
  const code = layers[layers.length - 1]!;
  if (code >= inputDims) {
    out.push(`The bottleneck (${code}) is not narrower than the input (${inputDims} dims): the network can copy its input and explain anomalies away. Use a last layer below ${inputDims}.`);
  }
  out.push(...rowWarnings(parameterCount, trainRows, inputDims, whose));
  return out;
}

/**
 * Warnings about a network's parameters for its training rows (any network kind). A network can memorise its training
 * rows when it has more parameters than those rows hold values to fit (rows × model inputs); counts read as the
 * Model section prints them (thousands separated), `whose` naming the network when it is not the whole model.
 */
export function rowWarnings(parameterCount: number, trainRows: number, inputDims: number, whose?: string): string[] {
  const out: string[] = [];
  const values = trainRows * inputDims;
  if (values < parameterCount) {
    out.push(`Only ${int(trainRows)} training rows × ${int(inputDims)} model inputs (${int(values)} values) for ${int(parameterCount)} parameters${whose ? ` ${whose}` : ''}: the network can memorise rows. Use narrower layers or more data.`);
  }
  if (trainRows < 100) out.push(`Only ${int(trainRows)} training rows: scores will be noisy.`);
  return out;
}

/** A count as the app prints it (the renderer's fmt): 1,418. */
function int(n: number): string {
  return n.toLocaleString('en-US');
}

/** Model inputs after encoding: 1 per numeric (+1 missing indicator), categories + "other" per categorical. */
export function estimateInputDims(columns: readonly ColumnInfo[], maxCategories: number): number {
  let d = 0;
  for (const c of columns) {
    if (c.role === 'numeric') d += c.stats.missing > 0 ? 2 : 1;
    else d += Math.min(c.stats.distinct + (c.stats.missing > 0 ? 1 : 0), maxCategories) + 1;
  }
  return d;
}

/**
 * Skewness estimated from the import's histogram (bin centres): a hint for the rationale only; the
 * log1p decision itself uses the exact skewness of the training rows.
 */
export function histogramSkewness(c: ColumnInfo): number | null {
  const h = c.stats.histogram;
  if (!h || h.counts.length === 0) return null;
  let n = 0;
  let s1 = 0;
  h.counts.forEach((k, i) => {
    const x = (h.edges[i]! + h.edges[i + 1]!) / 2;
    n += k;
    s1 += k * x;
  });
  if (n === 0) return null;
  const m = s1 / n;
  let m2 = 0;
  let m3 = 0;
  h.counts.forEach((k, i) => {
    const dx = (h.edges[i]! + h.edges[i + 1]!) / 2 - m;
    m2 += k * dx * dx;
    m3 += k * dx * dx * dx;
  });
  m2 /= n;
  m3 /= n;
  return m2 > 0 ? m3 / m2 ** 1.5 : 0;
}

function heavyTailed(c: ColumnInfo): boolean {
  if (c.role !== 'numeric' || c.stats.min === undefined || c.stats.min < 0) return false;
  const skew = histogramSkewness(c);
  return skew !== null && skew > LOG1P_SKEW;
}

function pow2Near(x: number): number {
  return 2 ** Math.max(0, Math.round(Math.log2(Math.max(1, x))));
}

function pow2Floor(x: number): number {
  return 2 ** Math.max(0, Math.floor(Math.log2(Math.max(1, x))));
}

function listNames(names: readonly string[], max = 6): string {
  return names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;
}
