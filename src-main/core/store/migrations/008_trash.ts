/**
 * Undoable deletes: a dataset or model the analyst deletes goes into the trash first, hidden from every view of the
 * workbench, and is deleted for good once the undo window has passed (or when the project is closed). A row here is
 * the whole record of a pending delete, so a delete survives a crash: the next open purges what has expired.
 */
export const up = `
CREATE TABLE trash (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  kind       TEXT NOT NULL CHECK (kind IN ('dataset', 'model')),
  target_id  INTEGER NOT NULL,
  name       TEXT NOT NULL,
  deleted_at TEXT NOT NULL,
  UNIQUE (kind, target_id)
);
`;
