import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const CHROMIUM = process.env['RESIDUAL_CHROMIUM'] ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.join(ROOT, 'test-results', 'screenshots');

export interface Served {
  readonly url: string;
  readonly origin: string;
  readonly token: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `residual serve` (browser mode) as a user would and waits for its one line with the address. */
export async function serve(args: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Served> {
  if (!fs.existsSync(path.join(ROOT, 'out', 'renderer', 'index.html'))) {
    throw new Error('The renderer is not built: run "npm run build" before the end-to-end tests (npm test does).');
  }
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'residual.mjs'), 'serve', ...args], {
    cwd: ROOT,
    env: { ...process.env, RESIDUAL_BACKEND: 'wasm', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`residual serve printed no address in 60 s. stderr:\n${stderr}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /Residual is serving at (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`residual serve exited with ${code}. stderr:\n${stderr}`));
    });
  });
  const url = new URL(line);
  return {
    url: line,
    origin: url.origin,
    token: new URLSearchParams(url.hash.slice(1)).get('token') ?? '',
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGINT');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}

/** One contract call over the bridge, as the page makes it (bearer token); throws with the engine's message. */
export async function apiCall<T>(served: Served, method: string, body: unknown): Promise<T> {
  const res = await fetch(`${served.origin}/api/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${served.token}` },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { ok: boolean; result: T; error?: { message: string } };
  if (!json.ok) throw new Error(json.error?.message);
  return json.result;
}

/** Imports tests/fixtures/wdbc.csv into `project` with the CLI: diagnosis the label (malignant = anomaly), id the row id. */
export function importWdbc(project: string): Promise<string> {
  return residual(['import', path.join(ROOT, 'tests/fixtures/wdbc.csv'), '--project', project, '--label', 'diagnosis', '--positive', 'malignant', '--id', 'id']);
}

/** Runs the `residual` CLI (as a user would, with the wasm backend) and resolves with what it printed. */
export function residual(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'residual.mjs'), ...args], {
      cwd: ROOT,
      env: { ...process.env, RESIDUAL_BACKEND: 'wasm', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`residual ${args.join(' ')} exited with ${code}:\n${err}`))));
  });
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

export interface OpenedApp {
  readonly served: Served;
  readonly browser: Browser;
  readonly page: Page;
  /** Uncaught errors of the page, as they happen. */
  readonly pageErrors: string[];
  /** The console's errors and warnings (a refused policy, a failed load …) and the page's own requests answered ≥ 400. */
  readonly consoleProblems: string[];
  close(): Promise<void>;
}

/**
 * `residual serve` with these arguments and a 1280 × 800 Chromium page open on it, collecting the page's uncaught
 * errors. `onPage` runs before the first navigation (to watch requests from the start); `env` goes to the server.
 */
export async function openApp(serveArgs: string[], onPage?: (page: Page) => void, env: NodeJS.ProcessEnv = {}): Promise<OpenedApp> {
  const [servedR, browserR] = await Promise.allSettled([serve(serveArgs, env), launchChromium()]);
  if (servedR.status === 'rejected' || browserR.status === 'rejected') {
    if (servedR.status === 'fulfilled') await servedR.value.stop();
    if (browserR.status === 'fulfilled') await browserR.value.close();
    throw servedR.status === 'rejected' ? servedR.reason : (browserR as PromiseRejectedResult).reason;
  }
  const served = servedR.value;
  const browser = browserR.value;
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  const consoleProblems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') consoleProblems.push(`${m.type()}: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) consoleProblems.push(`${r.status()} ${new URL(r.url()).pathname}`);
  });
  onPage?.(page);
  await page.goto(served.url);
  return {
    served,
    browser,
    page,
    pageErrors,
    consoleProblems,
    close: async () => {
      await browser.close();
      await served.stop();
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: false });
  return file;
}

export function chromiumAvailable(): boolean {
  return fs.existsSync(CHROMIUM);
}

/**
 * Waits until the page has painted twice more: after a theme switch, a hover or a click, the charts have redrawn
 * (a condition on the page, not a sleep).
 */
export async function painted(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const raf = (globalThis as unknown as { requestAnimationFrame(cb: () => void): void }).requestAnimationFrame;
        raf(() => raf(() => resolve()));
      }),
  );
}

/** A point of a chart as the chart itself reported it (px from its canvas' top left), in the page's coordinates. */
export async function chartPoint(chart: Locator, x: number, y: number): Promise<{ x: number; y: number }> {
  const box = await chart.locator('canvas').first().boundingBox();
  if (!box) throw new Error('The chart has no canvas on screen.');
  return { x: box.x + x, y: box.y + y };
}

/** Where the error heatmap drew its cells and its slider's handles: ErrorHeatmap.vue's `data-cells`. */
export interface HeatmapCells {
  readonly x0: number;
  readonly y0: number;
  readonly dx: number;
  readonly dy: number;
  readonly columns: number;
  /** Each band's first position (rank − 1 in rank order). */
  readonly bands: readonly number[];
  readonly start: number;
  readonly end: number;
  readonly slider: { readonly x: number; readonly top: number; readonly bottom: number };
}

/**
 * The heatmap's cells as drawn, once the chart has drawn `window` (positions [start, end)) when given: a click
 * just after a zoom waits for the new window's cells, not the old ones.
 */
export async function heatmapCells(page: Page, window?: { start: number; end: number }): Promise<HeatmapCells> {
  const attr = await page.waitForFunction(
    (w) => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): { getAttribute(n: string): string | null } | null } }).document;
      const a = doc.querySelector('[data-testid=heatmap-chart]')?.getAttribute('data-cells');
      if (!a) return null;
      const c = JSON.parse(a) as { start: number; end: number };
      return w === null || (c.start === w.start && c.end === w.end) ? a : null;
    },
    window ?? null,
    { timeout: 15_000 },
  );
  return JSON.parse((await attr.jsonValue()) as string) as HeatmapCells;
}

/**
 * The centre of the heatmap's cell of rank `rank` (1-based, in the band that holds it) and column `column` (0-based),
 * in the page's coordinates, from where the chart says it drew it; `window` as in heatmapCells.
 */
export async function heatmapCell(page: Page, rank: number, column: number, window?: { start: number; end: number }): Promise<{ x: number; y: number }> {
  const cells = await heatmapCells(page, window);
  const pos = rank - 1;
  if (pos < cells.start || pos >= cells.end) throw new Error(`Rank ${rank} is not in the heatmap's window of positions ${cells.start}–${cells.end}.`);
  if (column < 0 || column >= cells.columns) throw new Error(`The heatmap has no column ${column} (it has ${cells.columns}).`);
  let band = 0;
  while (band + 1 < cells.bands.length && cells.bands[band + 1]! <= pos) band++;
  return chartPoint(page.getByTestId('heatmap-chart'), cells.x0 + column * cells.dx, cells.y0 + band * cells.dy);
}

/** Clicks the heatmap's cell of rank `rank` and column `column` (see heatmapCell). */
export async function clickHeatmapCell(page: Page, rank: number, column: number, window?: { start: number; end: number }): Promise<void> {
  const at = await heatmapCell(page, rank, column, window);
  await page.mouse.click(at.x, at.y);
}

/** The heatmap's range slider: the handles' centre x and the top and bottom handle's y, in the page's coordinates. */
export async function heatmapSlider(page: Page, window?: { start: number; end: number }): Promise<{ x: number; top: number; bottom: number }> {
  const { slider } = await heatmapCells(page, window);
  const top = await chartPoint(page.getByTestId('heatmap-chart'), slider.x, slider.top);
  const bottom = await chartPoint(page.getByTestId('heatmap-chart'), slider.x, slider.bottom);
  return { x: top.x, top: top.y, bottom: bottom.y };
}
