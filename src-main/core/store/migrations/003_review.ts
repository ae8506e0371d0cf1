/** The analyst's review: verdicts and notes per row, saved thresholds per model, and exported reports. */
export const up = `
-- A verdict is about a row of a dataset, whichever model ranked it; a note may stand alone.
CREATE TABLE verdicts (
  dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  row_index  INTEGER NOT NULL,
  verdict    TEXT CHECK (verdict IN ('anomaly', 'normal', 'unsure')),
  note       TEXT NOT NULL DEFAULT '',
  updated_at TEXT NOT NULL,
  PRIMARY KEY (dataset_id, row_index)
) WITHOUT ROWID;

-- Every threshold the analyst set, newest = the model's active one (used when it scores new data).
CREATE TABLE thresholds (
  id          INTEGER PRIMARY KEY,
  model_id    INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  score_id    INTEGER REFERENCES scores(id) ON DELETE SET NULL,
  method      TEXT NOT NULL CHECK (method IN ('sigma', 'percentile', 'budget', 'fpr', 'cost', 'manual')),
  spec_json   TEXT NOT NULL,
  result_json TEXT NOT NULL,
  value       REAL NOT NULL,
  alerts      INTEGER NOT NULL,
  why         TEXT NOT NULL,
  created_at  TEXT NOT NULL
);
CREATE INDEX thresholds_model ON thresholds(model_id, id);

CREATE TABLE reports (
  id           INTEGER PRIMARY KEY,
  model_id     INTEGER REFERENCES models(id) ON DELETE SET NULL,
  dataset_id   INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
  path         TEXT NOT NULL,
  options_json TEXT NOT NULL,
  pages        INTEGER NOT NULL,
  bytes        INTEGER NOT NULL,
  sha256       TEXT NOT NULL,
  created_at   TEXT NOT NULL
);
`;
