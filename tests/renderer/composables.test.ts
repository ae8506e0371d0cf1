/**
 * Renderer logic without a browser: the virtual list's arithmetic (a million rows in a spacer the browser can hold),
 * the latest-wins query idiom, and number formatting.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { effectScope } from 'vue';

vi.mock('../../src-renderer/src/state', () => ({ errorMessage: (e: unknown) => (e as Error).message }));

const { MAX_SPACER_PX, scrollToShow, virtualWindow } = await import('../../src-renderer/src/composables/virtualRows');
const { useLatest, useLatestCall } = await import('../../src-renderer/src/composables/latest');
const { fmt, formatEta } = await import('../../src-renderer/src/format');
const { advancesAfterMark, isMove, moveSelection, pageRows, reviewAction, typingIn } = await import('../../src-renderer/src/composables/reviewKeys');
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

/** A request the test answers (or fails) when it chooses. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: Error) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('useLatestCall', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('applies only the newest call: answers of older calls are dropped whichever order they arrive in', async () => {
    const q = useLatestCall();
    const applied: string[] = [];
    const a = deferred<string>();
    const b = deferred<string>();
    const c = deferred<string>();
    const ra = q.run(() => a.promise, (v) => applied.push(v));
    const rb = q.run(() => b.promise, (v) => applied.push(v));
    const rc = q.run(() => c.promise, (v) => applied.push(v));
    expect(q.loading.value).toBe(true);
    b.resolve('row 2');
    expect(await rb).toBe(false);
    expect(q.loading.value).toBe(true); // the newest call is still on its way
    c.resolve('row 3');
    expect(await rc).toBe(true);
    expect(q.loading.value).toBe(false);
    a.resolve('row 1'); // the oldest, last of all
    expect(await ra).toBe(false);
    expect(applied).toEqual(['row 3']);
  });

  it('ignores the errors of stale calls, and reports the newest call\'s error', async () => {
    const q = useLatestCall();
    const failed: unknown[] = [];
    const old = deferred<number>();
    const pendingOld = q.run(() => old.promise, () => undefined);
    expect(await q.run(async () => 7, () => undefined)).toBe(true);
    old.reject(new Error('row.detail: the score was deleted'));
    expect(await pendingOld).toBe(false);
    expect(q.error.value).toBeNull();

    // The newest call's failure: to `fail` when given, else a message in `error`.
    const stale = deferred<number>();
    const pendingStale = q.run(() => stale.promise, () => undefined, (e) => failed.push(e));
    expect(await q.run(() => Promise.reject(new Error('The project is busy')), () => undefined)).toBe(false);
    expect(q.error.value).toBe('The project is busy');
    stale.reject(new Error('stale'));
    expect(await pendingStale).toBe(false);
    expect(failed).toEqual([]);
    expect(q.error.value).toBe('The project is busy');
    expect(await q.run(() => Promise.reject(new Error('locked')), () => undefined, (e) => failed.push((e as Error).message))).toBe(false);
    expect(failed).toEqual(['locked']);
  });

  it('clears the error as a call starts when asked to, else only when an answer arrives', async () => {
    const atStart = useLatestCall({ clearError: 'start' });
    const onAnswer = useLatestCall();
    for (const q of [atStart, onAnswer]) await q.run(() => Promise.reject(new Error('busy')), () => undefined);
    const a = deferred<number>();
    const b = deferred<number>();
    const ra = atStart.run(() => a.promise, () => undefined);
    const rb = onAnswer.run(() => b.promise, () => undefined);
    expect(atStart.error.value).toBeNull();
    expect(onAnswer.error.value).toBe('busy');
    a.resolve(1);
    b.resolve(1);
    await Promise.all([ra, rb]);
    expect(onAnswer.error.value).toBeNull();
  });

  it('debounces: only the last of a burst of schedules runs, after the quiet spell', async () => {
    vi.useFakeTimers();
    const q = useLatestCall();
    const asked: number[] = [];
    const applied: number[] = [];
    for (const row of [1, 2, 3]) {
      q.schedule(140, async () => (asked.push(row), row * 10), (v) => applied.push(v));
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(asked).toEqual([]); // never 140 ms of quiet yet
    await vi.advanceTimersByTimeAsync(40);
    expect(asked).toEqual([3]);
    expect(applied).toEqual([30]);
    expect(q.loading.value).toBe(false);
  });

  it('a schedule makes the answer on its way stale at once; run and forget drop a waiting schedule', async () => {
    vi.useFakeTimers();
    const q = useLatestCall();
    const applied: string[] = [];
    const slow = deferred<string>();
    const pending = q.run(() => slow.promise, (v) => applied.push(v));
    q.schedule(140, async () => 'row 2', (v) => applied.push(v));
    slow.resolve('row 1'); // arrives while the next row's read waits its turn
    expect(await pending).toBe(false);
    expect(q.loading.value).toBe(true); // still: the scheduled read is the one to wait for
    await vi.advanceTimersByTimeAsync(140);
    expect(applied).toEqual(['row 2']);

    const asked: string[] = [];
    q.schedule(100, async () => (asked.push('scheduled'), 'x'), () => undefined);
    await q.run(async () => (asked.push('now'), 'y'), () => undefined);
    q.schedule(100, async () => (asked.push('forgotten'), 'z'), () => undefined);
    q.forget();
    expect(q.loading.value).toBe(false);
    await vi.advanceTimersByTimeAsync(500);
    expect(asked).toEqual(['now']);
  });

  it('drops a waiting schedule and what is on its way when its component (scope) goes', async () => {
    vi.useFakeTimers();
    const scope = effectScope();
    const q = scope.run(() => useLatestCall())!;
    const applied: string[] = [];
    const slow = deferred<string>();
    const pending = q.run(() => slow.promise, (v) => applied.push(v));
    q.schedule(50, async () => 'later', (v) => applied.push(v));
    scope.stop();
    slow.resolve('late');
    expect(await pending).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    expect(applied).toEqual([]);
  });

  it('useLatest.schedule keeps the last answer of a burst as data', async () => {
    vi.useFakeTimers();
    const q = useLatest<number | null>(null);
    q.schedule(250, async () => 1);
    q.schedule(250, async () => 2);
    expect(q.loaded.value).toBe(false);
    await vi.advanceTimersByTimeAsync(250);
    expect(q.data.value).toBe(2);
    expect(q.loaded.value).toBe(true);
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

describe('review moves', () => {
  it('moves the selection by one, by a page, to either end, never past the rows', () => {
    const page = pageRows(330, 30); // 11 rows in view: a page is 10, the edge row stays in sight
    expect(page).toBe(10);
    expect(pageRows(20, 30)).toBe(1);
    expect(moveSelection('down', 4, 100, page)).toBe(5);
    expect(moveSelection('up', 4, 100, page)).toBe(3);
    expect(moveSelection('up', 0, 100, page)).toBe(0);
    expect(moveSelection('down', 99, 100, page)).toBe(99);
    expect(moveSelection('pageDown', 4, 100, page)).toBe(14);
    expect(moveSelection('pageDown', 95, 100, page)).toBe(99);
    expect(moveSelection('pageUp', 14, 100, page)).toBe(4);
    expect(moveSelection('pageUp', 4, 100, page)).toBe(0);
    expect(moveSelection('first', 57, 100, page)).toBe(0);
    expect(moveSelection('last', 3, 100, page)).toBe(99);
    expect(moveSelection('down', 0, 0, page)).toBeNull();
  });

  it('tells moves from the other review actions', () => {
    expect((['down', 'up', 'pageDown', 'pageUp', 'first', 'last'] as const).every(isMove)).toBe(true);
    expect((['anomaly', 'normal', 'unsure', 'clear', 'note', 'help'] as const).some(isMove)).toBe(false);
  });

  it('auto-advances after a verdict key only: not after X (clear), nor a saved note, nor with auto-advance off', () => {
    expect(advancesAfterMark(true, 'anomaly', undefined)).toBe(true);
    expect(advancesAfterMark(true, 'normal', undefined)).toBe(true);
    expect(advancesAfterMark(true, null, undefined)).toBe(false);
    expect(advancesAfterMark(true, 'anomaly', 'looks like a sensor glitch')).toBe(false);
    expect(advancesAfterMark(false, 'anomaly', undefined)).toBe(false);
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
