import { STABILITY_PREFIX } from '../../contract/engine';
import { cancelled, ResidualError } from '../errors';
import type { ProjectStore } from '../store';
import { ClassicalDetector, isClassical } from './classical';
import { fitEcod } from './classical/ecod';
import { fitIsolationForest } from './classical/iforest';
import { typicalInputs } from './classical';
import { featureColumns } from './columns';
import { combine, ensembleArchitecture, ensembleBlob, normalisation, topOverlap, usesLog, type MemberKind, type MemberScorer, type MemberState } from './ensemble';
import { trainingPath } from './family';
import { buildMatrices, fitOnTrainingRows } from './matrix';
import { architecture, initialWeights } from './model';
import { dimOwners, loggedWarning } from './preprocess';
import { Prng } from './prng';
import { reconstructionErrors } from './recon';
import { insertModel } from './repo';
import { makeSplit, readLabels, rowsOf, sampleNote, toBitmap } from './split';
import { convergenceWarning, makeStepper, TrainingRun } from './train';
import { SPLIT_TRAIN, SPLIT_VALIDATION } from './types';
import type { Architecture, BackendInfo, HistoryEntry, JobOptions, TrainProgress, TrainRequest, TrainResult, TrainSettings } from './types';
import { yieldToEventLoop } from './util';

/** Rows per forward pass when scoring the training rows. */
const EVAL_BATCH = 4096;

/** A member's settings: the ensemble's, with its kind and its own seed (seed + position, so members differ). */
export function memberSettings(s: TrainSettings, kind: MemberKind, index: number): TrainSettings {
  // A member's score is its reconstruction error alone (the ensemble combines reconstruction evidence): a VAE's KL or
  // an AAE's prior term never joins it, on any scoring path (score.ts loadNetwork, recon.ts's withKl: false).
  return { ...s, kind, seed: (s.seed + index) % 2 ** 32, members: [], scoreWithKl: false, scoreWithPrior: false };
}

/**
 * Trains every member of an ensemble on the same split and inputs (one preprocessing, fitted on the training rows),
 * standardises each member's scores on the training rows, and stores the ensemble as one model. Progress runs over
 * the members in turn; a cancel stores nothing; a diverging member fails the ensemble with its message.
 */
export async function trainEnsemble(store: ProjectStore, request: TrainRequest, s: TrainSettings, backend: BackendInfo, opts: JobOptions<TrainProgress> = {}): Promise<TrainResult> {
  const kinds = s.members as readonly MemberKind[];
  if (kinds.length < 2) throw new ResidualError('BAD_INPUT', 'An ensemble needs at least two members, e.g. --members ae,ae,ae,iforest,ecod.', { field: 'members' });
  const ds = store.getDataset(request.dataset);
  const features = featureColumns(ds);
  const started = performance.now();
  const root = new Prng(s.seed);
  const splitRng = root.fork();
  const labels = s.trainOn === 'normal' ? readLabels(store, ds) : null;
  const tsCol = ds.columns.find((c) => c.role === 'timestamp');
  const timestamps = s.split === 'time' && tsCol ? (store.readRange(ds.id, tsCol, 0, ds.rowCount) as Float64Array) : null;
  const part = makeSplit(ds.rowCount, { kind: s.split, validation: s.validation, trainOn: s.trainOn, sampleRows: s.sampleRows, ...(labels ? { labels } : {}), ...(timestamps ? { timestamps } : {}) }, splitRng);
  const trainIdx = rowsOf(part, SPLIT_TRAIN);
  const valIdx = rowsOf(part, SPLIT_VALIDATION);
  if (trainIdx.length === 0) throw new ResidualError('BAD_INPUT', `No rows left to train on in "${ds.name}".`, { field: 'dataset' });
  const pp = fitOnTrainingRows(store, ds, features, trainIdx, s);
  const { train, val } = buildMatrices(store, ds, features, pp, part, trainIdx.length, valIdx.length);
  const d = pp.inputDims;
  const n = trainIdx.length;
  const owners = dimOwners(pp);
  const cols = pp.features.length;

  // Progress: each member's share of the whole, networks by their epoch budget, detectors as one step each.
  const budget = kinds.map((k) => (isClassical(k) ? 1 : Math.max(1, s.epochs)));
  const total = budget.reduce((a, b) => a + b, 0);
  let history: HistoryEntry[] = [];
  const members: { state: Omit<MemberState, 'bytes' | 'sha256'>; blob: Uint8Array; scorer: MemberScorer; dispose: () => void; train: Float32Array }[] = [];
  const rates: number[] = [];
  const warnings: string[] = [];
  const sampled = sampleNote(ds.rowCount, trainIdx.length + valIdx.length, s.sampleRows);
  if (sampled) warnings.push(sampled);
  try {
    for (let i = 0; i < kinds.length; i++) {
      if (opts.signal?.aborted) throw cancelled('Training');
      const kind = kinds[i]!;
      const ms = memberSettings(s, kind, i);
      const offset = budget.slice(0, i).reduce((a, b) => a + b, 0);
      const report = (done: number, p: Partial<TrainProgress> = {}): void => {
        const elapsed = (performance.now() - started) / 1000;
        const epoch = offset + done;
        opts.onProgress?.({
          epoch, epochs: total, trainLoss: p.trainLoss ?? NaN, valLoss: p.valLoss ?? null, samplesPerSecond: p.samplesPerSecond ?? 0,
          etaSeconds: epoch > 0 ? (elapsed / epoch) * (total - epoch) : 0, bestEpoch: p.bestEpoch ?? 0, bestLoss: p.bestLoss ?? NaN,
          elapsedSeconds: elapsed, tensors: p.tensors ?? 0, trainedRows: p.trainedRows ?? n,
        });
      };
      const memberRoot = new Prng(ms.seed);
      let scorer: MemberScorer;
      let dispose: () => void;
      let blob: Uint8Array;
      let arch: Architecture;
      if (isClassical(kind)) {
        // The same streams as a detector trained alone with this seed (split, then fit).
        memberRoot.fork();
        const fitRng = memberRoot.fork();
        if (kind === 'iforest') {
          const forest = await fitIsolationForest(train, n, d, fitRng, { onTree: async () => !(opts.signal?.aborted ?? false) });
          if (opts.signal?.aborted) throw cancelled('Training');
          scorer = ClassicalDetector.fit(kind, forest, null, typicalInputs(train, n, pp));
        } else {
          scorer = ClassicalDetector.fit(kind, null, fitEcod(train, n, d), typicalInputs(train, n, pp));
        }
        scorer.setFittedRows(new Uint8Array(n).fill(1));
        const detector = scorer;
        dispose = () => detector.dispose();
        ({ blob } = scorer.serialize());
        arch = { kind, inputDims: d, layers: [], activation: 'relu', output: 'linear', summary: kind, parameterCount: 0, variables: [] };
        report(1);
      } else {
        const [, initRng, shuffleRng, stepRng] = [memberRoot.fork(), memberRoot.fork(), memberRoot.fork(), memberRoot.fork()];
        arch = architecture({ kind, inputDims: d, layers: ms.layers, activation: ms.activation, loss: ms.loss });
        const net = makeStepper(trainingPath(arch, backend.name).path, arch, ms, initialWeights(arch, initRng));
        const run = new TrainingRun(net, ms, pp, train, val, shuffleRng, stepRng, started, {
          ...(opts.signal ? { signal: opts.signal } : {}),
          onProgress: (p) => report(p.epoch, p),
        });
        try {
          await run.fit();
          if (run.status === 'cancelled') throw cancelled('Training');
          if (run.earlyStopping) net.restore(run.best!.snapshot);
          const notConverged = convergenceWarning({ status: run.status, epochs: run.history.length, maxEpochs: ms.epochs, bestEpoch: run.best?.epoch ?? null, validation: val.length > 0 });
          if (notConverged) warnings.push(`${kind} member (seed ${ms.seed}): ${notConverged.charAt(0).toLowerCase()}${notConverged.slice(1)}`);
          // The first network's curve is the ensemble's training history.
          if (history.length === 0) history = run.history;
          rates.push(run.samplesPerSecond);
          ({ blob } = await net.serialize());
        } catch (e) {
          net.dispose();
          throw e;
        } finally {
          run.dispose();
        }
        scorer = net.net;
        dispose = () => net.dispose();
      }
      // The member's scores of the training rows: its standardisation, and the stability figures.
      const memberTrain = new Float32Array(n);
      for (let start = 0; start < n; start += EVAL_BATCH) {
        const m = Math.min(EVAL_BATCH, n - start);
        const e = await reconstructionErrors(scorer, train.subarray(start * d, (start + m) * d), m, owners, cols, { withKl: false, keepRecon: false, rows: start });
        memberTrain.set(e.row, start);
      }
      const log = usesLog(kind);
      members.push({ state: { kind, seed: ms.seed, architecture: arch, log, ...normalisation(memberTrain, log) }, blob, scorer, dispose, train: memberTrain });
      await yieldToEventLoop();
    }

    // The ensemble's own errors of the training and validation rows: thresholds and explanations normalise by them.
    const states = members.map((m) => m.state);
    const summarise = async (x: Float32Array, rowsOf: number, first: number): Promise<{ mean: number; std: number; featureMean: Float64Array }> => {
      let sum = 0;
      let sumSq = 0;
      const featureSum = new Float64Array(cols);
      for (let start = 0; start < rowsOf; start += EVAL_BATCH) {
        const m = Math.min(EVAL_BATCH, rowsOf - start);
        const parts = [];
        for (const member of members) {
          const e = await reconstructionErrors(member.scorer, x.subarray(start * d, (start + m) * d), m, owners, cols, { withKl: false, keepRecon: false, rows: first + start });
          parts.push({ row: Float32Array.from(e.row), feature: Float32Array.from(e.feature), recon: null });
        }
        const c = combine(states, parts, m, cols);
        for (let r = 0; r < m; r++) {
          sum += c.row[r]!;
          sumSq += c.row[r]! ** 2;
          for (let k = 0; k < cols; k++) featureSum[k]! += c.feature[r * cols + k]!;
        }
      }
      const mean = sum / Math.max(1, rowsOf);
      return { mean, std: Math.sqrt(Math.max(0, sumSq / Math.max(1, rowsOf) - mean * mean)), featureMean: featureSum.map((v) => v / Math.max(1, rowsOf)) };
    };
    const trainStats = await summarise(train, n, 0);
    // Validation rows were not fitted: ECOD counts them as new rows (no own-row flags beyond the training part).
    for (const m of members) if (m.scorer instanceof ClassicalDetector) m.scorer.setFittedRows(null);
    const valStats = valIdx.length ? await summarise(val, valIdx.length, n) : null;

    // Stability: how much members of the same kind agree on their top 1 % of the training rows.
    const byKind = new Map<MemberKind, Float32Array[]>();
    for (const m of members) byKind.set(m.state.kind, [...(byKind.get(m.state.kind) ?? []), m.train]);
    const stability: string[] = [];
    for (const [kind, scores] of byKind) {
      const overlap = topOverlap(scores);
      if (overlap === null) continue;
      const pct = Math.round(overlap * 100);
      stability.push(`${scores.length} × ${kind}: ${pct} % of their top 1 % agree`);
      if (overlap < 0.5) warnings.push(`Unstable: the ${scores.length} ${kind} members (seeds ${s.seed}…) agree on only ${pct} % of their top 1 % of the training rows; their average is steadier than any one, but treat single rankings with care.`);
    }
    if (stability.length) warnings.push(`${STABILITY_PREFIX} ${stability.join('; ')}.`);
    const logged = loggedWarning(pp);
    if (logged) warnings.push(logged);

    const arch = ensembleArchitecture(s.layers, s.activation, d, members.map((m) => ({ kind: m.state.kind, architecture: m.state.architecture })));
    const { blob, sha256 } = ensembleBlob(members.map((m) => ({ state: m.state, blob: m.blob })));
    const seconds = (performance.now() - started) / 1000;
    const samplesPerSecond = rates.length ? rates.reduce((a, b) => a + b, 0) / rates.length : n / Math.max(seconds, 1e-9);
    const modelId = await store.write(() =>
      insertModel(store, {
        name: request.name ?? `${arch.summary} on ${ds.name}`,
        datasetId: ds.id, status: 'complete', message: null, backend: backend.name, enginePath: null, settings: s, preprocessing: pp, architecture: arch,
        featureErrorMean: Array.from(trainStats.featureMean),
        errorStats: { train: { count: n, mean: trainStats.mean, std: trainStats.std }, validation: valStats ? { count: valIdx.length, mean: valStats.mean, std: valStats.std } : null },
        rowCount: ds.rowCount, trainRows: n, valRows: valIdx.length, splitTrain: toBitmap(part, SPLIT_TRAIN), splitVal: toBitmap(part, SPLIT_VALIDATION),
        epochs: history.length, bestEpoch: null, bestValLoss: null, seconds, samplesPerSecond, warnings, weights: blob, weightsSha256: sha256, history,
      }),
    );
    return {
      modelId, backend: backend.name, path: 'classical', pathReason: `${arch.summary}; members standardised and averaged`,
      status: 'complete', epochs: history.length, bestEpoch: 0, bestValLoss: NaN, stoppedEarly: false, seconds, samplesPerSecond, warnings,
    };
  } finally {
    for (const m of members) m.dispose();
  }
}
