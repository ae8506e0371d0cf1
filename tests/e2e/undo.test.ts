/**
 * Undo (issue #17), in Chromium against `residual serve`: a dataset and a run are deleted at once and come back with
 * the toast's Undo or Ctrl+Z while their delete waits in the trash; a verdict — auto-advance on — is undone with
 * Ctrl+Z, the selection going back to its row; a verdict over an earlier verdict and note is undone exactly.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmpDir } from '../helpers/tmp';
import { apiCall, chromiumAvailable, openApp, type OpenedApp, residual, ROOT, screenshot, importWdbc } from './harness';

describe.skipIf(!chromiumAvailable())('undo in the browser', () => {
  const dir = tmpDir('residual-e2e-undo-');
  const project = path.join(dir, 'undo.residual');
  let app: OpenedApp;
  let page: Page;

  const call = <T>(method: string, body: unknown): Promise<T> => apiCall<T>(app.served, method, body);
  const nav = (name: string) => page.getByRole('button', { name, exact: true });
  const toast = () => page.getByTestId('undo-toast');
  const selectedRank = () => page.locator('[data-testid=rank-row][aria-selected=true]').getAttribute('data-rank');
  const verdictAt = (rank: number) => page.locator(`[data-testid=rank-row][data-rank="${rank}"] [data-testid=rank-verdict]`).textContent();

  beforeAll(async () => {
    await importWdbc(project);
    await residual(['train', '--project', project, '--kind', 'ecod']);
    await residual(['score', '--project', project]);
    await residual(['import', path.join(ROOT, 'tests/fixtures/glass.csv'), '--project', project]);
    app = await openApp(['--project', project]);
    page = app.page;
  }, 120_000);

  afterAll(() => app?.close());

  it('deletes a dataset at once, and Undo in the toast brings it back', async () => {
    // The page has the project (a loaded machine may take a while to start the engine).
    await page.getByTestId('project-name').waitFor({ timeout: 60_000 });
    await nav('Data').click();
    const row = page.getByTestId('dataset-glass');
    await row.waitFor({ timeout: 15_000 });
    await page.getByTestId('delete-dataset-glass').click();
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(0);
    await expect.poll(() => page.getByTestId('undo-label').textContent()).toBe('Deleted dataset “glass”');
    // The toast says how long the delete can be undone (the trash's window).
    expect(await toast().textContent()).toMatch(/\d+ s left/);
    await screenshot(page, 'undo-toast-dataset');
    // Sits in the dock below the content: it covers nothing.
    const dock = await page.getByTestId('status-dock').boundingBox();
    const main = await page.locator('main.content').boundingBox();
    expect(dock!.y).toBeGreaterThanOrEqual(main!.y + main!.height - 1);

    await page.getByTestId('undo-button').click();
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => page.getByTestId('undo-outcome').textContent()).toBe('Undone: deleted dataset “glass”');
    const overview = await call<{ datasets: { name: string }[] }>('project.overview', {});
    expect(overview.datasets.map((d) => d.name)).toEqual(['wdbc', 'glass']);
  });

  it('Ctrl+Z undoes a delete too', async () => {
    await page.getByTestId('delete-dataset-glass').click();
    await expect.poll(() => page.getByTestId('dataset-glass').count(), { timeout: 15_000 }).toBe(0);
    await page.locator('main.content').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.getByTestId('dataset-glass').count(), { timeout: 15_000 }).toBe(1);
  });

  it('deletes a run from Training and brings it back with Ctrl+Z', async () => {
    await nav('Training').click();
    await page.getByTestId('run-1').click();
    await page.getByTestId('delete-run').click();
    await expect.poll(() => page.getByTestId('run-1').count(), { timeout: 15_000 }).toBe(0);
    await expect.poll(() => page.getByTestId('undo-label').textContent()).toMatch(/^Deleted run “.+”$/);
    // Gone from every view while in the trash: its score too.
    expect((await call<{ scores: unknown[] }>('project.overview', {})).scores).toEqual([]);
    await page.keyboard.press('Control+z');
    await expect.poll(() => page.getByTestId('run-1').count(), { timeout: 15_000 }).toBe(1);
    expect((await call<{ scores: unknown[] }>('project.overview', {})).scores).toHaveLength(1);
  });

  it('undoes a verdict of auto-advance triage with Ctrl+Z, back on its row', async () => {
    await nav('Data').click();
    await page.getByTestId('dataset-wdbc').click();
    await nav('Ranking').click();
    await expect.poll(() => page.getByTestId('rank-table').getAttribute('data-total'), { timeout: 30_000 }).toBe('569');
    await page.getByTestId('auto-advance').check();
    await page.locator('[data-testid=rank-row][data-rank="1"]').click();
    await page.keyboard.press('a');
    await expect.poll(() => selectedRank()).toBe('2');
    await page.keyboard.press('f');
    await expect.poll(() => selectedRank()).toBe('3');
    await expect.poll(() => verdictAt(2)).toContain('false positive');
    await expect.poll(() => page.getByTestId('undo-label').textContent()).toMatch(/^Marked .+ as false positive$/);

    // Newest first: the F on rank 2, then the A on rank 1; the selection follows back each time.
    await page.keyboard.press('Control+z');
    await expect.poll(() => verdictAt(2)).not.toContain('false positive');
    await expect.poll(() => selectedRank()).toBe('2');
    await page.keyboard.press('Control+z');
    await expect.poll(() => verdictAt(1)).not.toContain('anomaly');
    await expect.poll(() => selectedRank()).toBe('1');
    const rows = await call<{ rows: { verdict: string | null }[] }>('score.rank', { scoreId: 1, offset: 0, limit: 3 });
    expect(rows.rows.map((r) => r.verdict)).toEqual([null, null, null]);
    await page.getByTestId('auto-advance').uncheck();
  });

  it('puts back the earlier verdict and note exactly, from the toast', async () => {
    const [third] = (await call<{ rows: { row: number; id: string }[] }>('score.rank', { scoreId: 1, offset: 2, limit: 1 })).rows;
    await page.locator('[data-testid=rank-row][data-rank="3"]').click();
    await expect.poll(() => page.getByTestId('row-detail-id').textContent(), { timeout: 15_000 }).toBe(third!.id);
    await page.keyboard.press('a');
    await expect.poll(() => verdictAt(3)).toContain('anomaly');
    await page.keyboard.press('n');
    await page.getByTestId('note-input').fill('card used abroad twice');
    await page.getByTestId('note-input').press('Enter');
    await expect.poll(() => page.getByTestId('undo-label').textContent()).toBe(`Saved the note of ${third!.id}`);
    await page.keyboard.press('u');
    await expect.poll(() => verdictAt(3)).toContain('unsure');
    await expect.poll(() => page.getByTestId('undo-label').textContent()).toBe(`Marked ${third!.id} as unsure`);
    await page.getByTestId('undo-button').click();
    await expect.poll(() => verdictAt(3)).toContain('anomaly');
    const [detail] = await call<{ verdict: string; note: string }[]>('row.detail', { scoreId: 1, rows: [third!.row] });
    expect(detail).toMatchObject({ verdict: 'anomaly', note: 'card used abroad twice' });
    await expect.poll(() => page.getByTestId('detail-note').inputValue()).toBe('card used abroad twice');
    expect(app.pageErrors).toEqual([]);
  });
});
