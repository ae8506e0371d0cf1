import { createHash } from 'node:crypto';
import { ResidualError } from '../errors';
import type { ProjectStore } from './store';
import type {
  Architecture,
  BackendName,
  EnginePath,
  HistoryEntry,
  ModelInfo,
  ModelStatus,
  ModelSummary,
  Preprocessing,
  RowErrorStats,
  ScoreInfo,
  TrainSettings,
} from '../../contract/engine';

/** The only SQL for models and scores (tables from migration 002), in the store layer: the engine computes, this stores. */

interface ModelRow {
  id: number;
  name: string;
  dataset_id: number | null;
  kind: ModelInfo['kind'];
  status: ModelStatus;
  message: string | null;
  backend: BackendName;
  engine_path: EnginePath | null;
  seed: number;
  settings_json: string;
  preprocess_json: string;
  architecture_json: string;
  feature_error_mean_json: string | null;
  error_stats_json: string | null;
  row_count: number;
  train_rows: number;
  val_rows: number;
  epochs: number;
  best_epoch: number | null;
  best_val_loss: number | null;
  seconds: number;
  samples_per_second: number;
  warnings_json: string;
  weights_sha256: string | null;
  created_at: string;
}

export interface NewModel {
  readonly name: string;
  readonly datasetId: number;
  readonly status: ModelStatus;
  readonly message: string | null;
  readonly backend: BackendName;
  /** null for a classical detector (no network). */
  readonly enginePath: EnginePath | null;
  readonly settings: TrainSettings;
  readonly preprocessing: Preprocessing;
  readonly architecture: Architecture;
  readonly featureErrorMean: readonly number[] | null;
  readonly errorStats: { train: RowErrorStats; validation: RowErrorStats | null } | null;
  readonly rowCount: number;
  readonly trainRows: number;
  readonly valRows: number;
  readonly splitTrain: Buffer;
  readonly splitVal: Buffer;
  readonly epochs: number;
  readonly bestEpoch: number | null;
  readonly bestValLoss: number | null;
  readonly seconds: number;
  readonly samplesPerSecond: number;
  readonly warnings: readonly string[];
  readonly weights: Buffer | null;
  readonly weightsSha256: string | null;
  readonly history: readonly HistoryEntry[];
}

const MODEL_COLUMNS = `id, name, dataset_id, kind, status, message, backend, engine_path, seed, settings_json, preprocess_json, architecture_json,
  feature_error_mean_json, error_stats_json, row_count, train_rows, val_rows, epochs, best_epoch, best_val_loss, seconds,
  samples_per_second, warnings_json, weights_sha256, created_at`;

/** Writes a model with its history; call inside a transaction. */
export function insertModel(store: ProjectStore, m: NewModel): number {
  const res = store.db
    .prepare(
      `INSERT INTO models(name, dataset_id, kind, status, message, backend, engine_path, seed, settings_json, preprocess_json, architecture_json,
         feature_error_mean_json, error_stats_json, row_count, train_rows, val_rows, split_train, split_val, epochs, best_epoch,
         best_val_loss, seconds, samples_per_second, warnings_json, weights, weights_sha256, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(
      m.name, m.datasetId, m.settings.kind, m.status, m.message, m.backend, m.enginePath, m.settings.seed, JSON.stringify(m.settings),
      JSON.stringify(m.preprocessing), JSON.stringify(m.architecture), m.featureErrorMean ? JSON.stringify(m.featureErrorMean) : null,
      m.errorStats ? JSON.stringify(m.errorStats) : null, m.rowCount, m.trainRows, m.valRows, Buffer.alloc(0), Buffer.alloc(0), m.epochs,
      m.bestEpoch, finiteOrNull(m.bestValLoss), m.seconds, m.samplesPerSecond, JSON.stringify(m.warnings), null, m.weightsSha256,
      new Date().toISOString(),
    );
  const id = Number(res.lastInsertRowid);
  // The split's bitmaps and the weights live beside the row (migration 011): in it they would sit before the columns every list reads.
  store.db.prepare('INSERT INTO model_splits(model_id, split_train, split_val) VALUES (?, ?, ?)').run(id, m.splitTrain, m.splitVal);
  if (m.weights) store.db.prepare('INSERT INTO model_weights(model_id, weights) VALUES (?, ?)').run(id, m.weights);
  const h = store.db.prepare('INSERT INTO model_history(model_id, epoch, train_loss, val_loss, seconds) VALUES (?, ?, ?, ?, ?)');
  for (const e of m.history) h.run(id, e.epoch, finiteOrNull(e.trainLoss), finiteOrNull(e.valLoss), e.seconds);
  return id;
}

/** All models of the project (or of one training dataset), oldest first. */
export function listModels(store: ProjectStore, filter: { datasetId?: number } = {}): ModelSummary[] {
  const datasetId = filter.datasetId;
  const rows = (datasetId === undefined
    ? store.db.prepare(`SELECT ${MODEL_COLUMNS} FROM models ORDER BY id`).all()
    : store.db.prepare(`SELECT ${MODEL_COLUMNS} FROM models WHERE dataset_id = ? ORDER BY id`).all(datasetId)) as ModelRow[];
  return rows.map((r) => {
    const arch = JSON.parse(r.architecture_json) as Architecture;
    return {
      id: r.id, name: r.name, datasetId: r.dataset_id, kind: r.kind, status: r.status, backend: r.backend, path: r.engine_path,
      architecture: arch.summary, parameterCount: arch.parameterCount, epochs: r.epochs, bestValLoss: r.best_val_loss, createdAt: r.created_at,
    };
  });
}

/** One model: settings, preprocessing, architecture (with parameter count), backend, status, seed, split sizes, weights SHA-256. NOT_FOUND if absent. */
export function getModel(store: ProjectStore, modelId: number): ModelInfo {
  const r = store.db.prepare(`SELECT ${MODEL_COLUMNS} FROM models WHERE id = ?`).get(modelId) as ModelRow | undefined;
  if (!r) {
    const ids = (store.db.prepare('SELECT id FROM models ORDER BY id').all() as { id: number }[]).map((x) => x.id);
    throw new ResidualError('NOT_FOUND', `No model #${modelId} in this project. Models: ${ids.length ? ids.join(', ') : '(none; train one first)'}.`, { field: 'model' });
  }
  const arch = JSON.parse(r.architecture_json) as Architecture;
  return {
    id: r.id,
    name: r.name,
    datasetId: r.dataset_id,
    kind: r.kind,
    status: r.status,
    message: r.message,
    backend: r.backend,
    path: r.engine_path,
    seed: r.seed,
    // Models from before a setting existed ran without it: clip and trim off.
    settings: { clip: 0, trim: 0, members: [], scoreWithPrior: false, mmdLambda: 0, objective: 'one-class', nu: 0.1, weightDecay: 0, pretrainEpochs: 0, sampleRows: 0, filters: [16, 8, 8], ...(JSON.parse(r.settings_json) as Partial<TrainSettings>) } as TrainSettings,
    preprocessing: JSON.parse(r.preprocess_json) as Preprocessing,
    architecture: arch,
    parameterCount: arch.parameterCount,
    split: { rows: r.row_count, train: r.train_rows, validation: r.val_rows, excluded: r.row_count - r.train_rows - r.val_rows },
    epochs: r.epochs,
    bestEpoch: r.best_epoch,
    bestValLoss: r.best_val_loss,
    seconds: r.seconds,
    samplesPerSecond: r.samples_per_second,
    warnings: JSON.parse(r.warnings_json) as string[],
    featureErrorMean: r.feature_error_mean_json ? (JSON.parse(r.feature_error_mean_json) as number[]) : null,
    errorStats: r.error_stats_json ? (JSON.parse(r.error_stats_json) as ModelInfo['errorStats']) : null,
    weightsSha256: r.weights_sha256,
    createdAt: r.created_at,
  };
}

/**
 * A model's stored weights, checked against the SHA-256 stored with them when it was trained: BAD_FILE if they
 * differ (a damaged file must not score with garbage weights). Null when the model has none (a failed run).
 */
export function getWeights(store: ProjectStore, modelId: number): Buffer | null {
  const r = store.db.prepare('SELECT w.weights, m.weights_sha256 FROM models m LEFT JOIN model_weights w ON w.model_id = m.id WHERE m.id = ?').get(modelId) as
    | { weights: Buffer | null; weights_sha256: string | null }
    | undefined;
  const weights = r?.weights ?? null;
  if (weights && r?.weights_sha256 && createHash('sha256').update(weights).digest('hex') !== r.weights_sha256.toLowerCase()) {
    throw new ResidualError(
      'BAD_FILE',
      `Model #${modelId}'s weights in ${store.path} are corrupt (checksum mismatch): retrain the model or restore the project from a backup.`,
      { file: store.path, model: modelId },
    );
  }
  return weights;
}

export function getSplitBlobs(store: ProjectStore, modelId: number): { rows: number; datasetId: number | null; train: Buffer; val: Buffer } {
  const r = store.db
    .prepare('SELECT m.row_count, m.dataset_id, s.split_train, s.split_val FROM models m JOIN model_splits s ON s.model_id = m.id WHERE m.id = ?')
    .get(modelId) as { row_count: number; dataset_id: number | null; split_train: Buffer; split_val: Buffer } | undefined;
  if (!r) throw new ResidualError('NOT_FOUND', `No model #${modelId} in this project.`, { field: 'model' });
  return { rows: r.row_count, datasetId: r.dataset_id, train: r.split_train, val: r.split_val };
}

/** Per-epoch training and validation loss. */
export function getHistory(store: ProjectStore, modelId: number): HistoryEntry[] {
  getModelRowExists(store, modelId);
  const rows = store.db.prepare('SELECT epoch, train_loss, val_loss, seconds FROM model_history WHERE model_id = ? ORDER BY epoch').all(modelId) as {
    epoch: number;
    train_loss: number | null;
    val_loss: number | null;
    seconds: number;
  }[];
  return rows.map((r) => ({ epoch: r.epoch, trainLoss: r.train_loss, valLoss: r.val_loss, seconds: r.seconds }));
}

/** The newest model that can score (not failed), optionally trained on one dataset. */
export function newestUsableModel(store: ProjectStore, datasetId?: number): number | undefined {
  const r = (datasetId === undefined
    ? store.db.prepare("SELECT id FROM models WHERE status != 'failed' ORDER BY id DESC LIMIT 1").get()
    : store.db.prepare("SELECT id FROM models WHERE status != 'failed' AND dataset_id = ? ORDER BY id DESC LIMIT 1").get(datasetId)) as { id: number } | undefined;
  return r?.id;
}

function getModelRowExists(store: ProjectStore, modelId: number): void {
  if (!store.db.prepare('SELECT 1 FROM models WHERE id = ?').get(modelId)) {
    throw new ResidualError('NOT_FOUND', `No model #${modelId} in this project.`, { field: 'model' });
  }
}

// ---- scores --------------------------------------------------------------------------------------

interface ScoreRow {
  id: number;
  model_id: number;
  dataset_id: number;
  row_count: number;
  columns_json: string;
  chunk_rows: number;
  backend: BackendName;
  stats_json: string;
  seconds: number;
  rows_per_second: number;
  created_at: string;
}

export type ChunkKind = 'row' | 'feature' | 'rank' | 'rank_error';

/**
 * Starts a score as 'writing' (invisible to readers), first dropping what a crashed run of the same model
 * and dataset left half-written. Scoring one pair from two processes at once is not supported.
 */
export function beginScore(
  store: ProjectStore,
  s: { modelId: number; datasetId: number; rows: number; columns: readonly string[]; chunkRows: number; backend: BackendName },
): number {
  store.db.prepare("DELETE FROM scores WHERE model_id = ? AND dataset_id = ? AND status = 'writing'").run(s.modelId, s.datasetId);
  const res = store.db
    .prepare(
      `INSERT INTO scores(model_id, dataset_id, status, row_count, columns_json, chunk_rows, backend, stats_json, seconds, rows_per_second, created_at, writer_pid)
       VALUES (?, ?, 'writing', ?, ?, ?, ?, '{}', 0, 0, ?, ?)`,
    )
    .run(s.modelId, s.datasetId, s.rows, JSON.stringify(s.columns), s.chunkRows, s.backend, new Date().toISOString(), process.pid);
  return Number(res.lastInsertRowid);
}

/** Makes a written score the current one of its model and dataset, deleting the one it replaces (call in one transaction). */
export function publishScore(store: ProjectStore, scoreId: number, stats: ScoreInfo['stats'], seconds: number, rowsPerSecond: number): void {
  const own = store.db.prepare("SELECT model_id, dataset_id FROM scores WHERE id = ? AND status = 'writing'").get(scoreId) as { model_id: number; dataset_id: number } | undefined;
  if (!own) throw new ResidualError('CONFLICT', `Score #${scoreId} was removed while it was being written (was the same model scoring this dataset elsewhere?). Score again.`);
  store.db.prepare('DELETE FROM scores WHERE model_id = ? AND dataset_id = ? AND id != ?').run(own.model_id, own.dataset_id, scoreId);
  store.db
    .prepare("UPDATE scores SET status = 'complete', stats_json = ?, seconds = ?, rows_per_second = ? WHERE id = ?")
    .run(JSON.stringify(stats), seconds, rowsPerSecond, scoreId);
}

/** Removes a score that will not be completed (its chunks cascade). */
export function discardScore(store: ProjectStore, scoreId: number): void {
  store.db.prepare("DELETE FROM scores WHERE id = ? AND status = 'writing'").run(scoreId);
}

export function writeScoreChunk(store: ProjectStore, scoreId: number, kind: ChunkKind, chunkIdx: number, rowStart: number, rowCount: number, data: Float32Array | Int32Array): void {
  store
    .prepared('INSERT INTO score_chunks(score_id, kind, chunk_idx, row_start, row_count, data) VALUES (?, ?, ?, ?, ?, ?)')
    .run(scoreId, kind, chunkIdx, rowStart, rowCount, Buffer.from(data.buffer, data.byteOffset, data.byteLength));
}

/**
 * Chunks of one kind overlapping [start, end), in order. Each is checked against the rows it says it holds (4-byte
 * values: one per row, or one per explained column for 'feature'), and rows inside the score must all be stored:
 * BAD_FILE naming the score, the kind and the chunk otherwise, never zeros in place of scores.
 */
export function* scoreChunks(store: ProjectStore, scoreId: number, kind: ChunkKind, start: number, end: number): Generator<{ rowStart: number; rowCount: number; data: Buffer }> {
  const meta = store.db.prepare('SELECT row_count, columns_json FROM scores WHERE id = ?').get(scoreId) as { row_count: number; columns_json: string } | undefined;
  const width = kind === 'feature' && meta ? (JSON.parse(meta.columns_json) as unknown[]).length : 1;
  // Its own statement, not a cached one: callers may walk two kinds of chunks at once (a statement runs one walk).
  const stmt = store.db.prepare(
    'SELECT chunk_idx, row_start, row_count, data FROM score_chunks WHERE score_id = ? AND kind = ? AND row_start < ? AND row_start + row_count > ? ORDER BY chunk_idx',
  );
  let covered = Math.max(0, start);
  for (const r of stmt.iterate(scoreId, kind, end, start) as Iterable<{ chunk_idx: number; row_start: number; row_count: number; data: Buffer }>) {
    const expected = r.row_count * width * 4;
    if (r.data.byteLength !== expected) {
      throw corruptScoreChunk(store, scoreId, kind, r.chunk_idx, `holds ${count(r.data.byteLength)} bytes where ${count(expected)} were expected`);
    }
    if (r.row_start > covered) throw corruptScoreChunk(store, scoreId, kind, null, `for rows ${count(covered + 1)}–${count(r.row_start)} is missing`);
    covered = Math.max(covered, r.row_start + r.row_count);
    yield { rowStart: r.row_start, rowCount: r.row_count, data: r.data };
  }
  if (meta && covered < Math.min(end, meta.row_count)) {
    throw corruptScoreChunk(store, scoreId, kind, null, `for rows ${count(covered + 1)}–${count(Math.min(end, meta.row_count))} is missing`);
  }
}

function corruptScoreChunk(store: ProjectStore, scoreId: number, kind: ChunkKind, chunkIdx: number | null, what: string): ResidualError {
  return new ResidualError(
    'BAD_FILE',
    `Score #${scoreId} in ${store.path} is corrupt: the ${kind.replace('_', ' ')} chunk${chunkIdx !== null && chunkIdx >= 0 ? ` ${chunkIdx}` : ''} ${what}. Score the dataset again or restore the project from a backup.`,
    { file: store.path, score: scoreId, kind, ...(chunkIdx !== null && chunkIdx >= 0 ? { chunk: chunkIdx } : {}) },
  );
}

const count = (n: number): string => n.toLocaleString('en-US');

/** One score's metadata (explained columns, stats, timing). NOT_FOUND if absent. */
export function getScore(store: ProjectStore, scoreId: number): ScoreInfo {
  const r = store.db.prepare("SELECT * FROM scores WHERE id = ? AND status = 'complete'").get(scoreId) as ScoreRow | undefined;
  if (!r) throw new ResidualError('NOT_FOUND', `No score #${scoreId} in this project. Score a dataset first.`, { field: 'score' });
  return toScore(r);
}

/** The current score of a model on a dataset, if it was scored. */
export function latestScore(store: ProjectStore, modelId: number, datasetId: number): ScoreInfo | undefined {
  const r = store.db.prepare("SELECT * FROM scores WHERE model_id = ? AND dataset_id = ? AND status = 'complete'").get(modelId, datasetId) as ScoreRow | undefined;
  return r ? toScore(r) : undefined;
}

/** Scores of the project, optionally of one model and/or dataset, oldest first. */
export function listScores(store: ProjectStore, filter: { modelId?: number; datasetId?: number } = {}): ScoreInfo[] {
  const rows = store.db
    .prepare("SELECT * FROM scores WHERE status = 'complete' AND (? IS NULL OR model_id = ?) AND (? IS NULL OR dataset_id = ?) ORDER BY id")
    .all(filter.modelId ?? null, filter.modelId ?? null, filter.datasetId ?? null, filter.datasetId ?? null) as ScoreRow[];
  return rows.map(toScore);
}

function toScore(r: ScoreRow): ScoreInfo {
  return {
    scoreId: r.id,
    modelId: r.model_id,
    datasetId: r.dataset_id,
    rows: r.row_count,
    seconds: r.seconds,
    rowsPerSecond: r.rows_per_second,
    backend: r.backend,
    columns: JSON.parse(r.columns_json) as string[],
    stats: JSON.parse(r.stats_json) as ScoreInfo['stats'],
    createdAt: r.created_at,
  };
}

function finiteOrNull(v: number | null): number | null {
  return v !== null && Number.isFinite(v) ? v : null;
}
