import type Database from 'better-sqlite3';

/**
 * Models of kind 'iforest' and 'ecod' (classical detectors): widens the CHECK on models.kind. SQLite cannot alter a
 * CHECK, and rebuilding `models` would cascade-delete its scores and history (foreign keys are on, and cannot be turned
 * off inside the migration's transaction), so the table's SQL is edited in place: the procedure SQLite documents for
 * changes that do not touch stored content (lang_altertable.html, "Making Other Kinds Of Table Schema Changes"); every
 * existing row satisfies the wider CHECK. The schema version is bumped so other connections reload the schema.
 */
export const up = '-- see apply()';

const OLD = "CHECK (kind IN ('ae', 'sparse', 'denoising', 'vae'))";
const NEW = "CHECK (kind IN ('ae', 'sparse', 'denoising', 'vae', 'iforest', 'ecod'))";

export function apply(db: Database.Database): void {
  const sql = (db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'models'").get() as { sql: string } | undefined)?.sql;
  if (!sql || !sql.includes(OLD)) throw new Error('006_classical_kinds: the models table is not the one migration 002 created');
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
  if (check !== 'ok') throw new Error(`006_classical_kinds: integrity check after the schema edit: ${String(check)}`);
}
