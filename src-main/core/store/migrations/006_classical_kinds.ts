import type Database from 'better-sqlite3';
import { widenModelKinds } from './widen-kind';

/** Models of kind 'iforest' and 'ecod' (classical detectors): widens the CHECK on models.kind (see widen-kind.ts). */
export const up = '-- see apply()';

export function apply(db: Database.Database): void {
  widenModelKinds(db, '006_classical_kinds', ['ae', 'sparse', 'denoising', 'vae'], ['ae', 'sparse', 'denoising', 'vae', 'iforest', 'ecod']);
}
