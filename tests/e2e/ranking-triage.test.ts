/**
 * Triage in the Ranking (issue #17), in browser mode: the count of matching rows, jump to a row by its id, sorting
 * by rank/score, auto-advance after a verdict key (remembered), the keys' help, and the row detail's direction,
 * z-like figure, non-feature columns, raw record and a saved note shown whole.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tmpDir } from '../helpers/tmp';
import { apiCall, chromiumAvailable, openApp, type OpenedApp, painted, residual, screenshot, importWdbc } from './harness';

const ROWS = 569;

describe.skipIf(!chromiumAvailable())('Ranking triage and the row detail in the browser', () => {
  const dir = tmpDir('residual-e2e-triage-');
  const project = path.join(dir, 'cells.residual');
  let app: OpenedApp;
  let page: Page;

  const call = <T>(method: string, body: unknown): Promise<T> => apiCall<T>(app.served, method, body);
  const selected = () => page.locator('[data-testid=rank-row][aria-selected=true]');
  const selectedRank = () => selected().getAttribute('data-rank');
  const table = () => page.getByTestId('rank-table');

  beforeAll(async () => {
    await importWdbc(project);
    await residual(['train', '--project', project, '--kind', 'ae', '--epochs', '5', '--seed', '3']);
    await residual(['score', '--project', project]);
    app = await openApp(['--project', project]);
    page = app.page;
  }, 120_000);

  afterAll(() => app?.close());

  it('shows how many rows match the filters', async () => {
    await page.getByRole('button', { name: 'Ranking', exact: true }).click();
    await expect.poll(() => table().getAttribute('data-total'), { timeout: 15_000 }).toBe(String(ROWS));
    await expect.poll(() => page.getByTestId('rank-count').textContent()).toBe(`${ROWS} rows`);
    await page.getByTestId('filter-label').selectOption('anomaly');
    // data-total is empty while the filtered ranking loads.
    await expect.poll(async () => /^\d+$/.test((await table().getAttribute('data-total')) ?? '') && Number(await table().getAttribute('data-total')) < ROWS, { timeout: 15_000 }).toBe(true);
    const matching = Number(await table().getAttribute('data-total'));
    expect(matching).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('rank-count').textContent()).toBe(`${matching} of ${ROWS} rows`);
    await page.getByTestId('filter-label').selectOption('');
    await expect.poll(() => page.getByTestId('rank-count').textContent(), { timeout: 15_000 }).toBe(`${ROWS} rows`);
  });

  it('jumps to a row by its id, or by #N', async () => {
    const [target] = (await call<{ rows: { id: string; rank: number; row: number }[] }>('score.rank', { scoreId: 1, offset: 299, limit: 1 })).rows;
    await page.getByTestId('jump-id').fill(target!.id);
    await page.getByTestId('jump-id').press('Enter');
    await expect.poll(() => selectedRank(), { timeout: 15_000 }).toBe('300');
    await expect.poll(() => page.getByTestId('row-detail-id').textContent(), { timeout: 15_000 }).toBe(target!.id);

    await page.getByTestId('jump-id').fill('#5');
    await page.getByTestId('jump-id').press('Enter');
    await expect.poll(() => selected().getAttribute('data-row'), { timeout: 15_000 }).toBe('4');

    await page.getByTestId('jump-id').fill('no-such-id');
    await page.getByTestId('jump-id').press('Enter');
    await expect.poll(() => page.getByTestId('jump-message').textContent()).toContain('No row has the id');
    await page.getByTestId('jump-id').fill('');
  });

  it('sorts by rank and score both ways', async () => {
    await page.getByTestId('sort-score').click();
    // From the top of the new order, its first row selected: the lowest score.
    await expect.poll(() => page.getByTestId('rank-row').first().getAttribute('data-rank'), { timeout: 15_000 }).toBe(String(ROWS));
    await expect.poll(() => selectedRank()).toBe(String(ROWS));
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => selectedRank()).toBe(String(ROWS - 1));
    expect(await page.getByTestId('sort-rank').getAttribute('aria-sort')).toBe('descending');
    await page.getByTestId('sort-rank').click();
    await expect.poll(() => page.getByTestId('rank-row').first().getAttribute('data-rank'), { timeout: 15_000 }).toBe('1');
    await expect.poll(() => selectedRank()).toBe('1');
  });

  it('auto-advances after a verdict key, remembered across reloads', async () => {
    await page.getByTestId('auto-advance').check();
    await page.locator('[data-testid=rank-row][data-rank="1"]').click();
    await expect.poll(() => selectedRank()).toBe('1');
    await page.keyboard.press('f');
    await expect.poll(() => selectedRank()).toBe('2');
    await page.keyboard.press('u');
    await expect.poll(() => selectedRank()).toBe('3');
    const verdictAt = (rank: number) => page.locator(`[data-testid=rank-row][data-rank="${rank}"] [data-testid=rank-verdict]`).textContent();
    // One word per meaning: the F key's verdict reads "false positive" in the table.
    await expect.poll(() => verdictAt(1)).toContain('false positive');
    await expect.poll(() => verdictAt(2)).toContain('unsure');

    await page.reload();
    await page.getByRole('button', { name: 'Ranking', exact: true }).click();
    await expect.poll(() => page.getByTestId('auto-advance').isChecked(), { timeout: 15_000 }).toBe(true);
    await page.getByTestId('auto-advance').uncheck();
    await page.locator('[data-testid=rank-row][data-rank="1"]').click();
    await page.keyboard.press('x');
    await expect.poll(() => verdictAt(1)).not.toContain('false positive');
    expect(await selectedRank()).toBe('1');
  });

  it('shows the keys on ? and on the help button', async () => {
    await page.keyboard.press('?');
    const help = page.getByTestId('keys-help');
    await expect.poll(() => help.isVisible()).toBe(true);
    const text = (await help.textContent()) ?? '';
    expect(text).toContain('false positive');
    expect(text).toContain('clear the verdict');
    await page.keyboard.press('Escape');
    await expect.poll(() => help.count()).toBe(0);
    await page.getByTestId('keys-help-button').click();
    await expect.poll(() => help.isVisible()).toBe(true);
    await page.getByTestId('keys-help-close').click();
    await expect.poll(() => help.count()).toBe(0);
  });

  it('lists Ctrl+Z in the help, names the threshold in force under the table, and a note opens without scrolling the page', async () => {
    await page.keyboard.press('?');
    const help = page.getByTestId('keys-help');
    await expect.poll(() => help.textContent()).toContain('undo the last verdict or note');
    expect(await help.textContent()).toMatch(/Ctrl\+Z|⌘\+Z/);
    await page.keyboard.press('Escape');
    await expect.poll(() => help.count()).toBe(0);
    // No threshold saved: the default one, with its value (never "saved", never empty parentheses).
    await expect.poll(() => page.getByTestId('flagged-rule').textContent()).toMatch(/flagged: score at or above [\d.]+, the default mean \+ 2σ \(not saved\)$/);

    // A verdict brings up the status dock (the undo toast), which takes height from the page; the note editor at
    // the table's foot then still opens inside the visible area: the page does not scroll the title under the top bar.
    await page.getByTestId('auto-advance').uncheck();
    await page.locator('[data-testid=rank-row][data-rank="2"]').click();
    await page.keyboard.press('u');
    await page.getByTestId('status-dock').waitFor();
    await page.keyboard.press('n');
    await page.getByTestId('note-input').waitFor();
    const layout = () =>
      page.evaluate(() => {
        const doc = (globalThis as unknown as { document: { querySelector(s: string): { scrollTop: number; getBoundingClientRect(): { top: number; bottom: number } } | null } }).document;
        const main = doc.querySelector('main')!;
        return { scrollTop: main.scrollTop, titleTop: doc.querySelector('[data-testid=ranking-section] h2')!.getBoundingClientRect().top - main.getBoundingClientRect().top, editorBottom: main.getBoundingClientRect().bottom - doc.querySelector('[data-testid=note-editor]')!.getBoundingClientRect().bottom };
      });
    const at = await layout();
    expect(at.scrollTop).toBe(0);
    expect(at.titleTop).toBeGreaterThanOrEqual(0);
    expect(at.editorBottom).toBeGreaterThanOrEqual(0);
    await screenshot(page, 'ranking-note-editor');
    await page.keyboard.press('Escape');
    await page.keyboard.press('x');
  });

  it('explains the row: direction, z-like figure, its id and label, the raw record, a long note whole', async () => {
    const [top] = (await call<{ rows: { id: string; row: number }[] }>('score.rank', { scoreId: 1, offset: 0, limit: 1 })).rows;
    const note = Array.from({ length: 5 }, (_v, i) => `line ${i + 1} of a longer note`).join('\n');
    await call('row.verdict', { datasetId: 1, row: top!.row, verdict: 'anomaly', note });
    await page.locator('[data-testid=rank-row][data-rank="2"]').click();
    await page.locator('[data-testid=rank-row][data-rank="1"]').click();
    await expect.poll(() => page.getByTestId('row-detail-id').textContent(), { timeout: 15_000 }).toBe(top!.id);

    // Direction per column, as the engine computed it (the sign of the deviation in the column's scale).
    const [detail] = await call<{ contributions: { column: string; deviation?: number | null }[] }[]>('row.detail', { scoreId: 1, rows: [top!.row] });
    const first = detail!.contributions[0]!;
    expect(typeof first.deviation).toBe('number');
    const dir = page.getByTestId('row-detail-direction').first();
    await expect.poll(() => dir.getAttribute('data-direction'), { timeout: 15_000 }).toBe(first.deviation! > 0 ? 'above' : 'below');
    expect(await page.getByTestId('row-detail-z').first().textContent()).toMatch(/^[+−]\d+(\.\d{1,2})? sd$/);

    // The non-feature columns: id and label as imported.
    const context = page.getByTestId('row-detail-context');
    await expect.poll(() => context.textContent()).toContain(top!.id);
    expect(await context.textContent()).toMatch(/diagnosis\s*(malignant|benign)/);

    // The raw record: every column's value as imported (data.rows).
    const raw = await call<{ columns: { name: string }[]; rows: { values: (string | number | null)[] }[] }>('data.rows', { datasetId: 1, rows: [top!.row] });
    const record = page.getByTestId('row-detail-record');
    await record.locator('summary').click();
    await expect.poll(() => record.locator('dt').count()).toBe(raw.columns.length);
    const shown = await record.locator('dd').allTextContents();
    expect(shown).toEqual(raw.rows[0]!.values.map((v) => (v === null ? '(missing)' : String(v))));

    // The saved note is shown whole: the box grew to fit it (it was two lines high and cut the note before).
    const box = page.getByTestId('detail-note');
    await expect.poll(() => box.inputValue()).toBe(note);
    await painted(page);
    const fits = await box.evaluate((el) => el.scrollHeight <= el.clientHeight + 2);
    expect(fits).toBe(true);
    expect(await box.evaluate((el) => el.clientHeight)).toBeGreaterThan(80);
    await page.locator('aside.detail').evaluate((el) => (el.scrollTop = 0));
    await painted(page);
    await screenshot(page, 'ranking-row-detail-light');
    await record.scrollIntoViewIfNeeded();
    await painted(page);
    await screenshot(page, 'ranking-row-record-light');
    expect(app.pageErrors).toEqual([]);
  });
});
