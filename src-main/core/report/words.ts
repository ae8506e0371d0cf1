import { formatInt } from './format';
/** The model's and threshold's technical names in the analyst's words. */

const KINDS: Record<string, string> = {
  ae: 'plain autoencoder',
  sparse: 'sparse autoencoder (L1 on the code)',
  denoising: 'denoising autoencoder',
  vae: 'variational autoencoder',
  aae: 'adversarial autoencoder (Makhzani et al. 2016)',
  wae: 'Wasserstein autoencoder, WAE-MMD (Tolstikhin et al. 2018)',
  conv: 'convolutional autoencoder (seed 003: 3×3 convolutions and 2×2 max-pooling, mirrored decoder with up-sampling)',
  iforest: 'Isolation Forest (Liu, Ting and Zhou 2008)',
  ecod: 'ECOD, empirical-CDF outlier detection (Li et al. 2022)',
  deepsvdd: 'Deep SVDD, deep support vector data description (Ruff et al. 2018)',
  ocnn: 'one-class neural network, OC-NN (Chalapathy, Menon and Chawla 2018)',
  ensemble: 'ensemble of detectors, standardised and averaged',
};

/** An ensemble member's kind as a noun: singular and plural. */
const MEMBER_NOUNS: Record<string, readonly [string, string]> = {
  ae: ['autoencoder', 'autoencoders'],
  sparse: ['sparse autoencoder', 'sparse autoencoders'],
  denoising: ['denoising autoencoder', 'denoising autoencoders'],
  vae: ['variational autoencoder', 'variational autoencoders'],
  aae: ['adversarial autoencoder', 'adversarial autoencoders'],
  wae: ['Wasserstein autoencoder', 'Wasserstein autoencoders'],
  iforest: ['Isolation Forest', 'Isolation Forests'],
  ecod: ['ECOD detector', 'ECOD detectors'],
};

const COUNTS = ['', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen'];

/** "a", "a and b", "a, b and c". */
function listWords(items: readonly string[]): string {
  return items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/**
 * An ensemble's members in words, in the order they first appear, repeats counted: ['ae', 'ae', 'iforest', 'ecod'] →
 * "two autoencoders of different seeds, an Isolation Forest and an ECOD detector".
 */
export function membersWords(members: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const k of members) counts.set(k, (counts.get(k) ?? 0) + 1);
  return listWords([...counts].map(([k, n]) => {
    const [one, many] = MEMBER_NOUNS[k] ?? [k, k];
    return n === 1 ? `${article(one)} ${one}` : `${COUNTS[n] ?? String(n)} ${many} of different seeds`;
  }));
}

const METHODS: Record<string, string> = {
  sigma: 'mean + kσ of the scores',
  percentile: 'percentile of the scores',
  budget: 'alert budget: the top N rows',
  fpr: 'target false-positive rate on known normal rows',
  cost: 'lowest cost on labelled rows (false alarm vs missed anomaly)',
  manual: 'set by hand',
};

/** A model's kind in words; an ensemble's with its members (its settings' `members`), e.g. "ensemble of an autoencoder and an ECOD detector, …". */
export function kindWords(kind: string, members: readonly string[] = []): string {
  if (kind === 'ensemble' && members.length) return `ensemble of ${membersWords(members)}, standardised and averaged`;
  return KINDS[kind] ?? kind;
}

/** What a kind's score is, in a few words (axis titles, captions). */
export function scoreWords(kind: string): string {
  if (kind === 'iforest') return 'isolation score';
  if (kind === 'ecod') return 'ECOD tail score';
  if (kind === 'ensemble') return 'ensemble score';
  if (kind === 'deepsvdd') return 'squared distance to the centre';
  if (kind === 'ocnn') return 'OC-NN score r − ŷ';
  if (kind === 'conv') return 'reconstruction error per pixel';
  return 'reconstruction error';
}

/**
 * What a kind's per-column values are, for the report's top rows, profile and heatmap: the quantity, what "expected"
 * is, and whether the values are signed (a one-class model's attributions).
 */
export function columnWords(kind: string): { what: string; expected: string; signed: boolean } {
  if (kind === 'deepsvdd' || kind === 'ocnn') return { what: 'integrated-gradients attribution', expected: 'the training median (the baseline row of the attributions)', signed: true };
  if (kind === 'iforest' || kind === 'ecod') return { what: kind === 'iforest' ? 'isolation share' : 'tail score', expected: 'the training median', signed: false };
  if (kind === 'ensemble') return { what: 'ensemble contribution', expected: 'the first autoencoder\'s reconstruction', signed: false };
  return { what: 'error', expected: 'its reconstruction', signed: false };
}

/** "a" or "an" before these words (by the sound of the first letter, which is enough for the kinds' names). */
export function article(words: string): string {
  return /^[aeiouAEIOU]/.test(words) ? 'an' : 'a';
}

export function methodWords(method: string): string {
  return METHODS[method] ?? method;
}

/** Why rows were left out of a training run: a training sample (sampleRows), labelled anomalies (train on normal), or both. */
export function leftOut(s: { readonly sampleRows?: number; readonly trainOn: string }, rows: number): string {
  const why: string[] = [];
  if (s.sampleRows && s.sampleRows < rows) why.push(`trained on a seeded uniform sample of ${formatInt(s.sampleRows)} rows`);
  if (s.trainOn === 'normal') why.push('labelled anomalies; normal rows only');
  return why.join('; ') || 'not in training';
}
