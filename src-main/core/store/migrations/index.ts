import type Database from 'better-sqlite3';
import * as m001 from './001_init';
import * as m002 from './002_models';
import * as m003 from './003_review';
import * as m004 from './004_engine_path';
import * as m005 from './005_score_writer';
import * as m006 from './006_classical_kinds';
import * as m007 from './007_ensemble_kind';
import * as m008 from './008_trash';
import * as m009 from './009_model_family_kinds';
import * as m010 from './010_conv_kind';
import * as m011 from './011_model_splits';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: string;
  /** Run instead of `up` when a migration needs more than SQL (inside the same transaction). */
  readonly apply?: (db: Database.Database) => void;
}

/** Forward migrations, in order. A new one is a new file here plus a line below; never edit a landed one. */
export const migrations: readonly Migration[] = [
  { version: 1, name: '001_init', up: m001.up },
  { version: 2, name: '002_models', up: m002.up },
  { version: 3, name: '003_review', up: m003.up },
  { version: 4, name: '004_engine_path', up: m004.up },
  { version: 5, name: '005_score_writer', up: m005.up },
  { version: 6, name: '006_classical_kinds', up: m006.up, apply: m006.apply },
  { version: 7, name: '007_ensemble_kind', up: m007.up, apply: m007.apply },
  { version: 8, name: '008_trash', up: m008.up },
  { version: 9, name: '009_model_family_kinds', up: m009.up, apply: m009.apply },
  { version: 10, name: '010_conv_kind', up: m010.up, apply: m010.apply },
  { version: 11, name: '011_model_splits', up: m011.up },
];
