/**
 * The analyst's first hour in browser mode, through the real UI and server: upload a CSV, fix a role, import,
 * read the statistics, shape a network in the wizard, train it, watch the curves and find the run in the list;
 * and a malformed file whose error names its line.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiCall, openApp, type OpenedApp, painted, ROOT, screenshot } from './harness';

const WDBC = path.join(ROOT, 'tests', 'fixtures', 'wdbc.csv');

describe('Data, Model and Training sections', () => {
  let dir: string;
  let app: OpenedApp;
  let page: Page;
  let pageErrors: string[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'residual-e2e-dmt-'));
    app = await openApp(['--project', path.join(dir, 'p.residual')]);
    ({ page, pageErrors } = app);
  });

  afterAll(async () => {
    await app?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const nav = (name: string) => page.getByRole('navigation').getByRole('button', { name, exact: true });

  /** Whether the element lies whole inside the scrolling content's visible area (below the top bar, above the dock). */
  const inView = (p: Page, testid: string): Promise<boolean> =>
    p.evaluate((id) => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): { getBoundingClientRect(): { top: number; bottom: number } } | null } }).document;
      const el = doc.querySelector(`[data-testid="${id}"]`)?.getBoundingClientRect();
      const main = doc.querySelector('main')?.getBoundingClientRect();
      return !!el && !!main && el.top >= main.top && el.bottom <= main.bottom;
    }, testid);

  it('imports a CSV with an edited role and shows its statistics', async () => {
    await expect(page.getByTestId('drop-zone').textContent()).resolves.toContain('No dataset yet — drop a CSV here');
    // The page loaded without a word on the console (no policy the browser ignores, no missing icon).
    expect(app.consoleProblems).toEqual([]);
    await page.getByTestId('file-input').setInputFiles(WDBC);

    // The preview: detected format, inferred roles, first rows.
    await page.getByTestId('preview-roles').waitFor();
    const facts = await page.getByTestId('preview-facts').textContent();
    expect(facts).toContain('encoding utf-8');
    expect(facts).toContain('delimiter comma');
    expect(facts).toContain('32 columns, 30 of them features');
    expect(await page.getByTestId('preview-roles').locator('tbody tr').count()).toBe(32);
    expect(await page.getByTestId('role-id').inputValue()).toBe('id');
    expect(await page.getByTestId('role-diagnosis').inputValue()).toBe('label');
    expect(await page.getByTestId('positive-value').inputValue()).toBe('malignant');
    expect(await page.getByTestId('preview-rows').locator('tbody tr').count()).toBe(8);

    // The analyst ignores the id column; the preview re-runs with that choice.
    await page.getByTestId('role-id').selectOption('ignored');
    await page.locator('[data-column="id"]', { hasText: 'chosen in the import options' }).waitFor();
    expect(await page.getByTestId('role-id').inputValue()).toBe('ignored');

    // As an analyst does: scrolled down through the tall preview to the Import button at its foot.
    await page.locator('main.content').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.getByTestId('import-button').click();
    const notice = page.getByTestId('import-notice');
    await notice.waitFor({ timeout: 30_000 });
    expect(await notice.textContent()).toContain('569 rows × 32 columns');
    // The page had scrolled down to the Import button; the notice and its "Next" button are back in view, clear of
    // the top bar (not scrolled past as the tall preview gave way to the dataset list).
    await expect.poll(() => inView(page, 'import-notice'), { timeout: 15_000 }).toBe(true);

    // The dataset list and the statistics of the new dataset.
    const row = page.getByTestId('dataset-wdbc');
    expect(await row.locator('td').nth(1).textContent()).toContain('569');
    expect(await row.locator('td').nth(2).textContent()).toBe('32');
    expect(await row.locator('td').nth(3).textContent()).toBe('30');
    const stats = page.getByTestId('column-stats');
    expect(await stats.locator('tbody tr[data-idx]').count()).toBe(32);
    expect(await page.getByTestId('stats-role-id').inputValue()).toBe('ignored');
    const radius = await page.getByTestId('stats-row-mean radius').locator('td').allTextContents();
    // Column, role, count, missing, distinct, mean, std, min, quartiles, max (wdbc's known values).
    expect(radius[2]).toBe('569');
    expect(radius[3]).toBe('0');
    expect(radius[4]).toBe('456');
    expect(radius[5]).toBe('14.13');
    expect(radius[7]).toBe('6.981');
    expect(radius[9]).toBe('28.11');
    expect(await page.getByTestId('stats-row-mean radius').locator('svg rect').count()).toBeGreaterThan(10);
    expect(await page.getByTestId('dataset-summary').textContent()).toContain('30 numeric and 0 categorical features');
    expect(await page.getByTestId('dataset-summary').textContent()).toContain('anomaly = “malignant”');

    // A column's detail: histogram chart and its quartiles.
    await page.getByTestId('stats-row-mean area').click();
    const detail = page.getByTestId('column-detail-mean area');
    await detail.locator('canvas').first().waitFor();
    expect(await detail.textContent()).toContain('551.1');

    // A role changed after the import (data.setRole).
    await page.getByTestId('stats-role-mean fractal dimension').selectOption('ignored');
    await page.getByTestId('dataset-summary').filter({ hasText: '29 numeric' }).waitFor();
    expect(await page.getByTestId('stats-role-mean fractal dimension').inputValue()).toBe('ignored');
    await screenshot(page, 'data-section');
  });

  it('shapes a network in the wizard, trains it and lists the run', async () => {
    await nav('Model').click();
    const box = page.getByTestId('train-box');
    await box.waitFor();
    await page.getByTestId('kind-ae').check();
    await page.getByTestId('layers-input').fill('16, 8');
    await page.getByTestId('layers-input').press('Enter');
    await page.getByTestId('setting-epochs').fill('6');
    await page.getByTestId('setting-epochs').blur();
    await page.getByTestId('architecture-summary').filter({ hasText: '→ 16 → 8 → 16 →' }).waitFor();
    // The live check has answered for these settings: a parameter count and no blocking error.
    await page.locator('[data-testid="train-button"]:not([disabled])').waitFor();
    expect(await page.getByTestId('parameter-count').textContent()).toMatch(/^[\d,]+ parameters$/);
    expect(await box.textContent()).not.toContain('Fix ');
    // Normal-only training is offered because wdbc has a label.
    expect(await page.getByTestId('setting-trainOn').locator('option[value="normal"]').isDisabled()).toBe(false);
    await screenshot(page, 'model-section');

    await page.getByTestId('train-button').click();
    // Training opens by itself, with the live curve, then the finished run.
    await page.getByTestId('training-section').waitFor();
    const run = page.getByTestId('model-run');
    await run.getByTestId('run-status').filter({ hasText: 'complete' }).waitFor({ timeout: 45_000 });
    expect(await run.getByTestId('run-epochs').textContent()).toBe('6 of 6');
    expect(Number(await run.getByTestId('run-best-loss').textContent())).toBeGreaterThan(0);
    await run.getByTestId('loss-chart').locator('canvas').first().waitFor();
    expect(await run.textContent()).toContain('29-16-8-16-29');

    const runs = page.getByTestId('runs-list');
    expect(await runs.locator('tbody tr').count()).toBe(1);
    const cells = await page.getByTestId('run-1').locator('td').allTextContents();
    expect(cells[1]).toBe('ae 29-16-8-16-29 on wdbc');
    expect(cells[2]).toBe('wdbc');
    expect(cells[4]).toBe('complete');
    expect(cells[5]).toBe('6');
    expect(await page.getByTestId('score-and-rank').isEnabled()).toBe(true);
    // The engine's backend is reported once training has started it.
    expect(await page.locator('header.top').textContent()).toContain('backend: wasm');
    await screenshot(page, 'training-section');
    expect(pageErrors).toEqual([]);
  });

  it('follows a run live, stops it (keeping the best epoch) and compares it with the first', async () => {
    await nav('Model').click();
    // One autoencoder (the wizard proposes an ensemble): its epochs are the run's epochs.
    await page.getByTestId('kind-ae').check();
    // Long enough to watch and stop: the fused engine runs 300 epochs of this small net in well under a second.
    await page.getByTestId('setting-epochs').fill('50000');
    await page.getByTestId('setting-patience').fill('0');
    await page.getByTestId('setting-patience').blur();
    await page.locator('[data-testid="train-button"]:not([disabled])').waitFor();
    await page.getByTestId('train-button').click();

    const liveRun = page.getByTestId('live-run');
    await liveRun.waitFor();
    // Live figures from job.progress: epoch counter, speed, time left, backend.
    await page.getByTestId('epoch-counter').filter({ hasText: /^([3-9]|\d{2,5}) \/ 50000$/ }).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('samples-per-second').textContent()).toMatch(/^[\d,]+ rows\/s$/);
    expect(await page.getByTestId('eta').textContent()).toMatch(/left$/);
    // One name for the backend everywhere: the one RESIDUAL_BACKEND takes, as the header and the CLI say it.
    expect(await page.getByTestId('backend').textContent()).toMatch(/^wasm\b/);
    await liveRun.getByTestId('loss-chart').locator('canvas').first().waitFor();
    await screenshot(page, 'training-live');

    await page.getByTestId('stop-training').click();
    const run = page.getByTestId('model-run');
    await run.getByTestId('run-status').filter({ hasText: 'cancelled' }).waitFor({ timeout: 30_000 });
    expect(await run.textContent()).toMatch(/Cancelled after \d+ epochs?; kept epoch \d+\./);
    expect(await page.getByTestId('runs-list').locator('tbody tr').count()).toBe(2);
    expect(await page.getByTestId('run-2').locator('td').nth(4).textContent()).toBe('cancelled');

    await page.getByTestId('compare-1').check();
    await page.getByTestId('compare-2').check();
    const compare = page.getByTestId('compare-runs');
    await compare.locator('canvas').first().waitFor();
    expect(await compare.locator('h3').textContent()).toMatch(/^Comparing 2 runs\s+#1 · #2$/);
    expect(await compare.getByTestId('diff-table').locator('tbody tr').first().textContent()).toContain('29-16-8-16-29');
    // Neither run has scored wdbc yet: no quality figures, an offer to score each.
    await page.locator('[data-testid="quality-1"][data-state="not-scored"]').waitFor();
    expect(await page.getByTestId('quality-2-status').textContent()).toContain('has not scored wdbc —');
    expect(await page.getByTestId('score-run-2').isEnabled()).toBe(true);
    // The same view in the dark theme (the charts re-read the theme's colours).
    await page.emulateMedia({ colorScheme: 'dark' });
    await painted(page);
    await screenshot(page, 'training-compare-dark');
    await page.emulateMedia({ colorScheme: 'light' });
  });

  it('names the line of a malformed row, and imports the rest when asked to skip it', async () => {
    const bad = path.join(dir, 'broken.csv');
    fs.writeFileSync(bad, 'a,b,c\n1,2,3\n4,5,6\n7,8,9,10\n11,12,13\n');
    await nav('Data').click();
    await page.getByTestId('file-input').setInputFiles(bad);
    await page.getByTestId('preview-warnings').waitFor();
    expect(await page.getByTestId('preview-warnings').textContent()).toContain('lines 4');

    await page.getByTestId('import-button').click();
    const error = page.getByTestId('import-error');
    await error.waitFor({ timeout: 30_000 });
    const text = await error.textContent();
    expect(text).toContain('At line 4 of broken.csv');
    expect(text).toContain('line 4 has 4');
    // Named as the analyst knows it, not by the upload's temporary path.
    expect(text).not.toContain('residual-upload-');
    expect(await page.getByTestId('dataset-list').locator('tbody tr').count()).toBe(1);
    await screenshot(page, 'data-import-error');

    await page.getByTestId('skip-bad-rows').check();
    // As an analyst does: scrolled down through the tall preview to the Import button at its foot.
    await page.locator('main.content').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.getByTestId('import-button').click();
    const notice = page.getByTestId('import-notice');
    await notice.waitFor({ timeout: 30_000 });
    expect(await notice.textContent()).toContain('1 malformed row was skipped (line 4)');
    expect(await page.getByTestId('dataset-list').locator('tbody tr').count()).toBe(2);
    expect(pageErrors).toEqual([]);
  });

  it('scores the data with the chosen run and opens the Ranking', async () => {
    await nav('Training').click();
    await page.getByTestId('run-1').click();
    await page.getByTestId('model-run').getByText('ae 29-16-8-16-29 on wdbc').first().waitFor();
    await page.getByTestId('score-and-rank').click();
    await page.locator('nav button[aria-current="page"]', { hasText: 'Ranking' }).waitFor({ timeout: 30_000 });
    // Back in Training, the scored run now offers its ranking directly.
    await nav('Training').click();
    await page.getByTestId('open-ranking').waitFor();
  });

  it('compares runs of different kinds on detection quality: AUC table and overlaid ROC and PR curves', async () => {
    // An IsolationForest (no loss curve at all) beside the scored autoencoder #1.
    await nav('Model').click();
    await page.getByTestId('kind-iforest').check();
    await page.locator('[data-testid="train-button"]:not([disabled])').waitFor();
    await page.getByTestId('train-button').click();
    await page.getByTestId('training-section').waitFor();
    await page.getByTestId('model-run').getByTestId('run-status').filter({ hasText: 'complete' }).waitFor({ timeout: 45_000 });
    await expect.poll(() => page.getByTestId('runs-list').locator('tbody tr').count()).toBe(3);

    await page.getByTestId('compare-1').check();
    await page.getByTestId('compare-3').check();
    const compare = page.getByTestId('compare-runs');
    await compare.waitFor();
    // #1 was scored above: its figures; #3 not yet: it offers to score.
    await page.locator('[data-testid="quality-1"][data-state="ok"]').waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="quality-3"][data-state="not-scored"]').waitFor();
    expect(await page.getByTestId('quality-3-status').textContent()).toContain('has not scored wdbc —');
    await page.getByTestId('score-run-3').click();
    await page.locator('[data-testid="quality-3"][data-state="ok"]').waitFor({ timeout: 45_000 });
    // Scoring from the comparison stays in Training.
    expect((await page.locator('nav button[aria-current="page"]').textContent())?.trim()).toBe('Training');

    // The figures are the engine's own (score.evaluate on each run's score of wdbc).
    const overview = await apiCall<{ scores: { scoreId: number; modelId: number; datasetId: number }[]; models: { id: number; datasetId: number }[] }>(app.served, 'project.overview', {});
    for (const id of [1, 3]) {
      const model = overview.models.find((m) => m.id === id)!;
      const score = overview.scores.filter((x) => x.modelId === id && x.datasetId === model.datasetId).at(-1)!;
      const ev = await apiCall<{ rocAuc: number; averagePrecision: number; precisionAtK: number; k: number }>(app.served, 'score.evaluate', { scoreId: score.scoreId });
      for (const key of ['rocAuc', 'averagePrecision', 'precisionAtK'] as const) {
        const cell = page.getByTestId(`quality-${id}-${key}`);
        expect(Number(await cell.getAttribute('data-value'))).toBe(ev[key]);
        expect((await cell.textContent())?.trim()).toBe(String(Number(ev[key].toPrecision(4))));
      }
      // Both runs rank the malignant tumours better than chance (the autoencoder trained 6 epochs only).
      expect(ev.rocAuc).toBeGreaterThan(0.6);
      expect(ev.k).toBe(212);
    }
    // Two runs, two ROC series and two PR series, named in the legend by id and kind; the loss only for the autoencoder.
    const roc = compare.getByTestId('roc-chart');
    await roc.locator('canvas').first().waitFor();
    expect(await roc.getAttribute('data-series')).toBe('2');
    expect((await roc.getAttribute('data-series-names'))?.split('|')).toEqual(['#1 ae', '#3 iforest']);
    expect(await compare.getByTestId('pr-chart').getAttribute('data-series')).toBe('2');
    expect(await compare.getByTestId('compare-loss').textContent()).toContain('#3 (iforest): no loss curve');
    await compare.getByTestId('compare-loss').getByTestId('loss-chart').locator('canvas').first().waitFor();
    await painted(page);
    await screenshot(page, 'training-compare-quality');
    await page.emulateMedia({ colorScheme: 'dark' });
    await painted(page);
    await screenshot(page, 'training-compare-quality-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    expect(pageErrors).toEqual([]);
  });
});
