/**
 * Export ONNX from the UI (issue #15): a reconstruction model's run in Training offers "Export ONNX"; the file goes to
 * the reports folder and the page downloads it; onnxruntime-node scores rows with it as the app ranked them. A kind
 * that is not exported (ECOD) shows the button disabled, with the core's refusal as its tooltip and note; a Deep SVDD
 * run offers it (its file has the row score only).
 */
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmpDir } from '../helpers/tmp';
import { apiCall, chromiumAvailable, openApp, type OpenedApp, residual, ROOT, screenshot } from './harness';

describe.skipIf(!chromiumAvailable())('Export ONNX in the Training section', () => {
  const dir = tmpDir('residual-e2e-onnx-');
  const reports = path.join(dir, 'reports');
  const project = path.join(dir, 'glass.residual');
  let app: OpenedApp;
  let page: Page;
  const nav = (name: string) => page.getByRole('button', { name, exact: true });

  beforeAll(async () => {
    fs.mkdirSync(reports);
    await residual(['import', path.join(ROOT, 'tests/fixtures/glass.csv'), '--project', project]);
    await residual(['train', '--project', project, '--kind', 'ecod']);
    await residual(['train', '--project', project, '--kind', 'deepsvdd', '--layers', '8,3', '--epochs', '2', '--pretrain', '0', '--seed', '1']);
    await residual(['train', '--project', project, '--kind', 'vae', '--layers', '8,3', '--epochs', '3', '--seed', '1']);
    await residual(['score', '--project', project, '--model', '3']);
    app = await openApp(['--project', project], undefined, { RESIDUAL_REPORTS_DIR: reports });
    page = app.page;
  }, 240_000);
  afterAll(() => app?.close());

  it('writes the newest run as ONNX into the reports folder and downloads it; the file scores rows as the app did', async () => {
    await page.getByTestId('project-name').waitFor({ timeout: 60_000 });
    await nav('Training').click();
    const run = page.getByTestId('model-run');
    await run.getByTestId('run-status').filter({ hasText: 'complete' }).waitFor({ timeout: 30_000 });
    expect(await run.locator('.arch').textContent()).toContain('vae');
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), run.getByTestId('export-onnx').click()]);
    expect(download.suggestedFilename()).toBe('glass-model-3-vae.onnx');
    // The name the browser saved it under, not the server's path (which is the desktop app's message).
    expect(await run.getByTestId('onnx-exported').textContent()).toBe('Downloaded the model as ONNX: glass-model-3-vae.onnx');
    await screenshot(page, 'onnx-downloaded');
    expect(fs.existsSync(path.join(reports, 'glass-model-3-vae.onnx'))).toBe(true);

    const session = await ort.InferenceSession.create(await download.path());
    const overview = await apiCall<{ scores: { scoreId: number; modelId: number }[] }>(app.served, 'project.overview', {});
    const scoreId = overview.scores.find((s) => s.modelId === 3)!.scoreId;
    const page1 = await apiCall<{ rows: { row: number; score: number }[] }>(app.served, 'score.rank', { scoreId, offset: 0, limit: 5 });
    const data = await apiCall<{ columns: { name: string }[]; rows: { values: (number | string | null)[] }[] }>(app.served, 'data.rows', { datasetId: 1, rows: page1.rows.map((r) => r.row) });
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of session.inputNames) {
      const j = data.columns.findIndex((c) => c.name === name);
      feeds[name] = new ort.Tensor('float64', Float64Array.from(data.rows, (r) => (r.values[j] === null ? NaN : Number(r.values[j]))), [data.rows.length]);
    }
    const scores = (await session.run(feeds))['residual_score']!.data as Float32Array;
    page1.rows.forEach((r, i) => expect(Math.abs(scores[i]! - r.score)).toBeLessThanOrEqual(1e-4 * Math.abs(r.score)));
    await session.release();

    // The ECOD run (no network): Export ONNX is there but disabled, saying why in the core's own words.
    await page.getByTestId('run-1').click();
    await expect.poll(async () => (await run.locator('.arch').textContent()) ?? '', { timeout: 15_000 }).toContain('ecod');
    const refusal = await apiCall(app.served, 'model.exportOnnx', { modelId: 1 }).then(
      () => '',
      (e: unknown) => (e as Error).message,
    );
    expect(refusal).toMatch(/^Model #1 is an ECOD detector/);
    expect(await run.getByTestId('export-onnx').isDisabled()).toBe(true);
    expect(await run.getByTestId('export-onnx').getAttribute('title')).toBe(refusal);
    expect(await run.getByTestId('onnx-refused').textContent()).toBe(`Export ONNX is unavailable: ${refusal}`);
    expect(await run.getByTestId('onnx-exported').count()).toBe(0);
    await screenshot(page, 'onnx-refused-ecod');

    // The Deep SVDD run offers it, saying its file has the row score only.
    await page.getByTestId('run-2').click();
    await expect.poll(async () => (await run.locator('.arch').textContent()) ?? '', { timeout: 15_000 }).toContain('deepsvdd');
    expect(await run.getByTestId('export-onnx').getAttribute('title')).toMatch(/the row score out \(no per-column values/);
    expect(await run.getByTestId('export-onnx').isDisabled()).toBe(false);
    expect(await run.getByTestId('onnx-refused').count()).toBe(0);
    expect(app.pageErrors).toEqual([]);
  });
});
