/**
 * Images in the browser from the import panel (issue #14): a folder of PNGs in two subfolders chosen with "Choose a
 * folder…" is uploaded file by file (progress n of N), previewed and imported, the subfolder names its label; an IDX
 * file takes its labels file through "Choose labels file…" (the preview shows the label column), a labels file that
 * does not match is refused naming it, and the size and colour options change the stored shape.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeIdxPair } from '../helpers/idx';
import { tmpDir } from '../helpers/tmp';
import { chromiumAvailable, openApp, type OpenedApp, screenshot } from './harness';

/** A w×h PNG: a light square on a dark ground, its place depending on `seed`. */
function png(w: number, h: number, seed: number): Buffer {
  const img = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      const on = (x + seed) % w < w / 2 && (y + seed) % h < h / 2;
      img.data[i] = on ? 230 : 20;
      img.data[i + 1] = on ? 200 - seed * 10 : 30;
      img.data[i + 2] = on ? 40 : 60 + seed * 5;
      img.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(img);
}

describe.skipIf(!chromiumAvailable())('image folders and labels files through the import panel', () => {
  const dir = tmpDir('residual-e2e-image-folder-');
  const folder = path.join(dir, 'shapes');
  let app: OpenedApp;
  let page: Page;
  let idx = { images: '', labels: '' };
  let badLabels = '';

  beforeAll(async () => {
    for (const [sub, n] of [['circles', 4], ['squares', 3]] as const) {
      fs.mkdirSync(path.join(folder, sub), { recursive: true });
      for (let i = 0; i < n; i++) fs.writeFileSync(path.join(folder, sub, `${sub}-${i}.png`), png(12, 10, i + (sub === 'squares' ? 4 : 0)));
    }
    fs.writeFileSync(path.join(folder, 'README.txt'), 'not an image');
    // 20 IDX images of 8×8 with their labels (classes 0–4), and a labels file with one label too few.
    const images = Array.from({ length: 20 }, (_, k) => Uint8Array.from({ length: 64 }, (_, j) => (k * 37 + j * 11) % 256));
    idx = writeIdxPair(dir, 'tiny', images, images.map((_, k) => k % 5), 8, 8, true);
    fs.mkdirSync(path.join(dir, 'short'));
    badLabels = writeIdxPair(path.join(dir, 'short'), 'tiny', images.slice(0, 19), images.slice(0, 19).map((_, k) => k % 5), 8, 8, false).labels;
    app = await openApp(['--project', path.join(dir, 'images.residual')]);
    page = app.page;
  }, 120_000);
  afterAll(() => app?.close());

  it('uploads a folder of PNGs in two subfolders, previews it and imports it with its labels', async () => {
    await page.getByTestId('folder-input').setInputFiles(folder);
    await page.getByTestId('preview-roles').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('folder-skipped').textContent()).toContain('1 file in the folder is not PNG or JPEG: left out');
    expect(await page.getByTestId('preview-format').textContent()).toMatch(/7 images, stored as 28×28 grey images \(PNG\/JPEG folder\)/);
    // 784 pixels, the label (the subfolder) and the file.
    expect(await page.getByTestId('preview-facts').textContent()).toContain('786 columns');
    expect(await page.getByTestId('role-label').count()).toBe(1);
    expect(await page.getByTestId('role-file').count()).toBe(1);
    const rows = (await page.getByTestId('preview-rows').textContent()) ?? '';
    expect(rows).toContain('circles/circles-0.png');
    expect(rows).toContain('squares/squares-2.png');
    // Smaller and in colour: the preview shows the shape the import will store.
    await page.getByTestId('image-size').fill('6');
    await page.getByTestId('image-size').dispatchEvent('change');
    await page.getByTestId('image-colour').check();
    await page.getByTestId('preview-format').filter({ hasText: /6×6 colour images/ }).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('preview-facts').textContent()).toContain(`${6 * 6 * 3 + 2} columns`);
    await screenshot(page, 'image-folder-preview');
    await page.getByTestId('import-button').click();
    const notice = page.getByTestId('import-notice');
    await notice.waitFor({ timeout: 60_000 });
    expect(await notice.textContent()).toContain(`7 rows × ${6 * 6 * 3 + 2} columns`);
    expect(await page.getByTestId('dataset-shapes').locator('td.src').getAttribute('title')).toContain('6×6 colour images (PNG/JPEG folder)');
    expect(app.pageErrors).toEqual([]);
  });

  it('shows a folder upload file by file and cancels it, leaving nothing behind', async () => {
    // The third file's upload is held, so the panel stays at "2 of 7" until Cancel: the bridge has two files of the
    // folder and no request on its way, so only the page's discard can remove them.
    let seen = 0;
    const folders: string[] = [];
    await page.route('**/api/upload?path=*', async (route) => {
      if (++seen > 2) return;
      const response = await route.fetch();
      folders.push(((await response.json()) as { result: { folder: string } }).result.folder);
      await route.fulfill({ response });
    });
    try {
      await page.getByTestId('folder-input').setInputFiles(folder);
      await page.getByTestId('upload-progress').filter({ hasText: /Uploading 2 of 7 files/ }).waitFor({ timeout: 30_000 });
      expect(await page.getByTestId('upload-progress').locator('progress').getAttribute('max')).toBe('7');
      await page.getByTestId('upload-cancel').click();
      await page.getByTestId('import-panel').waitFor({ state: 'detached', timeout: 10_000 });
      expect(await page.getByTestId('import-error').count()).toBe(0);
      await expect.poll(() => folders.length, { timeout: 10_000 }).toBe(2);
      expect(folders[1]).toBe(folders[0]);
      await expect.poll(() => fs.existsSync(path.dirname(folders[0]!)), { timeout: 10_000 }).toBe(false);
    } finally {
      await page.unroute('**/api/upload?path=*');
    }
    expect(app.pageErrors).toEqual([]);
  });

  it('discards the uploads it will not import: a labels file removed, and all when the panel closes', async () => {
    // The server's uploads: the upload folders in its private folder (named after its process id).
    const uploads = (): string[] => {
      const mine = fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith(`residual-uploads-${app.served.process.pid}-`));
      return mine.flatMap((m) => fs.readdirSync(path.join(os.tmpdir(), m)).map((u) => path.join(os.tmpdir(), m, u))).sort();
    };
    const before = uploads();
    const added = (): string[] => uploads().filter((u) => !before.includes(u));
    await page.getByTestId('file-input').setInputFiles(idx.images);
    await page.getByTestId('image-options').waitFor({ timeout: 30_000 });
    const [images] = added();
    expect(added()).toHaveLength(1);
    await page.getByTestId('labels-input').setInputFiles(idx.labels);
    await page.getByTestId('labels-name').waitFor({ timeout: 30_000 });
    expect(added()).toHaveLength(2);
    const labels = added().find((u) => u !== images)!;
    expect(fs.readdirSync(labels)).toEqual([path.basename(idx.labels)]);
    await page.getByTestId('labels-remove').click();
    await expect.poll(() => fs.existsSync(labels), { timeout: 10_000 }).toBe(false);
    expect(fs.existsSync(images!)).toBe(true);
    await page.getByRole('button', { name: 'Close the import' }).click();
    await page.getByTestId('import-panel').waitFor({ state: 'detached', timeout: 10_000 });
    await expect.poll(added, { timeout: 10_000 }).toEqual([]);
    expect(app.pageErrors).toEqual([]);
  });

  it('takes an IDX file with its labels file, and names a labels file that does not match', async () => {
    await page.getByTestId('file-input').setInputFiles(idx.images);
    await page.getByTestId('image-options').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('preview-facts').textContent()).toContain('64 columns');
    expect(await page.getByTestId('role-label').count()).toBe(0);
    // A labels file of 19 labels for 20 images: refused, named as the analyst knows it.
    await page.getByTestId('labels-input').setInputFiles(badLabels);
    const error = page.getByTestId('import-error');
    await error.waitFor({ timeout: 30_000 });
    const message = (await error.textContent()) ?? '';
    expect(message).toContain(`${path.basename(badLabels)} holds 19 labels but tiny-images-idx3-ubyte.gz holds 20 images`);
    expect(message).not.toContain('/u-');
    // The right one: the preview gains the label column.
    await page.getByTestId('labels-remove').click();
    await page.getByTestId('labels-input').setInputFiles(idx.labels);
    await page.getByTestId('preview-facts').filter({ hasText: /65 columns/ }).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('labels-name').textContent()).toBe(path.basename(idx.labels));
    expect(await page.getByTestId('import-error').count()).toBe(0);
    expect(await page.getByTestId('role-label').count()).toBe(1);
    // The label column's first values are the labels file's classes 0, 1, 2, …
    const header = await page.getByTestId('preview-rows').locator('thead th').allTextContents();
    const at = header.indexOf('label');
    expect(at).toBeGreaterThan(0);
    const firstLabels = await page.getByTestId('preview-rows').locator(`tbody tr td:nth-child(${at + 1})`).allTextContents();
    expect(firstLabels.slice(0, 6)).toEqual(['0', '1', '2', '3', '4', '0']);
    await screenshot(page, 'image-idx-labels-preview');
    await page.getByTestId('import-button').click();
    const notice = page.getByTestId('import-notice');
    await page.getByTestId('import-notice').filter({ hasText: /20 rows × 65 columns/ }).waitFor({ timeout: 60_000 });
    expect(await notice.textContent()).toContain('20 rows × 65 columns');
    expect(app.pageErrors).toEqual([]);
  });
});
