/** The model's and threshold's technical names in the analyst's words. */

const KINDS: Record<string, string> = {
  ae: 'plain autoencoder',
  sparse: 'sparse autoencoder (L1 on the code)',
  denoising: 'denoising autoencoder',
  vae: 'variational autoencoder',
  iforest: 'Isolation Forest (Liu, Ting and Zhou 2008)',
  ecod: 'ECOD, empirical-CDF outlier detection (Li et al. 2022)',
  ensemble: 'ensemble of detectors (autoencoders of several seeds, Isolation Forest, ECOD), standardised and averaged',
};

const METHODS: Record<string, string> = {
  sigma: 'mean + kσ of the scores',
  percentile: 'percentile of the scores',
  budget: 'alert budget: the top N rows',
  fpr: 'target false-positive rate on known normal rows',
  cost: 'lowest cost on labelled rows (false alarm vs missed anomaly)',
  manual: 'set by hand',
};

export function kindWords(kind: string): string {
  return KINDS[kind] ?? kind;
}

/** What a kind's score is, in a few words (axis titles, captions). */
export function scoreWords(kind: string): string {
  if (kind === 'iforest') return 'isolation score';
  if (kind === 'ecod') return 'ECOD tail score';
  if (kind === 'ensemble') return 'ensemble score';
  return 'reconstruction error';
}

/** "a" or "an" before these words (by the sound of the first letter, which is enough for the kinds' names). */
export function article(words: string): string {
  return /^[aeiouAEIOU]/.test(words) ? 'an' : 'a';
}

export function methodWords(method: string): string {
  return METHODS[method] ?? method;
}
