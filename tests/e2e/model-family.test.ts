/**
 * The adversarial (AAE) and Wasserstein (WAE-MMD) autoencoders through the whole product in browser mode (issue #13,
 * items 1, 2 and 6): picked from the Model section with their sentence and their own setting, followed in Training
 * (their loss terms live beside the reconstruction loss, the path they trained on), scored and ranked, explained per
 * column with the kind named, and reported in a PDF whose model card says what they are.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdfText } from '../core/report/poppler';
import { tmpDir } from '../helpers/tmp';
import { apiCall, chromiumAvailable, openApp, type OpenedApp, painted, screenshot, importWdbc } from './harness';

describe.skipIf(!chromiumAvailable())('AAE and WAE from the Model section to the report', () => {
  const dir = tmpDir('residual-e2e-family-');
  const project = path.join(dir, 'family.residual');
  let app: OpenedApp;
  let page: Page;

  beforeAll(async () => {
    await importWdbc(project);
    app = await openApp(['--project', project]);
    page = app.page;
  }, 120_000);

  afterAll(() => app?.close());

  const nav = (name: string) => page.getByRole('navigation').getByRole('button', { name, exact: true });

  const cases = [
    { kind: 'aae', path: 'tfjs', pathText: 'wasm · TensorFlow.js', line: /discriminator/, terms: ['discriminator', 'generator'], method: 'Adversarial autoencoder (AAE)', card: 'adversarial autoencoder (Makhzani et al. 2016)', setting: 'scoreWithPrior' },
    { kind: 'wae', path: 'wasm-fused', pathText: 'wasm · fused kernel', line: /MMD penalty/, terms: ['mmd'], method: 'Wasserstein autoencoder (WAE-MMD)', card: 'Wasserstein autoencoder, WAE-MMD (Tolstikhin et al. 2018)', setting: 'mmdLambda' },
  ] as const;

  for (const [i, c] of cases.entries()) {
    const modelId = i + 1;

    describe(c.kind, () => {
      it('is picked in the Model section with its sentence and setting, trains with its loss terms shown live, and says its path', async () => {
        await nav('Model').click();
        await page.getByTestId('train-box').waitFor();
        // The wizard proposes the ensemble, not these kinds.
        expect(await page.getByTestId('kind-ensemble').isChecked()).toBe(true);
        await page.getByTestId(`kind-${c.kind}`).check();
        expect(await page.getByTestId('kind-picker').locator('label.on').textContent()).toMatch(c.line);
        await page.getByTestId(`setting-${c.setting}`).waitFor();
        if (c.kind === 'wae') {
          expect(await page.getByTestId('setting-mmdLambda').inputValue()).toBe('10');
          await page.getByTestId('setting-mmdLambda').fill('5');
          await page.getByTestId('setting-mmdLambda').blur();
          // Issue #15: the training sample (the wizard proposes none for 569 rows); 400 of them, the split within them.
          expect(await page.getByTestId('sample-summary').textContent()).toContain('trains on all 569 rows');
          await page.getByTestId('setting-sampleRows').fill('400');
          await page.getByTestId('setting-sampleRows').blur();
          await expect.poll(() => page.getByTestId('sample-summary').textContent()).toContain('trains on a seeded sample of 400 of 569 rows');
        } else {
          expect(await page.getByTestId('setting-scoreWithPrior').isChecked()).toBe(false);
        }
        await page.getByTestId('layers-input').fill('16, 4');
        await page.getByTestId('layers-input').press('Enter');
        await expect.poll(() => page.getByTestId('architecture-summary').textContent()).toMatch(/^\d+ → 16 → 4 → 16 → \d+$/);
        // Many epochs and no early stopping, so the run is still going when its live terms are read; Stop ends it.
        await page.getByTestId('setting-epochs').fill('2000');
        await page.getByTestId('setting-epochs').blur();
        await page.getByTestId('setting-patience').fill('0');
        await page.getByTestId('setting-patience').blur();
        await page.locator('[data-testid="train-button"]:not([disabled])').waitFor();
        await screenshot(page, `model-${c.kind}`);
        await page.getByTestId('train-button').click();

        await page.getByTestId('training-section').waitFor();
        const live = page.getByTestId('live-run');
        for (const t of c.terms) await live.getByTestId(`term-${t}`).waitFor({ timeout: 60_000 });
        await expect.poll(async () => Number((await live.getByTestId('epoch-counter').textContent())?.split('/')[0])).toBeGreaterThanOrEqual(2);
        await screenshot(page, `training-${c.kind}`);
        await live.getByTestId('stop-training').click();

        const run = page.getByTestId('model-run');
        await run.getByTestId('run-status').filter({ hasText: 'cancelled' }).waitFor({ timeout: 60_000 });
        await run.getByTestId('loss-chart').locator('canvas').first().waitFor();
        expect(await run.textContent()).toContain(c.pathText);
        await run.getByRole('button', { name: 'Show settings' }).click();
        const settings = await run.getByTestId('run-settings').textContent();
        expect(settings).toContain(c.kind === 'aae' ? 'discriminator' : 'λ (MMD)5');
        if (c.kind === 'wae') expect(settings).toContain('all, a seeded sample of 400 of 569');
        const { model } = await apiCall<{ model: { kind: string; path: string; status: string; settings: { mmdLambda: number; scoreWithPrior: boolean; sampleRows: number }; split: { excluded: number } } }>(app.served, 'model.get', { modelId });
        expect(model).toMatchObject({ kind: c.kind, path: c.path, status: 'cancelled' });
        if (c.kind === 'wae') expect(model).toMatchObject({ settings: { mmdLambda: 5, sampleRows: 400 }, split: { excluded: 169 } });
        expect(app.pageErrors).toEqual([]);
      }, 180_000);

      it('is scored and ranked; the row detail names the kind and explains per column; the heatmap shows reconstruction errors', async () => {
        await page.getByTestId('score-and-rank').click();
        await page.locator('nav button[aria-current="page"]', { hasText: 'Ranking' }).waitFor({ timeout: 60_000 });
        const table = page.getByTestId('rank-table');
        await expect.poll(() => table.getAttribute('data-total'), { timeout: 30_000 }).toBe('569');
        await page.keyboard.press('Home');
        await expect.poll(() => page.locator('[data-testid=rank-row][aria-selected=true]').getAttribute('data-rank')).toBe('1');
        const method = page.getByTestId('row-detail-method');
        await method.waitFor({ timeout: 30_000 });
        expect(await method.textContent()).toContain(`${c.method}: squared reconstruction error per column`);
        expect(await page.locator('[data-testid=row-detail-table] li').count()).toBeGreaterThan(2);
        await screenshot(page, `ranking-${c.kind}`);

        await nav('Heatmap').click();
        await page.locator('[data-testid=heatmap-chart] canvas').first().waitFor({ timeout: 30_000 });
        await expect.poll(() => page.getByTestId('heatmap-quantity').textContent()).toContain('reconstruction error');
        await painted(page);
        await screenshot(page, `heatmap-${c.kind}`);
        expect(app.pageErrors).toEqual([]);
      }, 120_000);

      it("is reported: the model card names the kind and what pulls its codes to the prior", async () => {
        await nav('Report').click();
        await page.getByTestId('report-model').selectOption(String(modelId));
        await page.getByTestId('report-paper-a4').check();
        await page.getByTestId('report-top').fill('10');
        await page.getByTestId('report-export').click();
        await page.getByTestId('report-result').waitFor({ timeout: 90_000 });
        const file = (await page.getByTestId('report-path').textContent())!.trim();
        expect(fs.readFileSync(file).subarray(0, 5).toString()).toBe('%PDF-');
        // pdftotext joins the words of a line with spaces and may break lines anywhere: compare without whitespace.
        const flat = pdfText(file).replace(/\s+/g, '');
        const has = (words: string): boolean => flat.includes(words.replace(/\s+/g, ''));
        expect(has(c.card)).toBe(true);
        expect(has(c.kind === 'aae' ? 'a discriminator (code → 16 → 16 → 1, ReLU' : 'λ 5 × the MMD (inverse multiquadratic kernel, 7 scales)')).toBe(true);
        expect(has('code (linear)')).toBe(true);
        expect(has('The curve is the reconstruction loss alone')).toBe(true);
        expect(has(`--kind ${c.kind}`)).toBe(true);
        expect(app.pageErrors).toEqual([]);
      }, 120_000);
    });
  }
});
