/**
 * Images in the browser (issue #14): a gzipped IDX file of Fashion-MNIST images is uploaded, previewed (its count and
 * the shape it is stored at) and imported through the import panel; the dataset list shows the shape.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasFashionMnist, imageAt, readFashionMnist, writeIdxPair } from '../helpers/idx';
import { tmpDir } from '../helpers/tmp';
import { chromiumAvailable, openApp, type OpenedApp, screenshot } from './harness';

const N = 60;

describe.skipIf(!chromiumAvailable() || !hasFashionMnist())('an IDX file of images through the UI', () => {
  const dir = tmpDir('residual-e2e-images-');
  let app: OpenedApp;
  let page: Page;
  let images = '';

  beforeAll(async () => {
    const fashion = readFashionMnist('t10k');
    images = writeIdxPair(dir, 'few', Array.from({ length: N }, (_, i) => imageAt(fashion, i)), Array.from(fashion.labels.subarray(0, N)), 28, 28, true).images;
    app = await openApp(['--project', path.join(dir, 'images.residual')]);
    page = app.page;
  }, 120_000);
  afterAll(() => app?.close());

  it('uploads, previews and imports it, the shape shown', async () => {
    await page.getByTestId('file-input').setInputFiles(images);
    await page.getByTestId('preview-roles').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('preview-format').textContent()).toMatch(/60 images, stored as 28×28 grey images \(IDX\), pixels scaled to 0–1/);
    expect(await page.getByTestId('preview-facts').textContent()).toContain('784 columns');
    await screenshot(page, 'image-preview');
    await page.getByTestId('import-button').click();
    const notice = page.getByTestId('import-notice');
    await notice.waitFor({ timeout: 60_000 });
    expect(await notice.textContent()).toContain('60 rows × 784 columns');
    const name = 'few-images-idx3-ubyte';
    expect(await page.getByTestId(`dataset-${name}`).locator('td.src').getAttribute('title')).toContain('28×28 grey images (IDX)');
    expect(app.pageErrors).toEqual([]);
  });
});
