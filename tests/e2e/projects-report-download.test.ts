/**
 * Issue #17 in the browser: projects (New by name, Recent with last-opened times, Switch, refusal while a job runs)
 * from the header, and the Report's Download button, which fetches the PDF through GET /api/download. The server runs
 * with RESIDUAL_REPORTS_DIR unset, as a newcomer's does: reports go to RESIDUAL_HOME/reports and download from there.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmpDir } from '../helpers/tmp';
import { apiCall, chromiumAvailable, openApp, type OpenedApp, residual, ROOT, screenshot } from './harness';

const GLASS = path.join(ROOT, 'tests/fixtures/glass.csv');

describe.skipIf(!chromiumAvailable())('projects in browser mode, and the report download', () => {
  const dir = tmpDir('residual-e2e-projects-');
  const home = path.join(dir, 'home');
  const first = path.join(dir, 'first.residual');
  let app: OpenedApp;
  let page: Page;

  beforeAll(async () => {
    await residual(['import', GLASS, '--project', first, '--name', 'glass']);
    await residual(['train', '--project', first, '--kind', 'ae', '--epochs', '3', '--seed', '1']);
    await residual(['score', '--project', first]);
    app = await openApp(['--project', first], undefined, { RESIDUAL_HOME: home, RESIDUAL_REPORTS_DIR: undefined });
    page = app.page;
  }, 180_000);

  afterAll(() => app?.close());

  const nav = (name: string) => page.getByRole('navigation').getByRole('button', { name, exact: true });
  const projectName = () => page.getByTestId('project-name').textContent();

  it('Report ▸ Download saves the PDF in the browser', async () => {
    await nav('Report').click();
    await page.getByTestId('report-top').fill('10');
    await page.getByTestId('report-export').click();
    await page.getByTestId('report-result').waitFor({ timeout: 60_000 });
    // Written into the default reports folder, not beside the project (which the page may not download from).
    const written = fs.readdirSync(path.join(home, 'reports')).filter((f) => f.endsWith('.pdf'));
    expect(written).toHaveLength(1);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.pdf'))).toEqual([]);
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.getByTestId('report-download').click()]);
    expect(download.suggestedFilename()).toBe(written[0]);
    const bytes = fs.readFileSync((await download.path())!);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('%PDF');
    // Past reports download too, from their row.
    await page.getByTestId('report-row').first().waitFor();
    const [again] = await Promise.all([page.waitForEvent('download', { timeout: 30_000 }), page.getByTestId('report-row-download').first().click()]);
    expect(again.suggestedFilename()).toBe(written[0]);
    // The list fits its panel: nothing of it is cut off at the right.
    const fits = await page.getByTestId('report-list').evaluate((t) => t.getBoundingClientRect().right <= t.parentElement!.getBoundingClientRect().right + 1);
    expect(fits).toBe(true);
    await screenshot(page, 'report-download');
  });

  it('creates "cases" by name, imports into it, switches back; the recent list shows both with times', async () => {
    await page.getByTestId('projects-button').click();
    await page.getByTestId('new-project-name').fill('cases');
    expect(await page.getByTestId('projects-menu').textContent()).toContain(path.join(home, 'projects', 'cases.residual'));
    await page.getByTestId('new-project-create').click();
    await expect.poll(projectName).toBe('cases');
    expect(fs.existsSync(path.join(home, 'projects', 'cases.residual'))).toBe(true);

    await nav('Data').click();
    await page.getByTestId('file-input').setInputFiles(GLASS);
    await page.getByTestId('preview-roles').waitFor();
    await page.getByTestId('import-button').click();
    await page.getByTestId('import-notice').waitFor({ timeout: 30_000 });
    await page.getByTestId('dataset-glass').waitFor();

    await page.getByTestId('projects-button').click();
    await page.locator('[data-testid=recent-project][data-name=first]').click();
    await expect.poll(projectName).toBe('first');

    await page.getByTestId('projects-button').click();
    const items = page.getByTestId('recent-project');
    await expect.poll(() => items.evaluateAll((els) => els.map((e) => e.getAttribute('data-name')))).toEqual(['first', 'cases']);
    const times = await page.getByTestId('recent-opened').allTextContents();
    expect(times).toHaveLength(2);
    for (const t of times) expect(t).toMatch(/^last opened \S.*\d/);
    expect(await page.getByTestId('projects-menu').textContent()).toContain('open');
    await screenshot(page, 'projects-menu');
  });

  it('switching while a job runs is refused with the engine’s message', async () => {
    const overview = await apiCall<{ datasets: { id: number }[] }>(app.served, 'project.overview', {});
    // A run that outlasts the test (1,000 epochs on glass could end before the switch was tried, and the cancel fail).
    const job = await apiCall<{ jobId: string }>(app.served, 'model.train', { datasetId: overview.datasets[0]!.id, settings: { kind: 'ae', epochs: 100_000, patience: 100_000 } });
    try {
      // The menu is still open from the last test; reopen it to be sure.
      if ((await page.getByTestId('projects-menu').count()) === 0) await page.getByTestId('projects-button').click();
      await page.locator('[data-testid=recent-project][data-name=cases]').click();
      await page.getByTestId('projects-menu').getByRole('alert').filter({ hasText: 'Wait for the running jobs to finish' }).waitFor({ timeout: 10_000 });
      expect(await projectName()).toBe('first');
      await screenshot(page, 'projects-refused-while-training');
    } finally {
      await apiCall(app.served, 'job.cancel', { jobId: job.jobId });
    }
    expect(app.pageErrors).toEqual([]);
  });
});
