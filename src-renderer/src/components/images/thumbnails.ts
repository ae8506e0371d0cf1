import { ref, shallowRef } from 'vue';
import type { ImageShape } from '../../../../src-main/contract/data';
import { MAX_IMAGE_ROWS } from '../../../../src-main/contract/images';
import { api } from '../../api/client';

/** Thumbnails kept per score: a few screens of rows; older ones are dropped (and fetched again if scrolled back to). */
export const THUMBNAIL_CACHE_ROWS = 2000;

/** Rows to fetch: those not held and not on their way, at most `max` (the contract's batch limit), in order. */
export function missingRows(rows: readonly number[], held: ReadonlySet<number> | ReadonlyMap<number, unknown>, pending: ReadonlySet<number>, max = MAX_IMAGE_ROWS): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  for (const r of rows) {
    if (out.length >= max) break;
    if (seen.has(r) || held.has(r) || pending.has(r)) continue;
    seen.add(r);
    out.push(r);
  }
  return out;
}

/**
 * The Ranking's thumbnails: the stored pixels of the rows on screen (row.images, parts 'pixels': no model run),
 * fetched in batches as the table scrolls and kept for THUMBNAIL_CACHE_ROWS rows.
 */
export function useThumbnails() {
  const pixels = new Map<number, readonly number[]>();
  const pending = new Set<number>();
  const shape = shallowRef<ImageShape | null>(null);
  /** Bumped when thumbnails arrive: the table re-renders the rows on screen. */
  const version = ref(0);
  const error = ref<string | null>(null);
  let scoreId: number | null = null;
  let generation = 0;

  function reset(id: number | null): void {
    scoreId = id;
    generation++;
    pixels.clear();
    pending.clear();
    shape.value = null;
    error.value = null;
    version.value++;
  }

  async function want(rows: readonly number[]): Promise<void> {
    const id = scoreId;
    if (id === null) return;
    const gen = generation;
    // Each row at most once per call, even if the cache drops it again before the call ends.
    const asked = new Set<number>();
    for (;;) {
      const batch = missingRows(rows.filter((r) => !asked.has(r)), pixels, pending);
      if (batch.length === 0) return;
      for (const r of batch) {
        pending.add(r);
        asked.add(r);
      }
      try {
        const got = await api.invoke('row.images', { scoreId: id, rows: batch, parts: 'pixels' });
        if (gen !== generation) return;
        shape.value = got.shape;
        for (const r of got.rows) pixels.set(r.row, r.pixels);
        // Oldest first out (a Map keeps insertion order).
        while (pixels.size > THUMBNAIL_CACHE_ROWS) pixels.delete(pixels.keys().next().value!);
        version.value++;
      } catch (e) {
        if (gen === generation) error.value = e instanceof Error ? e.message : String(e);
        return;
      } finally {
        if (gen === generation) for (const r of batch) pending.delete(r);
      }
    }
  }

  function get(row: number | undefined): readonly number[] | null {
    void version.value;
    return row === undefined ? null : pixels.get(row) ?? null;
  }

  return { reset, want, get, shape, version, error };
}
