/**
 * Warnings where the analyst needs them (issue #17): a run that stopped at the epoch cap while its loss was still
 * falling says it did not converge; a threshold that flags more than half the rows says so in its explanation.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { thresholdFor } from '../../../src-main/core/analysis';
import { getModel, initBackend, trainModel } from '../../../src-main/core/engine';
import { convergenceWarning } from '../../../src-main/core/engine/train';
import { ProjectStore } from '../../../src-main/core/store';
import { makeDataset } from '../../helpers/dataset';
import { tmpDir } from '../../helpers/tmp';
import { manifoldColumns } from './helpers';

const NOT_CONVERGED = 'Not converged: the validation loss was still falling at the last epoch; train longer (more epochs).';

describe('convergenceWarning', () => {
  const run = { status: 'complete', epochs: 50, maxEpochs: 50, bestEpoch: 50, validation: true };
  it('warns when the run hit the epoch cap with its best epoch the last one', () => {
    expect(convergenceWarning(run)).toBe(NOT_CONVERGED);
    expect(convergenceWarning({ ...run, validation: false })).toMatch(/^Not converged: the training loss was still falling/);
  });
  it('is silent when the loss had stopped falling, training stopped early, or it was cancelled', () => {
    expect(convergenceWarning({ ...run, bestEpoch: 41 })).toBeNull();
    expect(convergenceWarning({ ...run, epochs: 30, bestEpoch: 30 })).toBeNull();
    expect(convergenceWarning({ ...run, status: 'cancelled' })).toBeNull();
    expect(convergenceWarning({ ...run, epochs: 1, maxEpochs: 1, bestEpoch: 1 })).toBeNull();
  });
});

describe('a short training run', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });
  it('stores the not-converged warning with the model (the run details and the model card show it)', async () => {
    const store = ProjectStore.open(path.join(tmpDir(), 'w.residual'), { create: true });
    try {
      makeDataset(store, 'd', manifoldColumns(300, 6, 1, 10));
      const settings = { kind: 'ae' as const, scaler: 'standard' as const, clip: 0, trim: 0, layers: [4, 2], epochs: 4, batchSize: 32, validation: 0.2, patience: 0, seed: 3 };
      const res = await trainModel(store, { dataset: 'd', settings });
      expect(res.bestEpoch).toBe(4);
      expect(res.warnings).toContain(NOT_CONVERGED);
      expect(getModel(store, res.modelId).warnings).toContain(NOT_CONVERGED);
      // With early stopping that ended the run before the cap, no such warning.
      const early = await trainModel(store, { dataset: 'd', settings: { ...settings, epochs: 200, learningRate: 0.05, patience: 2 } });
      if (early.stoppedEarly) expect(early.warnings).not.toContain(NOT_CONVERGED);
    } finally {
      store.close();
    }
  });
});

describe('a threshold that flags more than half the rows', () => {
  const scores = Array.from({ length: 100 }, (_v, i) => i);
  it('says so plainly in its explanation, whatever the method', () => {
    const manual = thresholdFor({ method: 'manual', value: 4 }, { fit: scores });
    expect(manual.alerts).toBe(96);
    expect(manual.why).toMatch(/It flags 96 % of the rows: too many to review; /);
    const budget = thresholdFor({ method: 'budget', alerts: 80 }, { fit: scores });
    expect(budget.why).toMatch(/flags 80 % of the rows: too many to review/);
    const pct = thresholdFor({ method: 'percentile', p: 10 }, { fit: scores });
    expect(pct.why).toMatch(/flags 90 % of the rows: too many to review/);
    const all = thresholdFor({ method: 'manual', value: -1 }, { fit: scores });
    expect(all.why).toMatch(/flags all of the rows: too many to review/);
  });
  it('adds nothing at half the rows or fewer', () => {
    expect(thresholdFor({ method: 'manual', value: 50 }, { fit: scores }).why).not.toMatch(/too many/);
    expect(thresholdFor({ method: 'sigma', k: 2 }, { fit: scores }).why).not.toMatch(/too many/);
  });
});
