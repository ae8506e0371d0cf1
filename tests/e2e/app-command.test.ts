/**
 * File ▸ Import dataset… and File ▸ Export report… from the native menu arrive as the `app.command` event. Browser
 * mode has no menu, so the test hands the page's own event stream that event (as main's would); the renderer must
 * switch to the section that owns the flow and carry the command out there, whichever section was showing.
 */
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmpDir } from '../helpers/tmp';
import { chromiumAvailable, launchChromium, painted, residual, ROOT, serve, type Served } from './harness';

const WDBC = path.join(ROOT, 'tests', 'fixtures', 'wdbc.csv');

/** What the page's functions below see (this file is type-checked without the DOM library). */
interface PageGlobals {
  EventSource: new (url: string, init?: unknown) => object;
  MessageEvent: new (type: string, init: { data: string }) => object;
  __events?: { dispatchEvent(event: object): boolean };
  navigator: object;
  document: { activeElement: { getAttribute(name: string): string | null } | null };
}

/** Keeps the page's EventSource reachable, so the test can deliver an event on it. */
function captureEvents(): void {
  const w = globalThis as unknown as PageGlobals;
  const Original = w.EventSource;
  w.EventSource = class extends Original {
    constructor(url: string, init?: unknown) {
      super(url, init);
      w.__events = this as unknown as PageGlobals['__events'];
    }
  };
}

/** Delivers `app.command` on the page's event stream, as main does for a menu item. */
async function command(page: Page, name: 'import' | 'export-report'): Promise<void> {
  await page.evaluate((c) => {
    const w = globalThis as unknown as PageGlobals;
    w.__events!.dispatchEvent(new w.MessageEvent('app.command', { data: JSON.stringify({ command: c }) }));
  }, name);
}

const eventsReady = (page: Page) => page.evaluate(() => Boolean((globalThis as unknown as PageGlobals).__events));

const current = (page: Page) => page.locator('nav button[aria-current="page"]').textContent().then((t) => t?.trim());

describe.skipIf(!chromiumAvailable())('menu commands (app.command)', () => {
  const dir = tmpDir('residual-e2e-cmd-');
  let served: Served;
  let browser: Browser;

  beforeAll(async () => {
    const project = path.join(dir, 'p.residual');
    await residual(['import', WDBC, '--project', project, '--label', 'diagnosis', '--positive', 'malignant', '--id', 'id']);
    [served, browser] = await Promise.all([serve(['--project', project]), launchChromium()]);
  });

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
  });

  async function open(init?: () => void): Promise<Page> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.addInitScript(captureEvents);
    if (init) await page.addInitScript(init);
    await page.goto(served.url);
    await page.getByTestId('dataset-wdbc').waitFor();
    await expect.poll(() => eventsReady(page)).toBe(true);
    return page;
  }

  it('Import dataset… from another section switches to Data and opens the file picker there', async () => {
    const page = await open();
    await page.getByRole('navigation').getByRole('button', { name: 'Model', exact: true }).click();
    await page.getByTestId('train-box').waitFor();

    const chooser = page.waitForEvent('filechooser', { timeout: 10_000 });
    await command(page, 'import');
    await expect.poll(() => current(page)).toBe('Data');
    // The picker is the one the Data section's "Choose file…" opens: the chosen file goes into its import flow.
    const picker = await chooser;
    await picker.setFiles(WDBC);
    await page.getByTestId('preview-roles').waitFor();
    expect(await page.getByTestId('preview-facts').textContent()).toContain('32 columns');
    expect(await page.getByTestId('import-command-hint').count()).toBe(0);
    await page.close();
  });

  it('without a user gesture (a menu clicked with the mouse) it asks for the file, with Enter on "Choose file…"', async () => {
    // A page may open a file picker only right after a click or key press; a mouse click on a native menu is neither.
    const page = await open(() => Object.defineProperty((globalThis as unknown as PageGlobals).navigator, 'userActivation', { get: () => ({ isActive: false, hasBeenActive: false }) }));
    let opened = 0;
    page.on('filechooser', () => opened++);
    // Data is already showing: the section reacts to the command as it arrives.
    await command(page, 'import');
    const hint = page.getByTestId('import-command-hint');
    await hint.waitFor();
    expect(await hint.textContent()).toContain('choose the file');
    expect(opened).toBe(0);
    await expect.poll(() => page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.getAttribute('data-testid'))).toBe('choose-file');

    const chooser = page.waitForEvent('filechooser', { timeout: 10_000 });
    await page.keyboard.press('Enter');
    await (await chooser).setFiles(WDBC);
    await page.getByTestId('preview-roles').waitFor();
    expect(await hint.count()).toBe(0);
    await page.close();
  });

  it('Export report… switches to Report; a command without a project open explains itself', async () => {
    const page = await open();
    await page.getByRole('navigation').getByRole('button', { name: 'Training', exact: true }).click();
    await command(page, 'export-report');
    await expect.poll(() => current(page)).toBe('Report');
    // Back to Data by hand: the import command was not left waiting, so no picker and no hint appear.
    let opened = 0;
    page.on('filechooser', () => opened++);
    await page.getByRole('navigation').getByRole('button', { name: 'Data', exact: true }).click();
    await page.getByTestId('dataset-wdbc').waitFor();
    await painted(page);
    expect(opened).toBe(0);
    expect(await page.getByTestId('import-command-hint').count()).toBe(0);
    await page.close();

    // With no project open there is nothing to import into: the page says so and stays where it is.
    const bare = await serve();
    try {
      const empty = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await empty.addInitScript(captureEvents);
      await empty.goto(bare.url);
      await empty.getByRole('heading', { name: 'Open a project' }).waitFor();
      await expect.poll(() => eventsReady(empty)).toBe(true);
      await command(empty, 'import');
      await expect.poll(() => empty.locator('main').textContent()).toContain('Open or create a project first, then import a dataset into it.');
      expect(await empty.getByRole('heading', { name: 'Open a project' }).count()).toBe(1);
      await empty.close();
    } finally {
      await bare.stop();
    }
  });
});
