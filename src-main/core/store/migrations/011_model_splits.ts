/**
 * A model's large blobs move out of `models` into tables of their own (issue #15): the training split's bitmaps (a
 * bit per row of the training dataset, 1.25 MB each at 10M rows) into `model_splits`, the weights (an ensemble's ECOD
 * member keeps its training values: ~100 MB on a 1M-row sample) into `model_weights`. SQLite stores a row's columns in
 * order, so every column after a blob (epochs … created_at, and engine_path, added last) could only be read by walking
 * the blob's overflow pages: the model list the window asks for every few hundred milliseconds read them all and took
 * the engine's main thread. The old columns stay (dropping them would rebuild `models`, and the rebuild would
 * cascade-delete scores), emptied; weights_sha256 stays in `models`.
 */
export const up = `
CREATE TABLE model_splits (
  model_id    INTEGER PRIMARY KEY REFERENCES models(id) ON DELETE CASCADE,
  -- bitmaps, bit i set = row i of the training dataset was in that part
  split_train BLOB NOT NULL,
  split_val   BLOB NOT NULL
);
INSERT INTO model_splits(model_id, split_train, split_val) SELECT id, split_train, split_val FROM models;
-- float32 little-endian (or the kind's own format), as models.weights was; no row when the model has none (failed)
CREATE TABLE model_weights (
  model_id INTEGER PRIMARY KEY REFERENCES models(id) ON DELETE CASCADE,
  weights  BLOB NOT NULL
);
INSERT INTO model_weights(model_id, weights) SELECT id, weights FROM models WHERE weights IS NOT NULL;
UPDATE models SET split_train = x'', split_val = x'', weights = NULL;
`;
