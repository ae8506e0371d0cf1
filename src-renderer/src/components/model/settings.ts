import type { ModelKind, TrainSettings } from '../../../../src-main/contract';

/** TrainSettings as the wizard edits them. */
export type Draft = { -readonly [K in keyof TrainSettings]: TrainSettings[K] extends readonly (infer T)[] ? T[] : TrainSettings[K] };

export function toDraft(s: TrainSettings): Draft {
  return { ...s, layers: [...s.layers], filters: [...s.filters], log1p: Array.isArray(s.log1p) ? [...(s.log1p as readonly string[])] : s.log1p } as Draft;
}

export const KINDS: readonly { readonly kind: ModelKind; readonly name: string; readonly line: string }[] = [
  { kind: 'ae', name: 'Autoencoder', line: 'Squeezes each row through a narrow code and rebuilds it; rows it rebuilds badly are the anomalies.' },
  { kind: 'sparse', name: 'Sparse', line: 'Adds an L1 penalty so few code units fire per row: unusual combinations are harder to rebuild.' },
  { kind: 'denoising', name: 'Denoising', line: 'Learns to remove noise added to the inputs: smoother, less prone to memorising single rows.' },
  { kind: 'vae', name: 'Variational', line: 'A probabilistic code (mean and spread) kept close to a normal distribution by a KL penalty.' },
  { kind: 'aae', name: 'Adversarial', line: 'AAE: a second network, the discriminator, learns to tell the codes from normal samples, and the encoder learns to fool it, so the codes follow a normal distribution.' },
  { kind: 'wae', name: 'Wasserstein', line: 'WAE: the codes of each batch are pulled towards normal samples by an MMD penalty (weight λ); the encoder stays deterministic. The seed ranks it VAE < AAE < WAE.' },
  { kind: 'conv', name: 'Convolutional', line: 'For images: 3×3 convolutions with 2×2 max-pooling squeeze each image, a mirrored decoder with up-sampling rebuilds it (seed 003\'s 16-8-8 network); the per-pixel errors are the scores. Image datasets only.' },
  { kind: 'deepsvdd', name: 'Deep SVDD', line: 'One-class: a bias-free network maps the rows into a small sphere; the score is the squared distance to its centre. Nothing is rebuilt.' },
  { kind: 'ocnn', name: 'One-class network', line: 'One-class (OC-NN): an OC-SVM-like objective puts all but a share ν of the rows above a margin r; the score is how far below it a row falls.' },
  { kind: 'iforest', name: 'Isolation Forest', line: 'Classical: 100 random trees; rows cut off from the rest in few splits are the anomalies. No network, no epochs.' },
  { kind: 'ecod', name: 'ECOD', line: 'Classical: how far into each column\'s empirical tails a row lies, summed. No network, no epochs, deterministic.' },
  { kind: 'ensemble', name: 'Ensemble', line: 'Several detectors (autoencoders of different seeds, Isolation Forest, ECOD), each standardised on the training rows and averaged: steadier than any one.' },
];

/** IsolationForest and ECOD: no network, so the architecture, regularisation and training settings do not apply. */
export function isClassicalKind(kind: ModelKind): boolean {
  return kind === 'iforest' || kind === 'ecod';
}

/** What a setting does, for the settings the wizard gives no data-driven reason for. */
export const HELP: Partial<Record<keyof TrainSettings, string>> = {
  dropout: 'Share of hidden units switched off at random at each step while training (0 = none): a regulariser.',
  l1: 'Weight of the L1 penalty on the code activations: higher means sparser codes.',
  noiseStd: 'Standard deviation of the Gaussian noise added to the scaled inputs while training.',
  beta: 'Weight of the KL term that keeps the code close to a standard normal distribution.',
  scoreWithKl: 'Score rows by reconstruction error plus the KL term (per input) instead of the reconstruction error alone.',
  scoreWithPrior: 'Score rows by reconstruction error plus how unlikely their code is under the normal prior (its negative log-density, per input) instead of the reconstruction error alone.',
  mmdLambda: 'λ, the weight of the MMD between each batch\'s codes and as many standard normal samples, next to the mean squared reconstruction error per input: higher pulls the codes closer to the prior, lower leaves more room to reconstruct.',
  activation: 'Non-linearity of the hidden layers; the output layer is linear.',
  minDelta: 'Smallest decrease of the validation loss that counts as an improvement.',
  clip: 'Scaled numeric inputs are clipped to ± this many standard deviations (or IQRs) before the network sees them, so one extreme value can neither derail training nor drown every other column in the score. 0 = no clipping.',
  objective: 'One-class: every training row is pulled towards the centre. Soft-boundary: a sphere of radius R that a share ν of the rows may lie outside; scores are then the squared distance minus R².',
  nu: 'ν, the share of training rows the boundary may leave outside (soft-boundary Deep SVDD, OC-NN): about the share of anomalies you expect among them.',
  weightDecay: 'λ of the weight decay λ/2 Σ‖W‖² on the network\'s weights (the paper\'s regulariser).',
  pretrainEpochs: 'Epochs the layers first train as the encoder of an autoencoder (as both papers do) before the one-class objective; 0 = start from random weights.',
  filters: 'The convolutional encoder\'s filters per layer (3×3 each, followed by 2×2 max-pooling); the decoder mirrors them. Seed 003 uses 16, 8, 8.',
  trim: 'Robust training: from the second epoch on, this share of the training rows that the model reconstructs worst is left out of that epoch, so the network does not learn to reconstruct the anomalies hiding in its training data. 0 = off.',
};

/** Parses "16, 8" into widths; null with the reason when it is not a list of whole numbers from 1 to 65,536. */
export function parseLayers(text: string): { layers: number[] } | { error: string } {
  const parts = text.split(/[\s,;→>-]+/).filter((p) => p !== '');
  if (parts.length === 0) return { error: 'Give at least one layer width, e.g. 16, 8.' };
  if (parts.length > 16) return { error: 'At most 16 encoder layers.' };
  const layers = parts.map(Number);
  const bad = parts.find((p, i) => !Number.isInteger(layers[i]) || layers[i]! < 1 || layers[i]! > 65_536);
  if (bad !== undefined) return { error: `"${bad}" is not a layer width: use whole numbers from 1 to 65,536.` };
  return { layers };
}

/** Deep SVDD and OC-NN: a network that learns a boundary around the normal rows and rebuilds nothing. */
export function isOneClassKind(kind: ModelKind): boolean {
  return kind === 'deepsvdd' || kind === 'ocnn';
}

/** The full network, input to output: the decoder mirrors the encoder (a one-class network has none: Deep SVDD ends in its representation, OC-NN in one output). */
export function networkWidths(inputDims: number, layers: readonly number[], kind?: ModelKind): number[] {
  if (kind === 'deepsvdd') return [inputDims, ...layers];
  if (kind === 'ocnn') return [inputDims, ...layers, 1];
  return [inputDims, ...layers, ...[...layers].reverse().slice(1), inputDims];
}

/**
 * How the Architecture panel names the widths it edits: an autoencoder's encoder with its bottleneck (the decoder
 * mirrors it); a one-class network has no decoder — Deep SVDD's last width is the representation the sphere lies in,
 * OC-NN's last hidden layer (V) feeds its one output.
 */
export function layerWords(kind: ModelKind): { label: string; last: string; add: string } {
  if (kind === 'deepsvdd') return { label: 'Network widths, the last is the representation the sphere lies in (no decoder: nothing is rebuilt)', last: 'Representation width', add: 'Add a layer before the representation' };
  if (kind === 'ocnn') return { label: 'Hidden widths, the last is V, which the one output ŷ reads (no decoder: nothing is rebuilt)', last: 'Width of V', add: 'Add a layer before V' };
  if (kind === 'ensemble') return { label: 'Encoder widths of the autoencoder members, the last is the bottleneck (the decoder mirrors them)', last: 'Bottleneck width', add: 'Add a layer before the bottleneck' };
  return { label: 'Encoder widths, the last is the bottleneck (the decoder mirrors them)', last: 'Bottleneck width', add: 'Add a layer before the bottleneck' };
}

/** What scoring a dataset stores per row for a model of this kind: its score and its per-column values, in words. */
export function scoringStores(kind: ModelKind | null | undefined): string {
  const columns = `per-column ${columnValues(kind).what}s`;
  switch (kind) {
    case 'deepsvdd':
      return `its squared distance to the centre of the sphere and ${columns} (nothing is rebuilt)`;
    case 'ocnn':
      return `how far it falls below the margin r and ${columns} (nothing is rebuilt)`;
    case 'iforest':
      return `its isolation score and ${columns}`;
    case 'ecod':
      return `its summed tail score and ${columns}`;
    case 'ensemble':
      return `the members' standardised scores averaged and ${columns}`;
    default:
      return 'its reconstruction error and per-column errors';
  }
}

export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * What a model's per-column values are, for the labels of the heatmap, the profile and the ranking: the quantity, its
 * unit when not normalised, whether it can be negative (a one-class model's attributions), and what a share is of.
 */
export function columnValues(kind: ModelKind | null | undefined): { what: string; raw: string; typical: string; signed: boolean; shareOf: string } {
  switch (kind) {
    case 'deepsvdd':
    case 'ocnn':
      return { what: 'integrated-gradients attribution', raw: 'in score units (a row\'s sum to its score minus the median row\'s)', typical: 'typical |attribution|', signed: true, shareOf: 'score' };
    case 'iforest':
      return { what: 'isolation share', raw: 'share of the isolation each column\'s splits give the row', typical: 'typical share', signed: false, shareOf: 'score' };
    case 'ecod':
      return { what: 'tail score', raw: '−log tail probability', typical: 'typical tail score', signed: false, shareOf: 'score' };
    case 'ensemble':
      return { what: 'ensemble contribution', raw: 'members\' evidence-weighted shares, in score units', typical: 'typical contribution', signed: false, shareOf: 'score' };
    default:
      return { what: 'reconstruction error', raw: 'squared, in model units', typical: 'typical error', signed: false, shareOf: 'error' };
  }
}
