import { SKIP_BAD_ROWS_REMEDY, SKIP_ROWS_ADVICE } from '../../../../src-main/contract/data';
import { ApiError } from '../../api/client';
import { errorMessage } from '../../state';

/** An import or preview error with the place in the file it concerns (ApiError.details: file, line, lines, column). */
export interface PlacedError {
  readonly message: string;
  readonly line: number | null;
  /** Every line named (rows with the wrong number of fields). */
  readonly lines: readonly number[];
  /** A Parquet file's rows named (from 1; Parquet has no lines): details.rows, or details.row alone. */
  readonly rows: readonly number[];
  readonly column: string | null;
  /** Rows the import could skip (the wrong number of fields, a number too large): the checkbox beside the message. */
  readonly badRows: boolean;
}

/** The checkbox's words, which the message points at. */
export const SKIP_ROWS_LABEL = 'Skip these rows';

export function placeError(e: unknown): PlacedError {
  const d = e instanceof ApiError ? e.details : {};
  const line = typeof d['line'] === 'number' ? d['line'] : null;
  const lines = Array.isArray(d['lines']) ? (d['lines'] as unknown[]).filter((x): x is number => typeof x === 'number') : line !== null ? [line] : [];
  // A field past the header is named by its 1-based position.
  const column = typeof d['column'] === 'string' ? d['column'] : typeof d['column'] === 'number' ? `field ${d['column']}` : null;
  const rows = Array.isArray(d['rows']) ? (d['rows'] as unknown[]).filter((x): x is number => typeof x === 'number') : typeof d['row'] === 'number' ? [d['row']] : [];
  const skippable = d['remedy'] === SKIP_BAD_ROWS_REMEDY;
  // The core words its advice for every front end ("skip such rows when importing"); here it points at the checkbox.
  const message = skippable ? errorMessage(e).split(SKIP_ROWS_ADVICE).join(`tick “${SKIP_ROWS_LABEL}” below to import the rest`) : errorMessage(e);
  return { message, line, lines, rows, column, badRows: skippable };
}

/** "line 14, column "amount"" for the heading above the message. */
export function placeText(p: PlacedError): string {
  const parts: string[] = [];
  if (p.lines.length > 1) parts.push(`lines ${p.lines.slice(0, 6).join(', ')}${p.lines.length > 6 ? ', …' : ''}`);
  else if (p.line !== null) parts.push(`line ${p.line}`);
  else if (p.rows.length > 0) parts.push(`row${p.rows.length > 1 ? 's' : ''} ${p.rows.slice(0, 6).join(', ')}${p.rows.length > 6 ? ', …' : ''}`);
  if (p.column !== null) parts.push(p.column.startsWith('field ') ? p.column : `column "${p.column}"`);
  return parts.join(', ');
}
