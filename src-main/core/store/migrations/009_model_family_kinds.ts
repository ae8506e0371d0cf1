import type Database from 'better-sqlite3';
import { widenModelKinds } from './widen-kind';

/**
 * The rest of the seeds' model family (issue #13), all four kinds at once: 'aae' (adversarial autoencoder), 'wae'
 * (Wasserstein autoencoder, MMD), 'deepsvdd' (Deep SVDD) and 'ocnn' (one-class neural network). Widens the CHECK on
 * models.kind in place (see widen-kind.ts).
 */
export const up = '-- see apply()';

const BEFORE = ['ae', 'sparse', 'denoising', 'vae', 'iforest', 'ecod', 'ensemble'] as const;

export function apply(db: Database.Database): void {
  widenModelKinds(db, '009_model_family_kinds', BEFORE, [...BEFORE, 'aae', 'wae', 'deepsvdd', 'ocnn']);
}
