/**
 * The acceptance test of the whole workbench: one CSV (wdbc, 569 tumours, 30 measurements, a diagnosis) taken
 * through every section in order, in Chromium against `residual serve` on a fresh project, as an analyst would:
 * Data (upload, import, statistics) → Model (16-8 autoencoder) → Training (train, curve, score and rank) → Ranking
 * (rows, keyboard review, a threshold) → Heatmap (chart, profile, a row's detail) → Report (an A4 PDF).
 * Each step asserts what the analyst would read, and what is stored is checked with the CLI (`residual top`).
 * One screenshot per section at 1280×800: test-results/screenshots/flow-1-data.png … flow-6-report.png.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmpDir } from '../helpers/tmp';
import { chromiumAvailable, clickHeatmapCell, openApp, type OpenedApp, painted, residual, ROOT, screenshot } from './harness';

const WDBC = path.join(ROOT, 'tests', 'fixtures', 'wdbc.csv');
const ROWS = 569;
const EPOCHS = 5;
const NOTE = 'irregular nuclei: sent for a second opinion';

/** What `residual top --json` prints (the fields this test reads). */
interface Top {
  scoreId: number;
  threshold: number;
  total: number;
  rows: { rank: number; row: number; id: string; score: number; flagged: boolean; label: string | null; verdict: string | null; note: string }[];
}

describe.skipIf(!chromiumAvailable())('the workbench from CSV to report (browser mode)', () => {
  const dir = tmpDir('residual-e2e-flow-');
  const project = path.join(dir, 'tumours.residual');
  let app: OpenedApp;
  let page: Page;
  let pageErrors: string[] = [];

  const nav = (name: string) => page.getByRole('navigation').getByRole('button', { name, exact: true });
  const current = async () => (await page.locator('nav button[aria-current="page"]').textContent())?.trim();
  const top = async (n: number): Promise<Top> => JSON.parse(await residual(['top', '--project', project, '-n', String(n), '--json'])) as Top;

  beforeAll(async () => {
    app = await openApp(['--project', project]);
    ({ page, pageErrors } = app);
  });

  afterAll(async () => {
    await app?.close();
  });

  it('1 · Data: uploads wdbc.csv, imports it and shows its statistics', async () => {
    expect(await current()).toBe('Data');
    expect(await page.getByTestId('drop-zone').textContent()).toContain('No dataset yet — drop a CSV here');
    await page.getByTestId('file-input').setInputFiles(WDBC);

    await page.getByTestId('preview-roles').waitFor();
    const facts = await page.getByTestId('preview-facts').textContent();
    expect(facts).toContain('delimiter comma');
    expect(facts).toContain('32 columns, 30 of them features');
    expect(await page.getByTestId('role-id').inputValue()).toBe('id');
    expect(await page.getByTestId('role-diagnosis').inputValue()).toBe('label');
    expect(await page.getByTestId('positive-value').inputValue()).toBe('malignant');

    await page.getByTestId('import-button').click();
    const notice = page.getByTestId('import-notice');
    await notice.waitFor({ timeout: 30_000 });
    expect(await notice.textContent()).toContain(`${ROWS} rows × 32 columns`);

    const row = await page.getByTestId('dataset-wdbc').locator('td').allTextContents();
    expect(row[1]).toContain(String(ROWS));
    expect(row[2]).toBe('32');
    expect(row[3]).toBe('30');
    expect(await page.getByTestId('column-stats').locator('tbody tr[data-idx]').count()).toBe(32);
    const radius = await page.getByTestId('stats-row-mean radius').locator('td').allTextContents();
    expect(radius.slice(2, 6)).toEqual(['569', '0', '456', '14.13']);
    const summary = await page.getByTestId('dataset-summary').textContent();
    expect(summary).toContain('30 numeric and 0 categorical features');
    expect(summary).toContain('anomaly = “malignant”');
    await screenshot(page, 'flow-1-data');
  });

  it('2 · Model: a 16-8 autoencoder trained for a few epochs', async () => {
    await page.getByTestId('go-model').click();
    expect(await current()).toBe('Model');
    await page.getByTestId('train-box').waitFor();
    await page.getByTestId('kind-ae').check();
    await page.getByTestId('layers-input').fill('16, 8');
    await page.getByTestId('layers-input').press('Enter');
    await page.getByTestId('setting-epochs').fill(String(EPOCHS));
    await page.getByTestId('setting-epochs').blur();
    await page.getByTestId('architecture-summary').filter({ hasText: '→ 16 → 8 → 16 →' }).waitFor();
    // The live check has answered for exactly these settings.
    await page.locator('[data-testid="train-button"]:not([disabled])').waitFor();
    expect(await page.getByTestId('parameter-count').textContent()).toMatch(/^[\d,]+ parameters$/);
    expect(await page.getByTestId('train-box').textContent()).not.toContain('Fix ');
    // An unnamed run takes the name training will give it.
    expect(await page.getByTestId('model-name').getAttribute('placeholder')).toBe('ae 30-16-8-16-30 on wdbc');
    await page.locator('main.content').evaluate((el) => (el.scrollTop = 0));
    await screenshot(page, 'flow-2-model');
  });

  it('3 · Training: trains, draws the loss curve, then scores and ranks the rows', async () => {
    await page.getByTestId('train-button').click();
    await page.getByTestId('training-section').waitFor();
    const run = page.getByTestId('model-run');
    await run.getByTestId('run-status').filter({ hasText: 'complete' }).waitFor({ timeout: 60_000 });
    expect(await run.getByTestId('run-epochs').textContent()).toBe(`${EPOCHS} of ${EPOCHS}`);
    expect(Number(await run.getByTestId('run-best-loss').textContent())).toBeGreaterThan(0);
    await run.getByTestId('loss-chart').locator('canvas').first().waitFor();
    expect(await run.textContent()).toContain('30-16-8-16-30');
    const cells = await page.getByTestId('run-1').locator('td').allTextContents();
    expect(cells[1]).toBe('ae 30-16-8-16-30 on wdbc');
    expect(cells[4]).toBe('complete');
    expect(cells[5]).toBe(String(EPOCHS));
    await screenshot(page, 'flow-3-training');

    await page.getByTestId('score-and-rank').click();
    await expect.poll(current, { timeout: 30_000 }).toBe('Ranking');
  });

  it('4 · Ranking: every row ranked, reviewed from the keyboard, and a 10-alert threshold saved', async () => {
    const table = page.getByTestId('rank-table');
    await expect.poll(() => table.getAttribute('data-total'), { timeout: 15_000 }).toBe(String(ROWS));
    const selectedRank = () => page.locator('[data-testid=rank-row][aria-selected=true]').getAttribute('data-rank');
    await expect.poll(selectedRank).toBe('1');
    const stored = await top(5);
    expect(stored.total).toBe(ROWS);
    // The table shows the ranking the engine stored, highest error first.
    const firstId = (await page.locator('[data-testid=rank-row][data-rank="1"] .id').textContent())?.trim();
    expect(firstId).toBe(String(stored.rows[0]!.id));

    // ↓ ↓ A, ↓ F, ↓ U, N + note + Enter: ranks 3, 4 and 5 reviewed.
    for (const key of ['ArrowDown', 'ArrowDown', 'a', 'ArrowDown', 'f', 'ArrowDown', 'u', 'n']) await page.keyboard.press(key);
    await page.getByTestId('note-input').waitFor();
    await page.getByTestId('note-input').fill(NOTE);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('note-editor').count()).toBe(0);
    expect(await selectedRank()).toBe('5');
    const verdictAt = (rank: number) => page.locator(`[data-testid=rank-row][data-rank="${rank}"] [data-testid=rank-verdict]`).textContent();
    await expect.poll(() => verdictAt(3)).toContain('anomaly');
    await expect.poll(() => verdictAt(4)).toContain('false positive');
    await expect.poll(() => verdictAt(5)).toContain('unsure');
    expect(await verdictAt(2)).not.toMatch(/anomaly|normal|unsure/);
    await expect.poll(() => page.getByTestId('detail-verdict-unsure').getAttribute('aria-pressed'), { timeout: 15_000 }).toBe('true');

    // A threshold: an alert budget of 10 flags exactly the 10 highest scores.
    await page.getByTestId('threshold-method').selectOption('budget');
    await page.getByTestId('threshold-budget').fill('10');
    await expect.poll(() => page.getByTestId('threshold-alerts').textContent(), { timeout: 15_000 }).toBe('10');
    await page.getByTestId('threshold-save').click();
    await expect.poll(() => page.getByTestId('threshold-state').textContent(), { timeout: 15_000 }).toContain('Saved');
    await page.getByTestId('filter-flagged').check();
    await expect.poll(() => table.getAttribute('data-total'), { timeout: 15_000 }).toBe('10');
    await page.getByTestId('filter-flagged').uncheck();
    await page.getByTestId('filter-flagged').blur();
    await expect.poll(() => table.getAttribute('data-total'), { timeout: 15_000 }).toBe(String(ROWS));

    // All of it is in the project: the CLI, reading the file afresh, sees the verdicts, the note and the threshold.
    const after = await top(12);
    expect(after.rows.slice(0, 6).map((r) => [r.rank, r.verdict, r.note])).toEqual([
      [1, null, ''],
      [2, null, ''],
      [3, 'anomaly', ''],
      [4, 'normal', ''],
      [5, 'unsure', NOTE],
      [6, null, ''],
    ]);
    expect(after.rows.filter((r) => r.flagged).map((r) => r.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(after.threshold).toBeLessThanOrEqual(after.rows[9]!.score);
    expect(after.threshold).toBeGreaterThan(after.rows[10]!.score);
    // The page is back on the ranks just reviewed when the screenshot is taken.
    await page.keyboard.press('Home');
    await screenshot(page, 'flow-4-ranking');
  });

  it('5 · Heatmap: the error heatmap and the flagged rows’ profile; a click opens a row’s detail', async () => {
    await nav('Heatmap').click();
    const chart = page.locator('[data-testid=heatmap-chart] canvas').first();
    await chart.waitFor({ timeout: 15_000 });
    await page.locator('[data-testid=profile-chart] canvas').first().waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByTestId('heatmap-window').textContent()).toContain(`1–${ROWS}`);
    // The profile is over the 10 rows the saved threshold flags.
    await expect.poll(() => page.getByTestId('profile-summary').textContent()).toMatch(/over the\s+10\s+rows/);

    // 569 rows in at most 240 bands: a click on the top band zooms in to one row per band, where a click opens a row.
    await clickHeatmapCell(page, 1, 0, { start: 0, end: ROWS });
    await expect.poll(() => page.getByTestId('heatmap-window').textContent(), { timeout: 15_000 }).toMatch(/ranks 1–240 of 569 · one row per band/);
    // The picture: the zoomed heatmap beside the profile bars (the row detail then takes the right column, the profile a tab away).
    const box = (await chart.boundingBox())!;
    await page.mouse.move(box.x + box.width + 200, box.y - 60);
    await painted(page);
    await screenshot(page, 'flow-5-heatmap');
    await clickHeatmapCell(page, 2, 0, { start: 0, end: 240 });
    await page.getByTestId('row-detail').waitFor({ timeout: 15_000 });
    await expect.poll(() => page.getByTestId('row-detail-id').textContent(), { timeout: 15_000 }).toMatch(/^\d+$/);
    const id = (await page.getByTestId('row-detail-id').textContent())!.trim();
    // A row near the top of the ranking: one of the 12 highest scores.
    expect((await top(12)).rows.map((r) => String(r.id))).toContain(id);
    // The cell clicked: rank 2's.
    expect(id).toBe(String((await top(2)).rows[1]!.id));
    expect(await page.locator('[data-testid=row-detail-table] li').count()).toBeGreaterThan(3);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('row-detail').count()).toBe(0);
  });

  it('6 · Report: exports an A4 PDF into browser mode\'s reports folder and lists it', async () => {
    await nav('Report').click();
    await page.getByTestId('report-paper-a4').check();
    await page.getByTestId('report-top').fill('20');
    await page.getByTestId('report-export').click();
    await page.getByTestId('report-result').waitFor({ timeout: 60_000 });
    const file = (await page.getByTestId('report-path').textContent())!.trim();
    // Browser mode writes reports into its reports folder (RESIDUAL_HOME/reports; vitest's config sets the home).
    expect(path.dirname(file)).toBe(path.join(process.env['RESIDUAL_HOME']!, 'reports'));
    expect(file).toMatch(/\.pdf$/);
    const pdf = fs.readFileSync(file);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    // A4 pages: 595.28 × 841.89 points.
    expect(pdf.toString('latin1')).toMatch(/\/MediaBox \[0 0 595\.28 841\.89\]/);
    await expect.poll(() => page.getByTestId('report-row').count()).toBe(1);
    const pages = Number((await page.getByTestId('report-pages').first().textContent())?.trim());
    expect(pages).toBeGreaterThan(1);
    expect(await page.getByTestId('report-result').textContent()).toContain(`${pages} pages`);
    await screenshot(page, 'flow-6-report');
    expect(pageErrors).toEqual([]);
  });
});
