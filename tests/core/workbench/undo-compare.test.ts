/**
 * Issue #17: undo for deletes and verdicts, and the comparison of several models' rankings, through the Workbench
 * (the service behind the contract): deletes go into the trash (hidden, refused, restorable) and are carried out
 * when the undo window passes, when the project closes, or — after a crash — when it opens again; a verdict change
 * is undone exactly, and not over a later change; the top-k overlap of scores of one dataset.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topKOverlap } from '../../../src-main/core/analysis';
import { readRankWindow } from '../../../src-main/core/engine';
import { listTrash, ProjectStore, trashItem } from '../../../src-main/core/store';
import type { Workbench } from '../../../src-main/core/workbench/workbench';
import { tmpDir } from '../../helpers/tmp';
import { jobWorkbench } from '../../helpers/workbench';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const WDBC = path.join(ROOT, 'tests/fixtures/wdbc.csv');
const GLASS = path.join(ROOT, 'tests/fixtures/glass.csv');

const workbench = jobWorkbench;

describe('Workbench: undoable deletes, verdict undo, ranking overlap', () => {
  const dir = tmpDir('residual-undo-');
  const file = path.join(dir, 'undo.residual');
  const { wb, wait, changed } = workbench({ undoWindowMs: 60_000 });
  let datasetId: number;
  let glassId: number;
  const models: number[] = [];
  const scores: number[] = [];

  beforeAll(async () => {
    await wb.invoke('project.open', { path: file, create: true });
    const imported = await wait(wb.invoke('data.import', { file: WDBC, options: { label: 'diagnosis', positive: 'malignant', id: 'id' } }));
    datasetId = imported.kind === 'import' ? imported.result.dataset.id : -1;
    const glass = await wait(wb.invoke('data.import', { file: GLASS }));
    glassId = glass.kind === 'import' ? glass.result.dataset.id : -1;
    for (const kind of ['ecod', 'iforest', 'ecod']) {
      const trained = await wait(wb.invoke('model.train', { datasetId, settings: { kind, seed: models.length } }));
      if (trained.kind === 'train') models.push(trained.result.modelId);
    }
    for (const modelId of models) {
      const scored = await wait(wb.invoke('score.run', { modelId, datasetId }));
      if (scored.kind === 'score') scores.push(scored.result.scoreId);
    }
  }, 120_000);

  afterAll(() => wb.close());

  it('a deleted dataset is hidden and refused, its models stay (unlinked), and undo brings back everything', async () => {
    const before = await wb.invoke('project.overview', {});
    await wb.invoke('row.verdict', { datasetId, row: 4, verdict: 'anomaly', note: 'kept through the undo' });
    const events = changed.length;
    const deleted = await wb.invoke('data.delete', { datasetId });
    expect(deleted).toMatchObject({ kind: 'dataset', id: datasetId, name: 'wdbc' });
    expect(Date.parse(deleted.undoUntil) - Date.parse(deleted.deletedAt)).toBe(60_000);
    expect(changed.length).toBe(events + 1);

    const during = await wb.invoke('project.overview', {});
    expect(during.datasets.map((d) => d.id)).toEqual([glassId]);
    expect(during.scores).toEqual([]);
    expect(during.models.map((m) => m.datasetId)).toEqual(models.map(() => null));
    await expect(wb.invoke('data.rows', { datasetId, rows: [0] })).rejects.toThrow(/dataset "wdbc" has been deleted/);
    await expect(wb.invoke('score.rank', { scoreId: scores[0]!, offset: 0, limit: 5 })).rejects.toThrow(/has been deleted/);
    await expect(wb.invoke('data.delete', { datasetId })).rejects.toThrow(/has been deleted/);

    expect(await wb.invoke('trash.restore', { trashId: deleted.trashId })).toEqual({ kind: 'dataset', id: datasetId, name: 'wdbc' });
    const after = await wb.invoke('project.overview', {});
    expect(after.datasets).toEqual(before.datasets);
    expect(after.models).toEqual(before.models);
    expect(after.scores).toEqual(before.scores);
    const [detail] = await wb.invoke('row.detail', { scoreId: scores[0]!, rows: [4] });
    expect(detail).toMatchObject({ verdict: 'anomaly', note: 'kept through the undo' });
    // Undone once: a second undo has nothing to restore.
    await expect(wb.invoke('trash.restore', { trashId: deleted.trashId })).rejects.toThrow(/can no longer be undone/);
  });

  it('a deleted model is hidden with its scores, and restored', async () => {
    const modelId = models[2]!;
    const deleted = await wb.invoke('model.delete', { modelId });
    const during = await wb.invoke('project.overview', {});
    expect(during.models.map((m) => m.id)).not.toContain(modelId);
    expect(during.scores.map((s) => s.modelId)).not.toContain(modelId);
    expect(during.scorable.map((s) => s.modelId)).not.toContain(modelId);
    await expect(wb.invoke('model.get', { modelId })).rejects.toThrow(/model ".*" has been deleted/);
    await expect(wb.invoke('score.overlap', { scoreIds: [scores[0]!, scores[2]!], k: 10 })).rejects.toThrow(/has been deleted/);
    await wb.invoke('trash.restore', { trashId: deleted.trashId });
    expect((await wb.invoke('project.overview', {})).models.map((m) => m.id)).toContain(modelId);
  });

  it('undoes a verdict change exactly (verdict, note and time), and never over a later change', async () => {
    const row = 7;
    const first = await wb.invoke('row.verdict', { datasetId, row, verdict: 'unsure', note: 'look again' });
    expect(first.previous).toBeNull();
    const second = await wb.invoke('row.verdict', { datasetId, row, verdict: 'normal' });
    expect(second.previous).toEqual(first.saved);
    expect(second.saved).toMatchObject({ verdict: 'normal', note: 'look again' });

    // Undo the second change: the first one's verdict, note and time come back as they were.
    expect(await wb.invoke('row.restoreVerdict', { datasetId, row, previous: second.previous, expected: second.saved })).toEqual(first.saved);
    const [d] = await wb.invoke('row.detail', { scoreId: scores[0]!, rows: [row] });
    expect(d).toMatchObject({ verdict: 'unsure', note: 'look again' });
    // Then the first: no review at all.
    expect(await wb.invoke('row.restoreVerdict', { datasetId, row, previous: first.previous, expected: first.saved })).toBeNull();

    // A change made after the one being undone wins: nothing is written.
    const mine = await wb.invoke('row.verdict', { datasetId, row, verdict: 'anomaly' });
    await wb.invoke('row.verdict', { datasetId, row, verdict: 'normal', note: 'from another window' });
    await expect(wb.invoke('row.restoreVerdict', { datasetId, row, previous: mine.previous, expected: mine.saved })).rejects.toThrow(/has changed since \(it now holds normal, with a note\)/);
    const [still] = await wb.invoke('row.detail', { scoreId: scores[0]!, rows: [row] });
    expect(still).toMatchObject({ verdict: 'normal', note: 'from another window' });
    await expect(wb.invoke('row.restoreVerdict', { datasetId, row: 8, previous: mine.saved, expected: null })).rejects.toThrow(/previous is the review of row 8, not of row 9/);
  });

  it('compares the top k of several scores of one dataset, pairwise', async () => {
    const k = 57;
    const m = await wb.invoke('score.overlap', { scoreIds: scores, k });
    expect(m).toMatchObject({ datasetId, rows: 569, k, scoreIds: scores });
    const tops = scores.map((s) => {
      const store = ProjectStore.open(file, { readonly: true });
      try {
        return readRankWindow(store, s, 0, k).rows;
      } finally {
        store.close();
      }
    });
    expect(m.shared).toEqual(topKOverlap(tops, k).shared);
    expect([m.overlap[0], m.overlap[4], m.overlap[8]]).toEqual([1, 1, 1]);
    expect(m.overlap[1]).toBe(m.overlap[3]);
    // k past the row count: every row, so every pair agrees fully.
    expect((await wb.invoke('score.overlap', { scoreIds: scores.slice(0, 2), k: 10_000 })).overlap).toEqual([1, 1, 1, 1]);
  });

  it('refuses to compare rankings of different datasets, naming them', async () => {
    const other = await wait(wb.invoke('model.train', { datasetId: glassId, settings: { kind: 'ecod' } }));
    const modelId = other.kind === 'train' ? other.result.modelId : -1;
    const scored = await wait(wb.invoke('score.run', { modelId, datasetId: glassId }));
    const glassScore = scored.kind === 'score' ? scored.result.scoreId : -1;
    await expect(wb.invoke('score.overlap', { scoreIds: [scores[0]!, glassScore], k: 10 })).rejects.toThrow(/rank different datasets \("wdbc" .* and "glass" .*\)/);
    await expect(wb.invoke('score.overlap', { scoreIds: [scores[0]!, scores[0]!], k: 10 })).rejects.toThrow(/once/);
  });
});

describe('Workbench: the trash is emptied when the window passes, when the project closes, and after a crash', () => {
  const dir = tmpDir('residual-trash-');

  async function projectWithDataset(name: string, wb: Workbench, wait: ReturnType<typeof workbench>['wait']): Promise<{ file: string; datasetId: number }> {
    const file = path.join(dir, `${name}.residual`);
    await wb.invoke('project.open', { path: file, create: true });
    const imported = await wait(wb.invoke('data.import', { file: GLASS }));
    return { file, datasetId: imported.kind === 'import' ? imported.result.dataset.id : -1 };
  }
  const rowsOf = (file: string): number => {
    const store = ProjectStore.open(file, { readonly: true });
    try {
      return (store.db.prepare('SELECT count(*) AS n FROM datasets').get() as { n: number }).n;
    } finally {
      store.close();
    }
  };

  it('carries out the delete once its window has passed', async () => {
    const { wb, wait } = workbench({ undoWindowMs: 200 });
    const { file, datasetId } = await projectWithDataset('window', wb, wait);
    const deleted = await wb.invoke('data.delete', { datasetId });
    expect(rowsOf(file)).toBe(1);
    await expect.poll(() => rowsOf(file), { timeout: 10_000 }).toBe(0);
    await expect(wb.invoke('trash.restore', { trashId: deleted.trashId })).rejects.toThrow(/can no longer be undone/);
    await wb.close();
  });

  it('carries out pending deletes when the project is closed or another is opened', async () => {
    const { wb, wait } = workbench({ undoWindowMs: 60_000 });
    const a = await projectWithDataset('closed-a', wb, wait);
    await wb.invoke('data.delete', { datasetId: a.datasetId });
    const b = await projectWithDataset('closed-b', wb, wait);
    expect(rowsOf(a.file)).toBe(0);
    await wb.invoke('data.delete', { datasetId: b.datasetId });
    await wb.close();
    expect(rowsOf(b.file)).toBe(0);
    const store = ProjectStore.open(b.file, { readonly: true });
    expect(listTrash(store)).toEqual([]);
    store.close();
  });

  it('after a crash, opening the project carries out the expired deletes and keeps the others undoable', async () => {
    const first = workbench({ undoWindowMs: 60_000 });
    const { file, datasetId } = await projectWithDataset('crash', first.wb, first.wait);
    const second = await first.wait(first.wb.invoke('data.import', { file: GLASS }));
    const secondId = second.kind === 'import' ? second.result.dataset.id : -1;
    // What a killed app leaves behind: one delete long past its window, one just made.
    const store = ProjectStore.open(file);
    trashItem(store, 'dataset', datasetId, 'glass', new Date(Date.now() - 10 * 60_000));
    const recent = trashItem(store, 'dataset', secondId, 'glass (2)');
    store.close();

    const { wb } = workbench({ undoWindowMs: 60_000 });
    const overview = await wb.invoke('project.open', { path: file });
    expect(overview.datasets).toEqual([]);
    expect(rowsOf(file)).toBe(1);
    await wb.invoke('trash.restore', { trashId: recent.id });
    expect((await wb.invoke('project.overview', {})).datasets.map((d) => d.name)).toEqual(['glass (2)']);
    await wb.close();
    await first.wb.close().catch(() => undefined);
  });
});
