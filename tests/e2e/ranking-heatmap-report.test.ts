/**
 * The analyst's workbench end to end, in browser mode (issue #5): a scored project prepared with the CLI, served
 * with `residual serve`, then Ranking (a virtualised table fed by bounded `score.rank` windows, keyboard review,
 * threshold methods), Heatmap (heatmap, profile bars, a click into the row detail) and Report (an A4 PDF).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmpDir } from '../helpers/tmp';
import { apiCall, chromiumAvailable, clickHeatmapCell, heatmapSlider, openApp, type OpenedApp, painted, residual, screenshot, importWdbc } from './harness';

/** The most rows the table may ask for in one `score.rank` call (its WINDOW_ROWS). */
const WINDOW_ROWS = 100;
const ROWS = 569;

describe.skipIf(!chromiumAvailable())('Ranking, Heatmap and Report in the browser', () => {
  const dir = tmpDir('residual-e2e-rank-');
  const project = path.join(dir, 'cells.residual');
  let app: OpenedApp;
  let page: Page;
  const rankRequests: { offset: number; limit: number }[] = [];

  const call = <T>(method: string, body: unknown): Promise<T> => apiCall<T>(app.served, method, body);

  beforeAll(async () => {
    await importWdbc(project);
    await residual(['train', '--project', project, '--kind', 'ae', '--epochs', '8', '--seed', '7']);
    await residual(['score', '--project', project]);
    app = await openApp(['--project', project], (p) =>
      p.on('request', (r) => {
        if (r.url().endsWith('/api/score.rank')) rankRequests.push(JSON.parse(r.postData() ?? '{}') as { offset: number; limit: number });
      }),
    );
    page = app.page;
  }, 120_000);

  afterAll(() => app?.close());

  it('ranks every row in a virtualised table fed by bounded windows', async () => {
    await page.getByRole('button', { name: 'Ranking', exact: true }).click();
    const table = page.getByTestId('rank-table');
    // The first window waits for the engine's query thread to start (it loads once per project).
    await expect.poll(() => table.getAttribute('data-total'), { timeout: 15_000 }).toBe(String(ROWS));
    expect(await table.getAttribute('data-window-rows')).toBe(String(WINDOW_ROWS));
    const first = page.getByTestId('rank-row').first();
    await expect.poll(() => first.getAttribute('data-rank')).toBe('1');
    expect((await first.locator('.id').textContent())?.trim()).toMatch(/^\d+$/);
    // Only the visible rows are in the page, not all 569.
    const rendered = await page.getByTestId('rank-row').count();
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(40);

    // Scrolling to the end fetches the last window(s) on demand.
    await page.locator('[data-testid=rank-table] .scroller').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect.poll(() => page.locator(`[data-testid=rank-row][data-rank="${ROWS}"]`).count(), { timeout: 15_000 }).toBe(1);
    expect(rankRequests.length).toBeGreaterThanOrEqual(2);
    for (const r of rankRequests) {
      expect(r.limit).toBeGreaterThan(0);
      expect(r.limit).toBeLessThanOrEqual(WINDOW_ROWS);
    }
    expect(rankRequests.some((r) => r.offset >= ROWS - WINDOW_ROWS)).toBe(true);
    await screenshot(page, 'ranking-scrolled-light');
  });

  it('reviews rows from the keyboard and the verdicts persist', async () => {
    await page.keyboard.press('Home');
    await expect.poll(() => page.locator('[data-testid=rank-row][aria-selected=true]').getAttribute('data-rank')).toBe('1');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.locator('[data-testid=rank-row][aria-selected=true]').getAttribute('data-rank')).toBe('2');
    await page.keyboard.press('a');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('f');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('u');
    await page.keyboard.press('n');
    await expect(page.getByTestId('note-input').isVisible()).resolves.toBe(true);
    await page.getByTestId('note-input').fill('checked against the lab sheet');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('note-editor').count()).toBe(0);

    // Updated in place in the table ...
    const verdictAt = (rank: number) => page.locator(`[data-testid=rank-row][data-rank="${rank}"] [data-testid=rank-verdict]`).textContent();
    await expect.poll(() => verdictAt(2)).toContain('anomaly');
    await expect.poll(() => verdictAt(3)).toContain('false positive');
    await expect.poll(() => verdictAt(4)).toContain('unsure');
    // ... and in the row detail of the selected row ...
    await expect.poll(() => page.getByTestId('detail-verdict-unsure').getAttribute('aria-pressed'), { timeout: 15_000 }).toBe('true');
    // ... and stored: a fresh read from main says the same.
    await expect
      .poll(async () => {
        const page0 = await call<{ rows: { rank: number; verdict: string | null; note: string }[] }>('score.rank', { scoreId: 1, offset: 0, limit: 5 });
        return page0.rows.slice(1, 4).map((r) => `${r.rank}:${r.verdict}:${r.note}`);
      })
      .toEqual(['2:anomaly:', '3:normal:', '4:unsure:checked against the lab sheet']);
    await screenshot(page, 'ranking-reviewed-light');
  });

  it('moves the threshold line on the histogram: a manual threshold with its alert count', async () => {
    const plot = page.locator('[data-testid=score-histogram] canvas').first();
    const box = (await plot.boundingBox())!;
    const y = box.y + box.height / 2;
    // A click in the plot puts the line there ...
    await page.mouse.click(box.x + box.width * 0.3, y);
    await expect.poll(() => page.getByTestId('threshold-method').inputValue()).toBe('manual');
    const at = async () => Number(await page.getByTestId('threshold-value').inputValue());
    await expect.poll(at).toBeGreaterThan(0);
    const clicked = await at();
    const alertsAt = async () => Number((await page.getByTestId('threshold-alerts').textContent())!.replace(/,/g, ''));
    // The preview is in: the line now stands where the click was.
    await expect.poll(() => page.getByTestId('threshold-value-shown').textContent(), { timeout: 15_000 }).toBe(String(clicked));
    expect(await alertsAt()).toBeGreaterThan(0);
    // ... and dragging it to the right raises it (and lowers the alert count) on drop.
    await page.mouse.move(box.x + box.width * 0.3, y);
    await page.mouse.down();
    for (let i = 1; i <= 8; i++) await page.mouse.move(box.x + box.width * 0.3 + i * 15, y);
    await page.mouse.up();
    await expect.poll(at).toBeGreaterThan(clicked);
    const expected = (await call<{ alerts: number }>('score.thresholdPreview', { scoreId: 1, spec: { method: 'manual', value: await at() } })).alerts;
    await expect.poll(alertsAt, { timeout: 15_000 }).toBe(expected);
  });

  it('previews a threshold method with its alert count, and saves it', async () => {
    await page.getByTestId('threshold-method').selectOption('budget');
    await page.getByTestId('threshold-budget').fill('10');
    await expect.poll(() => page.getByTestId('threshold-alerts').textContent(), { timeout: 15_000 }).toBe('10');
    await page.getByTestId('threshold-save').click();
    await expect.poll(() => page.getByTestId('threshold-state').textContent(), { timeout: 15_000 }).toContain('Saved');
    const dist = await call<{ saved: { spec: { method: string; alerts?: number } } | null; threshold: { alerts: number } }>('score.distribution', { scoreId: 1 });
    expect(dist.saved?.spec).toEqual({ method: 'budget', alerts: 10 });
    expect(dist.threshold.alerts).toBe(10);
    // The saved threshold flags rows: the "flagged" filter now holds exactly those.
    await page.getByTestId('filter-flagged').check();
    await expect.poll(() => page.getByTestId('rank-table').getAttribute('data-total')).toBe('10');
    await page.getByTestId('filter-flagged').uncheck();
    await expect.poll(() => page.getByTestId('rank-table').getAttribute('data-total')).toBe(String(ROWS));
    // The evaluation panel is there: the dataset is labelled.
    expect(await page.getByTestId('evaluation-panel').count()).toBe(1);
    await page.emulateMedia({ colorScheme: 'dark' });
    await painted(page);
    await screenshot(page, 'ranking-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('draws the heatmap and the profile, and a click opens the row detail', async () => {
    await page.getByRole('button', { name: 'Heatmap', exact: true }).click();
    const chart = page.locator('[data-testid=heatmap-chart] canvas').first();
    await chart.waitFor({ timeout: 15_000 });
    await page.locator('[data-testid=profile-chart] canvas').first().waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByTestId('heatmap-window').textContent()).toContain(`1–${ROWS}`);
    await expect.poll(() => page.getByTestId('profile-summary').textContent()).toContain('10');
    await screenshot(page, 'heatmap-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await painted(page);
    await screenshot(page, 'heatmap-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await painted(page);

    // 569 rows in ≤ 240 bands: a click on the top band zooms in to one row per band there, where a click opens a row.
    await clickHeatmapCell(page, 1, 0, { start: 0, end: ROWS });
    await expect.poll(() => page.getByTestId('heatmap-window').textContent(), { timeout: 15_000 }).toMatch(/ranks 1–240 of 569 · one row per band/);
    await clickHeatmapCell(page, 2, 0, { start: 0, end: 240 });
    await page.getByTestId('row-detail').waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByTestId('row-detail-id').textContent(), { timeout: 15_000 }).toMatch(/^\d+$/);
    expect(await page.locator('[data-testid=row-detail-table] li').count()).toBeGreaterThan(3);
    await screenshot(page, 'heatmap-row-detail');
    // The detail takes the right column without hiding the profile: a tab away, and back.
    await page.getByTestId('side-profile').click();
    await expect.poll(() => page.getByTestId('profile-chart').isVisible()).toBe(true);
    expect(await page.getByTestId('row-detail').isVisible()).toBe(false);
    await page.getByTestId('side-row').click();
    await expect.poll(() => page.getByTestId('row-detail').isVisible()).toBe(true);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.mouse.move(5, 5);
    await painted(page);
    await screenshot(page, 'heatmap-row-detail-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('row-detail').count()).toBe(0);
    await page.getByTestId('zoom-reset').click();
    await expect.poll(() => page.getByTestId('heatmap-window').textContent()).toContain(`1–${ROWS}`);

    // The range slider on the row axis: pulling its top handle down asks for the lower ranks only.
    const heatmapRequests: { start: number; end: number; bands: number }[] = [];
    const onRequest = (r: Request): void => {
      if (r.url().endsWith('/api/score.heatmap')) heatmapRequests.push(JSON.parse(r.postData() ?? '{}') as { start: number; end: number; bands: number });
    };
    page.on('request', onRequest);
    const { x, top } = await heatmapSlider(page, { start: 0, end: ROWS });
    await page.mouse.move(x, top);
    await page.mouse.down();
    for (let i = 1; i <= 10; i++) await page.mouse.move(x, top + i * 20);
    await page.mouse.up();
    await expect.poll(() => heatmapRequests.length, { timeout: 15_000 }).toBe(1);
    page.off('request', onRequest);
    expect(heatmapRequests[0]!.start).toBeGreaterThan(0);
    expect(heatmapRequests[0]!.end).toBe(ROWS);
    expect(heatmapRequests[0]!.bands).toBeLessThanOrEqual(400);
    await expect.poll(() => page.getByTestId('heatmap-window').textContent()).toContain(`${heatmapRequests[0]!.start + 1}–${ROWS}`);
  });

  it('exports an A4 report and lists it', async () => {
    await page.getByRole('button', { name: 'Report', exact: true }).click();
    await page.getByTestId('report-paper-a4').check();
    await page.getByTestId('report-top').fill('20');
    await page.getByTestId('report-export').click();
    await page.getByTestId('report-result').waitFor({ timeout: 60_000 });
    const file = (await page.getByTestId('report-path').textContent())!.trim();
    expect(file.endsWith('.pdf')).toBe(true);
    // Browser mode writes reports into its reports folder (RESIDUAL_HOME/reports; vitest's config sets the home).
    expect(path.dirname(file)).toBe(path.join(process.env['RESIDUAL_HOME']!, 'reports'));
    expect(fs.readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');
    await expect.poll(() => page.getByTestId('report-row').count()).toBe(1);
    const listed = await call<{ path: string; pages: number; options: { paper: string; top: number } }[]>('report.list', {});
    expect(listed[0]).toMatchObject({ path: file, options: { paper: 'a4', top: 20 } });
    expect(listed[0]!.pages).toBeGreaterThan(1);
    expect((await page.getByTestId('report-pages').first().textContent())?.trim()).toBe(String(listed[0]!.pages));
    await screenshot(page, 'report-light');
  });
});
