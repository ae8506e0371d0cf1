import { fmt } from '../../format';

/**
 * How many top rows Compare runs' agreement matrix compares: a share of the dataset's rows (rounded up, at least
 * MIN_TOP_ROWS so that a small dataset's figures are not made of two or three rows), or a fixed count; never more than
 * the rows there are.
 */
export type OverlapTop = '1%' | '100' | '5%';
export const MIN_TOP_ROWS = 10;
const SHARE: Partial<Record<OverlapTop, number>> = { '1%': 0.01, '5%': 0.05 };

export const OVERLAP_TOPS: Record<OverlapTop, string> = { '1%': 'top 1 %', '100': 'top 100', '5%': 'top 5 %' };

export function overlapK(top: OverlapTop, rows: number): number {
  const share = SHARE[top];
  return share === undefined ? Math.min(rows, 100) : Math.min(rows, Math.max(MIN_TOP_ROWS, Math.ceil(rows * share)));
}

/** What the chosen top is on this dataset, as it was counted: "top 10 of 351 rows (1 % is 3.51; at least 10)". */
export function overlapKWords(top: OverlapTop, rows: number): string {
  const k = overlapK(top, rows);
  const share = SHARE[top];
  const head = `top ${fmt(k)} of ${fmt(rows)} rows`;
  if (k === rows) return `all ${fmt(rows)} rows`;
  if (share === undefined) return head;
  const pct = `${Math.round(share * 100)} %`;
  const exact = rows * share;
  if (Math.ceil(exact) < MIN_TOP_ROWS) return `${head} (${pct} is ${fmt(exact)}; at least ${MIN_TOP_ROWS})`;
  return Number.isInteger(exact) ? `${head} (${pct})` : `${head} (${pct} is ${fmt(exact)}, rounded up)`;
}
