/**
 * Ensembles: the score normalisation and combination on hand-computed cases, the stored blob, stability figures,
 * and the whole path (train, score, explain, evaluate) on wdbc.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src-main/cli/main';
import type { Io } from '../../../src-main/cli/output';
import { explainRows, getModel, initBackend, readRowErrors, scoreDataset, trainModel } from '../../../src-main/core/engine';
import { combine, EnsembleScorer, ensembleBlob, normalisation, topOverlap } from '../../../src-main/core/engine/ensemble';
import { exportReport } from '../../../src-main/core/report';
import { ProjectStore } from '../../../src-main/core/store';
import { makeDataset } from '../../helpers/dataset';
import { tmpDir } from '../../helpers/tmp';
import { pdfText } from '../report/poppler';
import { manifoldColumns } from './helpers';

const dir = tmpDir();
const FIXTURES = path.resolve(import.meta.dirname, '..', '..', 'fixtures');
const softplus = (z: number): number => Math.log1p(Math.exp(z));

beforeAll(async () => {
  await initBackend('wasm');
});

describe('normalisation', () => {
  it('centres on the median and scales by the IQR as a normal σ (log first for networks)', () => {
    const s = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // median 5, quartiles 3 and 7 → IQR 4 → scale 4 × 0.7413
    const plain = normalisation(s, false);
    expect(plain.center).toBe(5);
    expect(plain.scale).toBeCloseTo(4 * 0.7413, 10);
    const logged = normalisation(Float32Array.from([Math.E, Math.E ** 2, Math.E ** 3]), true);
    expect(logged.center).toBeCloseTo(2, 6);
    expect(logged.scale).toBeCloseTo(1 * 0.7413, 6);
  });

  it('falls back to the standard deviation, then 1, when the IQR is 0', () => {
    const fallback = normalisation(Float32Array.from([0, 0, 0, 0, 0, 0, 0, 10]), false);
    expect(fallback.center).toBe(0);
    // mean 1.25, mean square 100 / 8 = 12.5 → σ = √(12.5 − 1.5625)
    expect(fallback.scale).toBeCloseTo(Math.sqrt(12.5 - 1.25 ** 2), 10);
    expect(normalisation(Float32Array.from([3, 3, 3]), false).scale).toBe(1);
  });
});

describe('combine', () => {
  it('averages the members’ softplus evidence, and splits it over columns by each member’s shares', () => {
    const states = [
      { log: false, center: 0, scale: 1 },
      { log: false, center: 1, scale: 2 },
    ];
    const parts = [
      { row: Float32Array.from([2, 0]), feature: Float32Array.from([3, 1, 0, 0]), recon: null },
      { row: Float32Array.from([5, 1]), feature: Float32Array.from([0, 4, 1, 1]), recon: null },
    ];
    const { row, feature } = combine(states, parts, 2, 2);
    const e00 = softplus(2) / 2;
    const e01 = softplus((5 - 1) / 2) / 2;
    expect(row[0]).toBeCloseTo(e00 + e01, 6);
    // Row 0: member 0 gives 3/4 to column 0 and 1/4 to column 1, member 1 everything to column 1.
    expect(feature[0]).toBeCloseTo(e00 * 0.75, 6);
    expect(feature[1]).toBeCloseTo(e00 * 0.25 + e01, 6);
    // Row 1: member 0 has no column errors at all: its evidence is spread evenly.
    const e10 = softplus(0) / 2;
    const e11 = softplus(0) / 2;
    expect(feature[2]).toBeCloseTo(e10 / 2 + e11 / 2, 6);
    expect(feature[2]! + feature[3]!).toBeCloseTo(row[1]!, 6);
  });

  it('is monotone in each member’s score', () => {
    const states = [{ log: true, center: 0, scale: 1 }, { log: false, center: 0.5, scale: 0.1 }];
    let last = -Infinity;
    for (const s of [0.01, 0.1, 1, 10, 100]) {
      const { row } = combine(states, [{ row: Float32Array.of(s), feature: Float32Array.of(1), recon: null }, { row: Float32Array.of(0.5), feature: Float32Array.of(1), recon: null }], 1, 1);
      expect(row[0]!).toBeGreaterThan(last);
      last = row[0]!;
    }
  });
});

describe('stability', () => {
  it('topOverlap: the mean pairwise share of a common top 1 % (at least 5 rows)', () => {
    const a = Float32Array.from({ length: 100 }, (_, i) => i);
    const b = Float32Array.from({ length: 100 }, (_, i) => (i >= 97 ? 200 - i : i));
    // top 5 of a: 95..99; of b: 97, 98, 99 lead (as 103, 102, 101), then 96, 95 → the same five rows
    expect(topOverlap([a, b])).toBe(1);
    const c = Float32Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(topOverlap([a, c])).toBe(0);
    expect(topOverlap([a])).toBeNull();
  });
});

describe('ensemble models', () => {
  it('trains, stores one blob that loads back, scores and explains every row', async () => {
    const store = ProjectStore.open(path.join(dir, 'e.residual'), { create: true });
    makeDataset(store, 'd', manifoldColumns(400, 8, 7, 20));
    const t = await trainModel(store, { dataset: 'd', settings: { kind: 'ensemble', members: ['ae', 'ae', 'iforest', 'ecod'], layers: [4, 2], epochs: 5 } });
    const model = getModel(store, t.modelId);
    expect(model.kind).toBe('ensemble');
    expect(model.architecture.summary).toBe('Ensemble: 2 × ae 8-4-2-4-8, IsolationForest, ECOD');
    expect(model.warnings.some((w) => /Stability across seeds: 2 × ae: \d+ % of their top 1 % agree/.test(w))).toBe(true);
    const s = await scoreDataset(store, { modelId: t.modelId, dataset: 'd' });
    const errors = readRowErrors(store, s.scoreId);
    expect(errors.every((e) => Number.isFinite(e) && e > 0)).toBe(true);
    // The 20 rows off the manifold stand out.
    const mean = (a: number, b: number): number => errors.subarray(a, b).reduce((x, y) => x + y, 0) / (b - a);
    expect(mean(0, 20)).toBeGreaterThan(2 * mean(20, 400));
    const [ex] = await explainRows(store, s.scoreId, [0], 3);
    expect(ex!.method).toMatch(/^Ensemble: each member's per-column shares/);
    expect(ex!.error).toBeCloseTo(errors[0]!, 4);
    // The report names what ranked the rows and lists the members, each with its seed and parameters.
    const out = path.join(dir, 'ensemble.pdf');
    await exportReport(store, { modelId: t.modelId, out });
    const text = pdfText(out).replace(/\s+/g, ' ');
    expect(text).toMatch(/400 rows ranked by an ensemble of two autoencoders of different seeds, an Isolation Forest and an ECOD detector, standardised and averaged/);
    // 8→4→2→4→8: (8·4 + 4) + (4·2 + 2) + (2·4 + 4) + (4·8 + 8) = 98 parameters per autoencoder.
    expect(text).toMatch(/Members Member Inputs Outputs Activation Parameters member 1: ae 4-2 \(seed 0\) 8 8 relu 98 member 2: ae 4-2 \(seed 1\) 8 8 relu 98 member 3: iforest \(seed 2\) 8 1 score 0 member 4: ecod \(seed 3\) 8 1 score 0 total/);
    expect(text).toMatch(/Parameters 196 /);
    store.close();
  });

  it('refuses a damaged blob plainly', () => {
    const good = ensembleBlob([{ state: { kind: 'ecod', seed: 0, architecture: { kind: 'ecod', inputDims: 1, layers: [], activation: 'relu', output: 'linear', summary: 'ecod', parameterCount: 0, variables: [] }, log: false, center: 0, scale: 1 }, blob: Uint8Array.from([1, 2, 3]) }]);
    const bad = Buffer.from(good.blob);
    bad[bad.length - 1] = 9;
    expect(() => EnsembleScorer.fromBlob(bad, () => { throw new Error('not reached'); })).toThrow(/stored ensemble is damaged/);
  });

  it('through the CLI: --kind ensemble --members, scored, evaluated', async () => {
    let out = '';
    const io: Io = { out: (t) => void (out += t), err: () => undefined, errIsTty: false };
    const p = path.join(dir, 'wdbc.residual');
    expect(await main(['import', path.join(FIXTURES, 'wdbc.csv'), '--project', p, '--label', 'diagnosis', '--positive', 'malignant', '--id', 'id'], io)).toBe(0);
    expect(await main(['train', '--project', p, '--kind', 'ensemble', '--members', 'ae,iforest,ecod', '--json'], io)).toBe(0);
    expect(await main(['score', '--project', p], io)).toBe(0);
    out = '';
    expect(await main(['eval', '--project', p, '--json'], io)).toBe(0);
    expect(JSON.parse(out).rocAuc).toBeGreaterThan(0.7);
    out = '';
    expect(await main(['train', '--project', p, '--kind', 'ensemble', '--members', 'ae'], io)).toBe(2);
  });
});
