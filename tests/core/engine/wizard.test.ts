import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { proposeSettings } from '../../../src-main/core/engine';
import { parseOverrides } from '../../../src-main/core/engine/settings';
import { describeSettings, estimateInputDims } from '../../../src-main/core/engine/wizard';
import { ProjectStore } from '../../../src-main/core/store';
import { makeDataset, type TestColumn } from '../../helpers/dataset';
import { tmpDir } from '../../helpers/tmp';
import { manifoldColumns } from './helpers';

const dir = tmpDir();
let n = 0;
function dataset(columns: TestColumn[]) {
  const store = ProjectStore.open(path.join(dir, `w${n++}.residual`), { create: true });
  const ds = makeDataset(store, 'd', columns);
  store.close();
  return ds;
}

describe('proposeSettings', () => {
  it('gives 30 inputs the reference shape and small data small batches, more epochs and early stopping', () => {
    const p = proposeSettings(dataset(manifoldColumns(569, 30, 1, 20)));
    expect(p.inputDims).toBe(30);
    expect(p.settings.layers).toEqual([16, 8]);
    expect(p.settings.batchSize).toBe(16);
    expect(p.settings.epochs).toBeGreaterThan(50);
    expect([p.settings.validation, p.settings.patience, p.settings.trainOn, p.settings.split]).toEqual([0.2, 10, 'all', 'random']);
    expect(p.parameterCount).toBe(1286);
    expect(p.rationale.find((r) => r.setting === 'trainOn')!.why).toMatch(/even though a label exists/);
    // One line per choice.
    expect(new Set(p.rationale.map((r) => r.setting)).size).toBe(p.rationale.length);
    expect(p.rationale.every((r) => r.why.length > 0 && !r.why.includes('\n'))).toBe(true);
  });

  it('counts one-hot and indicator dims, and validates on the latest rows when there is a timestamp', () => {
    const rows = 5000;
    const cols: TestColumn[] = [
      { name: 'amount', role: 'numeric', values: Array.from({ length: rows }, (_, i) => (i % 10 === 0 ? NaN : i)) },
      { name: 'shop', role: 'categorical', values: Array.from({ length: rows }, (_, i) => `s${i % 50}`) },
      { name: 'kind', role: 'categorical', values: Array.from({ length: rows }, (_, i) => (i % 3 ? 'a' : null)) },
      { name: 'when', role: 'timestamp', values: Array.from({ length: rows }, (_, i) => i * 1000) },
      { name: 'note', role: 'ignored', values: Array.from({ length: rows }, () => 'x') },
    ];
    const ds = dataset(cols);
    // amount 1 + indicator, shop 20 + other, kind a/(missing) + other
    expect(estimateInputDims(ds.columns.filter((c) => c.role === 'numeric' || c.role === 'categorical'), 20)).toBe(2 + 21 + 3);
    const p = proposeSettings(ds);
    expect(p.inputDims).toBe(26);
    expect(p.settings.split).toBe('time');
    expect(p.settings.batchSize).toBe(128);
    expect(p.rationale.find((r) => r.setting === 'missingIndicators')!.why).toMatch(/1 numeric column has missing values/);
    expect(p.warnings.join(' ')).toMatch(/No label column/);
  });

  it('names heavy-tailed columns and warns about too few rows', () => {
    const heavy = Array.from({ length: 40 }, (_, i) => (i === 0 ? 1e6 : i));
    const p = proposeSettings(dataset([{ name: 'bytes', role: 'numeric', values: heavy }, ...manifoldColumns(40, 12, 2)]));
    expect(p.rationale.find((r) => r.setting === 'log1p')!.why).toMatch(/likely: bytes/);
    expect(p.settings.validation).toBe(0);
    expect(p.settings.patience).toBe(0);
    expect(p.warnings).toContain('Only 40 training rows: scores will be noisy.');
  });

  it('proposes no more parameters than the training rows hold values, so its own check does not call it a memoriser', () => {
    // 12 rows × 40 inputs = 480 values: the usual 16-9 (1,649 parameters per network) would exceed them.
    const ds = dataset(manifoldColumns(12, 40, 3));
    const p = proposeSettings(ds);
    expect(p.inputDims).toBe(40);
    expect(p.settings.layers).toEqual([5]);
    expect(p.parameterCount).toBe(445);
    expect(p.rationale.find((r) => r.setting === 'layers')!.why).toMatch(/16-9 would be usual for 40 inputs, but its 1,649 parameters per network could memorise the 480 values 12 training rows hold/);
    expect(p.warnings.join(' ')).not.toMatch(/memorise/);
    expect(describeSettings(ds, p.settings).warnings.join(' ')).not.toMatch(/memorise/);
    // The check says whose count it is (one member of the ensemble; the box shows all members'), in the app's number format.
    const wide = describeSettings(ds, { ...p.settings, layers: [16, 9] });
    expect(wide.parameterCount).toBe(3 * 1649);
    expect(wide.warnings).toContain('Only 12 training rows × 40 model inputs (480 values) for 1,649 parameters per network member: the network can memorise rows. Use narrower layers or more data.');
    const ae = describeSettings(ds, { ...p.settings, kind: 'ae', layers: [16, 9] });
    expect(ae.parameterCount).toBe(1649);
    expect(ae.warnings).toContain('Only 12 training rows × 40 model inputs (480 values) for 1,649 parameters: the network can memorise rows. Use narrower layers or more data.');
    // Deep SVDD: its own count (no biases), the one its box shows.
    const svdd = describeSettings(ds, { ...p.settings, kind: 'deepsvdd', layers: [16, 9] });
    expect(svdd.warnings.join(' ')).toContain(`(480 values) for ${svdd.parameterCount.toLocaleString('en-US')} parameters:`);
  });

  it('keeps the data warnings apart from the shape warnings the settings check gives', () => {
    const p = proposeSettings(dataset(manifoldColumns(300, 10, 4)));
    expect(p.dataWarnings).toEqual(['No label column: quality (ROC AUC) cannot be measured, only the ranking reviewed.']);
    expect(p.warnings).toEqual(expect.arrayContaining([...p.dataWarnings]));
  });

  it('warns when a single input leaves no room for a narrower bottleneck', () => {
    const p = proposeSettings(dataset([{ name: 'x', role: 'numeric', values: [1, 2, 3, 4] }]));
    expect(p.settings.layers).toEqual([1]);
    expect(p.warnings.join(' ')).toMatch(/bottleneck \(1\) is not narrower than the input \(1 dims\)/);
  });
});

describe('parseOverrides', () => {
  it('accepts partial settings and names what is wrong', () => {
    expect(parseOverrides({ layers: [8, 4], learningRate: 1e-4 })).toEqual({ layers: [8, 4], learningRate: 1e-4 });
    expect(() => parseOverrides({ epochs: 0 })).toThrow(/epochs/);
    expect(() => parseOverrides({ kind: 'gan' })).toThrow(/kind/);
    expect(() => parseOverrides({ dropout: 1 })).toThrow(/dropout/);
  });
});
