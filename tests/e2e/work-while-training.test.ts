/**
 * Issue #7: the analyst keeps working while a model trains. A long training run is started; while it runs, the
 * ranking of the earlier model is paged, a row is reviewed from the keyboard and its detail (which recomputes the
 * reconstruction) is shown; the run is still going when all of that has been answered, and the job tray's Cancel
 * stops it, keeping its best epoch. Jobs run in the engine's job thread; these calls are answered by its main thread.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRef } from '../../src-main/contract';
import { tmpDir } from '../helpers/tmp';
import { apiCall, chromiumAvailable, openApp, residual, screenshot, type OpenedApp, importWdbc } from './harness';

describe.skipIf(!chromiumAvailable())('working while a model trains', () => {
  const dir = tmpDir('residual-e2e-busy-');
  const project = path.join(dir, 'busy.residual');
  let app: OpenedApp;
  let page: Page;

  const call = <T>(method: string, body: unknown): Promise<T> => apiCall<T>(app.served, method, body);

  beforeAll(async () => {
    await importWdbc(project);
    await residual(['train', '--project', project, '--kind', 'ae', '--epochs', '8', '--seed', '7']);
    await residual(['score', '--project', project]);
    app = await openApp(['--project', project]);
    page = app.page;
  }, 120_000);

  afterAll(() => app?.close());

  it('pages, reviews and explains rows while training runs, then cancels the run from the job tray', async () => {
    // A run that would go on for a very long time: 100,000 epochs, no early stop.
    const job = await call<JobRef>('model.train', { datasetId: 1, settings: { kind: 'ae', layers: [8, 4], epochs: 100_000, patience: 100_000, validation: 0.2 }, name: 'long run' });
    const tray = page.locator('.tray .job.running');
    await expect.poll(() => tray.count(), { timeout: 30_000 }).toBe(1);
    await expect.poll(async () => (await tray.locator('.meta').textContent()) ?? '', { timeout: 30_000 }).toMatch(/epoch \d+\/100000/);
    // The header says which backend the run uses while it runs, not only once it has finished.
    await expect.poll(() => page.locator('header.top .badge').first().textContent(), { timeout: 15_000 }).toContain('backend: wasm');

    await page.getByRole('button', { name: 'Ranking', exact: true }).click();
    const table = page.getByTestId('rank-table');
    await expect.poll(() => table.getAttribute('data-total'), { timeout: 30_000 }).toBe('569');
    await page.locator('[data-testid=rank-table] .scroller').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect.poll(() => page.locator('[data-testid=rank-row][data-rank="569"]').count(), { timeout: 15_000 }).toBe(1);
    await page.keyboard.press('Home');
    await expect.poll(() => page.locator('[data-testid=rank-row][aria-selected=true]').getAttribute('data-rank')).toBe('1');
    await page.keyboard.press('a');
    await expect.poll(() => page.locator('[data-testid=rank-row][data-rank="1"] [data-testid=rank-verdict]').textContent(), { timeout: 15_000 }).toContain('anomaly');
    await expect.poll(() => page.getByTestId('detail-verdict-anomaly').getAttribute('aria-pressed'), { timeout: 15_000 }).toBe('true');
    await screenshot(page, 'ranking-while-training');

    // All of that was answered while the run was still going.
    const status = await call<{ jobs: { jobId: string; state: string }[] }>('app.status', {});
    expect(status.jobs.find((j) => j.jobId === job.jobId)?.state).toBe('running');
    expect(await tray.count()).toBe(1);

    await tray.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.locator('.tray .job.running').count(), { timeout: 30_000 }).toBe(0);
    const models = await call<{ models: { name: string; status: string }[] }>('project.overview', {});
    expect(models.models.find((m) => m.name === 'long run')?.status).toBe('cancelled');
  }, 180_000);
});
