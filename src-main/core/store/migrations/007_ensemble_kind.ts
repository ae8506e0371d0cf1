import type Database from 'better-sqlite3';
import { widenModelKinds } from './widen-kind';

/** Models of kind 'ensemble' (several detectors standardised and averaged): widens the CHECK on models.kind again. */
export const up = '-- see apply()';

export function apply(db: Database.Database): void {
  widenModelKinds(db, '007_ensemble_kind', ['ae', 'sparse', 'denoising', 'vae', 'iforest', 'ecod'], ['ae', 'sparse', 'denoising', 'vae', 'iforest', 'ecod', 'ensemble']);
}
