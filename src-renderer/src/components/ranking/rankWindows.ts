import { ref, shallowRef } from 'vue';
import type { RankedRow, RankFilter } from '../../../../src-main/contract';
import { api } from '../../api/client';
import { errorMessage } from '../../state';

/** Rows per `score.rank` request: the table asks for windows this size as the analyst scrolls, never for everything. */
export const WINDOW_ROWS = 100;
/** Windows kept in memory (least recently used go first): bounded however far the analyst scrolls. */
export const MAX_CACHED_WINDOWS = 60;
/** Requests in flight at once: a fast scroll asks only for where it stopped, not for every window it passed. */
const MAX_IN_FLIGHT = 1;

export type Ranked = { -readonly [K in keyof RankedRow]: RankedRow[K] };

/**
 * The ranking, seen through windows of WINDOW_ROWS rows fetched from main on demand and cached by window.
 * `version` changes whenever a window arrives or a cached row changes, so a view that reads `rowAt` re-renders.
 */
export function useRankWindows() {
  const total = ref<number | null>(null);
  const threshold = ref<number | null>(null);
  const error = ref<string | null>(null);
  const version = ref(0);
  const loading = ref(false);
  const windows = new Map<number, Ranked[]>();
  const pending = new Set<number>();
  let query: { scoreId: number; filter: RankFilter } | null = null;
  let generation = 0;
  /** Windows the view wants now, most wanted first; replaced (not appended to) on every `ensure`. */
  let wanted: number[] = [];
  let inFlight = 0;
  /** Counts requests, for the tests and the 1M-row check: each asks for at most WINDOW_ROWS rows. */
  const requests = shallowRef(0);

  function reset(scoreId: number, filter: RankFilter): void {
    generation++;
    query = { scoreId, filter: { ...filter } };
    windows.clear();
    pending.clear();
    total.value = null;
    error.value = null;
    version.value++;
    wanted = [0];
    pump();
  }

  function pump(): void {
    while (inFlight < MAX_IN_FLIGHT) {
      const w = wanted.find((x) => !windows.has(x) && !pending.has(x) && (total.value === null || x * WINDOW_ROWS < total.value));
      if (w === undefined) return;
      inFlight++;
      void fetchWindow(w).finally(() => {
        inFlight--;
        pump();
      });
    }
  }

  async function fetchWindow(w: number): Promise<void> {
    if (!query || windows.has(w) || pending.has(w)) return;
    if (total.value !== null && w * WINDOW_ROWS >= total.value) return;
    const gen = generation;
    const filter = Object.fromEntries(Object.entries(query.filter).filter(([, v]) => v !== undefined && v !== false)) as RankFilter;
    pending.add(w);
    loading.value = true;
    requests.value++;
    try {
      const page = await api.invoke('score.rank', {
        scoreId: query.scoreId,
        offset: w * WINDOW_ROWS,
        limit: WINDOW_ROWS,
        ...(Object.keys(filter).length ? { filter } : {}),
      });
      if (gen !== generation) return;
      total.value = page.total;
      threshold.value = page.threshold;
      windows.set(w, page.rows.map((r) => ({ ...r })));
      while (windows.size > MAX_CACHED_WINDOWS) windows.delete(windows.keys().next().value!);
      error.value = null;
      version.value++;
    } catch (e) {
      if (gen === generation) {
        error.value = errorMessage(e);
        // Not asked for again until the view asks (a scroll, a reset): a failing server is not hammered in a loop.
        wanted = wanted.filter((x) => x !== w);
      }
    } finally {
      if (gen === generation) {
        pending.delete(w);
        loading.value = pending.size > 0;
      }
    }
  }

  /**
   * Asks for the windows covering positions [first, last] (what is on screen), then those covering [before, after]
   * (read-ahead). Windows wanted earlier but no longer on the list are not fetched.
   */
  function ensure(first: number, last: number, before = first, after = last): void {
    if (!query) return;
    const span = (a: number, b: number): number[] => {
      const out: number[] = [];
      for (let w = Math.max(0, Math.floor(a / WINDOW_ROWS)); w <= Math.max(0, Math.floor(Math.max(a, b) / WINDOW_ROWS)); w++) out.push(w);
      return out;
    };
    const now = span(first, last);
    for (const w of now) {
      const hit = windows.get(w);
      if (hit) {
        // Recently seen: move to the back of the eviction order.
        windows.delete(w);
        windows.set(w, hit);
      }
    }
    wanted = [...now, ...span(after > last ? last + 1 : last, after), ...span(before, first).reverse()].filter((w, i, a) => a.indexOf(w) === i);
    pump();
  }

  /** The row at a position of the (filtered) ranking, or undefined while its window is on its way. */
  function rowAt(position: number): Ranked | undefined {
    return windows.get(Math.floor(position / WINDOW_ROWS))?.[position % WINDOW_ROWS];
  }

  /** Updates a cached row in place (a verdict or note changed); true when it was on a cached window. */
  function patchRow(row: number, patch: Partial<Ranked>): boolean {
    let found = false;
    for (const rows of windows.values()) {
      for (const r of rows) {
        if (r.row === row) {
          Object.assign(r, patch);
          found = true;
        }
      }
    }
    if (found) version.value++;
    return found;
  }

  return { total, threshold, error, version, loading, requests, reset, ensure, rowAt, patchRow };
}

export type RankWindows = ReturnType<typeof useRankWindows>;
