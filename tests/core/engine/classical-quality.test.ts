/**
 * IsolationForest and ECOD through the engine (import → train → score), against ../shared/bench/reference.py's own
 * detectors (scikit-learn's IsolationForest, PyOD's ECOD formula) on the shared UCI fixtures. ECOD is deterministic:
 * the same scores up to float32 storage and the same ROC AUC. IsolationForest is random: our mean ROC AUC over seeds
 * 0–4 within 0.03 of scikit-learn's over its seeds 0–4. Skipped, with a message, where Debian's python3-sklearn,
 * python3-pandas (and numpy, scipy) are not installed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rocAuc } from '../../../src-main/core/analysis';
import { importDataset } from '../../../src-main/core/data';
import { explainRows, getModel, initBackend, readLabels, readRowErrors, scoreDataset, trainModel } from '../../../src-main/core/engine';
import { ProjectStore } from '../../../src-main/core/store';
import type { DatasetInfo } from '../../../src-main/core/store/types';
import { tmpDir } from '../../helpers/tmp';

const here = fileURLToPath(new URL('.', import.meta.url));
const fixtures = path.join(here, '..', '..', 'fixtures');
const REFERENCE = path.resolve(here, '..', '..', '..', '..', 'shared', 'bench', 'reference.py');
const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const SEEDS = 5;

function pythonReady(): string | null {
  if (!fs.existsSync(REFERENCE)) return `${REFERENCE} is absent`;
  try {
    execFileSync(PYTHON, ['-c', 'import sklearn, pandas, scipy, numpy'], { stdio: 'pipe' });
    return null;
  } catch {
    return `${PYTHON} lacks scikit-learn/pandas (apt-get install -y python3-sklearn python3-pandas)`;
  }
}
const missing = pythonReady();
if (missing) console.warn(`Skipping the comparisons with reference.py: ${missing}.`);

const FIXTURES = [
  { name: 'wdbc', label: 'diagnosis', positive: 'malignant', id: 'id' },
  { name: 'ionosphere', label: 'Class', positive: 'bad' },
  { name: 'pimaindiansdiabetes', label: 'diabetes', positive: 'pos' },
  { name: 'glass', label: 'Type', positive: '6' },
] as const;

interface Reference {
  runs: { iforest: { roc_auc: number }; ecod: { roc_auc: number } }[];
  ecod: number[];
}

describe.skipIf(missing !== null)('classical detectors against reference.py', () => {
  const dir = tmpDir('residual-classical-');
  let store: ProjectStore;
  const data = new Map<string, { ds: DatasetInfo; labels: Float64Array; ref: Reference }>();

  beforeAll(async () => {
    await initBackend('wasm');
    store = ProjectStore.open(path.join(dir, 'classical.residual'), { create: true });
    for (const f of FIXTURES) {
      const csv = path.join(fixtures, `${f.name}.csv`);
      const ds = (await importDataset(store, csv, { label: f.label, positive: f.positive, ...('id' in f ? { id: f.id } : {}) })).dataset;
      const out = execFileSync(PYTHON, [path.join(here, 'classical-reference.py'), REFERENCE, String(SEEDS), csv, f.label, f.positive, ...('id' in f ? ['--drop', f.id] : [])], { encoding: 'utf8' });
      data.set(f.name, { ds, labels: readLabels(store, ds)!, ref: JSON.parse(out) as Reference });
    }
  }, 120_000);
  afterAll(() => store?.close());

  async function scores(name: string, settings: Record<string, unknown>): Promise<{ modelId: number; scoreId: number; errors: Float32Array }> {
    const { ds } = data.get(name)!;
    const { modelId } = await trainModel(store, { dataset: ds.id, settings });
    const { scoreId } = await scoreDataset(store, { modelId });
    return { modelId, scoreId, errors: readRowErrors(store, scoreId) };
  }

  for (const f of FIXTURES) {
    it(`${f.name}: ECOD gives reference.py's scores and ROC AUC`, async () => {
      const { labels, ref } = data.get(f.name)!;
      const { modelId, errors } = await scores(f.name, { kind: 'ecod' });
      expect(getModel(store, modelId).architecture.summary).toMatch(/^ECOD: \d+ columns/);
      expect(errors.length).toBe(ref.ecod.length);
      let worst = 0;
      ref.ecod.forEach((v, i) => (worst = Math.max(worst, Math.abs(errors[i]! - v) / Math.max(1, Math.abs(v)))));
      expect(worst).toBeLessThan(1e-5);
      const auc = rocAuc(errors, labels);
      console.log(`${f.name} ECOD ROC AUC: ours ${auc.toFixed(6)}, reference.py ${ref.runs[0]!.ecod.roc_auc.toFixed(6)}`);
      expect(Math.abs(auc - ref.runs[0]!.ecod.roc_auc)).toBeLessThan(1e-6);
    });

    it(`${f.name}: IsolationForest's ROC AUC is scikit-learn's within seed noise`, async () => {
      const { labels, ref } = data.get(f.name)!;
      const ours: number[] = [];
      for (let seed = 0; seed < SEEDS; seed++) ours.push(rocAuc((await scores(f.name, { kind: 'iforest', seed })).errors, labels));
      const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
      const theirs = ref.runs.map((r) => r.iforest.roc_auc);
      console.log(`${f.name} IsolationForest ROC AUC over seeds 0–${SEEDS - 1}: ours ${mean(ours).toFixed(4)} (${ours.map((a) => a.toFixed(3)).join(' ')}), scikit-learn ${mean(theirs).toFixed(4)} (${theirs.map((a) => a.toFixed(3)).join(' ')})`);
      expect(Math.abs(mean(ours) - mean(theirs))).toBeLessThanOrEqual(0.03);
    }, 60_000);
  }

  it('explanations name the method, give the training median as expected value, and ECOD\'s contributions sum to the score', async () => {
    const { ds } = data.get('wdbc')!;
    for (const kind of ['ecod', 'iforest'] as const) {
      const { scoreId, errors } = await scores('wdbc', { kind });
      const top = errors.indexOf(Math.max(...errors));
      const [ex] = await explainRows(store, scoreId, [top], 100);
      expect(ex!.method).toMatch(kind === 'ecod' ? /^ECOD/ : /^IsolationForest/);
      expect(ex!.error).toBeCloseTo(errors[top]!, 5);
      expect(ex!.contributions.length).toBe(30);
      const total = ex!.contributions.reduce((s, c) => s + c.error, 0);
      if (kind === 'ecod') expect(total).toBeCloseTo(errors[top]!, 3);
      else expect(total).toBeCloseTo(1, 5);
      const radius = ex!.contributions.find((c) => c.column === 'mean radius')!;
      expect(typeof radius.actual).toBe('number');
      expect(radius.reconstructed).toBeCloseTo(13.37, 1); // wdbc's median mean radius
      expect(ds.rowCount).toBe(569);
    }
  }, 60_000);
});
