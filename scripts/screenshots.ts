/**
 * Screenshots of every section for a human to look at (issue #17): Data, Model, Training, the compare view of three
 * runs, Ranking with a row's detail, Heatmap, Latent and Report, at 1440×900 and 1280×720, in Debian's Chromium against
 * `residual serve` on the sample project (the UCI breast-cancer data as `npm start` makes it: imported, trained with
 * the wizard's default, scored), plus an IsolationForest and an ECOD run scored beside it so the comparison has three.
 * Not a test: it asserts nothing, it waits for each view to be drawn and saves it.
 *
 *   npm run build && npx tsx scripts/screenshots.ts [--out /tmp/residual-shots] [--project existing.residual]
 *
 * The project is made in a temporary folder (with a throwaway RESIDUAL_HOME) unless --project names one.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';

const root = path.resolve(import.meta.dirname, '..');
const cli = path.join(root, 'bin', 'residual.mjs');
const { values } = parseArgs({ options: { out: { type: 'string' }, project: { type: 'string' }, chromium: { type: 'string' } } });
const outDir = values.out ?? '/tmp/residual-shots';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'residual-shots-'));
const home = path.join(work, 'home');
const env = { ...process.env, RESIDUAL_HOME: home, RESIDUAL_BACKEND: process.env['RESIDUAL_BACKEND'] ?? 'wasm' };

function residual(...args: string[]): void {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd: root, env, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`residual ${args.join(' ')} failed (exit ${r.status})`);
}

function makeProject(): string {
  const project = path.join(work, 'sample.residual');
  console.error('Making the sample project (import, train with the wizard default, score), then two more runs to compare…');
  residual('import', path.join(root, 'resources', 'sample', 'wdbc.csv'), '--project', project, '--name', 'Breast cancer (WDBC)');
  residual('train', '--project', project);
  residual('score', '--project', project, '--model', '1');
  residual('train', '--project', project, '--kind', 'iforest', '--seed', '1');
  residual('score', '--project', project, '--model', '2');
  residual('train', '--project', project, '--kind', 'ecod');
  residual('score', '--project', project, '--model', '3');
  return project;
}

async function serve(project: string): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [cli, 'serve', '--project', project], { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Residual is serving at (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`residual serve exited with ${code}`)));
  });
  return { url, stop: () => child.kill('SIGINT') };
}

/** Two animation frames: what was just drawn (charts included) is on screen. */
async function painted(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const raf = (globalThis as unknown as { requestAnimationFrame(cb: () => void): void }).requestAnimationFrame;
        raf(() => raf(() => resolve()));
      }),
  );
}

/** The page's document, as far as these scripts use it (this file is compiled without the DOM's types). */
interface Box {
  getBoundingClientRect(): { top: number };
}
interface Scroller extends Box {
  scrollTop: number;
  scrollLeft: number;
}
type Doc = { querySelector(selector: string): (Scroller & Box) | null; querySelectorAll(selector: string): ArrayLike<{ textContent: string | null; disabled: boolean }> };

/** Scrolls the page's content so that the element's top is at the top of the view (or the content's top). */
async function scrollTo(page: Page, testid: string | null): Promise<void> {
  await page.evaluate((id) => {
    const d = (globalThis as unknown as { document: Doc }).document;
    const main = d.querySelector('main.content')!;
    const el = id ? d.querySelector(`[data-testid="${id}"]`) : null;
    main.scrollLeft = 0;
    main.scrollTop = el ? main.scrollTop + el.getBoundingClientRect().top - main.getBoundingClientRect().top - 8 : 0;
  }, testid);
}

async function shoot(page: Page, name: string, size: string): Promise<void> {
  await painted(page);
  const file = path.join(outDir, `${name}-${size}.png`);
  await page.screenshot({ path: file });
  console.log(file);
}

async function main(): Promise<void> {
  fs.mkdirSync(outDir, { recursive: true });
  const project = values.project ?? makeProject();
  const served = await serve(project);
  const browser = await chromium.launch({ executablePath: values.chromium ?? process.env['RESIDUAL_CHROMIUM'] ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    for (const [width, height] of [
      [1440, 900],
      [1280, 720],
    ] as const) {
      const size = `${width}x${height}`;
      const page = await browser.newPage({ viewport: { width, height } });
      page.on('pageerror', (e) => console.error(`page error (${size}): ${e.message}`));
      await page.goto(served.url);
      const nav = (name: string) => page.getByRole('button', { name, exact: true });

      await page.getByTestId('dataset-list').waitFor({ timeout: 60_000 });
      await page.getByTestId('column-stats').waitFor();
      await shoot(page, '1-data', size);

      await nav('Model').click();
      await page.getByTestId('model-section').waitFor();
      // The settings checked (the Train button enabled again).
      await page.waitForFunction(
        () => Array.from((globalThis as unknown as { document: Doc }).document.querySelectorAll('button')).some((b) => b.textContent?.trim() === 'Train' && !b.disabled),
        undefined,
        { timeout: 60_000 },
      );
      await shoot(page, '2-model', size);

      await nav('Training').click();
      await page.getByTestId('run-1').click();
      await page.getByTestId('loss-chart').first().waitFor({ timeout: 30_000 });
      await scrollTo(page, null);
      await shoot(page, '3-training', size);

      for (const id of [1, 2, 3]) await page.getByTestId(`compare-${id}`).check();
      await page.getByTestId('overlap-matrix').waitFor({ timeout: 60_000 });
      await page.locator('[data-testid=quality-3][data-state=ok]').waitFor({ timeout: 60_000 });
      await scrollTo(page, 'compare-runs');
      await shoot(page, '4-compare', size);
      await scrollTo(page, 'compare-overlap');
      await shoot(page, '4-compare-overlap', size);
      for (const id of [1, 2, 3]) await page.getByTestId(`compare-${id}`).uncheck();

      await page.getByTestId('run-1').click();
      await nav('Ranking').click();
      await page.getByTestId('rank-row').first().waitFor({ timeout: 60_000 });
      await page.locator('[data-testid=rank-row][data-rank="1"]').click();
      await page.getByTestId('row-detail-id').waitFor({ timeout: 60_000 });
      await scrollTo(page, null);
      await shoot(page, '5-ranking', size);
      // The row detail beside the table, the review area brought to the top; then its record as imported, opened.
      await scrollTo(page, 'rank-count');
      await shoot(page, '6-row-detail', size);
      await page.getByTestId('row-detail-record').locator('summary').click();
      await page.getByTestId('row-detail-record').evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await scrollTo(page, 'rank-count');
      await shoot(page, '6-row-detail-record', size);

      await nav('Heatmap').click();
      await page.getByTestId('heatmap-chart').waitFor({ timeout: 60_000 });
      await page.locator('[data-testid=heatmap-chart] canvas').first().waitFor();
      await shoot(page, '7-heatmap', size);

      await nav('Latent').click();
      await page.locator('[data-testid=latent-chart] canvas').first().waitFor({ timeout: 60_000 });
      await page.getByTestId('latent-figures').waitFor();
      await shoot(page, '7-latent', size);

      await nav('Report').click();
      await page.getByTestId('report-section').waitFor();
      await shoot(page, '8-report', size);
      await page.close();
    }
  } finally {
    await browser.close();
    served.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
