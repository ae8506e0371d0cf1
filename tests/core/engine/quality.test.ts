import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { rocAuc } from '../../../src-main/core/analysis';
import { importDataset } from '../../../src-main/core/data';
import { initBackend, readLabels, readRowErrors, scoreDataset, trainModel } from '../../../src-main/core/engine';
import type { TrainSettings } from '../../../src-main/core/engine';
import { ProjectStore } from '../../../src-main/core/store';
import type { DatasetInfo } from '../../../src-main/core/store/types';
import { tmpDir } from '../../helpers/tmp';

/**
 * Quality against /work/shared/bench/reference.py (PyTorch AE 16,8, 30 epochs, batch 256, lr 1e-3, all
 * rows, no validation, no early stopping). One seed says little here: PyTorch's own AUC over seeds 0–89
 * has sd 0.081 on wdbc and 0.014 on ionosphere (its seed 0 gives 0.638 and 0.832). So ours is compared
 * over seeds 0–9 with PyTorch's 90-seed mean, allowing two standard errors of the difference.
 * Measured with: for s in 0..89: reference.py tests/fixtures/<f>.csv <label> <pos> [--drop id] --arch 16,8 --epochs 30 --batch 256 --seed s
 */
const TORCH_90_SEEDS = {
  wdbc: { mean: 0.6819, sd: 0.0812, iforest: 0.799 },
  ionosphere: { mean: 0.8155, sd: 0.0144, iforest: 0.858 },
} as const;
/** reference.py's AE at its default seed 0 (the figures in the issue). */
const TORCH_SEED0 = { wdbc: 0.638, ionosphere: 0.832 } as const;

const REFERENCE_SETTINGS: Partial<TrainSettings> = {
  kind: 'ae', layers: [16, 8], epochs: 30, batchSize: 256, learningRate: 1e-3, scaler: 'standard', log1p: 'none',
  validation: 0, patience: 0, trainOn: 'all',
};

const fixtures = fileURLToPath(new URL('../../fixtures', import.meta.url));
const dir = tmpDir();
let store: ProjectStore;
const data: Record<keyof typeof TORCH_90_SEEDS, { ds: DatasetInfo; labels: Float64Array }> = {} as never;

beforeAll(async () => {
  await initBackend('wasm');
  store = ProjectStore.open(path.join(dir, 'quality.residual'), { create: true });
  const wdbc = (await importDataset(store, path.join(fixtures, 'wdbc.csv'), { label: 'diagnosis', positive: 'malignant', id: 'id' })).dataset;
  const iono = (await importDataset(store, path.join(fixtures, 'ionosphere.csv'), { label: 'Class', positive: 'bad' })).dataset;
  data.wdbc = { ds: wdbc, labels: readLabels(store, wdbc)! };
  data.ionosphere = { ds: iono, labels: readLabels(store, iono)! };
  return () => store.close();
});

async function auc(name: keyof typeof data, settings: Partial<TrainSettings>): Promise<number> {
  const { ds, labels } = data[name];
  const { modelId } = await trainModel(store, { dataset: ds.id, settings });
  const { scoreId } = await scoreDataset(store, { modelId });
  return rocAuc(readRowErrors(store, scoreId), labels);
}

describe('ROC AUC on the benchmark fixtures (all rows, scored all rows)', () => {
  for (const name of ['wdbc', 'ionosphere'] as const) {
    it(`${name}: reference settings match the PyTorch AE`, async () => {
      const aucs: number[] = [];
      for (let seed = 0; seed < 10; seed++) aucs.push(await auc(name, { ...REFERENCE_SETTINGS, seed }));
      const mean = aucs.reduce((a, b) => a + b, 0) / aucs.length;
      const sd = Math.sqrt(aucs.reduce((a, b) => a + (b - mean) ** 2, 0) / aucs.length);
      const t = TORCH_90_SEEDS[name];
      const se = Math.sqrt(t.sd ** 2 / 90 + sd ** 2 / aucs.length);
      expect(mean).toBeGreaterThan(t.mean - 2 * se);
      expect(mean).toBeGreaterThan(0.6);
    });

    it(`${name}: the wizard's defaults beat the reference AE`, async () => {
      const a = await auc(name, { seed: 0 });
      expect(a).toBeGreaterThan(TORCH_SEED0[name]);
      if (name === 'ionosphere') expect(a).toBeGreaterThan(TORCH_90_SEEDS[name].iforest);
    });
  }
});
