/**
 * A score job of many rows runs the fused kernel on two threads (score.ts's SCORE_JOB_THREAD_ROWS, fusedThreads'
 * scoreJob): the helper scores half of each pass. Every row's score and per-column errors must be what one thread
 * computes, bit for bit (each row's arithmetic is the same code on the same weights), and the rank order the same.
 */
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { importDataset } from '../../../src-main/core/data';
import { initBackend, scoreDataset, trainModel } from '../../../src-main/core/engine';
import * as helper from '../../../src-main/core/engine/fused/helper';
import { readFeatureErrors, readRankWindow, readRowErrors } from '../../../src-main/core/engine/results';
import { SCORE_JOB_THREAD_ROWS } from '../../../src-main/core/engine/score';
import { ProjectStore } from '../../../src-main/core/store';
import { writeSyntheticCsv } from '../../../bench/engine';
import { tmpDir } from '../../helpers/tmp';

const dir = tmpDir();
const store = ProjectStore.open(path.join(dir, 'threads.residual'), { create: true });
afterAll(() => store.close());
afterEach(() => {
  delete process.env['RESIDUAL_FUSED_THREADS'];
  vi.restoreAllMocks();
});

describe('score job on two threads', () => {
  it('gives every row the scores and column errors one thread gives, and the same ranking', async () => {
    await initBackend();
    const rows = SCORE_JOB_THREAD_ROWS + 1234;
    const csv = path.join(dir, 'x.csv');
    writeSyntheticCsv(csv, 12, rows, 3);
    const { dataset } = await importDataset(store, csv, { label: 'label', positive: '1' });
    const trained = await trainModel(store, { dataset: dataset.id, settings: { kind: 'ae', layers: [8, 4], epochs: 1, batchSize: 256, validation: 0, patience: 0, trim: 0, log1p: 'none', seed: 1 } });
    expect(trained.path).toBe('wasm-fused');

    process.env['RESIDUAL_FUSED_THREADS'] = '1';
    const one = await scoreDataset(store, { modelId: trained.modelId });
    const oneRows = readRowErrors(store, one.scoreId);
    const oneFeat = readFeatureErrors(store, one.scoreId, 0, rows).values;
    const oneRank = readRankWindow(store, one.scoreId, 0, rows).rows;
    delete process.env['RESIDUAL_FUSED_THREADS'];

    const threads = vi.spyOn(helper, 'fusedThreads');
    const two = await scoreDataset(store, { modelId: trained.modelId });
    expect(threads.mock.calls.some(([, scoreJob]) => scoreJob === true)).toBe(true);
    if (helper.fusedThreads(1_200, true) === 2) expect(threads.mock.results.some((r) => r.value === 2)).toBe(true);
    const twoRows = readRowErrors(store, two.scoreId);
    const twoFeat = readFeatureErrors(store, two.scoreId, 0, rows).values;
    expect(twoRows.length).toBe(rows);
    expect(Buffer.from(twoRows.buffer).equals(Buffer.from(oneRows.buffer))).toBe(true);
    expect(Buffer.from(twoFeat.buffer).equals(Buffer.from(oneFeat.buffer))).toBe(true);
    expect(Array.from(readRankWindow(store, two.scoreId, 0, rows).rows)).toEqual(Array.from(oneRank));
  }, 120_000);
});
