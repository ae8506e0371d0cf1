/**
 * The analyst-facing errors of an import: each says what is wrong, where (file, line, column)
 * and what to do about it. Internal error types from the parser and the column builders are
 * turned into ResidualErrors here, where the file name and the header are known.
 */
import { ResidualError } from '../errors';
import { BadRowsError, ChangedDuringReadError, MAX_BAD_ROWS_REPORTED, NumberOverflowError } from './columns';
import { CsvSyntaxError, MAX_ROW_CHARS } from './csv-parser';
import { SKIP_BAD_ROWS_REMEDY, SKIP_ROWS_ADVICE as SKIP_NEUTRAL } from '../../contract/data';
export { SKIP_BAD_ROWS_REMEDY };

/** The message as the CLI says it: the neutral advice to skip rows names the `--skip-bad-rows` flag instead. */
export function forCli(message: string): string {
  return message.split(SKIP_NEUTRAL).join('import with --skip-bad-rows to skip such rows');
}

/** "column "x"" for a field index, or "field 7" past the header. */
export function columnLabel(header: readonly string[], index: number): string {
  const name = header[index];
  return name !== undefined ? `column "${name}"` : `field ${index + 1}`;
}

export function fileChanged(file: string, detail: string): ResidualError {
  return new ResidualError('BAD_FILE', `${file} changed while it was being imported (${detail}). Wait until nothing writes to it any more, then import again.`, { file });
}

/** Maps the import's internal errors to ResidualErrors; anything else passes through unchanged. */
export function toResidualError(e: unknown, file: string, header: readonly string[]): unknown {
  if (e instanceof ResidualError) return e;
  if (e instanceof CsvSyntaxError) {
    if (e.kind === 'unterminated-quote') {
      return new ResidualError(
        'BAD_FILE',
        `In ${file}, a quoted field (${columnLabel(header, e.fieldIndex)}) opens at line ${e.line} but its closing quote (") never comes before the end of the file. Add the missing quote, or remove the stray one.`,
        { file, line: e.line, column: header[e.fieldIndex] ?? e.fieldIndex + 1 },
      );
    }
    return new ResidualError(
      'BAD_FILE',
      `In ${file}, the row starting at line ${e.line} runs on for more than ${MAX_ROW_CHARS / 1024 / 1024} MiB of text, most likely because a quote (") opened there never closes. Check the quotes on that line.`,
      { file, line: e.line },
    );
  }
  if (e instanceof BadRowsError) {
    const rows = e.rows.slice(0, MAX_BAD_ROWS_REPORTED);
    const list = rows.map((r) => `line ${r.line} has ${r.fields}`).join(', ');
    const more = e.rows.length >= MAX_BAD_ROWS_REPORTED ? ' (and maybe more; reading stopped there)' : '';
    // R's write.table without col.names=NA: one more field in every row than names in the header.
    const rowNames =
      rows.length >= 2 && rows.every((r) => r.fields === e.expected + 1)
        ? ' If the first column holds row names, give it a name in the header too.'
        : '';
    return new ResidualError(
      'BAD_FILE',
      `In ${file}, rows have a different number of fields than the header's ${e.expected}: ${list}${more}. Fix those lines (often a delimiter inside an unquoted value), or ${SKIP_NEUTRAL}.${rowNames}`,
      { file, line: rows[0]?.line, lines: rows.map((r) => r.line), remedy: SKIP_BAD_ROWS_REMEDY },
    );
  }
  if (e instanceof NumberOverflowError) {
    const cells = e.cells;
    const first = cells[0]!;
    const list = cells.map((c) => `line ${c.line}, ${columnLabel(header, c.column)}: ${c.value}`).join('; ');
    const more = e.columns > cells.length ? ` (and ${e.columns - cells.length} more column${e.columns - cells.length === 1 ? '' : 's'})` : '';
    const what =
      cells.length === 1
        ? `In ${file}, line ${first.line}, ${columnLabel(header, first.column)} holds ${first.value}, a number too large to compute with`
        : `In ${file}, numbers too large to compute with: ${list}${more}`;
    return new ResidualError(
      'BAD_FILE',
      `${what} (beyond ±1.8e308, so it would read as infinity). ${cells.length === 1 ? 'Fix the value (leave the cell empty if it is unknown)' : 'Fix those values (leave a cell empty if its value is unknown)'}, or ${SKIP_NEUTRAL}.`,
      { file, line: first.line, column: header[first.column] ?? first.column + 1, value: first.value, lines: [...new Set(cells.map((c) => c.line))], remedy: SKIP_BAD_ROWS_REMEDY },
    );
  }
  if (e instanceof ChangedDuringReadError) return fileChanged(file, `line ${e.line} reads differently the second time`);
  return e;
}
