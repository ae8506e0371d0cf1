/**
 * The desktop app itself, launched as `npm start` launches it: Electron's binary on this repository, with
 * better-sqlite3 built for Electron's ABI (the same helper as scripts/start.mjs) and a project made with the CLI.
 * It checks what only Electron can show: the window, the preload's narrow API, no Node in the page, the Data section
 * over IPC, the native menu's commands, and that the page cannot navigate away or open windows.
 *
 * It runs wherever an Electron binary exists (node_modules/electron/path.txt + dist/…, or RESIDUAL_ELECTRON=<binary>)
 * and skips, saying why, where none does (Electron's download is blocked on some machines).
 * RESIDUAL_ELECTRON_SQLITE_BINDING may name a better_sqlite3.node already built for that Electron.
 */
import fs from 'node:fs';
import path from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { electronSqlite, electronVersionOf, installedElectron } from '../../scripts/electron-native.mjs';
import { tmpDir } from '../helpers/tmp';
import { residual, ROOT, screenshot } from './harness';

const WDBC = path.join(ROOT, 'tests', 'fixtures', 'wdbc.csv');

/** What the page's functions below see (this file is type-checked without the DOM library). */
interface PageGlobals {
  residual?: Record<string, unknown> & { invoke(method: string, payload: unknown): Promise<unknown> };
  require?: unknown;
  process?: unknown;
  module?: unknown;
  Buffer?: unknown;
  location: { href: string };
  open(url: string): unknown;
}

type Ready = { bin: string; binding: string; version: string } | { bin: null; why: string };

/** Electron's binary and an Electron build of better-sqlite3, found or built as `npm start` does; or why not. */
function prepare(): Ready {
  let bin: string;
  let version: string;
  const given = process.env['RESIDUAL_ELECTRON'];
  if (given) {
    if (!fs.existsSync(given)) return { bin: null, why: `RESIDUAL_ELECTRON=${given} does not exist` };
    try {
      version = electronVersionOf(given);
    } catch (e) {
      return { bin: null, why: (e as Error).message };
    }
    bin = given;
  } else {
    const found = installedElectron();
    if (found.bin === null) return { bin: null, why: `no Electron binary (${found.why}). "npm start" fetches it on first use where the download is allowed; or set RESIDUAL_ELECTRON=<path to an Electron binary>` };
    ({ bin, version } = found);
  }
  if (process.platform === 'linux' && !process.env['DISPLAY'] && !process.env['WAYLAND_DISPLAY']) {
    return { bin: null, why: `Electron ${version} is at ${bin}, but there is no display (DISPLAY is unset): run the tests under xvfb-run` };
  }
  const prebuilt = process.env['RESIDUAL_ELECTRON_SQLITE_BINDING'];
  if (prebuilt) return fs.existsSync(prebuilt) ? { bin, binding: prebuilt, version } : { bin: null, why: `RESIDUAL_ELECTRON_SQLITE_BINDING=${prebuilt} does not exist` };
  try {
    return { bin, binding: electronSqlite(version, { stderr: 'pipe' }), version };
  } catch (e) {
    return { bin: null, why: `better-sqlite3 could not be built for Electron ${version} (the engine needs it under Electron): ${(e as Error).message}` };
  }
}

const ready = prepare();
if (ready.bin === null) console.log(`electron smoke test skipped: ${ready.why}`);

/** process.env without unset entries, and without what would change how Electron starts (run as Node, a dev server). */
function launchEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !['ELECTRON_RUN_AS_NODE', 'ELECTRON_RENDERER_URL', 'NODE_OPTIONS'].includes(k)) env[k] = v;
  }
  return { ...env, ...extra };
}

describe('the desktop app (Electron)', () => {
  const dir = tmpDir('residual-e2e-electron-');
  let app: ElectronApplication | undefined;
  let output = '';

  afterAll(async () => {
    await app?.close().catch(() => undefined);
  });

  it.skipIf(!ready.bin)('opens its window on a project, with only the preload API in a Node-free page that cannot navigate away', async () => {
    if (!ready.bin) return;
    if (!fs.existsSync(path.join(ROOT, 'out', 'main', 'index.js')) || !fs.existsSync(path.join(ROOT, 'out', 'renderer', 'index.html'))) {
      throw new Error('The app is not built: run "npm run build" before the end-to-end tests (npm test does).');
    }
    const project = path.join(dir, 'smoke.residual');
    // The CLI runs on Node's own better-sqlite3, never the Electron build.
    await residual(['import', WDBC, '--project', project, '--label', 'diagnosis', '--positive', 'malignant', '--id', 'id'], { RESIDUAL_SQLITE_BINDING: undefined });

    app = await _electron.launch({
      executablePath: ready.bin,
      // Settings and recent projects go to a folder of this test's own, never the user's.
      args: [ROOT, `--user-data-dir=${path.join(dir, 'user-data')}`],
      cwd: ROOT,
      env: launchEnv({ RESIDUAL_PROJECT: project, RESIDUAL_SQLITE_BINDING: ready.binding, RESIDUAL_BACKEND: 'wasm', XDG_CONFIG_HOME: path.join(dir, 'config') }),
      timeout: 60_000,
    });
    app.process().stdout?.on('data', (d: Buffer) => (output += d.toString()));
    app.process().stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const page: Page = await app.firstWindow({ timeout: 60_000 });
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.waitForLoadState('domcontentloaded');

    try {
      // The window, with the project's name once main has opened it.
      expect(await page.title()).toContain('Residual');
      expect(page.url()).toMatch(/^file:\/\/.*\/out\/renderer\/index\.html/);
      const windows = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((w) => w.getTitle()));
      expect(windows).toHaveLength(1);
      expect(windows[0]).toContain('Residual');
      // Settings went to this test's folder (--user-data-dir, or XDG_CONFIG_HOME on Linux), not the user's.
      expect(await app.evaluate(({ app: a }) => a.getPath('userData'))).toContain(dir);

      // The preload's API and nothing else: no Node, no require, no Electron in the page.
      const surface = await page.evaluate(() => {
        const w = globalThis as unknown as PageGlobals;
        return {
          kind: w.residual?.['kind'],
          keys: w.residual ? Object.keys(w.residual).sort() : [],
          require: typeof w.require,
          process: typeof w.process,
          module: typeof w.module,
          Buffer: typeof w.Buffer,
        };
      });
      expect(surface).toEqual({ kind: 'electron', keys: ['invoke', 'kind', 'on', 'pathForFile', 'pathForFolder'], require: 'undefined', process: 'undefined', module: 'undefined', Buffer: 'undefined' });
      // Only contract methods cross the bridge.
      const refused = await page.evaluate(() =>
        (globalThis as unknown as PageGlobals).residual!.invoke('fs.readFile', { path: '/etc/passwd' }).then(
          () => 'answered',
          (e: unknown) => String((e as Error).message ?? e),
        ),
      );
      expect(refused).toContain('Unknown method');

      // The Data section, over IPC to the engine (better-sqlite3 under Electron's ABI).
      const row = page.getByTestId('dataset-wdbc');
      await row.waitFor({ timeout: 60_000 });
      expect(await row.locator('td').nth(1).textContent()).toContain('569');
      expect(await page.locator('header.top').textContent()).toContain('smoke');
      await screenshot(page, 'electron-data');

      // File ▸ Import dataset… from another section: Data shows, and either the picker opens or the section asks for
      // the file (a menu clicked with the mouse gives the page no user gesture to open a picker with).
      await page.getByRole('navigation').getByRole('button', { name: 'Model', exact: true }).click();
      await page.getByTestId('train-box').waitFor();
      const chooser = page.waitForEvent('filechooser', { timeout: 15_000 }).then(
        () => 'picker' as const,
        () => 'none' as const,
      );
      const hint = page
        .getByTestId('import-command-hint')
        .waitFor({ timeout: 15_000 })
        .then(
          () => 'hint' as const,
          () => 'none' as const,
        );
      await app.evaluate(({ Menu }, label) => {
        const items = Menu.getApplicationMenu()?.items.flatMap((m) => m.submenu?.items ?? []) ?? [];
        items.find((i) => i.label === label)?.click();
      }, 'Import dataset…');
      const shown = await Promise.race([chooser, hint]);
      expect(['picker', 'hint']).toContain(shown);
      expect((await page.locator('nav button[aria-current="page"]').textContent())?.trim()).toBe('Data');
      await app.evaluate(({ Menu }, label) => {
        const items = Menu.getApplicationMenu()?.items.flatMap((m) => m.submenu?.items ?? []) ?? [];
        items.find((i) => i.label === label)?.click();
      }, 'Export report…');
      await expect.poll(async () => (await page.locator('nav button[aria-current="page"]').textContent())?.trim()).toBe('Report');

      // The page never navigates away: not to the web, not to another file.
      const home = page.url();
      // Record each navigation main refuses, so the test waits for the refusal instead of for a while.
      await app.evaluate(({ BrowserWindow }) => {
        const g = globalThis as unknown as { refused: string[] };
        g.refused = [];
        BrowserWindow.getAllWindows()[0]!.webContents.on('will-navigate', (_event, url) => g.refused.push(url));
      });
      for (const target of ['https://example.com/', 'file:///etc/hosts']) {
        await page.evaluate((url) => {
          (globalThis as unknown as PageGlobals).location.href = url;
        }, target);
        await expect.poll(() => app!.evaluate(() => (globalThis as unknown as { refused: string[] }).refused)).toContain(target);
        expect(page.url()).toBe(home);
      }
      // It opens no windows either.
      expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).open('file:///etc/hosts') === null)).toBe(true);
      // A web link goes to the system browser instead: checked only where shell.openExternal could be stubbed to
      // record it, so that the test never opens a real browser.
      const stubbed = await app.evaluate(({ shell }) => {
        const opened: string[] = [];
        const record = async (url: string): Promise<void> => {
          opened.push(url);
        };
        (globalThis as unknown as { opened: string[] }).opened = opened;
        try {
          shell.openExternal = record;
        } catch {
          return false;
        }
        return shell.openExternal === record;
      });
      if (stubbed) {
        expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).open('https://example.com/docs') === null)).toBe(true);
        await expect.poll(() => app!.evaluate(() => (globalThis as unknown as { opened: string[] }).opened)).toEqual(['https://example.com/docs']);
      }
      expect(app.windows()).toHaveLength(1);
      expect(await page.evaluate(() => typeof (globalThis as unknown as PageGlobals).residual)).toBe('object');
      expect(pageErrors).toEqual([]);
    } catch (e) {
      (e as Error).message += `\n--- Electron's output ---\n${output.slice(-4000)}`;
      throw e;
    }
  }, 240_000);
});
