import { ApiError } from '../../api/client';
import { errorMessage } from '../../state';

/** An import or preview error with the place in the file it concerns (ApiError.details: file, line, lines, column). */
export interface PlacedError {
  readonly message: string;
  readonly line: number | null;
  /** Every line named (rows with the wrong number of fields). */
  readonly lines: readonly number[];
  readonly column: string | null;
  /** Rows with the wrong number of fields: skipping them is an option. */
  readonly badRows: boolean;
}

export function placeError(e: unknown): PlacedError {
  const d = e instanceof ApiError ? e.details : {};
  const line = typeof d['line'] === 'number' ? d['line'] : null;
  const lines = Array.isArray(d['lines']) ? (d['lines'] as unknown[]).filter((x): x is number => typeof x === 'number') : line !== null ? [line] : [];
  // A field past the header is named by its 1-based position.
  const column = typeof d['column'] === 'string' ? d['column'] : typeof d['column'] === 'number' ? `field ${d['column']}` : null;
  return { message: errorMessage(e), line, lines, column, badRows: Array.isArray(d['lines']) };
}

/** "line 14, column "amount"" for the heading above the message. */
export function placeText(p: PlacedError): string {
  const parts: string[] = [];
  if (p.lines.length > 1) parts.push(`lines ${p.lines.slice(0, 6).join(', ')}${p.lines.length > 6 ? ', …' : ''}`);
  else if (p.line !== null) parts.push(`line ${p.line}`);
  if (p.column !== null) parts.push(p.column.startsWith('field ') ? p.column : `column "${p.column}"`);
  return parts.join(', ');
}
