import { ResidualError } from '../../errors';
import type { Proposal, SettingRationale, TrainSettings } from '../types';
import type { OneClassKind } from './oneclass';

/**
 * The settings of a one-class run (Deep SVDD, OC-NN): what applies to it, checked, and the wizard's reasons as they
 * read for it. The reconstruction settings (loss, dropout, the VAE's, AAE's and WAE's terms) and robust training do not
 * apply: like a classical detector's network settings they are reset, not used (ONE_CLASS_IGNORED; the CLI says which
 * of the given flags it ignored). The soft-boundary objective's and OC-NN's ν are their own allowance for anomalies
 * among the training rows.
 */

/** Kind names in the analyst's words, with the paper. */
export const ONE_CLASS_WORDS: Record<OneClassKind, string> = {
  deepsvdd: 'Deep SVDD (Ruff et al. 2018): a bias-free network maps the rows into a small hypersphere; the score is the squared distance to its centre',
  ocnn: 'one-class neural network, OC-NN (Chalapathy, Menon and Chawla 2018): a network trained with an OC-SVM-like objective to put normal rows above a margin r',
};

/** Settings that mean nothing to a one-class kind (reset, never used). */
export const ONE_CLASS_IGNORED: readonly (keyof TrainSettings)[] = ['trim', 'dropout', 'loss', 'l1', 'noiseStd', 'beta', 'scoreWithKl', 'scoreWithPrior', 'mmdLambda', 'members'];

export function oneClassSettings(s: TrainSettings, user: Partial<TrainSettings>): TrainSettings {
  const kind = s.kind as OneClassKind;
  if (!(s.nu > 0 && s.nu <= 1)) throw new ResidualError('BAD_INPUT', `nu must be in (0, 1], the share of training rows allowed outside the boundary; got ${s.nu}.`, { field: 'nu' });
  // OC-NN's g is the paper's sigmoid unless asked otherwise: g(0) = ½ keeps ŷ = ⟨w, g(Vx)⟩ from collapsing to 0 under
  // the ½‖w‖² + ½‖V‖² penalty, as a ReLU layer can (its output shrinks with V).
  const activation = kind === 'ocnn' ? (user.activation ?? 'sigmoid') : s.activation;
  return {
    ...s, activation, trim: 0, dropout: 0, loss: 'mse', scoreWithKl: false, members: [],
    // The soft-boundary objective is Deep SVDD's; OC-NN has its own ν-margin objective.
    ...(kind === 'ocnn' ? { objective: 'one-class' as const } : {}),
  };
}

/** The settings of the form that mean something to each one-class kind (besides data preparation and training). */
export function oneClassSettingNames(kind: OneClassKind): (keyof TrainSettings)[] {
  return kind === 'deepsvdd' ? ['objective', 'nu', 'weightDecay', 'pretrainEpochs'] : ['nu', 'pretrainEpochs'];
}

/** The wizard's proposal as it reads for a one-class kind: reasons that do not apply dropped, its own added. */
export function oneClassProposal(p: Proposal, s: TrainSettings, inputDims: number): Proposal {
  const kind = s.kind as OneClassKind;
  const dropped: (keyof TrainSettings)[] = ['kind', 'members', 'trim', 'loss', 'layers'];
  const kept = p.rationale.filter((r) => !dropped.includes(r.setting));
  const own: SettingRationale[] = [
    { setting: 'kind', value: kind, why: `${ONE_CLASS_WORDS[kind]}. Per-column explanations are integrated gradients from the median row.` },
    {
      setting: 'layers',
      value: s.layers,
      why: kind === 'deepsvdd'
        ? `${inputDims} model inputs → ${s.layers.join('-')}, no biases: the last width is the representation the hypersphere lies in (a bias would let the network map every row onto the centre).`
        : `${inputDims} model inputs → ${s.layers.join('-')} → 1 output ŷ, no biases: the last hidden layer is the paper's V (with g = ${s.activation}), the output its w; ${s.layers.length > 1 ? `the layer${s.layers.length > 2 ? 's' : ''} before V ${s.layers.length > 2 ? 'are' : 'is'} the encoder whose features V reads (pre-trained as an autoencoder, then left as it is)` : 'V reads the model inputs directly'}.`,
    },
    { setting: 'nu', value: s.nu, why: kind === 'deepsvdd' && s.objective === 'one-class' ? `ν ${s.nu} is used by the soft-boundary objective only.` : `ν ${s.nu}: about ${Math.round(s.nu * 100)} % of the training rows may fall outside the boundary, the rest is held inside it.` },
    { setting: 'pretrainEpochs', value: s.pretrainEpochs, why: s.pretrainEpochs > 0 ? `The layers first learn ${s.pretrainEpochs} epochs as the encoder of an autoencoder (as both papers do), so the one-class objective starts from features that describe the data.` : 'No autoencoder pre-training: the one-class objective starts from random weights.' },
  ];
  if (kind === 'deepsvdd') {
    own.push(
      { setting: 'objective', value: s.objective, why: s.objective === 'one-class' ? 'One-class: every training row is pulled towards the centre c (the mean of the first forward pass); the score is the squared distance to c.' : `Soft-boundary: a sphere of radius R, refitted each epoch after a warm-up as the (1 − ν)-quantile of the distances, that ν of the rows may lie outside; the score is the squared distance minus R².` },
      { setting: 'weightDecay', value: s.weightDecay, why: `Weight decay λ/2 Σ‖W‖² with λ = ${s.weightDecay} (the paper's regulariser).` },
    );
  }
  return { ...p, settings: s, rationale: [...own, ...kept], warnings: [...p.dataWarnings] };
}
