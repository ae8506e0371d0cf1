/**
 * previewFile: what the import dialog shows before anything is written. It runs the import's own
 * steps (typing, statistics, roles) over the sample at the start of the file, in memory, so the
 * roles it shows are the ones an import would infer unless later rows say otherwise. A Parquet file gets
 * previewParquet (parquet-import.ts), over its first rows.
 */
import { DEFAULT_CHUNK_ROWS } from '../store/store';
import { ResidualError } from '../errors';
import { EMPTY, TableBuilder, secondPassStates } from './columns';
import { CsvParser } from './csv-parser';
import type { ImportOptions } from './import';
import { columnLabel, toResidualError } from './messages';
import { checkOptionColumns, resolveRoles } from './roles';
import { isParquetFile } from './parquet-source';
import { isImageSource, refuseImageOptions } from './image-source';
import { inspectFile } from './source';
import { MemorySink, sampleFacts } from './sample';
import { SKIP_ROWS_ADVICE, type FilePreview } from '../../contract/data';
export type { FilePreview };

export const DEFAULT_PREVIEW_ROWS = 20;

export async function previewFile(file: string, options: { maxRows?: number } & ImportOptions = {}): Promise<FilePreview> {
  const maxRows = options.maxRows ?? DEFAULT_PREVIEW_ROWS;
  if (!Number.isInteger(maxRows) || maxRows < 0) throw new ResidualError('BAD_INPUT', `maxRows must be a whole number ≥ 0, not ${maxRows}.`, { field: 'maxRows' });
  if (await isImageSource(file, options)) {
    const { previewImages } = await import('./image-import');
    return previewImages(file, { ...options, maxRows });
  }
  refuseImageOptions(file, options);
  if (await isParquetFile(file)) {
    const { previewParquet } = await import('./parquet-import');
    return previewParquet(file, { ...options, maxRows });
  }
  const src = await inspectFile(file);
  const header = src.header;
  checkOptionColumns(header, options, src.file);
  const sink = new MemorySink();
  const tableOptions = { columns: header.length, delimiter: src.delimiter, chunkRows: DEFAULT_CHUNK_ROWS, decimalComma: src.decimalComma, skipBadRows: true, sink };
  const rows: string[][] = [];

  const run = (table: TableBuilder, collect: boolean): void => {
    let inHeader = true;
    const parser = new CsvParser(src.delimiter, (row) => {
      if (inHeader) {
        if (row.line >= src.headerLine) inHeader = false;
        return;
      }
      if (collect && rows.length < maxRows && !(row.count === 1 && row.field(0).trim() === '')) rows.push(row.fields());
      table.onRow(row);
    });
    try {
      parser.push(src.sampleText);
      // A sample cut from a longer file ends mid-row; that row is simply not previewed.
      if (src.complete) parser.end();
      table.finish();
    } catch (e) {
      throw toResidualError(e, src.file, header);
    }
  };

  const table = new TableBuilder(tableOptions, header.map(() => EMPTY));
  run(table, true);
  if (table.cols.some((c) => c.needsSecondPass)) {
    const { states, orders } = secondPassStates(table.cols);
    // Rows the first pass skipped for a bad value, the second skips by line (see readColumns in import.ts).
    run(new TableBuilder({ ...tableOptions, skipLines: table.badValueLines }, states, true, orders), false);
  }

  const { facts, hasValue } = sampleFacts(header, (idx) => table.cols[idx]!.valueKind, sink, table.rows);
  const { roles, warnings } = resolveRoles(facts, options, { file: src.file, rowCount: table.rows, hasValue, lenient: true });

  const ragged = table.skipped.filter((r) => r.column === undefined);
  const fields = table.skippedCount - table.badValueCount;
  if (fields > 0) {
    const lines = ragged.slice(0, 5).map((r) => r.line).join(', ');
    warnings.push(`${fields} row${fields === 1 ? ' has' : 's have'} a different number of fields than the header (lines ${lines}); fix them, or ${SKIP_ROWS_ADVICE}.`);
  }
  if (table.badValueCount > 0) {
    const n = table.badValueCount;
    const cells = table.skipped.filter((r) => r.column !== undefined).slice(0, 5);
    const list = cells.map((r) => `line ${r.line}, ${columnLabel(header, r.column!)}: ${r.value}`).join('; ');
    warnings.push(
      `${n} row${n === 1 ? ' holds' : 's hold'} a number too large to compute with (${list}); fix ${n === 1 ? 'it' : 'them'}, or ${SKIP_ROWS_ADVICE}.`,
    );
  }
  if (table.rows > 0 && !roles.some((r) => r.role === 'numeric')) warnings.push('No column is a numeric feature, so there would be nothing to train on.');
  if (table.rows === 0) warnings.push('The start of the file holds no data rows.');
  return {
    file: src.file,
    format: 'csv',
    encoding: src.encoding,
    delimiter: src.delimiter,
    decimalComma: src.decimalComma,
    header,
    rows,
    columns: header.map((name, i) => ({ name, valueKind: facts[i]!.kind, role: roles[i]!.role, roleReason: roles[i]!.roleReason, positiveValue: roles[i]!.positiveValue })),
    warnings,
  };
}
