/**
 * Trained models (settings, preprocessing, weights, split, per-epoch history) and their scores
 * (per-row errors, per-column squared errors and the rank order, as Float32/Int32 blobs in chunks).
 */
export const up = `
-- dataset_id is the training dataset; a model outlives it (it can still score other datasets),
-- only its split then no longer points anywhere.
-- AUTOINCREMENT: ids are never reused, so a reference to a deleted model or score cannot
-- silently point at a newer one.
CREATE TABLE models (
  id                 INTEGER PRIMARY KEY AUTOINCREMENT,
  name               TEXT NOT NULL,
  dataset_id         INTEGER REFERENCES datasets(id) ON DELETE SET NULL,
  kind               TEXT NOT NULL CHECK (kind IN ('ae', 'sparse', 'denoising', 'vae')),
  status             TEXT NOT NULL CHECK (status IN ('complete', 'cancelled', 'failed')),
  message            TEXT,
  backend            TEXT NOT NULL,
  seed               INTEGER NOT NULL,
  settings_json      TEXT NOT NULL,
  preprocess_json    TEXT NOT NULL,
  architecture_json  TEXT NOT NULL,
  -- per explained column: mean squared error over the training rows; row-error stats per split part
  feature_error_mean_json TEXT,
  error_stats_json   TEXT,
  row_count          INTEGER NOT NULL,
  train_rows         INTEGER NOT NULL,
  val_rows           INTEGER NOT NULL,
  -- bitmaps, bit i set = row i of the training dataset was in that part
  split_train        BLOB NOT NULL,
  split_val          BLOB NOT NULL,
  epochs             INTEGER NOT NULL,
  best_epoch         INTEGER,
  best_val_loss      REAL,
  seconds            REAL NOT NULL,
  samples_per_second REAL NOT NULL,
  warnings_json      TEXT NOT NULL DEFAULT '[]',
  -- float32 little-endian, variables in the order of architecture_json.variables; NULL when failed
  weights            BLOB,
  weights_sha256     TEXT,
  created_at         TEXT NOT NULL
);
CREATE INDEX models_dataset ON models(dataset_id);

CREATE TABLE model_history (
  model_id   INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  epoch      INTEGER NOT NULL,
  train_loss REAL,
  val_loss   REAL,
  seconds    REAL NOT NULL,
  PRIMARY KEY (model_id, epoch)
) WITHOUT ROWID;

-- One current score per model and dataset: scoring again replaces it. A score is written as 'writing'
-- chunk by chunk in short transactions (other connections can write meanwhile), then made 'complete'
-- in one transaction that also deletes the score it replaces; readers only see 'complete' ones.
CREATE TABLE scores (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  model_id        INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
  dataset_id      INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  status          TEXT NOT NULL CHECK (status IN ('writing', 'complete')),
  row_count       INTEGER NOT NULL,
  columns_json    TEXT NOT NULL,
  chunk_rows      INTEGER NOT NULL,
  backend         TEXT NOT NULL,
  stats_json      TEXT NOT NULL,
  seconds         REAL NOT NULL,
  rows_per_second REAL NOT NULL,
  created_at      TEXT NOT NULL
);
CREATE UNIQUE INDEX scores_current ON scores(model_id, dataset_id) WHERE status = 'complete';

-- kind 'row': Float32 row errors; 'feature': Float32 rows x columns (row-major);
-- 'rank': Int32 row indices by error, highest first, and 'rank_error': their Float32 errors
-- (row_start = rank offset), so a window of the ranking is read without the whole score.
-- A rowid table on purpose: WITHOUT ROWID keeps these large blobs in the key b-tree, and a range
-- query over row_start then reads every blob (measured 30x slower at 1M rows).
CREATE TABLE score_chunks (
  score_id  INTEGER NOT NULL REFERENCES scores(id) ON DELETE CASCADE,
  kind      TEXT NOT NULL CHECK (kind IN ('row', 'feature', 'rank', 'rank_error')),
  chunk_idx INTEGER NOT NULL,
  row_start INTEGER NOT NULL,
  row_count INTEGER NOT NULL,
  data      BLOB NOT NULL,
  PRIMARY KEY (score_id, kind, chunk_idx)
);
`;
