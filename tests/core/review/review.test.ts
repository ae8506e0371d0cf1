import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { costOptimalThreshold, evaluate, featureErrorProfile } from '../../../src-main/core/analysis';
import { initBackend, readFeatureErrors, readRowErrors, scoreDataset, splitOf, SPLIT_VALIDATION, trainModel } from '../../../src-main/core/engine';
import { writeScoreChunk } from '../../../src-main/core/engine/repo';
import {
  activeThreshold,
  anomalyProfile,
  computeThreshold,
  effectiveThreshold,
  evaluateScore,
  knownLabels,
  listThresholds,
  resolveRow,
  saveThreshold,
  setVerdict,
  timeOrder,
} from '../../../src-main/core/review';
import { ProjectStore, type DatasetInfo } from '../../../src-main/core/store';
import { makeDataset } from '../../helpers/dataset';
import { tmpDir } from '../../helpers/tmp';

const N = 40;
const dir = tmpDir();
let store: ProjectStore;
let ds: DatasetInfo;
let scoreId: number;
/** Designed errors: row i scores i / 10, except the planted anomalies. */
const errors = Float32Array.from({ length: N }, (_v, i) => i / 10);
const labelled = new Set([3, 17, 30]);

beforeAll(async () => {
  await initBackend('cpu');
  store = ProjectStore.open(path.join(dir, 'review.residual'), { create: true });
  // Time runs backwards through the file, so time order is the reverse of file order.
  ds = makeDataset(store, 'txns', [
    { name: 'tx', role: 'id', values: Array.from({ length: N }, (_v, i) => `T${1000 + i}`) },
    { name: 'when', role: 'timestamp', values: Array.from({ length: N }, (_v, i) => Date.UTC(2026, 0, 1) + (N - i) * 60_000) },
    { name: 'amount', role: 'numeric', values: Array.from({ length: N }, (_v, i) => Math.sin(i) * 10 + 50) },
    { name: 'fee', role: 'numeric', values: Array.from({ length: N }, (_v, i) => Math.cos(i * 1.3) + 2) },
    { name: 'fraud', role: 'label', values: Array.from({ length: N }, (_v, i) => (labelled.has(i) ? 'yes' : 'no')), positiveValue: 'yes' },
  ]);
  await trainModel(store, { dataset: ds.id, settings: { layers: [2, 1], epochs: 3, batchSize: 8, validation: 0.25, seed: 1 } });
  scoreId = (await scoreDataset(store, { dataset: ds.id })).scoreId;
  // Replace the learned errors by designed ones, so every threshold below can be worked out by hand.
  store.transaction(() => {
    store.db.prepare("DELETE FROM score_chunks WHERE score_id = ? AND kind = 'row'").run(scoreId);
    writeScoreChunk(store, scoreId, 'row', 0, 0, N, errors);
  });
});

describe('verdicts', () => {
  it('override the label column: anomaly → 1, normal → 0, unsure → unknown; clearing restores the label', () => {
    expect(Array.from(knownLabels(store, ds)!).filter((l) => l === 1)).toHaveLength(3);
    setVerdict(store, ds, 3, 'normal', 'refund, not fraud');
    setVerdict(store, ds, 5, 'anomaly');
    setVerdict(store, ds, 6, 'unsure');
    const l = knownLabels(store, ds)!;
    expect([l[3], l[5], l[6], l[17]]).toEqual([0, 1, -1, 1]);
    expect(setVerdict(store, ds, 5, null, '')).toBeNull();
    expect(setVerdict(store, ds, 6, null)).toBeNull(); // no verdict and no note left: the row's entry goes
    expect(knownLabels(store, ds)![5]).toBe(0);
  });

  it('keep the note when only the verdict changes, and refuse rows outside the dataset', () => {
    expect(setVerdict(store, ds, 3, 'unsure')).toMatchObject({ verdict: 'unsure', note: 'refund, not fraud' });
    setVerdict(store, ds, 3, null, '');
    expect(() => setVerdict(store, ds, N, 'anomaly')).toThrow(/Row 41 is outside dataset "txns" \(rows 1–40\)/);
  });

  it('find rows by id value or by #N', () => {
    expect(resolveRow(store, ds, 'T1017')).toBe(17);
    expect(resolveRow(store, ds, '#18')).toBe(17);
    expect(() => resolveRow(store, ds, 'T9')).toThrow(/No row with tx = "T9"/);
  });
});

describe('thresholds on a score', () => {
  it('sigma defaults to the validation rows of the model split, counting alerts over all rows', () => {
    const part = splitOf(store, 1).part;
    const val = errors.filter((_e, i) => part[i] === SPLIT_VALIDATION);
    const mean = val.reduce((a, b) => a + b, 0) / val.length;
    const std = Math.sqrt(val.reduce((a, b) => a + (b - mean) ** 2, 0) / val.length);
    const r = computeThreshold(store, scoreId, { method: 'sigma' });
    expect(r.value).toBeCloseTo(mean + 2 * std, 5);
    expect(r.alerts).toBe(errors.filter((e) => e >= r.value).length);
    expect(r.why).toMatch(/validation/);
  });

  it('budget flags exactly the top N', () => {
    const r = computeThreshold(store, scoreId, { method: 'budget', alerts: 5 });
    expect(r.alerts).toBe(5);
    expect(r.value).toBeCloseTo(3.5, 6); // errors 3.9, 3.8, 3.7, 3.6, 3.5
  });

  it('cost-optimal with a tolerance works on rows in time order, not file order', () => {
    const order = timeOrder(store, ds);
    expect(order[0]).toBe(N - 1);
    const labels = knownLabels(store, ds)!;
    const want = costOptimalThreshold(Array.from(order, (i) => errors[i]!), Array.from(order, (i) => labels[i]!), { cAlarm: 1, cMissed: 5, tolerance: 2 });
    const got = computeThreshold(store, scoreId, { method: 'cost', tolerance: 2 });
    expect(got.value).toBe(want.value);
    expect(got.method === 'cost' && got.cost).toBe(want.cost);
  });

  it('saved thresholds become the active one; +∞ ("no alarms") survives storage', () => {
    const saved = saveThreshold(store, scoreId, { method: 'percentile', p: 90 });
    expect(activeThreshold(store, 1)?.id).toBe(saved.id);
    expect(effectiveThreshold(store, scoreId).result.value).toBe(saved.result.value);
    // With a missed anomaly costing less than a false alarm and anomalies scoring low, raising no alarm is best.
    const none = saveThreshold(store, scoreId, { method: 'cost', cAlarm: 100, cMissed: 1 });
    expect(none.result.value).toBe(Infinity);
    expect(listThresholds(store, 1).at(-1)!.result.value).toBe(Infinity);
    expect(effectiveThreshold(store, scoreId).result.alerts).toBe(0);
  });
});

describe('evaluation and the anomaly profile', () => {
  it('evaluates against labels with verdicts applied, at the given threshold', () => {
    setVerdict(store, ds, 39, 'anomaly');
    const labels = knownLabels(store, ds)!;
    const ev = evaluateScore(store, scoreId, { threshold: 3 });
    const want = evaluate(errors, labels, 3);
    expect(ev.rocAuc).toBeCloseTo(want.rocAuc, 12);
    expect(ev.confusion).toEqual(want.confusion);
    expect(ev.positives).toBe(4);
    expect(ev.rocCurve.length).toBeGreaterThan(1);
    setVerdict(store, ds, 39, null, '');
  });

  it('averages the per-column errors of the flagged rows, streamed in windows', () => {
    const threshold = 2.5;
    const flagged = Array.from(errors.keys()).filter((i) => errors[i]! >= threshold);
    const raw = readFeatureErrors(store, scoreId, 0, N);
    const want = featureErrorProfile(raw.values, raw.columns.length, flagged, [...raw.columns]);
    const got = anomalyProfile(store, scoreId, threshold, 7); // a window smaller than the data: chunks must add up
    expect(got.flagged).toBe(flagged.length);
    for (const w of want) expect(got.columns.find((c) => c.feature === w.feature)!.meanError).toBeCloseTo(w.meanError, 5);
    expect(readRowErrors(store, scoreId)).toEqual(errors);
  });

  it('names the missing columns when a model scores a dataset without them', async () => {
    const other = makeDataset(store, 'other', [{ name: 'a', role: 'numeric', values: Array.from({ length: 30 }, (_v, i) => i % 7) }]);
    await expect(scoreDataset(store, { modelId: 1, dataset: other.id })).rejects.toThrow(/amount/);
  });

  it('says what to do when nothing is labelled', async () => {
    const week = makeDataset(store, 'next week', [
      { name: 'amount', role: 'numeric', values: Array.from({ length: 30 }, (_v, i) => 40 + (i % 7)) },
      { name: 'fee', role: 'numeric', values: Array.from({ length: 30 }, (_v, i) => 2 + ((i * 3) % 5) / 10) },
    ]);
    const s = await scoreDataset(store, { modelId: 1, dataset: week.id });
    expect(() => evaluateScore(store, s.scoreId)).toThrow(/no labels and no verdicts.*--label/);
    // The model's stored threshold flags the new rows (the seeds' "raise an alarm above the threshold").
    expect(effectiveThreshold(store, s.scoreId).stored).not.toBeNull();
  });
});
