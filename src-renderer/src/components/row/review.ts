import type { RowVerdict } from '../../../../src-main/contract';
import { api } from '../../api/client';

export type Verdict = 'anomaly' | 'normal' | 'unsure';

/** What a row's review looks like after a change: every view that shows the row listens and updates in place. */
export interface ReviewChange {
  readonly datasetId: number;
  readonly row: number;
  readonly verdict: Verdict | null;
  readonly note: string;
}

type Listener = (change: ReviewChange) => void;
const listeners = new Set<Listener>();

/** Listens to verdict and note changes made anywhere in the renderer; returns the unsubscribe function. */
export function onReviewChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/**
 * Sets a row's verdict (null clears it) and, when given, its note, through `row.verdict`; tells every listener
 * what the row now holds (as main stored it). `note` undefined keeps the current note.
 */
export async function reviewRow(datasetId: number, row: number, verdict: Verdict | null, note?: string): Promise<ReviewChange> {
  const saved: RowVerdict | null = await api.invoke('row.verdict', { datasetId, row, verdict, ...(note !== undefined ? { note } : {}) });
  const change: ReviewChange = { datasetId, row, verdict: saved?.verdict ?? null, note: saved?.note ?? '' };
  for (const l of listeners) l(change);
  return change;
}

export const VERDICT_NAMES: Record<Verdict, string> = { anomaly: 'Anomaly', normal: 'False positive', unsure: 'Unsure' };

/** The keys of keyboard review, shown in the hint lines. */
export const VERDICT_KEYS: Record<Verdict, string> = { anomaly: 'A', normal: 'F', unsure: 'U' };
