/**
 * The Ranking's window cache (src-renderer/src/components/ranking/rankWindows.ts), without a browser: a fake
 * `score.rank` answers from an in-memory ranking, each answer released by the test, so the order of requests, the
 * one-in-flight rule, stale answers after a reset and the bounded cache are all observable.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { RankedRow, RankPage } from '../../src-main/contract';

interface Call {
  readonly offset: number;
  readonly limit: number;
  readonly filter: unknown;
  release(): void;
  fail(message: string): void;
}

const calls: Call[] = [];
const TOTAL = 10_000;

function page(offset: number, limit: number): RankPage {
  const rows: RankedRow[] = [];
  for (let i = offset; i < Math.min(TOTAL, offset + limit); i++) {
    rows.push({ rank: i + 1, row: TOTAL - 1 - i, id: `#${TOTAL - i}`, score: 1 - i / TOTAL, flagged: i < 100, top: [], label: null, verdict: null, note: '' });
  }
  return { scoreId: 1, total: TOTAL, offset, rows, threshold: 0.99 };
}

vi.mock('../../src-renderer/src/api/client', () => ({
  api: {
    invoke: (method: string, req: { offset: number; limit: number; filter?: unknown }) => {
      if (method !== 'score.rank') throw new Error(`unexpected ${method}`);
      return new Promise<RankPage>((resolve, reject) => {
        calls.push({ offset: req.offset, limit: req.limit, filter: req.filter, release: () => resolve(page(req.offset, req.limit)), fail: (m) => reject(new Error(m)) });
      });
    },
  },
}));
vi.mock('../../src-renderer/src/state', () => ({ errorMessage: (e: unknown) => (e as Error).message }));

const { useRankWindows, WINDOW_ROWS, MAX_CACHED_WINDOWS } = await import('../../src-renderer/src/components/ranking/rankWindows');

/** Lets the promise callbacks of a released answer run (a few microtask turns: await, catch, finally, then the pump). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

async function answerNext(): Promise<Call> {
  const c = calls.shift();
  if (!c) throw new Error('no request is waiting');
  c.release();
  await settle();
  return c;
}

beforeEach(() => {
  calls.length = 0;
});

describe('useRankWindows', () => {
  it('asks for the first window on reset, one request at a time, and never for more than a window', async () => {
    const w = useRankWindows();
    w.reset(1, { flagged: true, unreviewed: false });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ offset: 0, limit: WINDOW_ROWS, filter: { flagged: true } });
    expect(w.rowAt(0)).toBeUndefined();
    await answerNext();
    expect(w.total.value).toBe(TOTAL);
    expect(w.threshold.value).toBe(0.99);
    expect(w.rowAt(0)?.rank).toBe(1);
    expect(w.rowAt(WINDOW_ROWS - 1)?.rank).toBe(WINDOW_ROWS);
    expect(w.rowAt(WINDOW_ROWS)).toBeUndefined();
    expect(w.requests.value).toBe(1);
  });

  it('fetches what is on screen first, then the read-ahead, and drops windows scrolled past before they were asked for', async () => {
    const w = useRankWindows();
    w.reset(1, {});
    await answerNext();
    // On screen: positions 2,500–2,520; read ahead to 2,700 and back to 2,400.
    w.ensure(2500, 2520, 2400, 2700);
    expect(calls.map((c) => c.offset)).toEqual([2500]); // one in flight
    // The analyst scrolls on before it arrives: the old read-ahead is no longer wanted.
    w.ensure(8000, 8020, 8000, 8020);
    await answerNext(); // 2,500 arrives (it was already on its way)
    expect(calls.map((c) => c.offset)).toEqual([8000]);
    await answerNext();
    expect(calls).toHaveLength(0);
    expect(w.rowAt(8010)?.rank).toBe(8011);
    expect(w.rowAt(2600)).toBeUndefined();
  });

  it('ignores an answer that arrives after a reset (another score or filter), and says when a request fails', async () => {
    const w = useRankWindows();
    w.reset(1, {});
    const stale = calls.shift()!;
    w.reset(1, { verdict: 'anomaly' });
    stale.release();
    await settle();
    expect(w.total.value).toBeNull();
    expect(w.rowAt(0)).toBeUndefined();
    // The new query's first window is asked for once the stale request is out of the way.
    expect(calls.map((c) => c.filter)).toEqual([{ verdict: 'anomaly' }]);
    calls.shift()!.fail('The project is busy');
    await settle();
    expect(w.error.value).toBe('The project is busy');
    expect(w.loading.value).toBe(false);
    // A failed window is not asked for again by itself (no request loop against a failing server) …
    expect(calls).toHaveLength(0);
    // … only when the view asks again.
    w.ensure(0, 10);
    expect(calls.map((c) => c.offset)).toEqual([0]);
    await answerNext();
    expect(w.error.value).toBeNull();
    expect(w.rowAt(0)?.rank).toBe(1);
  });

  it('keeps at most MAX_CACHED_WINDOWS windows, dropping the least recently seen', async () => {
    const w = useRankWindows();
    w.reset(1, {});
    await answerNext();
    for (let i = 1; i <= MAX_CACHED_WINDOWS + 5; i++) {
      w.ensure(i * WINDOW_ROWS, i * WINDOW_ROWS);
      // Window 0 is looked at again every time: it stays.
      w.ensure(0, 0);
      w.ensure(i * WINDOW_ROWS, i * WINDOW_ROWS);
      while (calls.length) await answerNext();
    }
    let cached = 0;
    for (let i = 0; i <= MAX_CACHED_WINDOWS + 5; i++) if (w.rowAt(i * WINDOW_ROWS)) cached++;
    expect(cached).toBe(MAX_CACHED_WINDOWS);
    expect(w.rowAt(0)).toBeDefined();
    expect(w.rowAt(WINDOW_ROWS)).toBeUndefined(); // the oldest not seen again
  });

  it('patches a cached row in place (a verdict changed elsewhere) and says whether it was cached', async () => {
    const w = useRankWindows();
    w.reset(1, {});
    await answerNext();
    const before = w.version.value;
    const row = w.rowAt(3)!.row;
    expect(w.patchRow(row, { verdict: 'normal', note: 'known customer' })).toBe(true);
    expect(w.rowAt(3)).toMatchObject({ verdict: 'normal', note: 'known customer' });
    expect(w.version.value).toBe(before + 1);
    expect(w.patchRow(-5, { verdict: 'anomaly' })).toBe(false);
  });
});
