/**
 * Compare any two or more models (issue #17), in Chromium against `residual serve`: three runs of different kinds
 * side by side on one dataset — ROC AUC, average precision and precision@k as the engine computes them, ROC and PR
 * curves overlaid, the top-k overlap of their rankings as a matrix — and plain words where they are not comparable:
 * a run that cannot score the dataset compared on, a dataset without labels, too few scores for an overlap.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmpDir } from '../helpers/tmp';
import { apiCall, chromiumAvailable, openApp, type OpenedApp, residual, ROOT, screenshot } from './harness';

describe.skipIf(!chromiumAvailable())('comparing models in the browser', () => {
  const dir = tmpDir('residual-e2e-compare-');
  const project = path.join(dir, 'compare.residual');
  const WDBC = path.join(ROOT, 'tests/fixtures/wdbc.csv');
  let app: OpenedApp;
  let page: Page;

  const call = <T>(method: string, body: unknown): Promise<T> => apiCall<T>(app.served, method, body);
  const nav = (name: string) => page.getByRole('button', { name, exact: true });
  const compare = () => page.getByTestId('compare-runs');

  beforeAll(async () => {
    // Dataset 1: labelled; models 1–3 of three kinds trained and scored on it.
    await residual(['import', WDBC, '--project', project, '--label', 'diagnosis', '--positive', 'malignant', '--id', 'id']);
    await residual(['train', '--project', project, '--kind', 'ecod']);
    await residual(['train', '--project', project, '--kind', 'iforest', '--seed', '1']);
    await residual(['train', '--project', project, '--kind', 'ae', '--epochs', '4', '--seed', '2']);
    for (const m of ['1', '2', '3']) await residual(['score', '--project', project, '--model', m, '--dataset', 'wdbc']);
    // Dataset 2: the same rows without a label, scored by model 1 only. Dataset 3: other columns, and model 4 on it.
    await residual(['import', WDBC, '--project', project, '--name', 'wdbc unlabelled', '--id', 'id', '--ignore', 'diagnosis']);
    await residual(['score', '--project', project, '--model', '1', '--dataset', 'wdbc unlabelled']);
    await residual(['import', path.join(ROOT, 'tests/fixtures/glass.csv'), '--project', project]);
    await residual(['train', '--project', project, '--kind', 'ecod', '--dataset', 'glass']);
    await residual(['score', '--project', project, '--model', '4', '--dataset', 'glass']);
    // Model 5: an ensemble whose first network member is an ae of seed 2, as model 3 (its curve lies under model 3's).
    await residual(['train', '--project', project, '--kind', 'ensemble', '--members', 'ae,iforest', '--epochs', '4', '--seed', '2', '--dataset', 'wdbc']);
    app = await openApp(['--project', project]);
    page = app.page;
  }, 240_000);

  afterAll(() => app?.close());

  it('puts three runs side by side: metrics as the engine computes them, curves overlaid, the overlap of their top k', async () => {
    // The page has the project (a loaded machine may take a while to start the engine).
    await page.getByTestId('project-name').waitFor({ timeout: 60_000 });
    await nav('Training').click();
    for (const id of [1, 2, 3]) await page.getByTestId(`compare-${id}`).check();
    await expect.poll(() => compare().getAttribute('data-runs'), { timeout: 15_000 }).toBe('3');
    expect(await page.getByTestId('compare-dataset').inputValue()).toBe('1');

    const scores = (await call<{ scores: { scoreId: number; modelId: number; datasetId: number }[] }>('project.overview', {})).scores.filter((s) => s.datasetId === 1);
    const scoreOf = (modelId: number): number => scores.find((s) => s.modelId === modelId)!.scoreId;
    for (const id of [1, 2, 3]) {
      const ev = await call<{ rocAuc: number; averagePrecision: number; precisionAtK: number }>('score.evaluate', { scoreId: scoreOf(id) });
      for (const key of ['rocAuc', 'averagePrecision', 'precisionAtK'] as const) {
        const cell = page.getByTestId(`quality-${id}-${key}`);
        await expect.poll(() => cell.getAttribute('data-value'), { timeout: 15_000 }).toBe(String(ev[key]));
      }
    }
    // One curve per run on each chart.
    await expect.poll(() => page.getByTestId('roc-chart').getAttribute('data-series')).toBe('3');
    expect(await page.getByTestId('pr-chart').getAttribute('data-series')).toBe('3');

    // The top 1 % (at least 10 rows) of 569: k = 10; every pair's figure as score.overlap gives it.
    const matrix = page.getByTestId('overlap-matrix');
    await expect.poll(() => matrix.getAttribute('data-k'), { timeout: 15_000 }).toBe('10');
    // Said as counted: 1 % of 569 is 5.69, and at least 10 rows are compared.
    expect(await page.getByTestId('overlap-k').textContent()).toBe('= top 10 of 569 rows (1 % is 5.69; at least 10)');
    const ids = [1, 2, 3];
    const overlap = await call<{ overlap: number[] }>('score.overlap', { scoreIds: ids.map(scoreOf), k: 10 });
    for (const [i, a] of ids.entries()) {
      for (const [j, b] of ids.entries()) {
        if (i === j) continue;
        expect(Number(await page.getByTestId(`overlap-${a}-${b}`).getAttribute('data-value'))).toBe(overlap.overlap[i * 3 + j]);
      }
    }
    expect(await page.getByTestId('overlap-1-2').textContent()).toMatch(/^\s*\d+ %\s*$/);
    await page.getByTestId('overlap-top').selectOption('100');
    await expect.poll(() => matrix.getAttribute('data-k'), { timeout: 15_000 }).toBe('100');
    await page.getByTestId('overlap-measure').selectOption('jaccard');
    const jaccard = await call<{ jaccard: number[] }>('score.overlap', { scoreIds: ids.map(scoreOf), k: 100 });
    await expect.poll(() => page.getByTestId('overlap-2-3').getAttribute('data-value')).toBe(String(jaccard.jaccard[1 * 3 + 2]));
    await page.getByTestId('overlap-measure').selectOption('overlap');
    // The settings of all three, side by side.
    expect(await page.getByTestId('diff-table').locator('thead th').count()).toBe(4);
    await screenshot(page, 'compare-three-runs');
  });

  it('says plainly which run cannot be compared on these rows, and why', async () => {
    await page.getByTestId('compare-4').check();
    await expect.poll(() => compare().getAttribute('data-runs')).toBe('4');
    // Compared on wdbc (3 of 4 scored it); model 4 was trained on glass, whose columns wdbc lacks.
    await expect.poll(() => page.getByTestId('compare-cannot').textContent()).toMatch(/Not comparable on wdbc: #4 cannot score it/);
    expect(await page.getByTestId('quality-4').getAttribute('data-state')).toBe('cannot-score');
    expect(await page.getByTestId('compare-notes').textContent()).toMatch(/trained elsewhere: #4 on glass/);
    // The overlap leaves it out: three runs in the matrix.
    await expect.poll(() => page.getByTestId('overlap-matrix').locator('tbody tr').count()).toBe(3);

    // On glass it is the other way round: one scored run, nothing to overlap.
    const glassId = (await call<{ datasets: { id: number; name: string }[] }>('project.overview', {})).datasets.find((d) => d.name === 'glass')!.id;
    await page.getByTestId('compare-dataset').selectOption(String(glassId));
    await expect.poll(() => page.getByTestId('compare-cannot').textContent()).toMatch(/#1, #2, #3 cannot score it/);
    await expect.poll(() => page.getByTestId('overlap-needs').textContent()).toMatch(/Score glass with at least two of these runs/);
  });

  it("labels an ensemble's loss curve as its first network member's, in its run and when compared", async () => {
    for (const id of [1, 2, 4]) await page.getByTestId(`compare-${id}`).uncheck();
    await page.getByTestId('compare-5').check();
    await expect.poll(() => compare().getAttribute('data-runs')).toBe('2');
    await expect.poll(() => compare().getByTestId('loss-chart').getAttribute('data-series')).toBe(
      '#3 training | #3 validation | #5 first network member (ae, seed 2) training | #5 first network member (ae, seed 2) validation',
    );
    await compare().getByTestId('loss-chart').scrollIntoViewIfNeeded();
    await screenshot(page, 'compare-ensemble-curve');
    await page.getByTestId('compare-5').uncheck();
    await page.getByTestId('compare-3').uncheck();
    await page.getByTestId('run-5').click();
    const run = page.getByTestId('model-run');
    await expect.poll(() => run.locator('.arch').textContent()).toContain('ensemble');
    expect(await run.getByTestId('loss-owner').textContent()).toContain("Loss curve (dotted) of the ensemble's first network member (ae, seed 2)");
    await screenshot(page, 'run-ensemble-curve');
    await page.getByTestId('run-3').click();
    await expect.poll(() => run.locator('.arch').textContent()).toContain('ae');
    expect(await run.getByTestId('loss-owner').count()).toBe(0);
    for (const id of [1, 2, 3]) await page.getByTestId(`compare-${id}`).check();
  });

  it('without labels: no detection metrics, said so, and the overlap still needs two scores', async () => {
    await page.getByTestId('compare-4').uncheck();
    await page.getByTestId('compare-dataset').selectOption({ label: 'wdbc unlabelled (1 of 3 scored)' });
    await expect.poll(() => page.getByTestId('quality-no-labels').textContent(), { timeout: 15_000 }).toMatch(/wdbc unlabelled has no label column and no verdicts/);
    expect(await page.getByTestId('quality-1').getAttribute('data-state')).toBe('no-labels');
    expect(await page.getByTestId('quality-2').getAttribute('data-state')).toBe('not-scored');
    expect(await page.getByTestId('overlap-needs').textContent()).toMatch(/#2 .* and #3 .* have not scored it/);
    // Scoring a second run from the comparison makes the overlap appear.
    await page.getByTestId('score-run-2').click();
    await expect.poll(() => page.getByTestId('overlap-matrix').locator('tbody tr').count(), { timeout: 60_000 }).toBe(2);
    expect(app.pageErrors).toEqual([]);
  });
});
