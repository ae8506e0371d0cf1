import type Database from 'better-sqlite3';
import { widenModelKinds } from './widen-kind';

/** The convolutional autoencoder for image datasets (issue #14): widens the CHECK on models.kind with 'conv' (see widen-kind.ts). */
export const up = '-- see apply()';

const BEFORE = ['ae', 'sparse', 'denoising', 'vae', 'iforest', 'ecod', 'ensemble', 'aae', 'wae', 'deepsvdd', 'ocnn'] as const;

export function apply(db: Database.Database): void {
  widenModelKinds(db, '010_conv_kind', BEFORE, [...BEFORE, 'conv']);
}
