import * as tf from '@tensorflow/tfjs';
import { cancelled, ResidualError } from '../errors';
import type { ProjectStore } from '../store';
import { ensureBackend } from './backend';
import { isClassical, trainClassical } from './classical';
import { isOneClass } from './family/oneclass';
import { trainOneClass } from './family/oneclass-train';
import { trainEnsemble } from './ensemble-train';
import { featureColumns } from './columns';
import { convCodeSize, convImage, convImageShape, pixelPreprocessing } from './conv';
import { buildMatrices, fitOnTrainingRows } from './matrix';
import { FusedNet, type EnginePath } from './fused/net';
import { architecture, initialWeights, latentInScore, Network, type LossOptions, type StepSeeds } from './model';
import { makeFamilyStepper, trainingPath } from './family';
import { dimOwners, loggedWarning } from './preprocess';
import { Prng } from './prng';
import { reconstructionErrors } from './recon';
import { insertModel, type NewModel } from './repo';
import { resolveSettings } from './settings';
import { sampleNote, toBitmap, trainingSplit } from './split';
import { SPLIT_TRAIN, SPLIT_VALIDATION } from './types';
import type { Architecture, HistoryEntry, JobOptions, Preprocessing, RowErrorStats, TrainProgress, TrainRequest, TrainResult, TrainSettings } from './types';
import { yieldToEventLoop } from './util';
import { shapeWarnings } from './wizard';

/** Rows per forward pass when evaluating (validation loss, training errors): memory stays bounded. */
const EVAL_BATCH = 4096;
/** Longest stretch of batches without a macrotask break (ms). */
const YIELD_MS = 30;

/**
 * Trains a model on a dataset and stores it (settings, preprocessing, weights, split, history) in one
 * transaction. Missing settings come from `proposeSettings`. Cancelling via `signal` keeps the best
 * weights so far as status 'cancelled' (CANCELLED error if no epoch finished); a NaN/∞ loss stores the
 * run as 'failed' and throws TRAINING_DIVERGED (details.modelId names the stored run).
 */
export async function trainModel(store: ProjectStore, request: TrainRequest, opts: JobOptions<TrainProgress> = {}): Promise<TrainResult> {
  const backend = await ensureBackend();
  const ds = store.getDataset(request.dataset);
  const { settings } = resolveSettings(ds, request.settings);
  if (isClassical(settings.kind)) return trainClassical(store, request, settings, backend, opts);
  if (isOneClass(settings.kind)) return trainOneClass(store, request, settings, backend, opts);
  if (settings.kind === 'ensemble') return trainEnsemble(store, request, settings, backend, opts);
  const features = featureColumns(ds);
  const started = performance.now();
  // Independent streams: a change in how many numbers one part draws never shifts another.
  const root = new Prng(settings.seed);
  const [splitRng, initRng, shuffleRng, stepRng] = [root.fork(), root.fork(), root.fork(), root.fork()];

  const { part, trainIdx, valIdx } = trainingSplit(store, ds, settings, splitRng);
  const fitted = fitOnTrainingRows(store, ds, features, trainIdx, settings);
  // conv: the pixels go in as imported, 0–1 (see conv.ts pixelPreprocessing).
  const pp = settings.kind === 'conv' ? pixelPreprocessing(fitted) : fitted;
  const { train, val } = buildMatrices(store, ds, features, pp, part, trainIdx.length, valIdx.length);
  // conv: the filters, on the image grid of the dataset's pixel columns (engine/conv.ts).
  const arch = settings.kind === 'conv'
    ? architecture({ kind: 'conv', inputDims: pp.inputDims, layers: settings.filters, activation: 'relu', loss: settings.loss, image: convImage(convImageShape(ds), settings.filters, pp) })
    : architecture({ kind: settings.kind, inputDims: pp.inputDims, layers: settings.layers, activation: settings.activation, loss: settings.loss });
  const warnings = shapeWarnings(pp.inputDims, settings.kind === 'conv' ? [convCodeSize(arch)] : settings.layers, arch.parameterCount, trainIdx.length);
  if (settings.patience > 0 && valIdx.length === 0) warnings.push('No validation rows, so early stopping was off.');
  const sampled = sampleNote(ds.rowCount, trainIdx.length + valIdx.length, settings.sampleRows);
  if (sampled) warnings.push(sampled);
  const logged = loggedWarning(pp);
  if (logged) warnings.push(logged);

  const record = (): Omit<NewModel, 'status' | 'message' | 'featureErrorMean' | 'errorStats' | 'bestEpoch' | 'bestValLoss' | 'weights' | 'weightsSha256'> => ({
    name: request.name ?? `${settings.kind} ${arch.summary} on ${ds.name}`,
    datasetId: ds.id,
    backend: backend.name,
    enginePath: net.path,
    settings,
    preprocessing: pp,
    architecture: arch,
    rowCount: ds.rowCount,
    trainRows: trainIdx.length,
    valRows: valIdx.length,
    splitTrain: toBitmap(part, SPLIT_TRAIN),
    splitVal: toBitmap(part, SPLIT_VALIDATION),
    history: run.history,
    warnings,
    epochs: run.history.length,
    seconds: (performance.now() - started) / 1000,
    samplesPerSecond: run.samplesPerSecond,
  });

  const chosen = trainingPath(arch, backend.name);
  const net = makeStepper(chosen.path, arch, settings, initialWeights(arch, initRng));
  const run = new TrainingRun(net, settings, pp, train, val, shuffleRng, stepRng, started, opts);
  try {
    await run.fit();
    if (run.status === 'cancelled' && !run.best) throw cancelled('Training');
    const notConverged = convergenceWarning({
      status: run.status,
      epochs: run.history.length,
      maxEpochs: settings.epochs,
      bestEpoch: run.best?.epoch ?? null,
      validation: valIdx.length > 0,
    });
    if (notConverged) warnings.push(notConverged);
    // Early stopping and a cancel keep the best epoch; otherwise the run keeps its last weights, as reference.py.
    const keepBest = run.status === 'cancelled' || run.earlyStopping;
    if (keepBest) net.restore(run.best!.snapshot);
    const keptEpoch = keepBest ? run.best!.epoch : run.history.length;
    const kept = run.history[keptEpoch - 1]!;
    const keptLoss = kept.valLoss ?? kept.trainLoss!;
    const owners = dimOwners(pp);
    const trainErr = await errorSummary(net.net, train, owners, pp, settings);
    const valErr = val.length ? await errorSummary(net.net, val, owners, pp, settings) : null;
    const { blob, sha256 } = await net.serialize();
    const base = record();
    const modelId = await save(store, {
      ...base,
      status: run.status,
      message: run.status === 'cancelled' ? `Cancelled after ${base.epochs} epoch${base.epochs === 1 ? '' : 's'}; kept epoch ${keptEpoch}.` : null,
      featureErrorMean: trainErr.featureMean,
      errorStats: { train: trainErr.stats, validation: valErr?.stats ?? null },
      bestEpoch: keptEpoch,
      bestValLoss: keptLoss,
      weights: blob,
      weightsSha256: sha256,
    });
    return {
      modelId, backend: backend.name, path: net.path, pathReason: net.net instanceof FusedNet ? `${chosen.reason}; ${net.net.threads} thread${net.net.threads > 1 ? 's' : ''}` : chosen.reason, status: run.status, epochs: base.epochs, bestEpoch: keptEpoch, bestValLoss: keptLoss,
      stoppedEarly: run.stoppedEarly, seconds: base.seconds, samplesPerSecond: base.samplesPerSecond, warnings,
    };
  } catch (e) {
    if (!(e instanceof ResidualError && e.code === 'TRAINING_DIVERGED')) throw e;
    // The failed run is kept (settings, history, message) so the analyst sees what was tried; it has no weights.
    const modelId = await save(store, {
      ...record(), status: 'failed', message: e.message, featureErrorMean: null, errorStats: null,
      bestEpoch: run.best?.epoch ?? null, bestValLoss: run.best?.loss ?? null, weights: null, weightsSha256: null,
    });
    throw new ResidualError('TRAINING_DIVERGED', e.message, { ...e.details, modelId });
  } finally {
    run.dispose();
    net.dispose();
  }
}

/**
 * The warning for a run that did not converge: it ran every epoch it was given (no early stop, no cancel) and its
 * best epoch (lowest monitored loss: validation, else training) was the last one, so the loss was still falling.
 * Null otherwise.
 */
export function convergenceWarning(run: {
  readonly status: string;
  readonly epochs: number;
  readonly maxEpochs: number;
  readonly bestEpoch: number | null;
  readonly validation: boolean;
}): string | null {
  if (run.status !== 'complete' || run.epochs < run.maxEpochs || run.maxEpochs < 2 || run.bestEpoch !== run.epochs) return null;
  return `Not converged: the ${run.validation ? 'validation' : 'training'} loss was still falling at the last epoch; train longer (more epochs).`;
}

/** The epoch loop and its state: history, the best weights so far, throughput, how it ended. */
export class TrainingRun {
  readonly history: HistoryEntry[] = [];
  best: { epoch: number; loss: number; snapshot: Snapshot } | null = null;
  status: 'complete' | 'cancelled' = 'complete';
  stoppedEarly = false;
  readonly earlyStopping: boolean;
  private trainSeconds = 0;
  private samples = 0;

  constructor(
    private readonly net: Stepper,
    private readonly s: TrainSettings,
    private readonly pp: Preprocessing,
    private readonly train: Float32Array,
    private readonly val: Float32Array,
    private readonly shuffleRng: Prng,
    private readonly stepRng: Prng,
    private readonly started: number,
    private readonly opts: JobOptions<TrainProgress>,
  ) {
    this.earlyStopping = s.patience > 0 && val.length > 0;
  }

  get samplesPerSecond(): number {
    return this.samples / Math.max(this.trainSeconds, 1e-9);
  }

  /** Runs epochs until the last, early stopping, a cancel (status) or divergence (throws). */
  async fit(): Promise<void> {
    const d = this.pp.inputDims;
    const rows = this.train.length / d;
    const all = Int32Array.from({ length: rows }, (_, i) => i);
    const batch = new Float32Array(Math.min(this.s.batchSize, rows) * d);
    for (let epoch = 1; epoch <= this.s.epochs; epoch++) {
      // Robust training: the first epoch sees every row; later ones leave out the worst-reconstructed fraction.
      const order = this.s.trim > 0 && epoch > 1 ? await this.keptRows(all) : all;
      const trainLoss = await this.epoch(epoch, order, batch);
      const trainedRows = order.length;
      if (trainLoss === null) return;
      const valLoss = this.val.length ? await this.net.evalLoss(this.val) : null;
      if (valLoss !== null && !Number.isFinite(valLoss)) throw diverged(valLoss, epoch, this.s, this.pp, [this.train, this.val]);
      const terms = this.net.terms?.();
      const monitored = valLoss ?? trainLoss;
      if (!this.best || monitored < this.best.loss - this.s.minDelta) {
        if (this.best) this.net.drop(this.best.snapshot);
        this.best = { epoch, loss: monitored, snapshot: this.net.snapshot() };
      }
      const elapsed = (performance.now() - this.started) / 1000;
      this.history.push({ epoch, trainLoss, valLoss, seconds: elapsed });
      this.opts.onProgress?.({
        epoch,
        epochs: this.s.epochs,
        trainLoss,
        valLoss,
        samplesPerSecond: this.samplesPerSecond,
        etaSeconds: (elapsed / epoch) * (this.s.epochs - epoch),
        bestEpoch: this.best.epoch,
        bestLoss: this.best.loss,
        elapsedSeconds: elapsed,
        tensors: tf.memory().numTensors,
        trainedRows,
        ...(terms ? { terms } : {}),
      });
      if (this.earlyStopping && epoch - this.best.epoch >= this.s.patience) {
        this.stoppedEarly = epoch < this.s.epochs;
        return;
      }
      await yieldToEventLoop();
      if (this.opts.signal?.aborted) {
        this.status = 'cancelled';
        return;
      }
    }
  }

  /**
   * The training rows this epoch learns from: all but the `trim` fraction with the largest reconstruction errors
   * under the current weights (ties at the cut stay in). A fresh array: the shuffle reorders it in place.
   */
  private async keptRows(all: Int32Array): Promise<Int32Array> {
    const d = this.pp.inputDims;
    const n = all.length;
    const drop = Math.floor(n * this.s.trim);
    if (drop === 0) return Int32Array.from(all);
    const errors = new Float32Array(n);
    const owners = dimOwners(this.pp);
    const cols = this.pp.features.length;
    for (let start = 0; start < n; start += EVAL_BATCH) {
      const m = Math.min(EVAL_BATCH, n - start);
      const e = await reconstructionErrors(this.net.net, this.train.subarray(start * d, (start + m) * d), m, owners, cols, { withKl: false, keepRecon: false });
      errors.set(e.row, start);
    }
    const cut = kthLargest(errors, drop + 1);
    const kept = new Int32Array(n);
    let k = 0;
    for (let i = 0; i < n; i++) if (errors[i]! <= cut || !(errors[i]! === errors[i]!)) kept[k++] = i;
    return kept.subarray(0, k);
  }

  /** One pass over the shuffled training rows: the mean training loss, or null when cancelled. */
  private async epoch(epoch: number, order: Int32Array, batch: Float32Array): Promise<number | null> {
    const d = this.pp.inputDims;
    const t0 = performance.now();
    let lastYield = t0;
    let lossSum = 0;
    this.shuffleRng.shuffle(order);
    for (let start = 0; start < order.length; start += this.s.batchSize) {
      if (this.opts.signal?.aborted) {
        this.status = 'cancelled';
        return null;
      }
      const n = Math.min(this.s.batchSize, order.length - start);
      for (let i = 0; i < n; i++) batch.set(this.train.subarray(order[start + i]! * d, (order[start + i]! + 1) * d), i * d);
      const seeds = { noise: this.stepRng.seed(), dropout: this.stepRng.seed(), sample: this.stepRng.seed() };
      const v = await this.net.step(batch, n, seeds);
      if (!Number.isFinite(v)) throw diverged(v, epoch, this.s, this.pp, [this.train, this.val]);
      lossSum += v * n;
      this.samples += n;
      if (performance.now() - lastYield > YIELD_MS) {
        // Lets a cancel (AbortSignal from a timer, IPC, Ctrl-C) and progress output through.
        await yieldToEventLoop();
        lastYield = performance.now();
      }
    }
    this.trainSeconds += (performance.now() - t0) / 1000;
    return lossSum / order.length;
  }

  dispose(): void {
    if (this.best) this.net.drop(this.best.snapshot);
  }
}

/**
 * The k-th largest value (k ≥ 1) of xs by quickselect: rows with an error above it are the k worst (those equal to it
 * stay, so ties never drop more than asked).
 */
export function kthLargest(xs: Float32Array, k: number): number {
  const a = Float64Array.from(xs);
  let lo = 0;
  let hi = a.length - 1;
  const target = a.length - k;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i++] = a[j]!;
        a[j--] = t;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  return a[target]!;
}

/** The model row, weights, split and history in one transaction (waiting for the write lock rather than losing the run). */
function save(store: ProjectStore, record: NewModel): Promise<number> {
  return store.write(() => insertModel(store, record));
}

type Snapshot = tf.Tensor[] | Float32Array;

/** One training path: TensorFlow.js (Network + tf.train.adam) or the fused WebAssembly kernel. */
export interface Stepper {
  readonly path: EnginePath;
  readonly net: Network | FusedNet;
  /** One Adam step on the first n rows of batch: the batch loss. */
  step(batch: Float32Array, n: number, seeds: StepSeeds): Promise<number>;
  /** The deterministic objective averaged over all rows. */
  evalLoss(x: Float32Array): Promise<number>;
  /** Means of the run's extra loss terms since the last call (an AAE's discriminator and generator, a WAE's MMD), if it has any. */
  terms?(): Record<string, number>;
  snapshot(): Snapshot;
  restore(s: Snapshot): void;
  drop(s: Snapshot): void;
  serialize(): Promise<{ blob: Buffer; sha256: string }>;
  dispose(): void;
}

/** The stepper for a path, starting from the given weights (arch.variables order). */
export function makeStepper(path: EnginePath, arch: Architecture, s: TrainSettings, weights: Float32Array): Stepper {
  // The adversarial and Wasserstein autoencoders train in their own steps (src-main/core/engine/family).
  if (arch.kind === 'aae' || arch.kind === 'wae') return makeFamilyStepper(path, arch, s, weights);
  const lossOpts: LossOptions = { loss: s.loss, dropout: s.dropout, l1: s.l1, noiseStd: s.noiseStd, beta: s.beta };
  if (path === 'wasm-fused') {
    const net = FusedNet.create(arch, s, weights, Math.max(s.batchSize, FUSED_EVAL_ROWS));
    return {
      path, net,
      step: async (batch, n, seeds) => net.trainStep(batch, n, seeds, s.learningRate),
      evalLoss: async (x) => net.evalLoss(x),
      snapshot: () => net.snapshot(),
      restore: (snap) => net.restore(snap as Float32Array),
      drop: () => undefined,
      serialize: async () => net.serialize(),
      dispose: () => net.dispose(),
    };
  }
  const net = Network.fromWeights(arch, weights);
  const optimizer = tf.train.adam(s.learningRate, 0.9, 0.999, 1e-8);
  const d = arch.inputDims;
  return {
    path, net,
    step: async (batch, n, seeds) => {
      const cost = tf.tidy(() => {
        const xb = tf.tensor2d(batch.subarray(0, n * d), [n, d]);
        return optimizer.minimize(() => net.loss(xb, lossOpts, true, seeds), true, net.vars)!;
      });
      const v = (await cost.data())[0]!;
      cost.dispose();
      return v;
    },
    evalLoss: (x) => evalLoss(net, x, lossOpts),
    snapshot: () => net.snapshot(),
    restore: (snap) => net.restore(snap as tf.Tensor[]),
    drop: (snap) => tf.dispose(snap as tf.Tensor[]),
    serialize: () => net.serialize(),
    dispose: () => {
      optimizer.dispose();
      net.dispose();
    },
  };
}

/** Rows per fused forward pass when evaluating and scoring. */
const FUSED_EVAL_ROWS = 1024;

/** The deterministic objective (no dropout/noise, VAE at its mean) averaged over rows. */
async function evalLoss(net: Network, x: Float32Array, o: LossOptions): Promise<number> {
  const d = net.arch.inputDims;
  const n = x.length / d;
  let sum = 0;
  for (let start = 0; start < n; start += EVAL_BATCH) {
    const m = Math.min(EVAL_BATCH, n - start);
    const t = tf.tidy(() => net.loss(tf.tensor2d(x.subarray(start * d, (start + m) * d), [m, d]), o, false, null));
    sum += (await t.data())[0]! * m;
    t.dispose();
  }
  return sum / n;
}

/** Mean per-column error over some rows (to normalise explanations) and their row-error stats (for thresholds). */
async function errorSummary(net: Network | FusedNet, x: Float32Array, owners: Int32Array, pp: Preprocessing, s: TrainSettings): Promise<{ featureMean: number[]; stats: RowErrorStats }> {
  const cols = pp.features.length;
  const d = pp.inputDims;
  const n = x.length / d;
  const featureSum = new Float64Array(cols);
  let sum = 0;
  let sumSq = 0;
  for (let start = 0; start < n; start += EVAL_BATCH) {
    const m = Math.min(EVAL_BATCH, n - start);
    const e = await reconstructionErrors(net, x.subarray(start * d, (start + m) * d), m, owners, cols, { withKl: latentInScore(s.kind, s), keepRecon: false });
    for (let r = 0; r < m; r++) {
      sum += e.row[r]!;
      sumSq += e.row[r]! ** 2;
      for (let c = 0; c < cols; c++) featureSum[c]! += e.feature[r * cols + c]!;
    }
  }
  const mean = sum / n;
  return {
    featureMean: Array.from(featureSum, (v) => v / n),
    stats: { count: n, mean, std: Math.sqrt(Math.max(0, sumSq / n - mean * mean)) },
  };
}

function diverged(value: number, epoch: number, s: TrainSettings, pp: Preprocessing, inputs: readonly Float32Array[]): ResidualError {
  const what = Number.isNaN(value) ? 'NaN' : 'infinite';
  const bad = columnsWithNonFiniteInputs(pp, inputs);
  if (bad.length) {
    return new ResidualError(
      'TRAINING_DIVERGED',
      `Training diverged at epoch ${epoch}: the loss became ${what} because ${bad.map((b) => `"${b}"`).join(', ')} ${bad.length > 1 ? 'have' : 'has'} infinite values. Fix or ignore ${bad.length > 1 ? 'those columns' : 'that column'}.`,
      { epoch, columns: bad },
    );
  }
  // Extreme scaled inputs (a value at 100σ) make any learning rate diverge: lowering it again and again does not help.
  const extreme = largestInput(pp, inputs);
  if (extreme && extreme.value > 20) {
    return new ResidualError(
      'TRAINING_DIVERGED',
      `Training diverged at epoch ${epoch}: the loss became ${what}. Column "${extreme.column}" reaches ${extreme.value.toFixed(0)} in scaled units (${extreme.value.toFixed(0)} standard deviations or IQRs from its centre): clip the inputs (--clip 10, or the Clip setting) or use the robust scaler.`,
      { epoch, column: extreme.column, scaledValue: extreme.value },
    );
  }
  const lower = Number((s.learningRate / 10).toPrecision(2));
  return new ResidualError(
    'TRAINING_DIVERGED',
    `Training diverged at epoch ${epoch}: the loss became ${what} with learning rate ${s.learningRate}. Try a lower learning rate, e.g. --lr ${lower}.`,
    { epoch, learningRate: s.learningRate },
  );
}

/** The largest absolute scaled input and its column. */
function largestInput(pp: Preprocessing, inputs: readonly Float32Array[]): { column: string; value: number } | null {
  const owners = dimOwners(pp);
  const d = pp.inputDims;
  let best = -1;
  let at = -1;
  for (const x of inputs) {
    for (let i = 0; i < x.length; i++) {
      const a = Math.abs(x[i]!);
      if (a > best && Number.isFinite(a)) [best, at] = [a, owners[i % d]!];
    }
  }
  return at < 0 ? null : { column: pp.features[at]!.name, value: best };
}

/** Source columns whose model inputs are not finite (an infinite value in the data). */
function columnsWithNonFiniteInputs(pp: Preprocessing, inputs: readonly Float32Array[]): string[] {
  const owners = dimOwners(pp);
  const d = pp.inputDims;
  const bad = new Set<number>();
  for (const x of inputs) for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i]!)) bad.add(owners[i % d]!);
  return [...bad].sort((a, b) => a - b).map((c) => pp.features[c]!.name);
}
