/**
 * The ranking bench's pipeline at a small size: build (import, train, score), the Workbench views in a fresh
 * process, and the first page through the HTTP bridge and a forked engine. Checks the shape of what it reports,
 * never its timings (those are measured by `npm run bench`, not asserted).
 *
 * The end-to-end part (issue #7) runs too, at 2,000 rows and one epoch: every step through the HTTP bridge, jobs
 * awaited over the server-sent events, app.status polled while training runs.
 *
 * 20,000 rows so that the score spans several stored chunks (8,192 rows each): the page and heatmap readers pick
 * rows out of one pass over the chunks, and the last test checks them against reading each row on its own.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { benchE2e, combinedPeakMB } from '../../bench/e2e';
import { benchRanking, projectName, type RankingResult } from '../../bench/ranking';
import { normalizeFeatureErrors, topContributors } from '../../src-main/core/analysis';
import { getModel, getScore, readFeatureErrors, readRankWindow } from '../../src-main/core/engine';
import { ProjectStore } from '../../src-main/core/store';
import { ScoreViews, topColumns } from '../../src-main/core/workbench/queries';
import { tmpDir } from '../helpers/tmp';

const ROWS = 20_000;
const COLS = 30;
const dir = tmpDir('residual-bench-smoke-');
let result: RankingResult;
const lines: string[] = [];

beforeAll(async () => {
  result = await benchRanking({ rows: ROWS, cols: COLS, dir, repeats: 1, log: (l) => lines.push(l) });
}, 300_000);

describe('ranking bench pipeline (small)', () => {
  it('builds the project once and reports positive training and scoring rates', () => {
    expect(result.builtNow).toBe(true);
    expect(result.project).toBe(path.join(dir, projectName(ROWS, COLS)));
    expect(fs.existsSync(result.project)).toBe(true);
    const b = result.build;
    expect(b.rows).toBe(ROWS);
    expect(b.cols).toBe(COLS);
    expect(b.train.samplesPerSecond).toBeGreaterThan(0);
    expect(b.train.epochs).toBe(1);
    expect(b.score.rowsPerSecond).toBeGreaterThan(0);
    expect(b.importSeconds).toBeGreaterThan(0);
    expect(b.backend.name).toMatch(/^(tensorflow-cuda|tensorflow|wasm|cpu)$/);
    expect(b.peakRssMB).toBeGreaterThan(0);
  });

  it('reports every Workbench view with sane contents', () => {
    const q = result.queries;
    expect(q.rows).toBe(ROWS);
    expect(q.rankFirst.pageLength).toBe(100);
    expect(q.rankFirst.total).toBe(ROWS);
    expect(q.rankDeep.offset).toBe(ROWS * 0.9);
    expect(q.rankDeep.pageLength).toBe(100);
    expect(q.rankDeep.firstRank).toBe(ROWS * 0.9 + 1);
    expect(q.rankFiltered.total).toBeGreaterThan(0);
    expect(q.rankFiltered.total).toBeLessThan(ROWS);
    expect(q.rankFiltered.pageLength).toBe(Math.min(100, q.rankFiltered.total));
    expect(q.distribution.bins).toBeGreaterThan(0);
    expect(q.heatmap.bands).toBeGreaterThan(0);
    expect(q.heatmap.bands).toBeLessThanOrEqual(200);
    expect(q.heatmap.columns).toBe(COLS);
    expect(q.heatmap.rowsPerBand * q.heatmap.bands).toBeCloseTo(ROWS);
    expect(q.rowDetail.rows).toBe(10);
    expect(q.backend?.name).toBe(result.build.backend.name);
    for (const t of [q.rankFirst, q.rankDeep, q.rankFiltered, q.distribution, q.heatmap, q.rowDetail]) {
      expect(t.firstMs).toBeGreaterThan(0);
      expect(t.warmMs).toBeGreaterThan(0);
    }
    expect(q.peakRssMB).toBeGreaterThan(0);
  });

  it('reports the first page through the HTTP bridge and the engine process', () => {
    const br = result.bridge;
    expect(br.rankFirst.pageLength).toBe(100);
    expect(br.rankFirst.bytes).toBeGreaterThan(0);
    expect(br.openMs).toBeGreaterThan(0);
    expect(br.rankFirst.firstMs).toBeGreaterThan(0);
    expect(br.peakRssMB).toBeGreaterThan(0);
    // /proc is there on Linux, where CI runs.
    if (process.platform === 'linux') expect(br.enginePeakRssMB).toBeGreaterThan(0);
    expect(lines.join('\n')).toContain('score.rank first page');
  });

  it('reuses the cached project on a second run', async () => {
    const again = await benchRanking({ rows: ROWS, cols: COLS, dir, repeats: 0, log: () => undefined });
    expect(again.builtNow).toBe(false);
    expect(again.build.builtAt).toBe(result.build.builtAt);
    expect(again.queries.rankFirst.pageLength).toBe(100);
  }, 300_000);

  it('picks page rows and heatmap bands out of the chunks exactly as reading each row alone would', () => {
    const store = ProjectStore.open(result.project, { readonly: true });
    try {
      const scoreId = result.queries.scoreId;
      const score = getScore(store, scoreId);
      const means = getModel(store, score.modelId).featureErrorMean!;
      const order = readRankWindow(store, scoreId, 0, score.rows).rows;
      // Ranks from the top, the middle and the end: rows spread over every chunk, unsorted, plus a repeat.
      const rows = [...order.subarray(0, 40), ...order.subarray(9_000, 9_030), ...order.subarray(ROWS - 30), order[0]!];
      const expected = rows.map((row) =>
        topContributors(normalizeFeatureErrors(readFeatureErrors(store, scoreId, row, row + 1).values, COLS, means), [...score.columns], 3).map((c) => ({
          column: c.feature,
          share: c.share,
        })),
      );
      expect(topColumns(store, scoreId, rows, 3)).toEqual(expected);

      // Ranks 100–149 as one band each: the band values are those rows' normalised errors; then ranks 100–399 in
      // bands of three: their means.
      const views = new ScoreViews(() => store);
      const normalisedRow = (row: number): Float32Array => normalizeFeatureErrors(readFeatureErrors(store, scoreId, row, row + 1).values, COLS, means);
      const close = (got: number, want: number): void => expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(want)));
      const single = views.heatmap(scoreId, 'rank', 100, 150, 50);
      expect(single.rowsPerBand).toBe(1);
      for (let b = 0; b < 50; b++) {
        const row = order[100 + b]!;
        expect(single.bands[b]!.row).toBe(row);
        const want = normalisedRow(row);
        for (let c = 0; c < COLS; c++) close(single.values[b * COLS + c]!, want[c]!);
      }
      const banded = views.heatmap(scoreId, 'rank', 100, 400, 100);
      expect(banded.rowsPerBand).toBe(3);
      for (let b = 0; b < 100; b++) {
        const parts = [0, 1, 2].map((k) => normalisedRow(order[100 + 3 * b + k]!));
        for (let c = 0; c < COLS; c++) close(banded.values[b * COLS + c]!, (parts[0]![c]! + parts[1]![c]! + parts[2]![c]!) / 3);
      }
      expect(banded.max).toBe(Math.max(...banded.values));
    } finally {
      store.close();
    }
  });
});

describe('end-to-end bench (tiny)', () => {
  it('runs import → train → score → rank → heatmap → report over HTTP and reports every step', async () => {
    const e2eDir = tmpDir('residual-bench-e2e-');
    const lines2: string[] = [];
    const r = await benchE2e({ rows: 2_000, cols: 10, dir: e2eDir, epochs: 1, log: (l) => lines2.push(l) });
    expect(r.rows).toBe(2_000);
    expect(r.cols).toBe(10);
    expect(r.steps.map((s) => s.step.split(' ')[0])).toEqual(['data.import', 'model.train', 'score.run', 'score.rank', 'score.heatmap', 'report.export']);
    for (const s of r.steps) expect(s.ms).toBeGreaterThan(0);
    expect(r.totalMs).toBeGreaterThanOrEqual(r.steps.reduce((a, s) => a + s.ms, 0) * 0.99);
    expect(r.openMs).toBeGreaterThan(0);
    expect(r.train.epochs).toBe(1);
    expect(r.status.maxMs).toBeGreaterThanOrEqual(r.status.p95Ms);
    expect(r.peakRssMB).toBeGreaterThan(0);
    if (process.platform === 'linux') expect(r.enginePeakRssMB).toBeGreaterThan(0);
    expect(combinedPeakMB(r)).toBeGreaterThanOrEqual(r.peakRssMB);
    // The project and the PDF are removed afterwards; the cached CSV stays.
    expect(fs.readdirSync(e2eDir).filter((f) => f.startsWith('e2e-'))).toEqual([]);
    expect(lines2.join('\n')).toContain('app.status every 50 ms');
  }, 300_000);
});
