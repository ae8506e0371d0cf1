/**
 * The heatmap of a wide dataset (36 short column names), in Chromium against `residual serve` (issue #17): the column
 * labels are thinned so they never overlap, the colour scale is fixed for the score (the same after a zoom), the
 * range slider spans every rank and keeps the window it was pulled to, and the tooltip and the axes format numbers
 * alike.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmpDir } from '../helpers/tmp';
import { apiCall, chromiumAvailable, clickHeatmapCell, heatmapCell, heatmapSlider, openApp, type OpenedApp, painted, residual, screenshot } from './harness';

const COLS = 36;
const ROWS = 1200;

/** A deterministic CSV: 36 numeric columns c1…c36 (correlated in pairs), and 4 % anomalies that break a few columns. */
function wideCsv(file: string): void {
  let seed = 17;
  const rand = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  const gauss = (): number => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const lines = [[...Array.from({ length: COLS }, (_v, i) => `c${i + 1}`), 'label'].join(',')];
  for (let r = 0; r < ROWS; r++) {
    const anomaly = r % 25 === 7;
    const row: string[] = [];
    let base = 0;
    for (let c = 0; c < COLS; c++) {
      if (c % 2 === 0) base = gauss();
      let v = base + 0.2 * gauss();
      if (anomaly && c % 9 === r % 9) v += 6;
      row.push(v.toFixed(4));
    }
    row.push(anomaly ? 'yes' : 'no');
    lines.push(row.join(','));
  }
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

describe.skipIf(!chromiumAvailable())('the heatmap of 36 columns', () => {
  const dir = tmpDir('residual-e2e-heat-');
  const project = path.join(dir, 'wide.residual');
  let app: OpenedApp;
  let page: Page;
  let scoreId = 0;

  const chart = () => page.getByTestId('heatmap-chart');
  const windowText = () => page.getByTestId('heatmap-window').textContent();

  beforeAll(async () => {
    const csv = path.join(dir, 'wide.csv');
    wideCsv(csv);
    await residual(['import', csv, '--project', project, '--label', 'label', '--positive', 'yes']);
    await residual(['train', '--project', project, '--kind', 'ecod']);
    scoreId = (JSON.parse(await residual(['score', '--project', project, '--json'])) as { scoreId: number }).scoreId;
    app = await openApp(['--project', project]);
    page = app.page;
  }, 120_000);

  afterAll(() => app?.close());

  it('thins the column labels, keeps its colour scale through a zoom, and its slider where it was left', async () => {
    await page.getByRole('button', { name: 'Heatmap', exact: true }).click();
    await chart().locator('canvas').first().waitFor({ timeout: 15_000 });
    await expect.poll(windowText, { timeout: 15_000 }).toContain(`1–${ROWS.toLocaleString('en-US')} of ${ROWS.toLocaleString('en-US')}`);

    // 36 names side by side do not fit the plot: every n-th one is drawn (horizontal, since they are short).
    const interval = Number(await chart().getAttribute('data-x-interval'));
    expect(interval).toBeGreaterThan(0);
    expect(await chart().getAttribute('data-x-rotate')).toBe('0');

    // The scale is the whole score's 99th percentile of per-column error, as the engine computes it.
    const scale = await apiCall<{ value: number; normalized: boolean; rows: number; rowsRead: number }>(app.served, 'score.heatmapScale', { scoreId });
    expect(scale.normalized).toBe(true);
    expect(scale.rowsRead).toBe(ROWS);
    const max = Number(await chart().getAttribute('data-scale-max'));
    expect(max).toBeCloseTo(Math.max(1, scale.value), 6);
    // The slider spans every rank and sits over all of them.
    await expect.poll(() => chart().getAttribute('data-zoom-start')).toBe('0');
    expect(await chart().getAttribute('data-zoom-end')).toBe(String(ROWS));
    await painted(page);
    await screenshot(page, 'heatmap-36-columns');

    // A click on the top band (where the chart drew rank 1's cell) zooms in to one row per band: the colours keep their meaning.
    await clickHeatmapCell(page, 1, 0, { start: 0, end: ROWS });
    await expect.poll(windowText, { timeout: 15_000 }).toMatch(/ranks 1–240 of 1,200 · one row per band/);
    expect(Number(await chart().getAttribute('data-scale-max'))).toBe(max);
    // The slider shows that window within all the ranks.
    await expect.poll(() => chart().getAttribute('data-zoom-end')).toBe('240');
    expect(await chart().getAttribute('data-zoom-start')).toBe('0');
    // The tooltip formats the rank as the axis does (thousands separators, the same digits for values).
    const cell = await heatmapCell(page, 5, 0, { start: 0, end: 240 });
    await page.mouse.move(cell.x, cell.y);
    await painted(page);
    const tip = await page.locator('.heatmap-tip').first().textContent();
    // The cell pointed at: rank 5's.
    expect(tip).toMatch(/rank 5 · id /);
    expect(tip).toMatch(/× the column's typical error/);
    await screenshot(page, 'heatmap-36-columns-zoomed');

    // Back to every rank, then the slider's lower handle pulled up: the window follows and the handle stays there.
    await page.getByTestId('zoom-reset').click();
    await expect.poll(() => chart().getAttribute('data-zoom-end')).toBe(String(ROWS));
    const { x, bottom: bottomHandle } = await heatmapSlider(page, { start: 0, end: ROWS });
    await page.mouse.move(x, bottomHandle);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(x, bottomHandle - i * 25);
    await page.mouse.up();
    await expect.poll(async () => Number(await chart().getAttribute('data-zoom-end')), { timeout: 15_000 }).toBeLessThan(ROWS);
    await expect.poll(windowText, { timeout: 15_000 }).toMatch(/ranks 1–/);
    const end = Number(await chart().getAttribute('data-zoom-end'));
    // The header and the slider agree on the window, after the new window has been drawn.
    await expect.poll(windowText, { timeout: 15_000 }).toContain(`1–${end.toLocaleString('en-US')} of`);
    await painted(page);
    expect(Number(await chart().getAttribute('data-zoom-end'))).toBe(end);
    expect(Number(await chart().getAttribute('data-scale-max'))).toBe(max);
    await screenshot(page, 'heatmap-36-columns-slider');
    expect(app.pageErrors).toEqual([]);
  });
});
