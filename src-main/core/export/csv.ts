/**
 * CSV as RFC 4180 writes it: fields separated by commas, records by CRLF; a field holding a comma, a double quote,
 * a carriage return or a line feed is enclosed in double quotes, with its double quotes doubled. Numbers are
 * written with full precision (JavaScript's shortest round-trip form), so a reader gets back the very double.
 */

export type CsvValue = string | number | boolean | null | undefined;

/** One field, quoted when it must be. null and undefined are empty; NaN is empty too (no number). */
export function csvField(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isNaN(v) ? '' : String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** One record, CRLF-terminated. */
export function csvLine(fields: readonly CsvValue[]): string {
  return fields.map(csvField).join(',') + '\r\n';
}

/**
 * The header of Residual's ranking export, always the same columns (empty where the dataset has no label): the
 * first line of every such file, and how the file policy recognises a CSV that Residual wrote.
 */
export const RANKING_CSV_COLUMNS = [
  'rank',
  'id',
  'score',
  'flagged',
  'feature_1',
  'share_1',
  'feature_2',
  'share_2',
  'feature_3',
  'share_3',
  'label',
  'verdict',
  'note',
] as const;
export const RANKING_CSV_HEADER = csvLine(RANKING_CSV_COLUMNS);
