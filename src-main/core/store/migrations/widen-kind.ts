import type Database from 'better-sqlite3';

/**
 * Widens the CHECK on models.kind from one list of kinds to another. SQLite cannot alter a CHECK, and rebuilding
 * `models` would cascade-delete its scores and history (foreign keys are on, and cannot be turned off inside a
 * migration's transaction), so the table's SQL is edited in place: the procedure SQLite documents for changes that do
 * not touch stored content (lang_altertable.html, "Making Other Kinds Of Table Schema Changes"); every existing row
 * satisfies the wider CHECK. The schema version is bumped so other connections reload the schema.
 */
export function widenModelKinds(db: Database.Database, migration: string, from: readonly string[], to: readonly string[]): void {
  const check = (kinds: readonly string[]): string => `CHECK (kind IN (${kinds.map((k) => `'${k}'`).join(', ')}))`;
  const sql = (db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'models'").get() as { sql: string } | undefined)?.sql;
  if (!sql || !sql.includes(check(from))) throw new Error(`${migration}: the models table is not the one the previous migration left`);
  const version = db.pragma('schema_version', { simple: true }) as number;
  // better-sqlite3 runs connections in SQLite's defensive mode, which forbids writing the schema table.
  db.unsafeMode(true);
  try {
    db.pragma('writable_schema = ON');
    db.prepare("UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = 'models'").run(sql.replace(check(from), check(to)));
    db.pragma(`schema_version = ${version + 1}`);
    db.pragma('writable_schema = OFF');
  } finally {
    db.unsafeMode(false);
  }
  const result = db.pragma('integrity_check', { simple: true });
  if (result !== 'ok') throw new Error(`${migration}: integrity check after the schema edit: ${String(result)}`);
}
