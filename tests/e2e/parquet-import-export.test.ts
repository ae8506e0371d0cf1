/**
 * Parquet in the browser (issues #15, #17): a Parquet file written by another tool (hyparquet-writer) is uploaded,
 * previewed (its row groups, the roles an import infers) and imported through the import panel; after training and
 * scoring, "Export Parquet" beside "Export CSV" writes the ranked rows into the reports folder and the page
 * downloads the file, which another library reads back with the CSV export's rows.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readParquetRows, transactions, writeParquet } from '../helpers/parquet';
import { tmpDir } from '../helpers/tmp';
import { chromiumAvailable, openApp, type OpenedApp, screenshot } from './harness';

const ROWS = 3000;

describe.skipIf(!chromiumAvailable())('Parquet through the UI: import and export', () => {
  const dir = tmpDir('residual-e2e-parquet-');
  const reports = path.join(dir, 'reports');
  const data = writeParquet(path.join(dir, 'cards.parquet'), transactions(ROWS), 1000);
  let app: OpenedApp;
  let page: Page;
  const nav = (name: string) => page.getByRole('navigation').getByRole('button', { name, exact: true });

  beforeAll(async () => {
    app = await openApp(['--project', path.join(dir, 'cards.residual')], undefined, { RESIDUAL_REPORTS_DIR: reports });
    page = app.page;
  }, 120_000);
  afterAll(() => app?.close());

  it('uploads, previews and imports a Parquet file', async () => {
    await page.getByTestId('file-input').setInputFiles(data);
    await page.getByTestId('preview-roles').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('preview-format').textContent()).toMatch(/Parquet, 3,000 rows in 3 row groups/);
    const facts = await page.getByTestId('preview-facts').textContent();
    expect(facts).toContain('8 columns');
    expect(facts).not.toContain('delimiter');
    expect(await page.getByTestId('role-tx_id').inputValue()).toBe('id');
    expect(await page.getByTestId('role-merchant').inputValue()).toBe('categorical');
    expect(await page.getByTestId('role-at').inputValue()).toBe('timestamp');
    expect(await page.getByTestId('role-label').inputValue()).toBe('label');
    expect(await page.getByTestId('positive-value').inputValue()).toBe('fraud');
    expect((await page.getByTestId('preview-rows').locator('tbody tr').first().textContent()) ?? '').toContain('tx-000000');
    await screenshot(page, 'parquet-preview');

    await page.getByTestId('import-button').click();
    const notice = page.getByTestId('import-notice');
    await notice.waitFor({ timeout: 60_000 });
    expect(await notice.textContent()).toContain('3,000 rows × 8 columns');
    const row = await page.getByTestId('dataset-cards').locator('td').allTextContents();
    expect(row[1]).toContain('3,000');
    expect(row[2]).toBe('8');
    expect(await page.getByTestId('dataset-cards').locator('td.src').getAttribute('title')).toContain('Parquet');
    // The upload's temporary copy is not what the dataset records: the file's own name is.
    expect(await page.getByTestId('dataset-cards').locator('td.src').textContent()).toBe('cards.parquet');
    expect(app.pageErrors).toEqual([]);
  });

  it('trains and scores on it, then exports the ranking as Parquet and the page downloads it', async () => {
    await nav('Model').click();
    await page.getByTestId('train-box').waitFor();
    await page.getByTestId('kind-ecod').check();
    await page.locator('[data-testid="train-button"]:not([disabled])').waitFor({ timeout: 30_000 });
    await page.getByTestId('train-button').click();
    await page.getByTestId('training-section').waitFor();
    await page.getByTestId('model-run').getByTestId('run-status').filter({ hasText: 'complete' }).waitFor({ timeout: 90_000 });
    await page.getByTestId('score-and-rank').click();
    const table = page.getByTestId('rank-table');
    await expect.poll(() => table.getAttribute('data-total'), { timeout: 60_000 }).toBe(String(ROWS));
    const first = page.getByTestId('rank-row').first();
    await expect.poll(() => first.getAttribute('data-rank'), { timeout: 15_000 }).toBe('1');
    const firstId = (await first.locator('.id').textContent())!.trim();

    expect(await page.getByTestId('export-csv').textContent()).toContain('Export CSV');
    expect(await page.getByTestId('export-parquet').textContent()).toContain('Export Parquet');
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByTestId('export-parquet').click()]);
    expect(download.suggestedFilename()).toMatch(/^cards-cards-model-1-.*\.parquet$/);
    const rows = await readParquetRows(await download.path());
    expect(rows).toHaveLength(ROWS);
    expect(rows[0]).toMatchObject({ rank: 1, id: firstId });
    expect(typeof rows[0]!['score']).toBe('number');
    expect(['anomaly', 'normal']).toContain(rows[0]!['label']);
    const result = page.getByTestId('export-result');
    expect(await result.textContent()).toMatch(/Downloaded 3,000 rows as Parquet/);
    // The page names the downloaded file; the server's path is in data-path.
    const out = (await page.getByTestId('export-path').getAttribute('data-path'))!;
    expect((await page.getByTestId('export-path').textContent())!.trim()).toBe(path.basename(out));
    expect(fs.realpathSync(path.dirname(out))).toBe(fs.realpathSync(reports));
    expect(fs.readFileSync(out).equals(fs.readFileSync(await download.path()))).toBe(true);
    await screenshot(page, 'ranking-export-parquet');

    // Filtered: only the flagged rows, as in the CSV.
    await page.getByTestId('filter-flagged').check();
    const filteredTotal = async (): Promise<number> => {
      const t = await table.getAttribute('data-total');
      return t && t !== String(ROWS) ? Number(t) : 0;
    };
    await expect.poll(filteredTotal, { timeout: 15_000 }).toBeGreaterThan(0);
    const total = await filteredTotal();
    const [flagged] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByTestId('export-parquet').click()]);
    const flaggedRows = await readParquetRows(await flagged.path());
    expect(flaggedRows).toHaveLength(total);
    expect(flaggedRows.every((r) => r['flagged'] === true)).toBe(true);
    expect(app.pageErrors).toEqual([]);
  });
});
