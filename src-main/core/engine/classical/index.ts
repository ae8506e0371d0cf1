import { createHash } from 'node:crypto';
import { cancelled, ResidualError } from '../../errors';
import type { ProjectStore } from '../../store';
import type { BackendInfo } from '../types';
import { featureColumns } from '../columns';
import { buildMatrices, fitOnTrainingRows } from '../matrix';
import { dimOwners, loggedWarning } from '../preprocess';
import { Prng } from '../prng';
import type { BatchErrors } from '../recon';
import { getSplitBlobs, insertModel } from '../repo';
import { fromBitmaps, makeSplit, readLabels, rowsOf, sampleNote, toBitmap } from '../split';
import { SPLIT_TRAIN, SPLIT_VALIDATION } from '../types';
import type { Architecture, JobOptions, ModelInfo, ModelKind, Preprocessing, Proposal, TrainProgress, TrainResult, TrainSettings } from '../types';
import { yieldToEventLoop } from '../util';
import { isOneClass, oneClassMethod } from '../family/oneclass';
import { deserializeEcod, fitEcod, scoreEcod, serializeEcod, type EcodModel } from './ecod';
import { deserializeForest, fitIsolationForest, IFOREST_MAX_SAMPLES, IFOREST_TREES, scoreIsolationForest, serializeForest, type IsolationForestModel } from './iforest';

/**
 * Classical detectors run and stored like the autoencoders: IsolationForest ('iforest') and ECOD ('ecod'). They fit on
 * the same preprocessed inputs, their fitted state is the model's weights blob (with its SHA-256), and scoring writes
 * their row scores and per-column contributions where the autoencoders write row and column errors.
 */

export type ClassicalKind = 'iforest' | 'ecod';
export const CLASSICAL_KINDS: readonly ClassicalKind[] = ['iforest', 'ecod'];

export function isClassical(kind: ModelKind | string): kind is ClassicalKind {
  return kind === 'iforest' || kind === 'ecod';
}

/** Settings of the autoencoders that mean nothing to a classical detector (ignored, not shown as used). */
export const NETWORK_ONLY_SETTINGS: readonly (keyof TrainSettings)[] = [
  'layers', 'filters', 'activation', 'dropout', 'l1', 'noiseStd', 'beta', 'scoreWithKl', 'scoreWithPrior', 'mmdLambda', 'objective', 'nu', 'weightDecay', 'pretrainEpochs', 'loss', 'epochs', 'batchSize', 'learningRate',
  'patience', 'minDelta', 'validation', 'split', 'clip', 'trim',
];

/** What the explanation of a row means, per kind. */
export function explanationMethod(kind: ModelKind): string {
  if (kind === 'iforest') {
    return 'IsolationForest: relative share of the isolation each column\'s splits give the row (log2 of the rows a split cuts off, over the 100 trees; shares sum to 1, the row\'s score is 2^(−mean path length / c(256))); expected = the training median';
  }
  if (kind === 'ecod') return 'ECOD: per-column tail score −log(empirical tail probability), summing to the row\'s score; expected = the training median';
  if (kind === 'ensemble') return 'Ensemble: each member\'s per-column shares of its own score, weighted by how anomalous that member finds the row (its standardised score through softplus); they sum to the row\'s score; expected = the first autoencoder\'s reconstruction';
  if (isOneClass(kind)) return oneClassMethod(kind);
  // The adversarial and Wasserstein autoencoders reconstruct like any autoencoder: their prior shapes the code, not the errors.
  if (kind === 'aae') return 'Adversarial autoencoder (AAE): squared reconstruction error per column; expected = the reconstruction';
  if (kind === 'wae') return 'Wasserstein autoencoder (WAE-MMD): squared reconstruction error per column; expected = the reconstruction';
  if (kind === 'conv') return 'Convolutional autoencoder: squared reconstruction error per pixel; expected = the reconstruction';
  return 'Autoencoder: squared reconstruction error per column; expected = the reconstruction';
}

/**
 * The settings a classical detector runs with: the user's choices that apply to it (preprocessing, train on, seed),
 * the network's reset to neutral values. Fitting and scoring use every training row (no validation part), and
 * neither clipping nor log1p by default: both change ECOD's tails and what isolates a row.
 */
export function classicalSettings(s: TrainSettings, user: Partial<TrainSettings>): TrainSettings {
  return {
    ...s, layers: [], epochs: 0, batchSize: 0, learningRate: 0, patience: 0, minDelta: 0, validation: 0, split: 'random',
    dropout: 0, l1: 0, noiseStd: 0, beta: 0, scoreWithKl: false, scoreWithPrior: false, mmdLambda: 0, weightDecay: 0, pretrainEpochs: 0, loss: 'mse', clip: 0, trim: 0, log1p: user.log1p ?? 'none',
  };
}

/** The "architecture" stored with a classical model: what it is, in one line. */
export function classicalArchitecture(kind: ClassicalKind, inputDims: number, columns: number, rows: number): Architecture {
  const summary = kind === 'iforest'
    ? `IsolationForest: ${IFOREST_TREES} trees × ${Math.min(IFOREST_MAX_SAMPLES, Math.max(1, rows))} rows`
    : `ECOD: ${columns} column${columns === 1 ? '' : 's'}${inputDims !== columns ? ` (${inputDims} inputs)` : ''}`;
  return { kind, inputDims, layers: [], activation: 'relu', output: 'linear', summary, parameterCount: 0, variables: [] };
}

// ---- the fitted state ------------------------------------------------------------------------------------------
// Blob: float64 [1 (format), dims], float64 × dims typical input (the "expected" values of explanations), then the
// kind's own fit (iforest: float64 words, see serializeForest; ecod: see serializeEcod).

function blobOf(typical: Float64Array, payload: Uint8Array): Buffer {
  const head = new Float64Array(2 + typical.length);
  head[0] = 1;
  head[1] = typical.length;
  head.set(typical, 2);
  return Buffer.concat([Buffer.from(head.buffer), payload]);
}

/** A fitted classical detector, used where a network is: `errors` gives the row scores and per-column contributions. */
export class ClassicalDetector {
  private constructor(
    readonly kind: ClassicalKind,
    private readonly forest: IsolationForestModel | null,
    private readonly ecod: EcodModel | null,
    /** Per model dim: the training median (numeric), or the training share (one-hot): the expected value. */
    readonly typical: Float64Array,
    /** Per row of the dataset being scored: 1 when it was one of the fitted rows (ECOD counts it in its own ECDF). */
    private fitted: Uint8Array | null = null,
  ) {}

  static fromBlob(kind: ClassicalKind, blob: Uint8Array): ClassicalDetector {
    const bytes = new Uint8Array(blob);
    const dims = new Float64Array(bytes.buffer, 0, 2)[1]!;
    const headBytes = (2 + dims) * 8;
    if (new Float64Array(bytes.buffer, 0, 2)[0] !== 1 || !(dims >= 1) || bytes.byteLength < headBytes) {
      throw new ResidualError('BAD_FILE', `The stored ${kind} fit is not in a format this Residual reads; train the model again.`);
    }
    const typical = new Float64Array(bytes.buffer.slice(16, headBytes));
    const payload = bytes.subarray(headBytes);
    try {
      if (kind === 'iforest') return new ClassicalDetector(kind, deserializeForest(new Float64Array(payload.slice().buffer)), null, typical);
      return new ClassicalDetector(kind, null, deserializeEcod(payload), typical);
    } catch {
      throw new ResidualError('BAD_FILE', `The stored ${kind} fit is damaged or incomplete; train the model again.`);
    }
  }

  static fit(kind: ClassicalKind, forest: IsolationForestModel | null, ecod: EcodModel | null, typical: Float64Array): ClassicalDetector {
    return new ClassicalDetector(kind, forest, ecod, typical);
  }

  /** The weights blob and its SHA-256. */
  serialize(): { blob: Buffer; sha256: string } {
    const payload = this.forest ? new Uint8Array(serializeForest(this.forest).buffer) : serializeEcod(this.ecod!);
    const blob = blobOf(this.typical, payload);
    return { blob, sha256: createHash('sha256').update(blob).digest('hex') };
  }

  /** The fitted forest of an IsolationForest (null for ECOD): the ONNX export writes its trees. */
  get isolationForest(): IsolationForestModel | null {
    return this.forest;
  }

  /** Marks which rows of the dataset about to be scored were fitted rows (null: none were). */
  setFittedRows(fitted: Uint8Array | null): void {
    this.fitted = fitted;
  }

  /**
   * Scores of n rows of model inputs: `row` the detector's score (higher = more anomalous), `feature` the per-column
   * contributions (model dims summed into their source column, `owners`), `recon` the typical input per row when asked
   * (the "expected" values). `rows`: the dataset rows of x, the first one's index or each one's.
   */
  errors(x: Float32Array, n: number, owners: Int32Array, columns: number, keepRecon: boolean, into?: { readonly row: Float32Array; readonly feature: Float32Array }, rows?: number | readonly number[]): BatchErrors {
    const d = this.typical.length;
    const rowOf = (r: number): number => (typeof rows === 'number' ? rows + r : rows ? rows[r]! : r);
    const fitted = this.fitted;
    const { score, perDim } = this.forest
      ? (({ score: s, credit }) => ({ score: s, perDim: credit }))(scoreIsolationForest(this.forest, x, n))
      : (({ score: s, dimScores }) => ({ score: s, perDim: dimScores }))(scoreEcod(this.ecod!, x, n, (r) => fitted !== null && fitted[rowOf(r)] === 1));
    const row = into && into.row.length >= n ? into.row.subarray(0, n) : new Float32Array(n);
    const feature = into && into.feature.length >= n * columns ? into.feature.subarray(0, n * columns) : new Float32Array(n * columns);
    const acc = new Float64Array(columns);
    for (let r = 0; r < n; r++) {
      acc.fill(0);
      for (let j = 0; j < d; j++) acc[owners[j]!]! += perDim[r * d + j]!;
      feature.set(acc, r * columns);
      row[r] = score[r]!;
    }
    let recon: Float32Array | null = null;
    if (keepRecon) {
      recon = new Float32Array(n * d);
      for (let r = 0; r < n; r++) recon.set(this.typical, r * d);
    }
    return { row, feature, recon };
  }

  dispose(): void {
    this.fitted = null;
  }
}

/** Per row of a model's training dataset: 1 when the model was fitted on it (null when `datasetId` is another dataset). */
export function fittedRows(store: ProjectStore, model: ModelInfo, datasetId: number, rows: number): Uint8Array | null {
  if (model.datasetId !== datasetId) return null;
  const b = getSplitBlobs(store, model.id);
  if (b.rows !== rows) return null;
  const part = fromBitmaps(b.rows, b.train, b.val);
  return Uint8Array.from(part, (p) => (p === SPLIT_TRAIN ? 1 : 0));
}

/** Per model dim of the fitted rows: the median (numeric dims), or the mean (one-hot dims: the category's share). */
export function typicalInputs(x: Float32Array, n: number, pp: Preprocessing): Float64Array {
  const d = pp.inputDims;
  const oneHot = new Uint8Array(d);
  for (const f of pp.features) {
    if (f.kind === 'categorical') for (let k = 0; k <= f.categories.length; k++) oneHot[f.dim + k] = 1;
    else if (f.indicatorDim >= 0) oneHot[f.indicatorDim] = 1;
  }
  const out = new Float64Array(d);
  const col = new Float32Array(n);
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < n; i++) col[i] = x[i * d + j]!;
    if (oneHot[j]) out[j] = col.reduce((a, b) => a + b, 0) / Math.max(1, n);
    else {
      col.sort();
      out[j] = n === 0 ? 0 : n % 2 ? col[(n - 1) >> 1]! : (col[n / 2 - 1]! + col[n / 2]!) / 2;
    }
  }
  // The float32 inputs carry ~7 digits: snap each numeric median to 7 significant digits of its column's scale in the
  // data's units, so that a median of 0 reads back as 0 (not −6.8e-9) in the explanations.
  for (const f of pp.features) {
    if (f.kind !== 'numeric' || f.log1p || !(f.scale > 0)) continue;
    const q = 10 ** (Math.floor(Math.log10(f.scale)) - 6);
    const raw = Math.round((out[f.dim]! * f.scale + f.center) / q) * q;
    out[f.dim] = (raw - f.center) / f.scale;
  }
  return out;
}

/**
 * Fits a classical detector on a dataset's training rows and stores it like a trained network (status complete, no
 * epochs). Progress reports fitting steps (trees, or columns for ECOD) as `epoch` of `epochs`; a cancel stores nothing.
 */
export async function trainClassical(
  store: ProjectStore, request: { readonly dataset: number | string; readonly name?: string }, settings: TrainSettings, backend: BackendInfo,
  opts: JobOptions<TrainProgress> = {},
): Promise<TrainResult> {
  const kind = settings.kind as ClassicalKind;
  const ds = store.getDataset(request.dataset);
  const features = featureColumns(ds);
  const started = performance.now();
  const root = new Prng(settings.seed);
  const [splitRng, fitRng] = [root.fork(), root.fork()];
  const labels = settings.trainOn === 'normal' ? readLabels(store, ds) : null;
  const part = makeSplit(ds.rowCount, { kind: 'random', validation: 0, trainOn: settings.trainOn, sampleRows: settings.sampleRows, ...(labels ? { labels } : {}) }, splitRng);
  const trainIdx = rowsOf(part, SPLIT_TRAIN);
  if (trainIdx.length === 0) {
    throw new ResidualError('BAD_INPUT', `No rows left to fit on in "${ds.name}" (${ds.rowCount} rows, train on ${settings.trainOn}).`, { field: 'dataset' });
  }
  const pp = fitOnTrainingRows(store, ds, features, trainIdx, settings);
  const { train } = buildMatrices(store, ds, features, pp, part, trainIdx.length, 0);
  const n = trainIdx.length;
  const d = pp.inputDims;
  const arch = classicalArchitecture(kind, d, pp.features.length, n);
  const warnings: string[] = [];
  if (n < 100) warnings.push(`Only ${n} rows to fit on: scores will be noisy.`);
  const sampled = sampleNote(ds.rowCount, n, settings.sampleRows);
  if (sampled) warnings.push(sampled);
  const logged = loggedWarning(pp);
  if (logged) warnings.push(logged);

  let aborted = false;
  const progress = async (done: number, total: number): Promise<boolean> => {
    const elapsed = (performance.now() - started) / 1000;
    opts.onProgress?.({
      epoch: done, epochs: total, trainLoss: NaN, valLoss: null, samplesPerSecond: (n * done) / total / Math.max(elapsed, 1e-9),
      etaSeconds: (elapsed / done) * (total - done), bestEpoch: 0, bestLoss: NaN, elapsedSeconds: elapsed, tensors: 0, trainedRows: n,
    });
    await yieldToEventLoop();
    aborted = opts.signal?.aborted ?? false;
    return !aborted;
  };
  if (opts.signal?.aborted) throw cancelled('Training');
  let detector: ClassicalDetector;
  if (kind === 'iforest') {
    const forest = await fitIsolationForest(train, n, d, fitRng, { onTree: progress });
    if (aborted) throw cancelled('Training');
    detector = ClassicalDetector.fit(kind, forest, null, typicalInputs(train, n, pp));
  } else {
    const ecod = fitEcod(train, n, d);
    if (!(await progress(1, 1))) throw cancelled('Training');
    detector = ClassicalDetector.fit(kind, null, ecod, typicalInputs(train, n, pp));
  }
  const fitSeconds = (performance.now() - started) / 1000;

  // Per-column mean contribution over the fitted rows (normalises explanations) and their score stats (thresholds).
  detector.setFittedRows(new Uint8Array(n).fill(1));
  const owners = dimOwners(pp);
  const cols = pp.features.length;
  const featureSum = new Float64Array(cols);
  let sum = 0;
  let sumSq = 0;
  const step = 8192;
  for (let start = 0; start < n; start += step) {
    const m = Math.min(step, n - start);
    const e = detector.errors(train.subarray(start * d, (start + m) * d), m, owners, cols, false, undefined, start);
    for (let r = 0; r < m; r++) {
      sum += e.row[r]!;
      sumSq += e.row[r]! ** 2;
      for (let c = 0; c < cols; c++) featureSum[c]! += e.feature[r * cols + c]!;
    }
    if (opts.signal?.aborted) throw cancelled('Training');
    await yieldToEventLoop();
  }
  const mean = sum / n;
  const { blob, sha256 } = detector.serialize();
  const seconds = (performance.now() - started) / 1000;
  const samplesPerSecond = n / Math.max(fitSeconds, 1e-9);
  const modelId = await store.write(() =>
    insertModel(store, {
      name: request.name ?? `${kind} on ${ds.name}`,
      datasetId: ds.id, status: 'complete', message: null, backend: backend.name, enginePath: null, settings, preprocessing: pp, architecture: arch,
      featureErrorMean: Array.from(featureSum, (v) => v / n),
      errorStats: { train: { count: n, mean, std: Math.sqrt(Math.max(0, sumSq / n - mean * mean)) }, validation: null },
      rowCount: ds.rowCount, trainRows: n, valRows: 0, splitTrain: toBitmap(part, SPLIT_TRAIN), splitVal: toBitmap(part, SPLIT_VALIDATION),
      epochs: 0, bestEpoch: null, bestValLoss: null, seconds, samplesPerSecond, warnings, weights: blob, weightsSha256: sha256, history: [],
    }),
  );
  return {
    modelId, backend: backend.name, path: 'classical', pathReason: `${arch.summary}; plain TypeScript, no network`,
    status: 'complete', epochs: 0, bestEpoch: 0, bestValLoss: NaN, stoppedEarly: false, seconds, samplesPerSecond, warnings,
  };
}

/** The wizard's proposal as it applies to a classical detector: its reasons for network settings dropped, its own added. */
export function classicalProposal(p: Proposal, s: TrainSettings): Proposal {
  const kept = p.rationale.filter((r) => !NETWORK_ONLY_SETTINGS.includes(r.setting) && r.setting !== 'kind' && r.setting !== 'log1p');
  const name = s.kind === 'iforest' ? 'IsolationForest' : 'ECOD';
  return {
    ...p,
    settings: s,
    rationale: [
      { setting: 'kind', value: s.kind, why: s.kind === 'iforest'
        ? `${name}: ${IFOREST_TREES} random trees on subsamples of ${IFOREST_MAX_SAMPLES} rows; rows isolated in few splits score high. Network and training settings do not apply.`
        : `${name}: per column, how far into the empirical tail each value lies; the tails' −log probabilities add up. Network and training settings do not apply.` },
      { setting: 'log1p', value: s.log1p, why: 'No log1p by default: it would not change which rows isolate or lie in a tail, only the scaling.' },
      ...kept.map((r) => (r.setting === 'scaler' ? { ...r, why: `${s.scaler} scaling, fitted on the rows: it changes neither which rows isolate nor the ranks in a column's tails, only the units of the inputs.` } : r)),
    ],
    warnings: p.warnings.filter((w) => w.startsWith('No label column')),
    parameterCount: 0,
  };
}
