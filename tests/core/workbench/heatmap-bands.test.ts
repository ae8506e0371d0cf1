/**
 * The heatmap's row bands (newcomer report, item 4): a one-row band names its rank and its row's id apart — "1 · #18",
 * not "#1 #18", where the rank and an id of the form "#N" read alike — and carries the id on its own, so the page
 * never parses it back out of the label; in time order the label is the id; aggregated bands name their range.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmpDir } from '../../helpers/tmp';
import { bandAxisLabel, bandWords } from '../../../src-renderer/src/components/heatmap/bands';
import { jobWorkbench } from '../../helpers/workbench';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const GLASS = path.join(ROOT, 'tests/fixtures/glass.csv');
const WDBC = path.join(ROOT, 'tests/fixtures/wdbc.csv');

describe('score.heatmap bands', () => {
  const dir = tmpDir('residual-bands-');
  const { wb, wait } = jobWorkbench();
  const scores: Record<string, number> = {};

  beforeAll(async () => {
    await wb.invoke('project.open', { path: path.join(dir, 'bands.residual'), create: true });
    for (const [name, file, options] of [['glass', GLASS, {}], ['wdbc', WDBC, { id: 'id' }]] as const) {
      const imported = await wait(wb.invoke('data.import', { file, options }));
      const datasetId = imported.kind === 'import' ? imported.result.dataset.id : -1;
      const trained = await wait(wb.invoke('model.train', { datasetId, settings: { kind: 'ecod' } }));
      const modelId = trained.kind === 'train' ? trained.result.modelId : -1;
      const scored = await wait(wb.invoke('score.run', { modelId, datasetId }));
      scores[name] = scored.kind === 'score' ? scored.result.scoreId : -1;
    }
  }, 120_000);

  afterAll(() => wb.close());

  it('labels a one-row band "rank · id" with the id apart; "#N" ids (no id column) stay unambiguous', async () => {
    const h = await wb.invoke('score.heatmap', { scoreId: scores['glass']!, order: 'rank', start: 0, end: 5, bands: 5 });
    const top = await wb.invoke('score.rank', { scoreId: scores['glass']!, offset: 0, limit: 5 });
    expect(h.bands.map((b) => b.id)).toEqual(top.rows.map((r) => r.id));
    expect(h.bands[0]!.id).toMatch(/^#\d+$/);
    h.bands.forEach((b, i) => {
      expect(b.row).toBe(top.rows[i]!.row);
      expect(b.label).toBe(`${i + 1} · ${b.id}`);
      expect(bandAxisLabel(b, 'rank')).toBe(`${i + 1} · ${b.id}`);
      expect(bandAxisLabel(b, 'rank')).not.toMatch(/^#/);
      expect(bandWords(b, 'rank')).toBe(`rank ${i + 1} · id ${b.id}`);
    });
  });

  it('with an id column: the id as imported; aggregated bands give their range, no id', async () => {
    const h = await wb.invoke('score.heatmap', { scoreId: scores['wdbc']!, order: 'rank', start: 0, end: 3, bands: 3 });
    const top = await wb.invoke('score.rank', { scoreId: scores['wdbc']!, offset: 0, limit: 3 });
    expect(h.bands.map((b) => bandAxisLabel(b, 'rank'))).toEqual(top.rows.map((r, i) => `${i + 1} · ${r.id}`));
    const wide = await wb.invoke('score.heatmap', { scoreId: scores['wdbc']!, order: 'rank', start: 0, end: 569, bands: 100 });
    expect(wide.bands[0]).toMatchObject({ position: 0, row: null, id: null });
    expect(wide.bands[0]!.label).toMatch(/^ranks 1–\d+$/);
    expect(bandAxisLabel(wide.bands[1]!, 'rank')).toBe(String(wide.bands[1]!.position + 1));
  });
});
