/**
 * The analyst's day (issue #17) in the browser: after a second import the Ranking no longer dead-ends in a "Score
 * now" that can only fail — it offers only models that can score the dataset and says what works when none can —
 * and "Export CSV" writes the filtered ranked rows into the reports folder, which the page then downloads.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmpDir } from '../helpers/tmp';
import { chromiumAvailable, openApp, type OpenedApp, residual, ROOT, screenshot, importWdbc } from './harness';

const HEADER = 'rank,id,score,flagged,feature_1,share_1,feature_2,share_2,feature_3,share_3,label,verdict,note';

describe.skipIf(!chromiumAvailable())('a second import, and the ranking as CSV', () => {
  const dir = tmpDir('residual-e2e-export-');
  const project = path.join(dir, 'day.residual');
  const reports = path.join(dir, 'reports');
  let app: OpenedApp;
  let page: Page;

  beforeAll(async () => {
    // The old dead end: a model trained and scored on wdbc, then glass imported (other columns).
    await importWdbc(project);
    await residual(['train', '--project', project, '--kind', 'ae', '--epochs', '4', '--seed', '1']);
    await residual(['score', '--project', project]);
    await residual(['import', path.join(ROOT, 'tests/fixtures/glass.csv'), '--project', project, '--name', 'glass']);
    app = await openApp(['--project', project], undefined, { RESIDUAL_REPORTS_DIR: reports });
    page = app.page;
  }, 180_000);

  afterAll(() => app?.close());

  it('on the new dataset: no dead-end "Score now", but what works', async () => {
    await page.getByRole('button', { name: 'Ranking', exact: true }).click();
    const gate = page.getByTestId('no-compatible-model');
    await gate.waitFor({ timeout: 15_000 });
    expect(await gate.textContent()).toContain('No model can score “glass”');
    expect(await page.getByTestId('score-now').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Train a model on “glass”' }).count()).toBe(1);
    await screenshot(page, 'ranking-no-compatible-model');
    // Heatmap shares the selection and says the same.
    await page.getByRole('button', { name: 'Heatmap', exact: true }).click();
    await page.getByTestId('no-compatible-model').waitFor();
    // "Train a model on glass" leads to Model with glass selected.
    await page.getByRole('button', { name: 'Ranking', exact: true }).click();
    await page.getByRole('button', { name: 'Train a model on “glass”' }).click();
    await page.getByTestId('model-section').waitFor();
    const glassId = await page.getByTestId('model-dataset').inputValue();
    expect(await page.locator(`[data-testid=model-dataset] option[value="${glassId}"]`).textContent()).toContain('glass');
  });

  it('the other dataset is one pick away, with only the models that can score it', async () => {
    await page.getByRole('button', { name: 'Ranking', exact: true }).click();
    await page.getByTestId('gate-dataset').selectOption({ label: 'wdbc' });
    const table = page.getByTestId('rank-table');
    await expect.poll(() => table.getAttribute('data-total'), { timeout: 15_000 }).toBe('569');
    const models = await page.locator('select[aria-label=Model] option').allTextContents();
    expect(models).toHaveLength(1);
    expect(models[0]).toMatch(/^model #1 /);
    // The dataset picker of the Ranking lists both; picking glass again shows the empty state again.
    expect(await page.locator('[data-testid=rank-dataset] option').allTextContents()).toEqual(['wdbc', 'glass']);
    await page.getByTestId('rank-dataset').selectOption({ label: 'glass' });
    await page.getByTestId('no-compatible-model').waitFor();
    await page.getByTestId('gate-dataset').selectOption({ label: 'wdbc' });
    await expect.poll(() => table.getAttribute('data-total'), { timeout: 15_000 }).toBe('569');
  });

  it('Export CSV writes the rows matching the filters into the reports folder and the page downloads them', async () => {
    const first = page.getByTestId('rank-row').first();
    await expect.poll(() => first.getAttribute('data-rank'), { timeout: 15_000 }).toBe('1');
    const firstId = (await first.locator('.id').textContent())!.trim();
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.getByTestId('export-csv').click()]);
    const saved = await download.path();
    const text = fs.readFileSync(saved, 'utf8');
    const lines = text.split('\r\n');
    expect(lines[0]).toBe(HEADER);
    const row = lines[1]!.split(',');
    expect(row[0]).toBe('1');
    expect(row[1]).toBe(firstId);
    expect(Number(row[2])).toBeGreaterThan(0);
    expect(['true', 'false']).toContain(row[3]);
    expect(row[10]).toMatch(/^(anomaly|normal)$/);
    expect(lines.length).toBe(1 + 569 + 1);
    expect(download.suggestedFilename()).toMatch(/^day-wdbc-model-1-.*\.csv$/);
    // The file the server wrote is in the reports folder and is the one downloaded.
    // The page names the downloaded file; the server's path is in data-path.
    const out = (await page.getByTestId('export-path').getAttribute('data-path'))!;
    expect((await page.getByTestId('export-path').textContent())!.trim()).toBe(path.basename(out));
    expect(fs.realpathSync(path.dirname(out))).toBe(fs.realpathSync(reports));
    expect(fs.readFileSync(out, 'utf8')).toBe(text);
    await screenshot(page, 'ranking-export-csv');

    // With the "flagged" filter: only flagged rows.
    await page.getByTestId('filter-flagged').check();
    // The filtered count, once the new window has loaded (not the old 569, not the empty value while it loads).
    const filteredTotal = async (): Promise<number> => {
      const t = await page.getByTestId('rank-table').getAttribute('data-total');
      return t && t !== '569' ? Number(t) : 0;
    };
    await expect.poll(filteredTotal, { timeout: 15_000 }).toBeGreaterThan(0);
    const total = await filteredTotal();
    const [flagged] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.getByTestId('export-csv').click()]);
    const rows = fs.readFileSync(await flagged.path(), 'utf8').split('\r\n').slice(1, -1);
    expect(rows.length).toBe(total);
    expect(rows.every((l) => l.split(',')[3] === 'true')).toBe(true);
    expect(app.pageErrors).toEqual([]);
  });
});
