import { ref, shallowRef, type Ref } from 'vue';
import { useLatestCall } from '../../composables/latest';

/** What a row's read answers: the row explained (its verdict and note among it), and what comes with it. */
interface Explained<V> {
  readonly row: number;
  readonly verdict: V;
  readonly note: string;
}

/**
 * The row detail's read of the row asked for, latest wins: `ask(row, ms)` reads it after `ms` (arrow-key review
 * moves fast: the row the analyst stops on is read, not every row passed on the way), and only the newest row's
 * answer is shown. `tell` passes on a verdict or note saved for a row (onReviewChange): it is shown at once, and a
 * read on its way for that row, whose answer may predate the save, has it applied over its answer when it lands —
 * else the detail would show the older verdict while the table shows the new one.
 */
export function useRowRead<D extends Explained<V>, V, E>(read: (row: number) => Promise<readonly [D | null, E]>) {
  const detail = ref(null) as Ref<D | null>;
  /** What came with the shown row's answer (null when there is none). */
  const extra = shallowRef<E | null>(null);
  const { loading, error, schedule, forget } = useLatestCall({ clearError: 'start' });
  let asked: number | null = null;
  /** The last change told for the row asked for since its newest read started. */
  let told: { row: number; verdict: V; note: string } | null = null;

  function ask(row: number | null, ms: number): void {
    asked = row;
    if (row === null) {
      forget();
      detail.value = null;
      return;
    }
    if (detail.value && detail.value.row !== row) loading.value = true;
    schedule(
      ms,
      () => {
        told = null;
        return read(row);
      },
      ([d, e]) => {
        const t = told && told.row === row ? told : null;
        detail.value = d && t ? { ...d, verdict: t.verdict, note: t.note } : d;
        extra.value = e;
      },
    );
  }

  /** A verdict or note saved for `row`; true when it changed the row shown. */
  function tell(row: number, verdict: V, note: string): boolean {
    if (row === asked) told = { row, verdict, note };
    if (!detail.value || detail.value.row !== row) return false;
    detail.value = { ...detail.value, verdict, note };
    return true;
  }

  return { detail, extra, loading, error, ask, tell };
}
