import { cancelled, ResidualError } from '../errors';
import type { ProjectStore } from '../store';
import type { DatasetInfo } from '../store/types';
import { backendInfo, ensureBackend } from './backend';
import { BATCH_ROWS, matchColumns, readWindow, windowRows } from './columns';
import { choosePath, FusedNet } from './fused/net';
import { Network } from './model';
import { dimOwners, transform } from './preprocess';
import { reconstructionErrors } from './recon';
import { beginScore, discardScore, getModel, getWeights, newestUsableModel, publishScore, writeScoreChunk } from './repo';
import type { JobOptions, ModelInfo, ScoreInfo, ScoreProgress, ScoreRequest, ScoreResult } from './types';
import { withWrite, yieldToEventLoop } from './util';

/** Rank-order entries per stored chunk (the UI pages through windows of these). */
export const RANK_CHUNK = 65_536;

/**
 * Scores every row of a dataset with a model: per-row reconstruction error, per-column squared errors and
 * the rank order, streamed window by window. Chunks are written in short transactions under a score that
 * readers do not see yet; one final transaction makes it current and deletes the score of the same model
 * and dataset it replaces. A cancel or failure removes what was written.
 */
export async function scoreDataset(store: ProjectStore, request: ScoreRequest = {}, opts: JobOptions<ScoreProgress> = {}): Promise<ScoreResult> {
  const backend = await ensureBackend();
  const requestedDs = request.dataset !== undefined ? store.getDataset(request.dataset) : undefined;
  const model = resolveModel(store, request.modelId, requestedDs);
  const ds = requestedDs ?? trainingDataset(store, model);
  const pp = model.preprocessing;
  const cols = matchColumns(ds, pp);
  const net = loadNetwork(store, model);
  let scoreId: number | null = null;
  try {
    const owners = dimOwners(pp);
    const nCols = pp.features.length;
    const d = pp.inputDims;
    const withKl = model.kind === 'vae' && model.settings.scoreWithKl;
    const started = performance.now();
    const rowErrors = new Float32Array(ds.rowCount);
    const window = windowRows(ds, cols.length, d);
    const buf = new Float32Array(window * d);
    const id = await withWrite(store, () =>
      beginScore(store, { modelId: model.id, datasetId: ds.id, rows: ds.rowCount, columns: pp.features.map((f) => f.name), chunkRows: BATCH_ROWS, backend: backend.name }),
    );
    scoreId = id;
    let chunk = 0;
    for (let wStart = 0; wStart < ds.rowCount; wStart += window) {
      const wEnd = Math.min(ds.rowCount, wStart + window);
      const x = transform(pp, readWindow(store, ds.id, cols, wStart, wEnd), wEnd - wStart, buf);
      for (let start = wStart; start < wEnd; start += BATCH_ROWS) {
        if (opts.signal?.aborted) throw cancelled('Scoring');
        const end = Math.min(wEnd, start + BATCH_ROWS);
        const n = end - start;
        const e = await reconstructionErrors(net, x.subarray((start - wStart) * d, (end - wStart) * d), n, owners, nCols, { withKl, keepRecon: false });
        const k = chunk++;
        await withWrite(store, () => {
          writeScoreChunk(store, id, 'row', k, start, n, e.row);
          writeScoreChunk(store, id, 'feature', k, start, n, e.feature);
        });
        rowErrors.set(e.row, start);
        const secs = (performance.now() - started) / 1000;
        opts.onProgress?.({ rowsDone: end, rows: ds.rowCount, rowsPerSecond: end / Math.max(secs, 1e-9), etaSeconds: (secs / end) * (ds.rowCount - end) });
        await yieldToEventLoop();
      }
    }
    if (opts.signal?.aborted) throw cancelled('Scoring');
    const order = rankOrder(rowErrors);
    await withWrite(store, () => {
      for (let off = 0, k = 0; off < order.length; off += RANK_CHUNK, k++) {
        const idx = order.subarray(off, Math.min(order.length, off + RANK_CHUNK));
        writeScoreChunk(store, id, 'rank', k, off, idx.length, idx);
        writeScoreChunk(store, id, 'rank_error', k, off, idx.length, Float32Array.from(idx, (i) => rowErrors[i]!));
      }
    });
    const seconds = (performance.now() - started) / 1000;
    const rowsPerSecond = ds.rowCount / Math.max(seconds, 1e-9);
    await withWrite(store, () => publishScore(store, id, errorStats(rowErrors), seconds, rowsPerSecond));
    scoreId = null;
    return { scoreId: id, path: net instanceof FusedNet ? 'wasm-fused' : 'tfjs', modelId: model.id, datasetId: ds.id, rows: ds.rowCount, seconds, rowsPerSecond };
  } catch (e) {
    const unfinished = scoreId;
    if (unfinished !== null) await withWrite(store, () => discardScore(store, unfinished)).catch(() => undefined);
    throw e;
  } finally {
    net.dispose();
  }
}

/** Rows up to which rankOrder packs key and row into one exactly representable float64 (32 + 21 bits). */
const RANK_FAST_ROWS = 2 ** 21;

/** Row indices by error, highest first; NaN (a row the model cannot reconstruct at all) ranks first, ties by row. */
export function rankOrder(errors: Float32Array): Int32Array {
  const n = errors.length;
  if (n <= RANK_FAST_ROWS) {
    // The same order by a native numeric sort of one float64 per row: (descending float32 key) × 2^21 + row.
    // Keys are the float32 bits made order-preserving; NaN counts as +∞ and -0 as +0, as in the comparator below.
    const keys = new Float64Array(n);
    const bits = new Uint32Array(1);
    const f = new Float32Array(bits.buffer);
    for (let i = 0; i < n; i++) {
      const v = errors[i]!;
      f[0] = Number.isNaN(v) ? Infinity : v === 0 ? 0 : v;
      const b = bits[0]!;
      const ordered = b & 0x80000000 ? ~b >>> 0 : (b | 0x80000000) >>> 0;
      keys[i] = (0xffffffff - ordered) * RANK_FAST_ROWS + i;
    }
    keys.sort();
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = keys[i]! % RANK_FAST_ROWS;
    return idx;
  }
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  const key = (i: number): number => (Number.isNaN(errors[i]!) ? Infinity : errors[i]!);
  idx.sort((a, b) => key(b) - key(a) || a - b);
  return idx;
}

function errorStats(e: Float32Array): ScoreInfo['stats'] {
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of e) {
    if (!Number.isFinite(v)) continue;
    n++;
    sum += v;
    sumSq += v * v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = n ? sum / n : NaN;
  return { mean, std: n ? Math.sqrt(Math.max(0, sumSq / n - mean * mean)) : NaN, min: n ? min : NaN, max: n ? max : NaN };
}

/** The model to use: the one asked for, else the newest usable one trained on the dataset, else the newest usable one. */
export function resolveModel(store: ProjectStore, modelId: number | undefined, ds: DatasetInfo | undefined): ModelInfo {
  const id = modelId ?? (ds ? newestUsableModel(store, ds.id) : undefined) ?? newestUsableModel(store);
  if (id === undefined) throw new ResidualError('NOT_FOUND', 'This project has no trained model yet. Train one first.', { field: 'model' });
  const model = getModel(store, id);
  if (model.status === 'failed') {
    throw new ResidualError('BAD_INPUT', `Model #${model.id} failed to train (${model.message ?? 'no weights'}); it cannot score. Train it again with other settings.`, { field: 'model' });
  }
  return model;
}

/** Rows per fused scoring pass (bounds the kernel's buffers). */
const FUSED_SCORE_ROWS = 1024;

/**
 * Loads a model's weights for scoring (dispose the result): into the fused kernel where it supports the model
 * and is the faster path (see choosePath), else onto the current tfjs backend. Either path reads the other's weights.
 */
export function loadNetwork(store: ProjectStore, model: ModelInfo): Network | FusedNet {
  const blob = getWeights(store, model.id);
  if (!blob) throw new ResidualError('BAD_INPUT', `Model #${model.id} has no stored weights.`, { field: 'model' });
  if (choosePath(model.architecture, backendInfo()?.name ?? 'cpu').path === 'wasm-fused') {
    return FusedNet.create(model.architecture, { ...model.settings, dropout: 0 }, blob, FUSED_SCORE_ROWS);
  }
  return Network.fromWeights(model.architecture, blob);
}

function trainingDataset(store: ProjectStore, model: ModelInfo): DatasetInfo {
  if (model.datasetId === null) {
    throw new ResidualError('BAD_INPUT', `Model #${model.id}'s training dataset was deleted; say which dataset to score.`, { field: 'dataset' });
  }
  return store.getDataset(model.datasetId);
}
