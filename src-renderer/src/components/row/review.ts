import type { RowVerdict, Verdict } from '../../../../src-main/contract';
// A value from the contract's zod-free module: the renderer bundle does not carry the request schemas.
import { VERDICT_NAMES } from '../../../../src-main/contract/review';
import { api } from '../../api/client';
import { pushUndo } from '../../undo';

export type { Verdict };

/** What a row's review looks like after a change: every view that shows the row listens and updates in place. */
export interface ReviewChange {
  readonly datasetId: number;
  readonly row: number;
  readonly verdict: Verdict | null;
  readonly note: string;
  /** The change undid an earlier one (Ctrl/Cmd+Z or the toast's Undo). */
  readonly undone?: boolean;
}

type Listener = (change: ReviewChange) => void;
const listeners = new Set<Listener>();

/** Listens to verdict and note changes made anywhere in the renderer; returns the unsubscribe function. */
export function onReviewChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function tell(datasetId: number, row: number, v: RowVerdict | null, undone = false): ReviewChange {
  const change: ReviewChange = { datasetId, row, verdict: v?.verdict ?? null, note: v?.note ?? '', ...(undone ? { undone } : {}) };
  for (const l of listeners) l(change);
  return change;
}

/** "Marked 842302 as false positive", "Cleared the verdict of 842302", "Saved the note of 842302". */
function describe(id: string, before: RowVerdict | null, after: RowVerdict | null): string {
  const verdict = after?.verdict ?? null;
  if (verdict !== (before?.verdict ?? null)) return verdict ? `Marked ${id} as ${VERDICT_NAMES[verdict].toLowerCase()}` : `Cleared the verdict of ${id}`;
  return after?.note ? `Saved the note of ${id}` : `Cleared the note of ${id}`;
}

/**
 * Sets a row's verdict (null clears it) and, when given, its note, through `row.verdict`; tells every listener
 * what the row now holds (as main stored it) and offers to undo it (the toast, Ctrl/Cmd+Z): main puts back what the
 * row held before, exactly, unless it has changed since. `note` undefined keeps the current note; `id` is the row as
 * the analyst knows it (for the toast).
 */
export async function reviewRow(datasetId: number, row: number, verdict: Verdict | null, note?: string, id = `#${row + 1}`): Promise<ReviewChange> {
  const { saved, previous } = await api.invoke('row.verdict', { datasetId, row, verdict, ...(note !== undefined ? { note } : {}) });
  const change = tell(datasetId, row, saved);
  const same = (saved?.verdict ?? null) === (previous?.verdict ?? null) && (saved?.note ?? '') === (previous?.note ?? '');
  if (!same) {
    pushUndo({
      label: describe(id, previous, saved),
      until: null,
      undo: async () => {
        const now = await api.invoke('row.restoreVerdict', { datasetId, row, previous, expected: saved });
        tell(datasetId, row, now, true);
      },
    });
  }
  return change;
}

/** The verdicts' names: the contract's table, shared with the PDF report. */
export { VERDICT_NAMES };

/** The keys of keyboard review, shown in the hint lines. */
export const VERDICT_KEYS: Record<Verdict, string> = { anomaly: 'A', normal: 'F', unsure: 'U' };
