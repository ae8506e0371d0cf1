import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs';
import { cancelled, ResidualError } from '../../errors';
import type { ProjectStore } from '../../store';
import { typicalInputs } from '../classical';
import { featureColumns } from '../columns';
import { buildMatrices, fitOnTrainingRows } from '../matrix';
import { dimOwners, loggedWarning } from '../preprocess';
import { Prng } from '../prng';
import { insertModel, type NewModel } from '../repo';
import { activate } from '../model';
import { sampleNote, toBitmap, trainingSplit } from '../split';
import { convergenceWarning } from '../train';
import { SPLIT_TRAIN, SPLIT_VALIDATION } from '../types';
import type { Architecture, BackendInfo, HistoryEntry, JobOptions, OneClassFit, RowErrorStats, TrainProgress, TrainRequest, TrainResult, TrainSettings } from '../types';
import { yieldToEventLoop } from '../util';
import { rowWarnings } from '../wizard';
import { ocnnThreshold } from './ocnn';
import { oneClassArchitecture, oneClassBlob, oneClassLayers, OneClassScorer, type OneClassKind, type OneClassLayer, type OneClassState } from './oneclass';
import { initCenter, radiusSquared, squaredDistances } from './svdd';

/**
 * Training of the one-class kinds on TensorFlow.js: optional autoencoder pre-training of the layers, then Adam on the
 * kind's objective (svdd.ts, ocnn.ts) with the state the objective fixes between epochs — Deep SVDD's centre c (once,
 * from the first forward pass) and soft-boundary radius R² (each epoch after a warm-up), OC-NN's r (each epoch). The
 * fused WebAssembly kernel has neither objective, so these kinds train here (the run records path 'tfjs') and score in
 * plain TypeScript (oneclass.ts). Everything is stored in one transaction, like every other kind.
 */

/** Rows per forward pass when evaluating: memory stays bounded. */
const EVAL_BATCH = 4096;
/** Longest stretch of batches without a macrotask break (ms). */
const YIELD_MS = 30;
/** Training rows whose attributions give each column's typical |attribution| (normalises the explanations). */
export const ATTRIBUTION_SAMPLE = 20_000;

/** Soft-boundary: epochs before R is first fitted (the reference implementation warms up for 10), at most a fifth of the run. */
export function warmUpEpochs(epochs: number): number {
  return Math.min(10, Math.floor(epochs / 5));
}

/** Kernels of fresh layers: He-uniform before a ReLU-like activation, Glorot-uniform otherwise. */
export function initialKernels(layers: readonly OneClassLayer[], prng: Prng): Float32Array[] {
  return layers.map((l) => {
    const reluLike = l.activation === 'relu' || l.activation === 'leakyRelu' || l.activation === 'elu';
    const limit = reluLike ? Math.sqrt(6 / l.inputs) : Math.sqrt(6 / (l.inputs + l.outputs));
    return Float32Array.from({ length: l.inputs * l.outputs }, () => (prng.next() * 2 - 1) * limit);
  });
}

/** What the objective needs besides the weights. */
export interface ObjectiveState {
  radius2: number;
  r: number;
}

/** A one-class network's variables on TensorFlow.js: its forward pass and objective. */
export class OneClassNetwork {
  readonly kind: OneClassKind;
  readonly layers: OneClassLayer[];
  readonly kernels: tf.Variable[];
  private center: tf.Tensor1D | null = null;
  centerValues: Float64Array | null = null;
  readonly state: ObjectiveState = { radius2: 0, r: 0 };

  constructor(
    readonly arch: Architecture,
    kernels: readonly Float32Array[],
  ) {
    this.kind = arch.kind as OneClassKind;
    this.layers = oneClassLayers({ kind: this.kind, inputDims: arch.inputDims, layers: arch.layers, activation: arch.activation });
    this.kernels = this.layers.map((l, i) => tf.tidy(() => tf.variable(tf.tensor2d(kernels[i]!, [l.inputs, l.outputs]), true, undefined, 'float32')));
  }

  /**
   * The layers pre-training trains as an autoencoder's encoder. deepsvdd: all of them (up to the representation).
   * ocnn: all but V and w, the last hidden layer and the output: the encoder whose features the OC-NN head reads.
   */
  get encoderCount(): number {
    return this.kind === 'ocnn' ? this.layers.length - 2 : this.layers.length;
  }

  /**
   * The kernels the objective trains and penalises. deepsvdd: all (λ/2 Σ‖W‖² over every layer). ocnn: V and w only, as
   * in the paper's ½‖w‖² + ½‖V‖²; the encoder below them stays as pre-training left it (Chalapathy et al.'s Figure 1).
   */
  get trainable(): tf.Variable[] {
    return this.kind === 'ocnn' ? this.kernels.slice(-2) : this.kernels;
  }

  forward(x: tf.Tensor2D, upTo = this.layers.length): tf.Tensor2D {
    let h = x;
    for (let i = 0; i < upTo; i++) h = activate(tf.matMul(h, this.kernels[i]! as tf.Tensor2D), this.layers[i]!.activation);
    return h;
  }

  setCenter(c: Float64Array): void {
    this.center?.dispose();
    this.centerValues = c;
    this.center = tf.keep(tf.tensor1d(Float32Array.from(c)));
  }

  /** The objective on one batch (inside a tidy / optimizer.minimize), with the weight penalty. */
  objective(x: tf.Tensor2D, s: Pick<TrainSettings, 'objective' | 'nu' | 'weightDecay'>): tf.Scalar {
    const out = this.forward(x);
    const squares = tf.addN(this.trainable.map((k) => tf.sum(tf.square(k))));
    if (this.kind === 'deepsvdd') {
      const dist = tf.sum(tf.square(tf.sub(out, this.center!)), 1);
      const data = s.objective === 'soft-boundary'
        ? tf.add(this.state.radius2, tf.mul(1 / s.nu, tf.mean(tf.relu(tf.sub(dist, this.state.radius2)))))
        : tf.mean(dist);
      return tf.add(data, tf.mul(s.weightDecay / 2, squares)) as tf.Scalar;
    }
    const yhat = tf.reshape(out, [-1]);
    const hinge = tf.mul(1 / s.nu, tf.mean(tf.relu(tf.sub(this.state.r, yhat))));
    return tf.add(tf.mul(0.5, squares), tf.sub(hinge, this.state.r)) as tf.Scalar;
  }

  /** The network's outputs (n × width of the last layer) for rows of model inputs, EVAL_BATCH at a time. */
  async outputs(x: Float32Array, upTo = this.layers.length): Promise<Float32Array> {
    const d = this.arch.inputDims;
    const n = x.length / d;
    const k = this.layers[upTo - 1]!.outputs;
    const out = new Float32Array(n * k);
    for (let start = 0; start < n; start += EVAL_BATCH) {
      const m = Math.min(EVAL_BATCH, n - start);
      const t = tf.tidy(() => this.forward(tf.tensor2d(x.subarray(start * d, (start + m) * d), [m, d]), upTo));
      out.set((await t.data()) as Float32Array, start * k);
      t.dispose();
    }
    return out;
  }

  /** The objective averaged over all rows (deterministic; the validation loss). */
  async meanObjective(x: Float32Array, s: Pick<TrainSettings, 'objective' | 'nu' | 'weightDecay'>): Promise<number> {
    const d = this.arch.inputDims;
    const n = x.length / d;
    let sum = 0;
    for (let start = 0; start < n; start += EVAL_BATCH) {
      const m = Math.min(EVAL_BATCH, n - start);
      const t = tf.tidy(() => this.objective(tf.tensor2d(x.subarray(start * d, (start + m) * d), [m, d]), s));
      sum += (await t.data())[0]! * m;
      t.dispose();
    }
    return sum / n;
  }

  async kernelValues(): Promise<Float32Array[]> {
    return Promise.all(this.kernels.map(async (k) => Float32Array.from((await k.data()) as Float32Array)));
  }

  snapshot(): { kernels: tf.Tensor[]; state: ObjectiveState } {
    return { kernels: this.kernels.map((k) => tf.keep(k.clone())), state: { ...this.state } };
  }

  restore(s: { kernels: readonly tf.Tensor[]; state: ObjectiveState }): void {
    this.kernels.forEach((k, i) => k.assign(s.kernels[i]!));
    Object.assign(this.state, s.state);
  }

  dispose(): void {
    for (const k of this.kernels) k.dispose();
    this.center?.dispose();
  }
}

/**
 * Autoencoder pre-training of the network's layers up to its representation (Ruff et al. §4; Chalapathy et al.'s
 * encoder): a bias-free decoder mirrors them (hidden layers activated, linear output) and both learn the mean squared
 * reconstruction error for `epochs` epochs; the decoder is then dropped. The last epoch's loss, or null when cancelled.
 */
export async function pretrain(
  net: OneClassNetwork, s: TrainSettings, train: Float32Array, decoderRng: Prng, shuffleRng: Prng, started: number, opts: JobOptions<TrainProgress>,
): Promise<number | null> {
  const d = net.arch.inputDims;
  const rows = train.length / d;
  const enc = net.layers.slice(0, net.encoderCount);
  const widths = [d, ...enc.map((l) => l.outputs)].reverse();
  const decLayers: OneClassLayer[] = widths.slice(1).map((w, i) => ({ name: `pre${i}`, inputs: widths[i]!, outputs: w, activation: i === widths.length - 2 ? 'linear' : s.activation }));
  const dec = initialKernels(decLayers, decoderRng).map((k, i) => tf.tidy(() => tf.variable(tf.tensor2d(k, [decLayers[i]!.inputs, decLayers[i]!.outputs]))));
  const vars = [...net.kernels.slice(0, net.encoderCount), ...dec];
  const optimizer = tf.train.adam(s.learningRate, 0.9, 0.999, 1e-8);
  const order = Int32Array.from({ length: rows }, (_, i) => i);
  const batch = new Float32Array(Math.min(s.batchSize, rows) * d);
  let last: number | null = null;
  try {
    for (let epoch = 1; epoch <= s.pretrainEpochs; epoch++) {
      shuffleRng.shuffle(order);
      let sum = 0;
      let lastYield = performance.now();
      for (let start = 0; start < rows; start += s.batchSize) {
        if (opts.signal?.aborted) return null;
        const n = Math.min(s.batchSize, rows - start);
        for (let i = 0; i < n; i++) batch.set(train.subarray(order[start + i]! * d, (order[start + i]! + 1) * d), i * d);
        const cost = tf.tidy(() => {
          const xb = tf.tensor2d(batch.subarray(0, n * d), [n, d]);
          return optimizer.minimize(() => {
            let h = net.forward(xb, net.encoderCount);
            decLayers.forEach((l, i) => (h = activate(tf.matMul(h, dec[i]! as tf.Tensor2D), l.activation)));
            return tf.mean(tf.squaredDifference(h, xb)) as tf.Scalar;
          }, true, vars)!;
        });
        const v = (await cost.data())[0]!;
        cost.dispose();
        if (!Number.isFinite(v)) throw divergedError(v, 'autoencoder pre-training epoch ' + epoch, s.learningRate);
        sum += v * n;
        if (performance.now() - lastYield > YIELD_MS) {
          await yieldToEventLoop();
          lastYield = performance.now();
        }
      }
      last = sum / rows;
      const elapsed = (performance.now() - started) / 1000;
      opts.onProgress?.({
        phase: 'pretrain', epoch, epochs: s.pretrainEpochs, trainLoss: last, valLoss: null, samplesPerSecond: (rows * epoch) / Math.max(elapsed, 1e-9),
        etaSeconds: (elapsed / epoch) * (s.pretrainEpochs - epoch + s.epochs), bestEpoch: 0, bestLoss: NaN, elapsedSeconds: elapsed, tensors: tf.memory().numTensors, trainedRows: rows,
      });
      await yieldToEventLoop();
    }
    return last;
  } finally {
    optimizer.dispose();
    tf.dispose(dec);
  }
}

function divergedError(value: number, where: string, learningRate: number): ResidualError {
  const lower = Number((learningRate / 10).toPrecision(2));
  return new ResidualError(
    'TRAINING_DIVERGED',
    `Training diverged in ${where}: the loss became ${Number.isNaN(value) ? 'NaN' : 'infinite'} with learning rate ${learningRate}. Try a lower learning rate, e.g. --lr ${lower}, or clip the inputs (--clip 5).`,
    { learningRate },
  );
}

/** Sets the state the objective fixes from the training rows' outputs: R² (soft-boundary, after the warm-up) or r. */
async function refit(net: OneClassNetwork, s: TrainSettings, train: Float32Array, epoch: number): Promise<void> {
  if (net.kind === 'ocnn') {
    net.state.r = ocnnThreshold(await net.outputs(train), s.nu);
  } else if (s.objective === 'soft-boundary' && epoch >= warmUpEpochs(s.epochs)) {
    const k = net.layers[net.layers.length - 1]!.outputs;
    const out = await net.outputs(train);
    net.state.radius2 = radiusSquared(squaredDistances(out, out.length / k, k, net.centerValues!), s.nu);
  }
}

/**
 * Trains a Deep SVDD or OC-NN model on a dataset and stores it (settings, preprocessing, weights with the fitted
 * state, split, history) in one transaction. Cancelling keeps the best epoch so far as status 'cancelled' (CANCELLED if
 * no epoch finished); a NaN/∞ loss stores the run as 'failed' and throws TRAINING_DIVERGED.
 */
export async function trainOneClass(store: ProjectStore, request: TrainRequest, settings: TrainSettings, backend: BackendInfo, opts: JobOptions<TrainProgress> = {}): Promise<TrainResult> {
  const kind = settings.kind as OneClassKind;
  const ds = store.getDataset(request.dataset);
  const features = featureColumns(ds);
  const started = performance.now();
  // The same four streams as the autoencoders (split, init, shuffle, steps), then the pre-training decoder's.
  const root = new Prng(settings.seed);
  const [splitRng, initRng, shuffleRng] = [root.fork(), root.fork(), root.fork()];
  root.fork();
  const decoderRng = root.fork();

  const { part, trainIdx, valIdx } = trainingSplit(store, ds, settings, splitRng);
  const pp = fitOnTrainingRows(store, ds, features, trainIdx, settings);
  const { train, val } = buildMatrices(store, ds, features, pp, part, trainIdx.length, valIdx.length);
  const d = pp.inputDims;
  const n = trainIdx.length;
  const arch = oneClassArchitecture({ kind, inputDims: d, layers: settings.layers, activation: settings.activation });
  const warnings = rowWarnings(arch.parameterCount, n, d);
  const earlyStopping = settings.patience > 0 && valIdx.length > 0;
  if (settings.patience > 0 && valIdx.length === 0) warnings.push('No validation rows, so early stopping was off.');
  const sampled = sampleNote(ds.rowCount, trainIdx.length + valIdx.length, settings.sampleRows);
  if (sampled) warnings.push(sampled);
  const logged = loggedWarning(pp);
  if (logged) warnings.push(logged);

  const net = new OneClassNetwork(arch, initialKernels(oneClassLayers({ kind, inputDims: d, layers: settings.layers, activation: settings.activation }), initRng));
  const optimizer = tf.train.adam(settings.learningRate, 0.9, 0.999, 1e-8);
  const history: HistoryEntry[] = [];
  let best: { epoch: number; loss: number; snapshot: ReturnType<OneClassNetwork['snapshot']> } | null = null;
  let status: 'complete' | 'cancelled' = 'complete';
  let stoppedEarly = false;
  let trainSeconds = 0;
  let samples = 0;
  let pretrainLoss: number | null = null;
  const record = (): Omit<NewModel, 'status' | 'message' | 'featureErrorMean' | 'errorStats' | 'bestEpoch' | 'bestValLoss' | 'weights' | 'weightsSha256' | 'architecture'> => ({
    name: request.name ?? `${kind} ${arch.summary} on ${ds.name}`,
    datasetId: ds.id, backend: backend.name, enginePath: 'tfjs', settings, preprocessing: pp, rowCount: ds.rowCount, trainRows: n, valRows: valIdx.length,
    splitTrain: toBitmap(part, SPLIT_TRAIN), splitVal: toBitmap(part, SPLIT_VALIDATION), history, warnings, epochs: history.length,
    seconds: (performance.now() - started) / 1000, samplesPerSecond: samples / Math.max(trainSeconds, 1e-9),
  });
  const dropBest = (): void => {
    if (best) tf.dispose(best.snapshot.kernels);
  };

  try {
    try {
      if (settings.pretrainEpochs > 0 && net.encoderCount === 0) {
        warnings.push('Pre-training skipped: with one hidden layer, OC-NN\'s V reads the inputs directly and has no encoder to pre-train (give two layers, e.g. 16,8).');
      }
      if (settings.pretrainEpochs > 0 && net.encoderCount > 0) {
        pretrainLoss = await pretrain(net, settings, train, decoderRng, shuffleRng, started, opts);
        if (pretrainLoss === null) throw cancelled('Training');
      }
      // The centre (Deep SVDD) or the first r (OC-NN) from the forward pass of the (pre-trained) network.
      if (kind === 'deepsvdd') {
        const k = settings.layers[settings.layers.length - 1]!;
        net.setCenter(initCenter(await net.outputs(train), n, k));
      } else await refit(net, settings, train, 0);

      const order = Int32Array.from({ length: n }, (_, i) => i);
      const batch = new Float32Array(Math.min(settings.batchSize, n) * d);
      const objective = { objective: settings.objective, nu: settings.nu, weightDecay: settings.weightDecay };
      epochs: for (let epoch = 1; epoch <= settings.epochs; epoch++) {
        const t0 = performance.now();
        let lastYield = t0;
        let sum = 0;
        shuffleRng.shuffle(order);
        for (let start = 0; start < n; start += settings.batchSize) {
          if (opts.signal?.aborted) {
            status = 'cancelled';
            break epochs;
          }
          const m = Math.min(settings.batchSize, n - start);
          for (let i = 0; i < m; i++) batch.set(train.subarray(order[start + i]! * d, (order[start + i]! + 1) * d), i * d);
          const cost = tf.tidy(() => {
            const xb = tf.tensor2d(batch.subarray(0, m * d), [m, d]);
            return optimizer.minimize(() => net.objective(xb, objective), true, net.trainable)!;
          });
          const v = (await cost.data())[0]!;
          cost.dispose();
          if (!Number.isFinite(v)) throw divergedError(v, `epoch ${epoch}`, settings.learningRate);
          sum += v * m;
          samples += m;
          if (performance.now() - lastYield > YIELD_MS) {
            await yieldToEventLoop();
            lastYield = performance.now();
          }
        }
        trainSeconds += (performance.now() - t0) / 1000;
        const trainLoss = sum / n;
        await refit(net, settings, train, epoch);
        const valLoss = val.length ? await net.meanObjective(val, objective) : null;
        if (valLoss !== null && !Number.isFinite(valLoss)) throw divergedError(valLoss, `epoch ${epoch} (validation)`, settings.learningRate);
        const monitored = valLoss ?? trainLoss;
        if (!best || monitored < best.loss - settings.minDelta) {
          dropBest();
          best = { epoch, loss: monitored, snapshot: net.snapshot() };
        }
        const elapsed = (performance.now() - started) / 1000;
        history.push({ epoch, trainLoss, valLoss, seconds: elapsed });
        opts.onProgress?.({
          epoch, epochs: settings.epochs, trainLoss, valLoss, samplesPerSecond: samples / Math.max(trainSeconds, 1e-9),
          etaSeconds: (elapsed / epoch) * (settings.epochs - epoch), bestEpoch: best.epoch, bestLoss: best.loss, elapsedSeconds: elapsed,
          tensors: tf.memory().numTensors, trainedRows: n,
        });
        if (earlyStopping && epoch - best.epoch >= settings.patience) {
          stoppedEarly = epoch < settings.epochs;
          break;
        }
        await yieldToEventLoop();
        if (opts.signal?.aborted) {
          status = 'cancelled';
          break;
        }
      }
    } catch (e) {
      if (!(e instanceof ResidualError && e.code === 'TRAINING_DIVERGED')) throw e;
      // The failed run is kept (settings, history, message) so the analyst sees what was tried; it has no weights.
      const modelId = await store.write(() => insertModel(store, {
        ...record(), architecture: arch, status: 'failed', message: e.message, featureErrorMean: null, errorStats: null,
        bestEpoch: best?.epoch ?? null, bestValLoss: best?.loss ?? null, weights: null, weightsSha256: null,
      }));
      throw new ResidualError('TRAINING_DIVERGED', e.message, { ...e.details, modelId });
    }
    if (status === 'cancelled' && !best) throw cancelled('Training');
    const notConverged = convergenceWarning({ status, epochs: history.length, maxEpochs: settings.epochs, bestEpoch: best?.epoch ?? null, validation: valIdx.length > 0 });
    if (notConverged) warnings.push(notConverged);
    // Early stopping and a cancel keep the best epoch (with its R² or r); otherwise the last weights, like the autoencoders.
    const keepBest = status === 'cancelled' || earlyStopping;
    if (keepBest) net.restore(best!.snapshot);
    const keptEpoch = keepBest ? best!.epoch : history.length;
    const kept = history[keptEpoch - 1]!;
    const keptLoss = kept.valLoss ?? kept.trainLoss!;

    const state: OneClassState = { center: net.centerValues, radius2: net.state.radius2, r: net.state.r, baseline: typicalInputs(train, n, pp) };
    const blob = oneClassBlob(arch, await net.kernelValues(), state);
    const scorer = OneClassScorer.fromBlob(arch, settings, blob);
    const summary = await trainingSummary(scorer, train, val, pp.features.length, dimOwners(pp));
    // Every training row scoring the same: the weight penalty won (OC-NN's output shrank to a constant, or Deep SVDD
    // mapped every row onto c), so the ranking would be noise.
    if (!(summary.train.std > 1e-7 * Math.max(1, Math.abs(summary.train.mean)))) {
      warnings.push(`Collapsed: every training row scores ${Number(summary.train.mean.toPrecision(4))}, so the ranking carries no information. ${kind === 'ocnn' ? 'Use the sigmoid activation (the paper\'s g) or' : 'Use'} fewer layers, pre-training or another learning rate.`);
    }
    const fit: OneClassFit = {
      ...(kind === 'deepsvdd' ? { centerNorm: Math.hypot(...scorer.state.center!) } : { r: scorer.state.r }),
      ...(kind === 'deepsvdd' && settings.objective === 'soft-boundary' ? { radius2: scorer.state.radius2 } : {}),
      baselineScore: scorer.baselineScore,
      ...(pretrainLoss !== null ? { pretrainLoss } : {}),
    };
    const base = record();
    const modelId = await store.write(() => insertModel(store, {
      ...base, architecture: { ...arch, oneClass: fit }, status,
      message: status === 'cancelled' ? `Cancelled after ${base.epochs} epoch${base.epochs === 1 ? '' : 's'}; kept epoch ${keptEpoch}.` : null,
      featureErrorMean: summary.featureMean, errorStats: { train: summary.train, validation: summary.validation },
      bestEpoch: keptEpoch, bestValLoss: keptLoss, weights: blob, weightsSha256: createHash('sha256').update(blob).digest('hex'),
    }));
    return {
      modelId, backend: backend.name, path: 'tfjs',
      pathReason: `the fused kernel has no ${kind === 'deepsvdd' ? 'Deep SVDD' : 'OC-NN'} objective: trained on TensorFlow.js (${backend.name}); scores and attributions in TypeScript`,
      status, epochs: base.epochs, bestEpoch: keptEpoch, bestValLoss: keptLoss, stoppedEarly, seconds: base.seconds, samplesPerSecond: base.samplesPerSecond, warnings,
    };
  } finally {
    dropBest();
    optimizer.dispose();
    net.dispose();
  }
}

/**
 * Score statistics of the training and validation rows (for thresholds), and each column's mean |attribution| over the
 * training rows (up to ATTRIBUTION_SAMPLE of them, evenly spaced): what the explanations divide by.
 */
export async function trainingSummary(
  scorer: OneClassScorer, train: Float32Array, val: Float32Array, columns: number, owners: Int32Array,
): Promise<{ featureMean: number[]; train: RowErrorStats; validation: RowErrorStats | null }> {
  const d = scorer.arch.inputDims;
  const n = train.length / d;
  const stats = (x: Float32Array): RowErrorStats => {
    const s = scorer.scores(x, x.length / d);
    let sum = 0;
    let sumSq = 0;
    for (const v of s) {
      sum += v;
      sumSq += v * v;
    }
    const mean = sum / s.length;
    return { count: s.length, mean, std: Math.sqrt(Math.max(0, sumSq / s.length - mean * mean)) };
  };
  const step = Math.max(1, Math.ceil(n / ATTRIBUTION_SAMPLE));
  const abs = new Float64Array(columns);
  let used = 0;
  const one = new Float32Array(d);
  for (let r = 0; r < n; r += step) {
    one.set(train.subarray(r * d, (r + 1) * d));
    const e = scorer.errors(one, 1, owners, columns, false);
    for (let c = 0; c < columns; c++) abs[c]! += Math.abs(e.feature[c]!);
    used++;
    if (used % 512 === 0) await yieldToEventLoop();
  }
  return { featureMean: Array.from(abs, (v) => v / Math.max(1, used)), train: stats(train), validation: val.length ? stats(val) : null };
}
