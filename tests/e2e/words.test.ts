/**
 * The "Words" of issue #17, in Chromium against `residual serve`: the import error points a GUI user at the checkbox
 * beside it (never at the CLI's --skip-bad-rows), the backend has one name everywhere, the threshold card keeps its
 * height whichever method is chosen and shows the method's whole name, file sizes read as people read them, and the
 * job toast never covers a table.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmpDir } from '../helpers/tmp';
import { apiCall, chromiumAvailable, openApp, type OpenedApp, painted, residual, ROOT, screenshot, importWdbc } from './harness';

describe.skipIf(!chromiumAvailable())('words and layout in the browser', () => {
  const dir = tmpDir('residual-e2e-words-');
  const project = path.join(dir, 'words.residual');
  let app: OpenedApp;
  let page: Page;

  const call = <T>(method: string, body: unknown): Promise<T> => apiCall<T>(app.served, method, body);
  const nav = (name: string) => page.getByRole('button', { name, exact: true });

  beforeAll(async () => {
    await importWdbc(project);
    await residual(['train', '--project', project, '--kind', 'ecod']);
    await residual(['score', '--project', project]);
    app = await openApp(['--project', project]);
    page = app.page;
  }, 120_000);

  afterAll(() => app?.close());

  it('the import error points at the checkbox beside it, not at a command-line flag; a small file is sized in bytes', async () => {
    const bad = path.join(dir, 'ragged.csv');
    fs.writeFileSync(bad, 'a,b,c\n1,2,3\n4,5,6\n7,8,9,10\n11,12,13\n');
    // The page has the project (a loaded machine may take a while to start the engine).
    await page.getByTestId('project-name').waitFor({ timeout: 60_000 });
    await nav('Data').click();
    await page.getByTestId('file-input').setInputFiles(bad);
    const warnings = page.getByTestId('preview-warnings');
    await warnings.waitFor({ timeout: 30_000 });
    expect(await warnings.textContent()).toMatch(/lines 4\); fix them, or tick “Skip malformed rows” below to skip them\./);
    expect(await page.getByTestId('preview-facts').textContent()).toContain(`${fs.statSync(bad).size} B`);

    await page.getByTestId('import-button').click();
    const error = page.getByTestId('import-error');
    await error.waitFor({ timeout: 30_000 });
    const text = (await error.textContent()) ?? '';
    expect(text).toMatch(/line 4 has 4\. Fix those lines .*, or tick “Skip these rows” below to import the rest\./);
    expect(await error.getByText('Skip these rows', { exact: true }).count()).toBe(1);
    const page_ = (await page.locator('body').innerText()) ?? '';
    expect(page_).not.toContain('--skip-bad-rows');
    await screenshot(page, 'words-import-error');
    await page.getByRole('button', { name: 'Close the import' }).click();
  });

  it('sizes an imported file in KiB with sensible digits', async () => {
    const bytes = fs.statSync(path.join(ROOT, 'tests/fixtures/wdbc.csv')).size;
    const title = (await page.getByTestId('dataset-wdbc').locator('td.src').getAttribute('title')) ?? '';
    expect(title).toContain(`${(bytes / 1024).toPrecision(3)} KiB`);
    expect(title).not.toMatch(/\d\.\d{4,} KiB/);
  });

  it('names the backend one way everywhere: the header, Training and the runs table', async () => {
    // The engine's backend loads with its first job in this server.
    const ref = await call<{ jobId: string }>('score.run', { modelId: 1, datasetId: 1 });
    expect(ref.jobId).toBeTruthy();
    const badge = page.getByTestId('backend-badge');
    await expect.poll(() => badge.textContent(), { timeout: 60_000 }).toMatch(/^backend: wasm\b/);
    expect(await badge.getAttribute('title')).toMatch(/^Backend wasm: WebAssembly, on the CPU/);
    await nav('Training').click();
    await page.getByTestId('run-1').click();
    await expect.poll(() => page.getByTestId('runs-list').locator('tbody tr').first().locator('td').nth(8).textContent()).toMatch(/^wasm\b/);
    const shown = await page.locator('body').innerText();
    // The other spellings the analyst met before: none left on the page.
    expect(shown).not.toMatch(/WebAssembly|engine: /);
  });

  it('keeps the threshold card as tall for every method, and shows the method’s whole name', async () => {
    await nav('Ranking').click();
    const panel = page.getByTestId('threshold-panel');
    await panel.waitFor({ timeout: 30_000 });
    const method = page.getByTestId('threshold-method');
    const field: Record<string, string> = { sigma: 'threshold-k', percentile: 'threshold-p', budget: 'threshold-budget', fpr: 'threshold-fpr', cost: 'threshold-calarm', manual: 'threshold-value' };
    const heights = new Map<string, number>();
    for (const [m, testid] of Object.entries(field)) {
      await method.selectOption(m);
      await page.getByTestId(testid).waitFor();
      await painted(page);
      heights.set(m, (await panel.boundingBox())!.height);
      if (m === 'cost') {
        // The select is wide enough for its chosen option's whole text (measured in its own font).
        type Style = { fontWeight: string; fontSize: string; fontFamily: string; paddingLeft: string; paddingRight: string };
        type Canvas = { getContext(kind: '2d'): { font: string; measureText(text: string): { width: number } } };
        const fits = await method.evaluate((el) => {
          const g = globalThis as unknown as { getComputedStyle(e: unknown): Style; document: { createElement(tag: 'canvas'): Canvas } };
          const s = el as unknown as { options: { text: string }[]; selectedIndex: number; clientWidth: number };
          const cs = g.getComputedStyle(el);
          const ctx = g.document.createElement('canvas').getContext('2d');
          ctx.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
          const text = s.options[s.selectedIndex]!.text.trim();
          // Padding on both sides and the drop-down arrow.
          return { text, need: ctx.measureText(text).width + parseFloat(cs.paddingLeft) + parseFloat(cs.paddingRight) + 20, have: s.clientWidth };
        });
        expect(fits.text).toBe('Cost: false alarm vs missed');
        expect(fits.need).toBeLessThanOrEqual(fits.have);
        await screenshot(page, 'words-threshold-cost');
      }
    }
    const all = [...heights.values()];
    expect(Math.max(...all) - Math.min(...all)).toBeLessThanOrEqual(1);
    await method.selectOption('sigma');
  });

  it('the job toast never covers a table: the statistics table’s last column stays in view while a job runs', async () => {
    const job = await call<{ jobId: string }>('model.train', { datasetId: 1, settings: { kind: 'ae', epochs: 100000, patience: 100000 } });
    await nav('Data').click();
    await expect.poll(() => page.locator('.tray .job.running').count(), { timeout: 30_000 }).toBe(1);
    const last = page.getByTestId('column-stats').locator('thead th').last();
    await last.scrollIntoViewIfNeeded();
    // The page's own scroller: bring the table's bottom rows up to where a floating toast used to sit.
    await page.locator('main.content').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await painted(page);
    const cell = page.getByTestId('column-stats').locator('tbody tr').last().locator('td').last();
    const box = (await cell.boundingBox())!;
    const hit = await page.evaluate(({ x, y }) => {
      const doc = (globalThis as unknown as { document: { elementFromPoint(x: number, y: number): { closest(selector: string): unknown } | null } }).document;
      return (doc.elementFromPoint(x, y)?.closest('[data-testid=column-stats]') ?? null) !== null;
    }, { x: box.x + box.width / 2, y: box.y + box.height / 2 });
    expect(hit).toBe(true);
    // Both boxes from the same frame: the dock's height follows the running job's progress line, which may wrap.
    const { dockTop, mainBottom } = await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): { getBoundingClientRect(): { top: number; bottom: number } } } }).document;
      return { dockTop: doc.querySelector('[data-testid=status-dock]').getBoundingClientRect().top, mainBottom: doc.querySelector('main.content').getBoundingClientRect().bottom };
    });
    expect(dockTop).toBeGreaterThanOrEqual(mainBottom - 1);
    await screenshot(page, 'words-job-dock');
    await call('job.cancel', { jobId: job.jobId });
    await expect.poll(() => page.locator('.tray .job.running').count(), { timeout: 60_000 }).toBe(0);
    expect(app.pageErrors).toEqual([]);
  });
});
