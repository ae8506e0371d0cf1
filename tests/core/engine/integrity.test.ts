/**
 * Issue #18: what a project holds is checked when it is read back (model weights against their stored SHA-256,
 * column and score chunks against the rows they must hold), and a network too big for the machine is refused
 * before anything is allocated.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, readFeatureErrors, readRowErrors, scoreDataset, trainModel } from '../../../src-main/core/engine';
import type { TrainSettings } from '../../../src-main/core/engine';
import { getWeights } from '../../../src-main/core/engine/repo';
import { checkNetworkSize, MAX_PARAMETERS, maxParameters, resolveSettings } from '../../../src-main/core/engine/settings';
import { describeSettings } from '../../../src-main/core/engine/wizard';
import { ResidualError } from '../../../src-main/core/errors';
import { ProjectStore, readRows } from '../../../src-main/core/store';
import { makeDataset } from '../../helpers/dataset';
import { tmpDir } from '../../helpers/tmp';
import { errorOf, manifoldColumns } from './helpers';

const dir = tmpDir();
let n = 0;
function project(): ProjectStore {
  return ProjectStore.open(path.join(dir, `p${n++}.residual`), { create: true });
}
const quick: Partial<TrainSettings> = { kind: 'ae', scaler: 'standard', clip: 0, trim: 0, layers: [4, 2], epochs: 2, batchSize: 32, validation: 0.2, patience: 0, seed: 3 };

function thrown(fn: () => unknown): ResidualError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ResidualError) return e;
    throw e;
  }
  throw new Error('expected a ResidualError');
}

beforeAll(async () => {
  await initBackend('wasm');
});

describe('network size cap', () => {
  it('refuses layers 65536,65536 on a small dataset, naming the parameters, the memory and the cap', () => {
    const store = project();
    const ds = makeDataset(store, 'small', manifoldColumns(200, 6));
    const params = describeSettings(ds, { ...resolveSettings(ds, {}).settings, layers: [65536, 65536] }).parameterCount;
    expect(params).toBeGreaterThan(4e9);
    const e = thrown(() => resolveSettings(ds, { layers: [65536, 65536] }));
    expect(e.code).toBe('BAD_INPUT');
    expect(e.details.field).toBe('layers');
    expect(e.details.parameterCount).toBe(params);
    expect(e.details.bytes).toBe(params * 16);
    expect(e.message).toContain(`${params.toLocaleString('en-US')} parameters`);
    expect(e.message).toMatch(/needs about \d+ GB of memory/);
    expect(e.message).toMatch(/over the cap of [\d,]+ parameters/);
    expect(e.message).toMatch(/Use narrower or fewer layers/);
    store.close();
  });

  it('refuses it in training too, before anything is stored', async () => {
    const store = project();
    makeDataset(store, 'small', manifoldColumns(200, 6));
    const e = await errorOf(trainModel(store, { dataset: 'small', settings: { ...quick, layers: [65536, 65536] } }));
    expect(e.code).toBe('BAD_INPUT');
    expect(e.details.field).toBe('layers');
    expect((store.db.prepare('SELECT count(*) AS n FROM models').get() as { n: number }).n).toBe(0);
    store.close();
  });

  it('lets a normal network through, and caps by a quarter of the memory on a small machine', () => {
    const store = project();
    const ds = makeDataset(store, 'small', manifoldColumns(200, 6));
    expect(resolveSettings(ds, { layers: [256, 128] }).settings.layers).toEqual([256, 128]);
    expect(maxParameters(1e12)).toBe(MAX_PARAMETERS);
    expect(maxParameters(1e9)).toBe(15_625_000); // 250 MB of training state at 16 bytes per parameter
    expect(() => checkNetworkSize({ parameterCount: 15_625_000, architecture: 'a' }, undefined, 1e9)).not.toThrow();
    const e = thrown(() => checkNetworkSize({ parameterCount: 20_000_000, architecture: '6-5000-4000-5000-6' }, [16, 8], 1e9));
    expect(e.message).toMatch(/6-5000-4000-5000-6 has 20,000,000 parameters; training it needs about 320 MB of memory .* cap of 15,625,000 parameters \(250 MB\) .*\(the wizard proposes 16,8 for this data\)/);
    store.close();
  });
});

describe('integrity of stored weights and chunks', () => {
  async function trained(chunkRows?: number): Promise<{ store: ProjectStore; modelId: number; scoreId: number }> {
    const store = project();
    const cols = [...manifoldColumns(300, 5, 2, 6), { name: 'shop', role: 'categorical' as const, values: Array.from({ length: 300 }, (_v, i) => ['a', 'b', 'c'][i % 3]!) }];
    makeDataset(store, 'd', cols, chunkRows ? { chunkRows } : {});
    const { modelId } = await trainModel(store, { dataset: 'd', settings: quick });
    const { scoreId } = await scoreDataset(store, { modelId });
    return { store, modelId, scoreId };
  }

  it('an intact project loads, scores and reads back', async () => {
    const { store, modelId } = await trained(128);
    expect(getWeights(store, modelId)!.byteLength).toBeGreaterThan(0);
    // Scoring again loads the stored weights (and replaces the first score).
    const { scoreId, rows } = await scoreDataset(store, { modelId });
    expect(rows).toBe(300);
    expect(readRowErrors(store, scoreId)).toHaveLength(300);
    expect(readFeatureErrors(store, scoreId, 0, 300).values).toHaveLength(300 * 6);
    const ds = store.getDataset('d');
    expect(store.readColumn('d', 'x0')).toHaveLength(300);
    expect(store.readColumn('d', 'shop')).toHaveLength(300);
    expect([...store.iterateColumn(ds.id, 0, 'f64')].map((c) => c.rowStart)).toEqual([0, 128, 256]);
    expect(readRows(store, ds, [0, 150, 299])).toHaveLength(3);
    store.close();
  });

  it('corrupt weights: BAD_FILE with the checksum message when scoring', async () => {
    const { store, modelId } = await trained();
    const blob = Buffer.from(getWeights(store, modelId)!);
    blob[5] = blob[5]! ^ 0xff;
    store.db.prepare('UPDATE model_weights SET weights = ? WHERE model_id = ?').run(blob, modelId);
    const e = await errorOf(scoreDataset(store, { modelId }));
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toBe(`Model #${modelId}'s weights in ${store.path} are corrupt (checksum mismatch): retrain the model or restore the project from a backup.`);
    expect(e.details.file).toBe(store.path);
    store.close();
  });

  it('a truncated weights blob is caught by the checksum too', async () => {
    const { store, modelId } = await trained();
    store.db.prepare('UPDATE model_weights SET weights = substr(weights, 1, 10) WHERE model_id = ?').run(modelId);
    expect(thrown(() => getWeights(store, modelId)).message).toMatch(/corrupt \(checksum mismatch\)/);
    store.close();
  });

  it('a numeric chunk truncated to 10 bytes: training and reading fail with BAD_FILE naming dataset, column and chunk', async () => {
    const store = project();
    const ds = makeDataset(store, 'sensors', manifoldColumns(300, 5, 2));
    store.db.prepare('UPDATE column_chunks SET data = substr(data, 1, 10) WHERE dataset_id = ? AND column_idx = 2 AND chunk_idx = 0').run(ds.id);
    const want = `Dataset "sensors" in ${store.path} is corrupt: column "x2", chunk 0 holds 10 bytes where 2,400 were expected. Re-import the data or restore the project from a backup.`;
    const e = await errorOf(trainModel(store, { dataset: 'sensors', settings: quick }));
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toBe(want);
    expect(e.details).toMatchObject({ file: store.path, dataset: 'sensors', column: 'x2', chunk: 0 });
    expect(thrown(() => store.readColumn('sensors', 'x2')).message).toBe(want);
    expect(thrown(() => [...store.iterateColumn(ds.id, 2, 'f64')]).message).toBe(want);
    expect(thrown(() => readRows(store, ds, [3]))).toBeInstanceOf(ResidualError);
    store.close();
  });

  it('names the chunk in the size the dataset gives it (65,536 rows → 524,288 bytes)', () => {
    const store = project();
    const ds = makeDataset(store, 'big', [{ name: 'v', role: 'numeric', values: new Float64Array(70_000).map((_v, i) => i) }]);
    store.db.prepare('UPDATE column_chunks SET data = substr(data, 1, 10) WHERE dataset_id = ? AND chunk_idx = 0').run(ds.id);
    expect(thrown(() => store.readColumn('big', 'v')).message).toBe(
      `Dataset "big" in ${store.path} is corrupt: column "v", chunk 0 holds 10 bytes where 524,288 were expected. Re-import the data or restore the project from a backup.`,
    );
    // Rows of the intact second chunk still read.
    expect(Array.from(store.readRange(ds.id, ds.columns[0]!, 65_536, 65_538) as Float64Array)).toEqual([65_536, 65_537]);
    store.close();
  });

  it('a chunk whose row count was changed, a missing chunk and a damaged text chunk are caught', () => {
    const store = project();
    const ds = makeDataset(store, 'd', [...manifoldColumns(300, 2, 2), { name: 'tag', role: 'categorical', values: Array.from({ length: 300 }, (_v, i) => `t${i % 4}`) }], { chunkRows: 128 });
    const x0 = ds.columns[0]!;
    store.db.prepare('UPDATE column_chunks SET row_count = 10 WHERE dataset_id = ? AND column_idx = 0 AND chunk_idx = 1').run(ds.id);
    expect(thrown(() => store.readRange(ds.id, x0, 0, 300)).message).toMatch(/column "x0", chunk 1 claims 10 rows from row 129 where 128 rows from row 129 were expected/);
    store.db.prepare('DELETE FROM column_chunks WHERE dataset_id = ? AND column_idx = 1 AND chunk_idx = 2').run(ds.id);
    expect(thrown(() => store.readColumn('d', 'x1')).message).toMatch(/column "x1", chunk 2 is missing/);
    expect(thrown(() => [...store.iterateColumn(ds.id, 1, 'f64')]).message).toMatch(/column "x1", chunk 2 is missing/);
    store.db.prepare('UPDATE column_chunks SET data = substr(data, 1, 10) WHERE dataset_id = ? AND column_idx = 2 AND chunk_idx = 0').run(ds.id);
    const e = thrown(() => store.readColumn('d', 'tag'));
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toMatch(/^Dataset "d" in .* is corrupt: column "tag", chunk 0 holds 10 bytes that are not the text values it should\. Re-import/);
    store.close();
  });

  it('score chunks: a truncated or missing chunk is BAD_FILE, not zeros', async () => {
    const { store, scoreId } = await trained();
    store.db.prepare("UPDATE score_chunks SET data = substr(data, 1, 10) WHERE score_id = ? AND kind = 'row'").run(scoreId);
    const e = thrown(() => readRowErrors(store, scoreId));
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toBe(`Score #${scoreId} in ${store.path} is corrupt: the row chunk 0 holds 10 bytes where 1,200 were expected. Score the dataset again or restore the project from a backup.`);
    store.db.prepare("DELETE FROM score_chunks WHERE score_id = ? AND kind = 'feature'").run(scoreId);
    expect(thrown(() => readFeatureErrors(store, scoreId, 0, 10)).message).toMatch(/the feature chunk for rows 1–10 is missing/);
    store.close();
  });
});
