import type Database from 'better-sqlite3';

/**
 * Models of kind 'ensemble' (several detectors standardised and averaged): widens the CHECK on models.kind again, by
 * the same in-place schema edit as 006 (a rebuild of `models` would cascade-delete its scores and history).
 */
export const up = '-- see apply()';

const OLD = "CHECK (kind IN ('ae', 'sparse', 'denoising', 'vae', 'iforest', 'ecod'))";
const NEW = "CHECK (kind IN ('ae', 'sparse', 'denoising', 'vae', 'iforest', 'ecod', 'ensemble'))";

export function apply(db: Database.Database): void {
  const sql = (db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'models'").get() as { sql: string } | undefined)?.sql;
  if (!sql || !sql.includes(OLD)) throw new Error('007_ensemble_kind: the models table is not the one migration 006 left');
  const version = db.pragma('schema_version', { simple: true }) as number;
  // better-sqlite3 runs connections in SQLite's defensive mode, which forbids writing the schema table.
  db.unsafeMode(true);
  try {
    db.pragma('writable_schema = ON');
    db.prepare("UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = 'models'").run(sql.replace(OLD, NEW));
    db.pragma(`schema_version = ${version + 1}`);
    db.pragma('writable_schema = OFF');
  } finally {
    db.unsafeMode(false);
  }
  const check = db.pragma('integrity_check', { simple: true });
  if (check !== 'ok') throw new Error(`007_ensemble_kind: integrity check after the schema edit: ${String(check)}`);
}
