import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  getHistory,
  getModel,
  initBackend,
  listModels,
  readRowErrors,
  scoreDataset,
  splitOf,
  trainModel,
  SPLIT_EXCLUDED,
  SPLIT_TRAIN,
  SPLIT_VALIDATION,
} from '../../../src-main/core/engine';
import type { TrainProgress, TrainSettings } from '../../../src-main/core/engine';
import { ProjectStore } from '../../../src-main/core/store';
import { makeDataset } from '../../helpers/dataset';
import { tmpDir } from '../../helpers/tmp';
import { errorOf, manifoldColumns } from './helpers';

const dir = tmpDir();
let n = 0;
function project(): ProjectStore {
  return ProjectStore.open(path.join(dir, `p${n++}.residual`), { create: true });
}
const quick: Partial<TrainSettings> = { kind: 'ae', scaler: 'standard', clip: 0, trim: 0, layers: [4, 2], epochs: 5, batchSize: 32, validation: 0.2, patience: 0, seed: 3 };

/** Mean stored row error over one split part: the plain AE's MSE loss on those rows. */
function meanErrorOver(errors: Float32Array, part: Uint8Array, which: number): number {
  let s = 0;
  let k = 0;
  part.forEach((p, i) => {
    if (p === which) {
      s += errors[i]!;
      k++;
    }
  });
  return s / k;
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('trainModel', () => {
  it('trains, stores the model with history and split, and reports progress', async () => {
    const store = project();
    makeDataset(store, 'd', manifoldColumns(300, 6, 1, 10));
    const events: TrainProgress[] = [];
    const res = await trainModel(store, { dataset: 'd', settings: quick }, { onProgress: (p) => events.push(p) });
    expect(res.status).toBe('complete');
    expect(res.backend).toBe('wasm');
    expect([res.epochs, res.bestEpoch, res.stoppedEarly]).toEqual([5, 5, false]);
    expect(events.map((e) => e.epoch)).toEqual([1, 2, 3, 4, 5]);
    expect(events.every((e) => e.valLoss !== null && e.samplesPerSecond > 0 && e.epochs === 5)).toBe(true);
    expect(events[4]!.trainLoss).toBeLessThan(events[0]!.trainLoss);
    expect(events[4]!.etaSeconds).toBe(0);
    const m = getModel(store, res.modelId);
    expect(m.status).toBe('complete');
    expect(m.architecture.summary).toBe('6-4-2-4-6');
    expect(m.split).toEqual({ rows: 300, train: 240, validation: 60, excluded: 0 });
    expect(m.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(m.featureErrorMean).toHaveLength(6);
    expect(m.errorStats!.train.count).toBe(240);
    expect(m.settings.layers).toEqual([4, 2]);
    const history = getHistory(store, res.modelId);
    expect(history.map((h) => h.valLoss)).toEqual(events.map((e) => e.valLoss));
    const split = splitOf(store, res.modelId);
    expect([split.train, split.validation]).toEqual([240, 60]);
    expect(split.part.filter((p) => p === SPLIT_VALIDATION).length).toBe(60);
    expect(listModels(store)).toMatchObject([{ id: res.modelId, architecture: '6-4-2-4-6', status: 'complete' }]);
    store.close();
  });

  it('repeats exactly with the same seed (noise, dropout and VAE sampling included), and differs with another', async () => {
    const store = project();
    makeDataset(store, 'd', manifoldColumns(200, 5, 2));
    const run = async (kind: 'denoising' | 'vae', seed: number): Promise<{ sha: string; errors: Float32Array }> => {
      const r = await trainModel(store, { dataset: 'd', settings: { ...quick, kind, dropout: 0.2, seed, epochs: 3 } });
      const s = await scoreDataset(store, { modelId: r.modelId });
      return { sha: getModel(store, r.modelId).weightsSha256!, errors: readRowErrors(store, s.scoreId) };
    };
    for (const kind of ['denoising', 'vae'] as const) {
      const a = await run(kind, 11);
      const b = await run(kind, 11);
      const c = await run(kind, 12);
      expect(b.sha).toBe(a.sha);
      expect(Array.from(b.errors)).toEqual(Array.from(a.errors));
      expect(c.sha).not.toBe(a.sha);
    }
    store.close();
  });

  it('keeps memory flat across epochs and frees everything it made', async () => {
    const store = project();
    makeDataset(store, 'd', manifoldColumns(400, 8, 3));
    const before = tf.memory().numTensors;
    const counts: number[] = [];
    for (const kind of ['ae', 'vae'] as const) {
      counts.length = 0;
      await trainModel(store, { dataset: 'd', settings: { ...quick, kind, epochs: 6 } }, { onProgress: (p) => counts.push(p.tensors) });
      expect(new Set(counts).size).toBe(1);
    }
    expect(tf.memory().numTensors).toBe(before);
    store.close();
  });

  it('stops early and restores the best epoch, whose validation loss the stored weights reproduce', async () => {
    const store = project();
    makeDataset(store, 'd', manifoldColumns(300, 6, 4, 10));
    // A large learning rate makes the validation loss bounce, so patience 2 ends the run early.
    const res = await trainModel(store, { dataset: 'd', settings: { ...quick, learningRate: 0.05, epochs: 60, patience: 2, minDelta: 0 } });
    expect(res.stoppedEarly).toBe(true);
    const history = getHistory(store, res.modelId);
    expect(history).toHaveLength(res.bestEpoch + 2);
    const bestVal = Math.min(...history.map((h) => h.valLoss!));
    expect(history[res.bestEpoch - 1]!.valLoss).toBe(bestVal);
    expect(res.bestValLoss).toBeCloseTo(bestVal, 10);
    const s = await scoreDataset(store, { modelId: res.modelId });
    const valMean = meanErrorOver(readRowErrors(store, s.scoreId), splitOf(store, res.modelId).part, SPLIT_VALIDATION);
    expect(valMean).toBeCloseTo(bestVal, 4);
    store.close();
  });

  it('a cancel keeps the best-so-far weights as a cancelled model that can score', async () => {
    const store = project();
    makeDataset(store, 'd', manifoldColumns(300, 6, 5));
    const ac = new AbortController();
    const res = await trainModel(store, { dataset: 'd', settings: { ...quick, epochs: 50 } }, {
      signal: ac.signal,
      onProgress: (p) => {
        if (p.epoch === 3) ac.abort();
      },
    });
    expect(res.status).toBe('cancelled');
    expect(res.epochs).toBe(3);
    const m = getModel(store, res.modelId);
    expect(m.status).toBe('cancelled');
    expect(m.message).toMatch(/Cancelled after 3 epochs; kept epoch \d/);
    const history = getHistory(store, res.modelId);
    expect(res.bestValLoss).toBe(Math.min(...history.map((h) => h.valLoss!)));
    const s = await scoreDataset(store, { modelId: res.modelId });
    const valMean = meanErrorOver(readRowErrors(store, s.scoreId), splitOf(store, res.modelId).part, SPLIT_VALIDATION);
    expect(valMean).toBeCloseTo(res.bestValLoss, 4);
    store.close();
  });

  it('yields inside an epoch, so a timer-driven cancel stops it mid-epoch', async () => {
    const store = project();
    makeDataset(store, 'd', manifoldColumns(3000, 6, 14));
    const ac = new AbortController();
    const started: number[] = [];
    // Wide layers: 600 steps per epoch take far longer than 20 ms on either engine path (the fused kernel runs
    // 600 steps of the 6-4-2-4-6 network in about 5 ms), so the abort lands inside epoch 2.
    const res = await trainModel(store, { dataset: 'd', settings: { ...quick, layers: [256, 128], batchSize: 4, epochs: 3 } }, {
      signal: ac.signal,
      onProgress: (p) => {
        started.push(p.epoch);
        setTimeout(() => ac.abort(), 20);
      },
    });
    expect(started).toEqual([1]);
    expect([res.status, res.epochs, res.bestEpoch]).toEqual(['cancelled', 1, 1]);
    store.close();
  });

  it('a cancel before the first epoch ends stores nothing', async () => {
    const store = project();
    makeDataset(store, 'd', manifoldColumns(100, 4, 6));
    const ac = new AbortController();
    ac.abort();
    const e = await errorOf(trainModel(store, { dataset: 'd', settings: quick }, { signal: ac.signal }));
    expect(e.code).toBe('CANCELLED');
    expect(listModels(store)).toEqual([]);
    store.close();
  });

  it('a huge learning rate diverges: TRAINING_DIVERGED suggesting a lower rate, stored as failed', async () => {
    const store = project();
    makeDataset(store, 'd', manifoldColumns(200, 6, 7));
    const e = await errorOf(trainModel(store, { dataset: 'd', settings: { ...quick, learningRate: 1e6, epochs: 30 } }));
    expect(e.code).toBe('TRAINING_DIVERGED');
    expect(e.message).toMatch(/learning rate 1000000\. Try a lower learning rate, e\.g\. --lr 100000/);
    const m = getModel(store, e.details.modelId as number);
    expect([m.status, m.message, m.weightsSha256]).toEqual(['failed', e.message, null]);
    expect((await errorOf(scoreDataset(store, { modelId: m.id }))).message).toMatch(/failed to train/);
    store.close();
  });

  it('infinite input values diverge too, naming the column', async () => {
    const store = project();
    const cols = manifoldColumns(100, 3, 8);
    const bad = [...(cols[1]!.values as number[])];
    bad[17] = Infinity;
    makeDataset(store, 'd', [cols[0]!, { ...cols[1]!, values: bad }, cols[2]!]);
    const e = await errorOf(trainModel(store, { dataset: 'd', settings: { ...quick, validation: 0 } }));
    expect(e.code).toBe('TRAINING_DIVERGED');
    expect(e.message).toMatch(/"x1" has infinite values/);
    store.close();
  });

  it('trains every kind and loss', async () => {
    const store = project();
    makeDataset(store, 'd', manifoldColumns(200, 6, 9));
    for (const settings of [{ kind: 'sparse' }, { kind: 'denoising', noiseStd: 0.2 }, { kind: 'vae', beta: 0.5, scoreWithKl: true }, { loss: 'bce', scaler: 'minmax' }] as const) {
      const res = await trainModel(store, { dataset: 'd', settings: { ...quick, ...settings } });
      const m = getModel(store, res.modelId);
      const h = getHistory(store, res.modelId);
      expect(h[h.length - 1]!.trainLoss!).toBeLessThan(h[0]!.trainLoss!);
      if ('loss' in settings) expect([m.settings.scaler, m.architecture.output]).toEqual(['minmax', 'sigmoid']);
      const s = await scoreDataset(store, { modelId: res.modelId });
      expect(readRowErrors(store, s.scoreId).every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
    }
    store.close();
  });

  it("trainOn 'normal' leaves labelled anomalies out of training and validation", async () => {
    const store = project();
    makeDataset(store, 'd', manifoldColumns(200, 4, 10, 15));
    const res = await trainModel(store, { dataset: 'd', settings: { ...quick, trainOn: 'normal' } });
    const split = splitOf(store, res.modelId);
    for (let i = 0; i < 15; i++) expect(split.part[i]).toBe(SPLIT_EXCLUDED);
    expect([split.train, split.validation]).toEqual([148, 37]);
    expect(getModel(store, res.modelId).split.excluded).toBe(15);
    store.close();
  });

  it("split 'time' validates on the latest rows", async () => {
    const store = project();
    const cols = manifoldColumns(100, 3, 11);
    // Times run backwards through the file: the first 20 rows are the latest.
    const ts = Array.from({ length: 100 }, (_, i) => Date.UTC(2024, 0, 1) + (100 - i) * 60_000);
    makeDataset(store, 'd', [...cols, { name: 'when', role: 'timestamp', values: ts }]);
    const res = await trainModel(store, { dataset: 'd', settings: { ...quick, split: 'time' } });
    const part = splitOf(store, res.modelId).part;
    expect(Array.from(part.subarray(0, 20)).every((p) => p === SPLIT_VALIDATION)).toBe(true);
    expect(Array.from(part.subarray(20)).every((p) => p === SPLIT_TRAIN)).toBe(true);
    expect(getModel(store, res.modelId).preprocessing.features.map((f) => f.name)).toEqual(['x0', 'x1', 'x2']);
    store.close();
  });

  it('refuses settings that cannot work, naming the setting', async () => {
    const store = project();
    makeDataset(store, 'd', manifoldColumns(60, 3, 12));
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ lyers: [4, 2] }, /lyers/],
      [{ layers: [4, 0] }, /layers/],
      [{ validation: 1 }, /validation/],
      [{ loss: 'bce', scaler: 'robust' }, /scaler minmax/],
      [{ trainOn: 'normal' }, /needs a label column/],
      [{ split: 'time' }, /needs a timestamp column/],
      [{ log1p: ['nope'] }, /"nope"/],
    ];
    for (const [settings, re] of cases) {
      const e = await errorOf(trainModel(store, { dataset: 'd', settings: settings as Partial<TrainSettings> }));
      expect(e.code).toBe('BAD_INPUT');
      expect(e.message).toMatch(re);
    }
    expect(listModels(store)).toEqual([]);
    store.close();
  });

  it('warns when the bottleneck is not narrower than the input', async () => {
    const store = project();
    makeDataset(store, 'd', manifoldColumns(100, 3, 13));
    const res = await trainModel(store, { dataset: 'd', settings: { ...quick, layers: [4, 3], epochs: 1 } });
    expect(res.warnings.join(' ')).toMatch(/bottleneck \(3\) is not narrower than the input \(3 dims\)/);
    store.close();
  });
});
