import type { ModelKind, TrainSettings } from '../../../../src-main/contract';

/** TrainSettings as the wizard edits them. */
export type Draft = { -readonly [K in keyof TrainSettings]: TrainSettings[K] extends readonly (infer T)[] ? T[] : TrainSettings[K] };

export function toDraft(s: TrainSettings): Draft {
  return { ...s, layers: [...s.layers], log1p: Array.isArray(s.log1p) ? [...(s.log1p as readonly string[])] : s.log1p } as Draft;
}

export const KINDS: readonly { readonly kind: ModelKind; readonly name: string; readonly line: string }[] = [
  { kind: 'ae', name: 'Autoencoder', line: 'Squeezes each row through a narrow code and rebuilds it; rows it rebuilds badly are the anomalies.' },
  { kind: 'sparse', name: 'Sparse', line: 'Adds an L1 penalty so few code units fire per row: unusual combinations are harder to rebuild.' },
  { kind: 'denoising', name: 'Denoising', line: 'Learns to remove noise added to the inputs: smoother, less prone to memorising single rows.' },
  { kind: 'vae', name: 'Variational', line: 'A probabilistic code (mean and spread) kept close to a normal distribution by a KL penalty.' },
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
  activation: 'Non-linearity of the hidden layers; the output layer is linear.',
  minDelta: 'Smallest decrease of the validation loss that counts as an improvement.',
  clip: 'Scaled numeric inputs are clipped to ± this many standard deviations (or IQRs) before the network sees them, so one extreme value can neither derail training nor drown every other column in the score. 0 = no clipping.',
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

/** The full network, input to output: the decoder mirrors the encoder. */
export function networkWidths(inputDims: number, layers: readonly number[]): number[] {
  return [inputDims, ...layers, ...[...layers].reverse().slice(1), inputDims];
}

export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
