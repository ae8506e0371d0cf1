/**
 * The image views in the browser (issue #14 item 3): Fashion-MNIST images imported from IDX files and scored by a
 * small dense autoencoder (prepared with the CLI), then the Ranking's thumbnails (the visible rows only), the row
 * detail's original / reconstruction / error map, the gallery of the top-ranked images ("show more", a click opens
 * the row), the Heatmap section's mean error map of the flagged images, and the PDF report's gallery.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasFashionMnist, imageAt, readFashionMnist, writeIdxPair } from '../helpers/idx';
import { tmpDir } from '../helpers/tmp';
import { pdfText } from '../core/report/poppler';
import { apiCall, chromiumAvailable, openApp, type OpenedApp, painted, residual, screenshot } from './harness';

const N = 300;

describe.skipIf(!chromiumAvailable() || !hasFashionMnist())('image views in the browser', () => {
  const dir = tmpDir('residual-e2e-image-views-');
  const project = path.join(dir, 'fashion.residual');
  let app: OpenedApp;
  let page: Page;
  const imageRequests: { rows: number[]; parts?: string }[] = [];
  const models = { ae: '', iforest: '' };

  beforeAll(async () => {
    const fashion = readFashionMnist('t10k');
    const files = writeIdxPair(dir, 'fashion', Array.from({ length: N }, (_, i) => imageAt(fashion, i)), Array.from(fashion.labels.subarray(0, N)), 28, 28, true);
    await residual(['import', files.images, '--project', project, '--labels', files.labels]);
    await residual(['train', '--project', project, '--kind', 'ae', '--layers', '64,16', '--epochs', '15', '--seed', '3']);
    await residual(['score', '--project', project]);
    await residual(['train', '--project', project, '--kind', 'iforest', '--seed', '3']);
    await residual(['score', '--project', project]);
    app = await openApp(['--project', project], (p) =>
      p.on('request', (r: Request) => {
        if (r.url().endsWith('/api/row.images')) imageRequests.push(JSON.parse(r.postData() ?? '{}') as { rows: number[]; parts?: string });
      }),
    );
    page = app.page;
    const overview = await apiCall<{ models: { id: number; kind: string }[] }>(app.served, 'project.overview', {});
    models.ae = String(overview.models.find((m) => m.kind === 'ae')!.id);
    models.iforest = String(overview.models.find((m) => m.kind === 'iforest')!.id);
  }, 300_000);

  afterAll(() => app?.close());

  it('shows a thumbnail in each ranked row on screen, fetched for the visible rows only', async () => {
    await page.getByRole('button', { name: 'Ranking', exact: true }).click();
    await page.getByLabel('Model', { exact: true }).selectOption(models.ae);
    const table = page.getByTestId('rank-table');
    await expect.poll(() => table.getAttribute('data-total'), { timeout: 30_000 }).toBe(String(N));
    const rows = page.getByTestId('rank-row');
    await expect.poll(() => page.getByTestId('rank-thumb').count(), { timeout: 30_000 }).toBeGreaterThan(5);
    expect(await page.getByTestId('rank-thumb').count()).toBe(await rows.count());
    // Each thumbnail is the image at its own size (28 × 28), drawn with its pixels (not blank).
    const thumb = await page.getByTestId('rank-thumb').first().evaluate((c) => {
      // The page's canvas, typed here by what the check uses (the tests' DOM types are not the page's).
      const el = c as unknown as { width: number; height: number; getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } };
      const d = el.getContext('2d').getImageData(0, 0, el.width, el.height).data;
      let lit = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i]! > 40) lit++;
      return { w: el.width, h: el.height, lit };
    });
    expect(thumb).toMatchObject({ w: 28, h: 28 });
    expect(thumb.lit).toBeGreaterThan(20);
    const thumbs = imageRequests.filter((r) => r.parts === 'pixels');
    expect(thumbs.length).toBeGreaterThan(0);
    const asked = new Set(thumbs.flatMap((r) => r.rows));
    expect(asked.size).toBeLessThan(N / 2);
    await painted(page);
  });

  it('shows the selected row as original, reconstruction and error map with a colour scale', async () => {
    await page.getByTestId('rank-row').nth(0).click();
    const detail = page.getByTestId('row-detail');
    await detail.getByTestId('row-images').locator('canvas').first().waitFor({ timeout: 30_000 });
    await expect.poll(() => detail.getByTestId('row-images').locator('canvas').count()).toBe(3);
    for (const id of ['row-image-original', 'row-image-reconstruction', 'row-image-map']) expect(await detail.getByTestId(id).count()).toBe(1);
    expect(await detail.getByTestId('map-legend').textContent()).toMatch(/squared reconstruction error per pixel/);
    // The per-column explanation stays below the images.
    expect(await detail.getByTestId('row-detail-table').locator('li').count()).toBeGreaterThan(0);
    await painted(page);
    await screenshot(page, 'image-row-detail');
  });

  it('shows a gallery of the top images, more on request, and a click opens the row', async () => {
    await page.getByTestId('view-gallery').click();
    const gallery = page.getByTestId('image-gallery');
    await expect.poll(() => gallery.getAttribute('data-tiles'), { timeout: 30_000 }).toBe('24');
    const first = page.getByTestId('gallery-tile').first();
    expect(await first.getAttribute('data-rank')).toBe('1');
    expect(await first.locator('canvas').count()).toBe(3);
    expect(await page.getByTestId('gallery-count').textContent()).toContain(`24 of ${N} images`);
    await page.getByTestId('gallery-more').click();
    await expect.poll(() => gallery.getAttribute('data-tiles'), { timeout: 30_000 }).toBe('48');
    expect(await page.getByTestId('gallery-tile').nth(47).getAttribute('data-rank')).toBe('48');

    // A verdict given in the row detail shows as a chip on the tile.
    const third = page.getByTestId('gallery-tile').nth(2);
    const row = await third.getAttribute('data-row');
    await third.click();
    await expect.poll(() => page.getByTestId('row-detail-id').textContent()).toBe(`#${Number(row) + 1}`);
    await page.getByTestId('row-detail').getByTestId('row-images').locator('canvas').nth(2).waitFor();
    await page.getByTestId('detail-verdict-anomaly').click();
    await expect.poll(() => third.getByTestId('gallery-verdict').textContent()).toBe('anomaly');
    await gallery.evaluate((el) => (el.scrollTop = 0));
    await painted(page);
    await screenshot(page, 'image-gallery');
  });

  it('shows the mean error map of the flagged images beside that of every image in the Heatmap section', async () => {
    await page.getByRole('button', { name: 'Heatmap', exact: true }).click();
    const maps = page.getByTestId('image-mean-maps');
    await maps.locator('canvas').nth(1).waitFor({ timeout: 30_000 });
    expect(await maps.locator('canvas').count()).toBe(2);
    const flagged = Number((await page.getByTestId('mean-map-flagged-count').textContent())!.replace(/,/g, ''));
    expect(flagged).toBeGreaterThan(0);
    expect(flagged).toBeLessThan(N);
    expect(await page.getByTestId('mean-map-all').textContent()).toContain(`all ${N} images`);
    // No column heatmap of 784 pixel columns.
    expect(await page.locator('.echart').count()).toBeLessThanOrEqual(1);
    await painted(page);
    await screenshot(page, 'image-heatmap-mean');
  });

  it('shows a kind without a reconstruction as the original and its attribution map, and says so', async () => {
    await page.getByRole('button', { name: 'Ranking', exact: true }).click();
    await page.getByLabel('Model', { exact: true }).selectOption(models.iforest);
    await page.getByTestId('view-table').click();
    await expect.poll(() => page.getByTestId('rank-table').getAttribute('data-total'), { timeout: 30_000 }).toBe(String(N));
    await page.getByTestId('rank-row').first().click();
    const images = page.getByTestId('row-detail').getByTestId('row-images');
    await images.getByTestId('row-images-no-recon').waitFor({ timeout: 30_000 });
    expect(await images.locator('canvas').count()).toBe(2);
    expect(await images.getByTestId('row-image-reconstruction').count()).toBe(0);
    expect(await images.getByTestId('map-legend').textContent()).toContain('IsolationForest has no reconstruction');
    await page.getByTestId('view-gallery').click();
    await expect.poll(() => page.getByTestId('image-gallery').getAttribute('data-tiles'), { timeout: 30_000 }).toBe('24');
    expect(await page.getByTestId('gallery-tile').first().locator('canvas').count()).toBe(2);
    await painted(page);
    await screenshot(page, 'image-gallery-iforest');
    await page.getByLabel('Model', { exact: true }).selectOption(models.ae);
  });

  it('exports a report whose gallery shows the top images', async () => {
    await page.getByRole('button', { name: 'Report', exact: true }).click();
    await page.getByTestId('report-top').fill('12');
    await page.getByTestId('report-export').click();
    await page.getByTestId('report-result').waitFor({ timeout: 120_000 });
    const file = (await page.getByTestId('report-path').textContent())!.trim();
    expect(fs.existsSync(file)).toBe(true);
    const text = pdfText(file);
    expect(text).toContain('Gallery of the top images');
    expect(text).toMatch(/The 12 highest-ranked images: the original, the model's reconstruction and the per-pixel error map/);
    expect(app.pageErrors).toEqual([]);
  });
});
