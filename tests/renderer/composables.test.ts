/**
 * Renderer logic without a browser: the virtual list's arithmetic (a million rows in a spacer the browser can hold),
 * the latest-wins query idiom, and number formatting.
 */
import { describe, expect, it, vi } from 'vitest';

vi.mock('../../src-renderer/src/state', () => ({ errorMessage: (e: unknown) => (e as Error).message }));

const { MAX_SPACER_PX, scrollToShow, virtualWindow } = await import('../../src-renderer/src/composables/virtualRows');
const { useLatest } = await import('../../src-renderer/src/composables/latest');
const { fmt, formatEta } = await import('../../src-renderer/src/format');
const { reviewAction, typingIn } = await import('../../src-renderer/src/composables/reviewKeys');
const { fitName } = await import('../../src-renderer/src/composables/fitText');

describe('virtualWindow', () => {
  const g = { total: 1000, rowH: 30, headH: 30, viewH: 330 };

  it('renders only the rows in view (plus one), from the scroll position', () => {
    expect(virtualWindow(g, 0)).toMatchObject({ bodyH: 300, spacerH: 30_000, scale: 1, virtualTop: 0, first: 0, count: 11 });
    expect(virtualWindow(g, 95)).toMatchObject({ virtualTop: 95, first: 3, count: 11 });
    // At the bottom: the last rows, never past the end.
    const end = virtualWindow(g, 1e9);
    expect(end.virtualTop).toBe(30_000 - 300);
    expect(end.first + end.count).toBe(1000);
  });

  it('caps the spacer for ten million rows and scales the scroll position so the last row is still reachable', () => {
    const big = { ...g, total: 10_000_000 };
    const top = virtualWindow(big, 0);
    expect(top.spacerH).toBe(MAX_SPACER_PX);
    expect(top.scale).toBeGreaterThan(19);
    const bottom = virtualWindow(big, MAX_SPACER_PX - top.bodyH);
    expect(bottom.first + bottom.count).toBe(10_000_000);
    // Bringing a far row into view gives a scroll position inside the spacer that shows exactly that row.
    const st = scrollToShow(big, 0, 7_654_321)!;
    expect(st).toBeLessThanOrEqual(MAX_SPACER_PX);
    const there = virtualWindow(big, st);
    expect(7_654_321).toBeGreaterThanOrEqual(there.first);
    expect(7_654_321).toBeLessThan(there.first + there.count);
  });

  it('does not scroll for a row already in view, and an empty list renders nothing', () => {
    expect(scrollToShow(g, 0, 5)).toBeNull();
    expect(scrollToShow(g, 0, 10)).toBe(30); // one row down
    expect(virtualWindow({ ...g, total: 0 }, 0).count).toBe(0);
  });
});

describe('useLatest', () => {
  it('keeps the newest answer: an older request that ends late is dropped', async () => {
    const q = useLatest<string | null>(null);
    let releaseOld!: (v: string) => void;
    const old = q.run(() => new Promise<string>((r) => (releaseOld = r)));
    const fresh = q.run(async () => 'score 2');
    expect(await fresh).toBe(true);
    releaseOld('score 1');
    expect(await old).toBe(false);
    expect(q.data.value).toBe('score 2');
    expect(q.loading.value).toBe(false);
    expect(q.loaded.value).toBe(true);
  });

  it('turns a failure into a message and clears it with the next answer', async () => {
    const q = useLatest(0);
    expect(await q.run(() => Promise.reject(new Error('The project is busy')))).toBe(false);
    expect(q.error.value).toBe('The project is busy');
    expect(q.data.value).toBe(0);
    expect(await q.run(async () => 3)).toBe(true);
    expect(q.error.value).toBeNull();
  });

  it('forget drops what is on its way', async () => {
    const q = useLatest('a');
    const pending = q.run(async () => 'b');
    q.forget();
    expect(await pending).toBe(false);
    expect(q.data.value).toBe('a');
  });
});

describe('format', () => {
  it('writes numbers as the tables do', () => {
    expect(fmt(1234567)).toBe('1,234,567');
    expect(fmt(0.000123)).toBe('1.23e-4');
    expect(fmt(0.12345678)).toBe('0.1235');
    expect(fmt(NaN)).toBe('–');
    expect(fmt(-Infinity)).toBe('−∞');
    expect(fmt(null)).toBe('–');
  });

  it('writes the time left', () => {
    expect(formatEta(null)).toBe('');
    expect(formatEta(42.4)).toBe('42 s left');
    expect(formatEta(125)).toBe('2 min 5 s left');
  });
});

describe('review keys', () => {
  const key = (k: string, extra: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean; target: unknown }> = {}) =>
    reviewAction({ key: k, ctrlKey: false, metaKey: false, altKey: false, target: { tagName: 'DIV' }, ...extra });

  it('maps the review keys, letters in either case', () => {
    expect([key('a'), key('A'), key('f'), key('u'), key('x'), key('n'), key('?')]).toEqual(['anomaly', 'anomaly', 'normal', 'unsure', 'clear', 'note', 'help']);
    expect([key('ArrowDown'), key('ArrowUp'), key('PageDown'), key('PageUp'), key('Home'), key('End')]).toEqual(['down', 'up', 'pageDown', 'pageUp', 'first', 'last']);
    expect(key('q')).toBeNull();
  });

  it('leaves chords and typing alone (Ctrl+A selects text, A in the note box is a letter)', () => {
    expect(key('a', { ctrlKey: true })).toBeNull();
    expect(key('z', { metaKey: true })).toBeNull();
    expect(key('a', { target: { tagName: 'INPUT', type: 'text' } })).toBeNull();
    expect(key('a', { target: { tagName: 'TEXTAREA' } })).toBeNull();
    expect(key('a', { target: { tagName: 'DIV', isContentEditable: true } })).toBeNull();
    // A focused checkbox (e.g. the auto-advance toggle) does not swallow review keys.
    expect(key('a', { target: { tagName: 'INPUT', type: 'checkbox' } })).toBe('anomaly');
    expect(typingIn(null)).toBe(false);
  });
});

describe('fitName', () => {
  const width = (t: string): number => t.length * 6; // a monospace font, 6 px a character

  it('keeps a name that fits, else the first word and the last words, else both ends', () => {
    expect(fitName('radius', 60, width)).toBe('radius');
    expect(fitName('worst concave points', 20 * 6, width)).toBe('worst concave points');
    expect(fitName('mean worst concave points', 21 * 6, width)).toBe('mean…concave points');
    expect(fitName('worst concave points', 13 * 6, width)).toBe('worst…points');
    const cut = fitName('fractal_dimension_worst', 10 * 6, width);
    expect(width(cut)).toBeLessThanOrEqual(60);
    expect(cut).toContain('…');
    expect(cut.startsWith('frac')).toBe(true);
    expect(cut.endsWith('worst')).toBe(true);
  });
});
