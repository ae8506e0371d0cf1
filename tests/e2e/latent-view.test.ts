/**
 * The Latent view in Chromium against `residual serve` (issue #14 item 4): on a table (UCI wdbc, an ae) and on an
 * image dataset (seed 001's digits with shoes among them, a 784-64-784 ae): the scatter of the codes, the explained
 * variance, the switch between score, label and verdict colours, the kNN and compression figures, and a click on the
 * highest-ranked point opening that row's detail. Screenshots go to test-results/screenshots/latent-*.png.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LatentView } from '../../src-main/contract';
// @ts-expect-error: a plain ES module script without types
import { missingData, writeFolders } from '../../scripts/seed001.mjs';
import { tmpDir } from '../helpers/tmp';
import { apiCall, chartPoint, chromiumAvailable, openApp, type OpenedApp, painted, residual, ROOT, screenshot } from './harness';

const WDBC = path.join(ROOT, 'tests/fixtures/wdbc.csv');
const imagesMissing = (missingData as () => string[] | null)();

/** Clicks the highest-ranked point (the chart says where it drew it) and checks the row detail opens on that row. */
async function clickTopPoint(page: Page, app: OpenedApp, scoreId: number): Promise<void> {
  const chart = page.getByTestId('latent-chart');
  await expect.poll(() => chart.getAttribute('data-top-point'), { timeout: 15_000 }).toMatch(/^\d+,\d+,\d+$/);
  const [x, y, row] = (await chart.getAttribute('data-top-point'))!.split(',').map(Number) as [number, number, number];
  const at = await chartPoint(chart, x, y);
  await page.mouse.click(at.x, at.y);
  await page.getByTestId('latent-row-detail').waitFor({ timeout: 15_000 });
  const [detail] = await apiCall<{ id: string; rank: number }[]>(app.served, 'row.detail', { scoreId, rows: [row] });
  await expect.poll(() => page.getByTestId('row-detail-id').textContent(), { timeout: 15_000 }).toBe(detail!.id);
  expect(detail!.rank).toBe(1);
  // The threshold in force reaches the row detail, as in Ranking and Heatmap: the top row is flagged.
  await expect.poll(() => page.getByTestId('row-detail-flagged').textContent(), { timeout: 15_000 }).toBe('flagged');
}

describe.skipIf(!chromiumAvailable())('the Latent view', () => {
  const dir = tmpDir('residual-e2e-latent-');
  let app: OpenedApp;
  let page: Page;
  let tableScore = 0;
  let imageScore = 0;
  const project = path.join(dir, 'latent.residual');

  beforeAll(async () => {
    await residual(['import', WDBC, '--project', project, '--label', 'diagnosis', '--positive', 'malignant', '--id', 'id']);
    await residual(['train', '--project', project, '--kind', 'ae', '--layers', '16,4', '--epochs', '20', '--seed', '0']);
    tableScore = (JSON.parse(await residual(['score', '--project', project, '--json'])) as { scoreId: number }).scoreId;
    if (!imagesMissing) {
      (writeFolders as (d: string, o: object) => unknown)(path.join(dir, 'images'), { train: 400, shoes: 4, seed: 0 });
      await residual(['import', path.join(dir, 'images', 'train'), '--project', project, '--name', 'digits', '--size', '28']);
      await residual(['import', path.join(dir, 'images', 'test'), '--project', project, '--name', 'digits+shoes', '--size', '28']);
      const trained = JSON.parse(await residual(['train', '--project', project, '--dataset', 'digits', '--kind', 'ae', '--layers', '64', '--epochs', '30', '--seed', '0', '--json'])) as { modelId: number };
      imageScore = (JSON.parse(await residual(['score', '--project', project, '--model', String(trained.modelId), '--dataset', 'digits+shoes', '--json'])) as { scoreId: number }).scoreId;
    }
    app = await openApp(['--project', project]);
    page = app.page;
  }, 300_000);

  afterAll(() => app?.close());

  it('on a table: scatter, explained variance, colours, kNN and compression, and a click opens the row', async () => {
    const latent = await apiCall<LatentView>(app.served, 'model.latent', { scoreId: tableScore });
    // The app opens on the newest dataset (the images', where they were made): the view's own picker changes it.
    await page.getByRole('button', { name: 'Latent', exact: true }).click();
    await page.getByTestId('latent-dataset').selectOption({ label: 'wdbc' });
    await page.getByTestId('latent-chart').locator('canvas').first().waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('latent-explained').textContent(), { timeout: 15_000 }).toContain(`${(100 * latent.explained[0]).toFixed(1)} %`);
    // Every row is drawn: "all 569 rows", not "569 of 569 rows (the 100 highest ranked and a sample of the rest)".
    await expect.poll(() => page.getByTestId('latent-summary').textContent()).toMatch(/^all 569 rows\s· /);
    expect(await page.getByTestId('latent-dims').textContent()).toContain('30 → 4');
    expect(await page.getByTestId('latent-ratio').textContent()).toContain('7.5×');
    await expect.poll(() => page.getByTestId('knn-latent').textContent()).toMatch(/\d+\.\d %/);
    await painted(page);
    await screenshot(page, 'latent-table-score');
    await page.getByTestId('colour-label').click();
    await painted(page);
    await screenshot(page, 'latent-table-label');
    await page.getByTestId('colour-verdict').click();
    await painted(page);
    await clickTopPoint(page, app, tableScore);
    await screenshot(page, 'latent-table-row');
    await page.getByTestId('latent-row-close').click();
    await page.getByTestId('latent-figures').waitFor({ timeout: 15_000 });
    expect(app.pageErrors).toEqual([]);
  }, 120_000);

  it.skipIf(imagesMissing !== null)('on images: the shoes among the digits, coloured by label, with PSNR', async () => {
    await page.getByRole('button', { name: 'Latent', exact: true }).click();
    await page.getByTestId('latent-dataset').selectOption({ label: 'digits+shoes' });
    await expect.poll(() => page.getByTestId('latent-summary').textContent(), { timeout: 30_000 }).toContain('images');
    await expect.poll(() => page.getByTestId('latent-psnr').textContent()).toMatch(/\d+\.\d dB/);
    expect(await page.getByTestId('latent-dims').textContent()).toMatch(/→ 64/);
    await page.getByTestId('colour-label').click();
    await painted(page);
    await screenshot(page, 'latent-images-label');
    await page.getByTestId('colour-score').click();
    await painted(page);
    await screenshot(page, 'latent-images-score');
    await clickTopPoint(page, app, imageScore);
    await screenshot(page, 'latent-images-row');
    expect(app.pageErrors).toEqual([]);
  }, 120_000);
});
