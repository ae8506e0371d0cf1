import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { getModel, initBackend, proposeSettings, readRowErrors, scoreDataset, splitOf, trainModel, SPLIT_EXCLUDED, SPLIT_TRAIN, SPLIT_VALIDATION } from '../../../src-main/core/engine';
import type { TrainSettings } from '../../../src-main/core/engine';
import { Prng } from '../../../src-main/core/engine/prng';
import { makeSplit, sampleNote, sampleOf } from '../../../src-main/core/engine/split';
import { describeSettings, TRAIN_SAMPLE_ROWS } from '../../../src-main/core/engine/wizard';
import { ProjectStore } from '../../../src-main/core/store';
import { migrations } from '../../../src-main/core/store/migrations';
import { getSplitBlobs, getWeights } from '../../../src-main/core/store/models';
import { makeDataset } from '../../helpers/dataset';
import { tmpDir } from '../../helpers/tmp';
import { manifoldColumns } from './helpers';

/** Issue #15: large datasets train on a seeded uniform sample of rows (setting sampleRows), and every row is scored. */
const dir = tmpDir();
let n = 0;
function project(): ProjectStore {
  return ProjectStore.open(path.join(dir, `s${n++}.residual`), { create: true });
}
const count = (part: Uint8Array, which: number): number => part.reduce((k, p) => k + (p === which ? 1 : 0), 0);

beforeAll(async () => {
  await initBackend('cpu');
});

describe('makeSplit with a training sample', () => {
  it('keeps exactly sampleRows rows, seeded, spread over the whole dataset, and splits within them', () => {
    const rows = 10_000;
    const split = (seed: number, sampleRows: number): Uint8Array => makeSplit(rows, { kind: 'random', validation: 0.2, trainOn: 'all', sampleRows }, new Prng(seed));
    const a = split(7, 1000);
    expect(count(a, SPLIT_TRAIN) + count(a, SPLIT_VALIDATION)).toBe(1000);
    expect(count(a, SPLIT_VALIDATION)).toBe(200);
    expect(count(a, SPLIT_EXCLUDED)).toBe(9000);
    // Same seed, same sample and split; another seed, another sample.
    expect(Array.from(split(7, 1000))).toEqual(Array.from(a));
    expect(Array.from(split(8, 1000))).not.toEqual(Array.from(a));
    // Uniform, not the first rows: each tenth of the dataset holds about a tenth of the sample.
    for (let t = 0; t < 10; t++) {
      const inTenth = a.subarray(t * 1000, (t + 1) * 1000).reduce((k, p) => k + (p !== SPLIT_EXCLUDED ? 1 : 0), 0);
      expect(inTenth).toBeGreaterThan(60);
      expect(inTenth).toBeLessThan(140);
    }
  });

  it('draws nothing when the sample is 0 or no smaller than the candidates: the split of a run without one', () => {
    const plain = makeSplit(500, { kind: 'random', validation: 0.2, trainOn: 'all' }, new Prng(3));
    expect(Array.from(makeSplit(500, { kind: 'random', validation: 0.2, trainOn: 'all', sampleRows: 0 }, new Prng(3)))).toEqual(Array.from(plain));
    expect(Array.from(makeSplit(500, { kind: 'random', validation: 0.2, trainOn: 'all', sampleRows: 500 }, new Prng(3)))).toEqual(Array.from(plain));
    expect(count(plain, SPLIT_EXCLUDED)).toBe(0);
  });

  it('samples among the normal rows when training on normal rows only', () => {
    const labels = Float64Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 ? 1 : 0));
    const part = makeSplit(1000, { kind: 'random', validation: 0, trainOn: 'normal', labels, sampleRows: 300 }, new Prng(1));
    expect(count(part, SPLIT_TRAIN)).toBe(300);
    for (let i = 0; i < 1000; i += 10) expect(part[i]).toBe(SPLIT_EXCLUDED);
  });

  it('sampleOf returns k distinct rows in ascending order', () => {
    const rows = Int32Array.from({ length: 100 }, (_, i) => i * 3);
    const s = sampleOf(rows, 20, new Prng(5));
    expect(s.length).toBe(20);
    expect(new Set(s).size).toBe(20);
    expect(Array.from(s)).toEqual([...s].sort((x, y) => x - y));
    expect(s.every((r) => r % 3 === 0)).toBe(true);
  });

  it('notes the sample only when one was drawn', () => {
    expect(sampleNote(10_000_000, 1_000_000, 1_000_000)).toMatch(/sample of 1,000,000 of the 10,000,000 rows.*every row is scored/);
    expect(sampleNote(500, 500, 0)).toBeNull();
    expect(sampleNote(500, 500, 1000)).toBeNull();
  });
});

describe('the wizard proposes a training sample for large datasets', () => {
  it('a 1M-row sample for 10M rows (saying why), all rows up to 1M', () => {
    const store = project();
    const ds = makeDataset(store, 'd', manifoldColumns(300, 30, 1));
    store.close();
    const big = proposeSettings({ ...ds, rowCount: 10_000_000 });
    expect(big.settings.sampleRows).toBe(TRAIN_SAMPLE_ROWS);
    const why = big.rationale.find((r) => r.setting === 'sampleRows')!;
    expect(why.value).toBe(1_000_000);
    expect(why.why).toMatch(/10,000,000 rows: train on a seeded uniform sample of 1,000,000.*Every row is still scored/);
    // Batch and epochs follow the rows that train, not the dataset's.
    expect(big.settings.batchSize).toBe(256);
    const small = proposeSettings(ds);
    expect(small.settings.sampleRows).toBe(0);
    expect(small.rationale.find((r) => r.setting === 'sampleRows')!.why).toMatch(/Train on all 300 rows/);
    expect(proposeSettings({ ...ds, rowCount: TRAIN_SAMPLE_ROWS }).settings.sampleRows).toBe(0);
    // The Model section's live check counts the rows of the sample, not of the dataset.
    expect(describeSettings(ds, { ...small.settings, kind: 'ae', sampleRows: 50 }).warnings.join(' ')).toMatch(/Only 40 training rows/);
    expect(describeSettings(ds, { ...small.settings, kind: 'ae', sampleRows: 0 }).warnings.join(' ')).not.toMatch(/Only \d+ training rows: scores/);
  });
});

describe('training on a sample', () => {
  const quick: Partial<TrainSettings> = { kind: 'ae', scaler: 'standard', clip: 0, trim: 0, layers: [4, 2], epochs: 2, batchSize: 32, validation: 0.25, patience: 0, seed: 4 };

  it('trains on the seeded sample, states it in the run, repeats it for the seed, and scores every row', async () => {
    const store = project();
    makeDataset(store, 'd', manifoldColumns(1200, 6, 2));
    const a = await trainModel(store, { dataset: 'd', settings: { ...quick, sampleRows: 400 } });
    const m = getModel(store, a.modelId);
    expect(m.settings.sampleRows).toBe(400);
    expect(m.split).toEqual({ rows: 1200, train: 300, validation: 100, excluded: 800 });
    expect(m.warnings.join(' ')).toMatch(/sample of 400 of the 1,200 rows/);
    const b = await trainModel(store, { dataset: 'd', settings: { ...quick, sampleRows: 400 } });
    expect(Array.from(splitOf(store, b.modelId).part)).toEqual(Array.from(splitOf(store, a.modelId).part));
    // Every row scores, the 800 left out of training included.
    const s = await scoreDataset(store, { modelId: a.modelId });
    expect(s.rows).toBe(1200);
    const errors = readRowErrors(store, s.scoreId);
    expect(errors.length).toBe(1200);
    expect(errors.every((e) => Number.isFinite(e) && e >= 0)).toBe(true);
    // 0 = all rows: nothing excluded, no note.
    const all = getModel(store, (await trainModel(store, { dataset: 'd', settings: { ...quick, sampleRows: 0 } })).modelId);
    expect(all.split.excluded).toBe(0);
    expect(all.warnings.join(' ')).not.toMatch(/sample/);
    store.close();
  });

  it('an ensemble and a classical detector train on the sample too', async () => {
    const store = project();
    makeDataset(store, 'd', manifoldColumns(900, 5, 3));
    const ens = getModel(store, (await trainModel(store, { dataset: 'd', settings: { ...quick, kind: 'ensemble', members: ['ae', 'iforest'], sampleRows: 300 } })).modelId);
    expect(ens.split.train + ens.split.validation).toBe(300);
    expect(ens.warnings.join(' ')).toMatch(/sample of 300 of the 900 rows/);
    const ecod = getModel(store, (await trainModel(store, { dataset: 'd', settings: { kind: 'ecod', sampleRows: 200 } })).modelId);
    expect(ecod.split).toMatchObject({ train: 200, excluded: 700 });
    store.close();
  });
});

describe('residual train --sample-rows', () => {
  it('trains on the sample the flag asks for, says so, and 0 trains on all rows', async () => {
    const { cli } = await import('../../helpers/cli');
    const project = path.join(dir, 'cli.residual');
    const imported = await cli('import', path.join(import.meta.dirname, '..', '..', 'fixtures', 'glass.csv'), '--project', project);
    expect(imported.code, imported.err).toBe(0);
    const sampled = await cli('train', '--project', project, '--kind', 'ae', '--layers', '4,2', '--epochs', '1', '--sample-rows', '100');
    expect(sampled.code, sampled.err).toBe(0);
    expect(sampled.err).toMatch(/seeded uniform sample of that many \(--sample-rows; 0 = all rows\)/);
    const store = ProjectStore.open(project);
    try {
      const m = getModel(store, 1);
      expect(m.settings.sampleRows).toBe(100);
      expect(m.split.train + m.split.validation).toBe(100);
      expect(m.split.excluded).toBe(m.split.rows - 100);
    } finally {
      store.close();
    }
    const all = await cli('train', '--project', project, '--kind', 'ae', '--layers', '4,2', '--epochs', '1', '--sample-rows', '0', '--json');
    expect(all.code, all.err).toBe(0);
    expect((JSON.parse(all.out) as { settings: { sampleRows: number } }).settings.sampleRows).toBe(0);
    const bad = await cli('train', '--project', project, '--sample-rows', '-5');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--sample-rows/);
  });
});

describe('the split bitmaps and weights live beside the models table (migration 011)', () => {
  it('a new model keeps its bitmaps in model_splits, none in its models row', async () => {
    const store = project();
    makeDataset(store, 'd', manifoldColumns(300, 5, 4));
    const { modelId } = await trainModel(store, { dataset: 'd', settings: { kind: 'ae', layers: [3, 2], epochs: 1, validation: 0.2, seed: 1 } });
    expect(store.db.prepare('SELECT length(split_train) + length(split_val) AS n FROM models WHERE id = ?').get(modelId)).toEqual({ n: 0 });
    const b = getSplitBlobs(store, modelId);
    expect(b.train.length).toBe(Math.ceil(300 / 8));
    expect(splitOf(store, modelId)).toMatchObject({ train: 240, validation: 60 });
    // The weights too: beside the row, still checked against the hash in it.
    expect(store.db.prepare('SELECT weights IS NULL AS none FROM models WHERE id = ?').get(modelId)).toEqual({ none: 1 });
    expect(getWeights(store, modelId)!.length).toBeGreaterThan(0);
    store.close();
  });

  it('a project of schema 10 migrates: the bitmaps of each model move, unchanged', () => {
    const old = path.join(dir, 'schema10.residual');
    const db = new Database(old);
    db.pragma('foreign_keys = ON');
    for (const m of migrations.filter((x) => x.version <= 10)) {
      if (m.apply) m.apply(db);
      else db.exec(m.up);
      db.pragma(`user_version = ${m.version}`);
    }
    db.prepare("INSERT INTO models(name, kind, status, backend, seed, settings_json, preprocess_json, architecture_json, row_count, train_rows, val_rows, split_train, split_val, epochs, seconds, samples_per_second, weights, created_at) VALUES ('old', 'ae', 'complete', 'wasm', 0, '{}', '{}', '{}', 12, 9, 3, x'ff01', x'000e', 1, 0, 0, x'0a0b0c', 'now')").run();
    db.prepare("INSERT INTO models(name, kind, status, backend, seed, settings_json, preprocess_json, architecture_json, row_count, train_rows, val_rows, split_train, split_val, epochs, seconds, samples_per_second, created_at) VALUES ('failed', 'ae', 'failed', 'wasm', 0, '{}', '{}', '{}', 12, 9, 3, x'ff01', x'000e', 1, 0, 0, 'now')").run();
    db.close();
    const store = ProjectStore.open(old);
    try {
      expect(store.schemaVersion).toBeGreaterThanOrEqual(11);
      const b = getSplitBlobs(store, 1);
      expect([...b.train]).toEqual([0xff, 0x01]);
      expect([...b.val]).toEqual([0x00, 0x0e]);
      expect(store.db.prepare("SELECT length(split_train) AS n FROM models WHERE name = 'old'").get()).toEqual({ n: 0 });
      expect([...getWeights(store, 1)!]).toEqual([0x0a, 0x0b, 0x0c]);
      expect(getWeights(store, 2)).toBeNull();
      expect(store.db.pragma('foreign_key_check')).toEqual([]);
    } finally {
      store.close();
    }
  });
});
