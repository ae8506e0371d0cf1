import { DEFAULT_LATENT_SAMPLE, imageShape, KNN_K, KNN_MAX_ROWS, KNN_TEST_SHARE, LATENT_TOP_ROWS, type LatentCompression, type LatentKnn, type LatentPoint, type LatentView } from '../../contract';
import { accuracy, knnPredict, pca2 } from '../analysis/latent';
import { getModel, getScore, initBackend, readLabels, readRankWindow, readRowErrors } from '../engine';
import { matchColumns } from '../engine/columns';
import { latentEncoder, usesTensors, type LatentEncoder } from '../engine/latent';
import { transform, unscaleValue, type RawColumn } from '../engine/preprocess';
import { Prng } from '../engine/prng';
import { getWeights, latestScore } from '../engine/repo';
import type { ModelInfo, ScoreInfo } from '../engine/types';
import { ResidualError } from '../errors';
import { effectiveThreshold, verdictsOf } from '../review';
import type { ColumnInfo, DatasetInfo, ProjectStore } from '../store';
import { readRows } from '../store/store';
import { rowIds } from './queries';

export interface LatentRequest {
  readonly scoreId?: number | undefined;
  readonly modelId?: number | undefined;
  readonly datasetId?: number | undefined;
  readonly sample?: number | undefined;
  readonly seed?: number | undefined;
  readonly knn?: boolean | undefined;
}

/** The score a latent request means: its scoreId, else the newest score of the model on the dataset (default its training dataset). */
export function latentScore(store: ProjectStore, r: LatentRequest): ScoreInfo {
  if (r.scoreId !== undefined) return getScore(store, r.scoreId);
  const model = getModel(store, r.modelId!);
  const datasetId = r.datasetId ?? model.datasetId;
  if (datasetId === null) throw new ResidualError('BAD_INPUT', `Model #${model.id}'s training dataset was deleted; say which dataset's codes to show.`, { field: 'datasetId' });
  const score = latestScore(store, model.id, datasetId);
  if (!score) {
    throw new ResidualError('NOT_FOUND', `Model #${model.id} has not scored dataset "${store.getDataset(datasetId).name}" yet: score it first (Ranking, or \`residual score --model ${model.id}\`).`, { field: 'modelId' });
  }
  return score;
}

/** The column whose values are the rows' classes: the label column, else an image import's `label` column. */
export function classColumn(ds: DatasetInfo): ColumnInfo | null {
  return ds.columns.find((c) => c.role === 'label') ?? ds.columns.find((c) => c.name === 'label') ?? null;
}

/**
 * The rows a latent view shows: the `top` highest ranked, then a seeded uniform sample of the others, `size` in all;
 * ascending row order.
 */
export function latentSample(order: Int32Array, size: number, top: number, seed: number): Int32Array {
  const n = order.length;
  const s = Math.min(n, size);
  const t = Math.min(s, top);
  const pool = Int32Array.from(order.subarray(t)).sort();
  const prng = new Prng(seed);
  // A partial Fisher–Yates shuffle: the first s − t entries are a uniform sample without replacement.
  for (let i = 0; i < s - t; i++) {
    const j = i + prng.int(pool.length - i);
    const tmp = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = tmp;
  }
  const out = new Int32Array(s);
  out.set(order.subarray(0, t), 0);
  out.set(pool.subarray(0, s - t), t);
  return out.sort();
}

/** `model.latent`: the codes of a sample of a score's rows on two principal axes, with seed 001's kNN and compression figures. */
export async function latentView(store: ProjectStore, r: LatentRequest): Promise<LatentView> {
  const started = performance.now();
  const score = latentScore(store, r);
  const model = getModel(store, score.modelId);
  if (model.status === 'failed') throw new ResidualError('BAD_INPUT', `Model #${model.id} failed to train; it has no latent space.`, { field: 'modelId' });
  const blob = getWeights(store, model.id);
  if (!blob) throw new ResidualError('BAD_INPUT', `Model #${model.id} has no stored weights.`, { field: 'modelId' });
  // The convolutional kind encodes through TensorFlow.js (the others in plain TypeScript).
  if (usesTensors(model.kind)) await initBackend();
  // Refuses the kinds without a code before any data is read.
  const encoder = latentEncoder(model.kind, model.architecture, blob);
  try {
    return computeView(store, r, score, model, encoder, started);
  } finally {
    encoder.dispose?.();
  }
}

function computeView(store: ProjectStore, r: LatentRequest, score: ScoreInfo, model: ModelInfo, encoder: LatentEncoder, started: number): LatentView {
  const ds = store.getDataset(score.datasetId);
  const pp = model.preprocessing;
  const cols = matchColumns(ds, pp);
  const seed = r.seed ?? 0;
  const errors = readRowErrors(store, score.scoreId);
  const order = readRankWindow(store, score.scoreId, 0, score.rows).rows;
  const rankOf = new Int32Array(order.length);
  for (let p = 0; p < order.length; p++) rankOf[order[p]!] = p + 1;
  const size = r.sample ?? DEFAULT_LATENT_SAMPLE;
  const rows = Array.from(latentSample(order, size, LATENT_TOP_ROWS, seed));
  const n = rows.length;
  const topIncluded = Math.min(n, LATENT_TOP_ROWS);

  // The sampled rows' model inputs, as scoring computes them.
  const values = readRows(store, ds, rows, cols.map((c) => c.column));
  const raw: RawColumn[] = cols.map((c, j) =>
    c.kind === 'numeric' ? Float64Array.from(values, (v) => (typeof v[j] === 'number' ? (v[j] as number) : NaN)) : values.map((v) => (v[j] === null || v[j] === undefined ? null : String(v[j]))),
  );
  const d = pp.inputDims;
  const x = transform(pp, raw, n);
  const codes = encoder.encode(x, n);
  const projection = pca2(codes, n, encoder.dims);

  // Classes, anomaly labels, verdicts and ids of the sampled rows.
  const classCol = classColumn(ds);
  const classes = classCol ? readRows(store, ds, rows, [classCol]).map((v) => (v[0] === null || v[0] === undefined ? null : String(v[0]))) : null;
  let anomaly: Float64Array | null = null;
  try {
    anomaly = readLabels(store, ds);
  } catch {
    // A label column without a positive value: classes, but no anomaly/normal reading.
  }
  const verdicts = verdictsOf(store, ds.id, rows);
  const ids = rowIds(store, ds, rows);
  const points: LatentPoint[] = rows.map((row, i) => ({
    row,
    id: ids[i]!,
    x: projection.x[i]!,
    y: projection.y[i]!,
    score: errors[row]!,
    rank: rankOf[row]!,
    label: classes?.[i] ?? null,
    anomaly: anomaly?.[row] === 1 ? 'anomaly' : anomaly?.[row] === 0 ? 'normal' : null,
    verdict: verdicts.get(row)?.verdict ?? null,
  }));

  const { knn, knnNote } = r.knn === false ? { knn: null, knnNote: 'Not asked for.' } : knnComparison(classCol?.name ?? null, classes, codes, encoder.dims, x, d, seed);
  let compression: LatentCompression | null = null;
  let compressionNote: string | null = null;
  if (encoder.decode) {
    const recon = encoder.decode(codes, n);
    let se = 0;
    for (let i = 0; i < n * d; i++) se += (recon[i]! - x[i]!) ** 2;
    const mse = se / Math.max(1, n * d);
    let pixelMse: number | null = null;
    if (imageShape(ds)) {
      // Pixels back in 0–1 from the reconstruction, against the stored pixels (not the clipped, scaled inputs).
      let sp = 0;
      let count = 0;
      pp.features.forEach((f, j) => {
        if (f.kind !== 'numeric') return;
        const col = raw[j] as Float64Array;
        for (let i = 0; i < n; i++) {
          const v = col[i]!;
          if (Number.isNaN(v)) continue;
          sp += (unscaleValue(f, recon[i * d + f.dim]!) - v) ** 2;
          count++;
        }
      });
      pixelMse = count ? sp / count : null;
    }
    compression = { ratio: d / encoder.dims, mse, pixelMse, psnr: pixelMse !== null && pixelMse > 0 ? 10 * Math.log10(1 / pixelMse) : null, rows: n };
  } else {
    compressionNote = `A ${model.kind === 'deepsvdd' ? 'Deep SVDD' : 'OC-NN'} model has no decoder: its representation compresses, but nothing rebuilds the rows from it.`;
  }
  return {
    scoreId: score.scoreId,
    modelId: model.id,
    datasetId: ds.id,
    kind: model.kind,
    source: encoder.source,
    inputDims: d,
    latentDims: encoder.dims,
    rows: ds.rowCount,
    sampled: n,
    topIncluded,
    seed,
    threshold: effectiveThreshold(store, score.scoreId).result.value,
    explained: projection.explained,
    points,
    knn,
    knnNote,
    compression,
    compressionNote,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * Seed 001's comparison on the sampled rows that have a class: a seeded split (KNN_TEST_SHARE to classify, the rest
 * to look among), k-nearest-neighbours on the codes and on the model inputs, accuracy and measured time of each.
 */
function knnComparison(column: string | null, classes: readonly (string | null)[] | null, codes: Float64Array, dz: number, x: Float32Array, d: number, seed: number): { knn: LatentKnn | null; knnNote: string | null } {
  if (!column || !classes) return { knn: null, knnNote: 'The dataset has no label column: kNN needs classes to be right or wrong about.' };
  const prng = new Prng(seed + 1);
  const withClass = prng.shuffle(classes.flatMap((c, i) => (c === null ? [] : [i]))).slice(0, KNN_MAX_ROWS);
  const names = [...new Set(withClass.map((i) => classes[i]!))].sort();
  if (names.length < 2 || withClass.length < 10) {
    return { knn: null, knnNote: `Column "${column}" gives ${names.length} class${names.length === 1 ? '' : 'es'} over ${withClass.length} sampled rows: kNN needs two classes and ten rows at least.` };
  }
  const index = new Map(names.map((c, i) => [c, i]));
  const nTest = Math.max(1, Math.round(withClass.length * KNN_TEST_SHARE));
  const nTrain = withClass.length - nTest;
  const trainRows = withClass.slice(0, nTrain);
  const testRows = withClass.slice(nTrain);
  const pick = (src: ArrayLike<number>, w: number, list: readonly number[]): Float64Array => {
    const out = new Float64Array(list.length * w);
    list.forEach((r, i) => {
      for (let j = 0; j < w; j++) out[i * w + j] = src[r * w + j]!;
    });
    return out;
  };
  const trainClass = Int32Array.from(trainRows, (r) => index.get(classes[r]!)!);
  const truth = Int32Array.from(testRows, (r) => index.get(classes[r]!)!);
  const run = (src: ArrayLike<number>, w: number): { accuracy: number; seconds: number; dims: number } => {
    const tr = pick(src, w, trainRows);
    const te = pick(src, w, testRows);
    // A few rows first, untimed, so that neither timing pays the JIT's compilation of the loop (the first one would);
    // then the fastest of up to three runs (fewer once half a second is spent): the least disturbed by other work.
    knnPredict(tr, trainClass, Math.min(nTrain, 50), te, Math.min(nTest, 5), w, KNN_K);
    let predicted: Int32Array = new Int32Array(0);
    let seconds = Infinity;
    let spent = 0;
    for (let rep = 0; rep < 3 && spent < 0.5; rep++) {
      const t0 = performance.now();
      predicted = knnPredict(tr, trainClass, nTrain, te, nTest, w, KNN_K);
      const t = (performance.now() - t0) / 1000;
      seconds = Math.min(seconds, t);
      spent += t;
    }
    return { accuracy: accuracy(predicted, truth), seconds, dims: w };
  };
  return {
    knn: { k: KNN_K, classColumn: column, classes: names.length, trainRows: nTrain, testRows: nTest, latent: run(codes, dz), inputs: run(x, d) },
    knnNote: null,
  };
}
