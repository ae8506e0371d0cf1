/**
 * Parquet files for tests, written by another tool than the importer's reader (DuckDB): hyparquet-writer, a pure
 * JavaScript writer; and the same data as CSV, to check that both imports agree. Read back with hyparquet.
 */
import fs from 'node:fs';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { parquetWriteFile } from 'hyparquet-writer';

export type Cell = string | number | bigint | boolean | Date | null;
export interface TestColumn {
  readonly name: string;
  readonly type: 'STRING' | 'DOUBLE' | 'INT32' | 'INT64' | 'TIMESTAMP' | 'BOOLEAN';
  readonly data: readonly Cell[];
}

export const MERCHANTS = ['acme', 'globex', 'initech', 'umbrella', 'hooli'] as const;

/**
 * `rows` card transactions: a unique id, an amount with nulls (every 7th row), an item count, a merchant (five
 * values, nulls every 11th row: a dictionary-encoded text column), a timestamp, a big integer, a yes/no flag, and a
 * label with a few frauds.
 */
export function transactions(rows: number): TestColumn[] {
  const at0 = Date.UTC(2024, 0, 1);
  return [
    { name: 'tx_id', type: 'STRING', data: Array.from({ length: rows }, (_, i) => `tx-${String(i).padStart(6, '0')}`) },
    { name: 'amount', type: 'DOUBLE', data: Array.from({ length: rows }, (_, i) => (i % 7 === 3 ? null : Math.round(((i * 37) % 1000) * 137) / 100 + (i % 97 === 0 ? 5000 : 0))) },
    { name: 'items', type: 'INT32', data: Array.from({ length: rows }, (_, i) => (i * 13) % 17) },
    { name: 'merchant', type: 'STRING', data: Array.from({ length: rows }, (_, i) => (i % 11 === 5 ? null : MERCHANTS[(i * 3) % 5]!)) },
    { name: 'at', type: 'TIMESTAMP', data: Array.from({ length: rows }, (_, i) => new Date(at0 + i * 3_600_000)) },
    { name: 'balance', type: 'INT64', data: Array.from({ length: rows }, (_, i) => BigInt(i) * 1000n + 7n) },
    { name: 'online', type: 'BOOLEAN', data: Array.from({ length: rows }, (_, i) => i % 3 === 0) },
    { name: 'label', type: 'STRING', data: Array.from({ length: rows }, (_, i) => (i % 97 === 0 ? 'fraud' : 'normal')) },
  ];
}

/** Writes `columns` with hyparquet-writer, `rowGroupSize` rows per row group (snappy, its default). */
export function writeParquet(file: string, columns: readonly TestColumn[], rowGroupSize: number): string {
  parquetWriteFile({
    filename: file,
    rowGroupSize,
    columnData: columns.map((c) => ({ name: c.name, type: c.type, data: c.data as never })),
  });
  return file;
}

/** The same data as CSV: nulls empty, timestamps as ISO 8601, big integers in full. */
export function writeCsv(file: string, columns: readonly TestColumn[]): string {
  const rows = columns[0]!.data.length;
  const cell = (v: Cell): string => (v === null ? '' : v instanceof Date ? v.toISOString().replace('.000Z', 'Z') : String(v));
  let text = columns.map((c) => c.name).join(',') + '\n';
  for (let r = 0; r < rows; r++) text += columns.map((c) => cell(c.data[r]!)).join(',') + '\n';
  fs.writeFileSync(file, text);
  return file;
}

function arrayBuffer(file: string): ArrayBuffer {
  const buf = fs.readFileSync(file);
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

/** The footer of a Parquet file as hyparquet reads it. */
export function parquetFooter(file: string): ReturnType<typeof parquetMetadata> {
  return parquetMetadata(arrayBuffer(file));
}

/** Every row of a Parquet file as objects, read by hyparquet (zstd and the other codecs with hyparquet-compressors). */
export async function readParquetRows(file: string): Promise<Record<string, unknown>[]> {
  return parquetReadObjects({ file: arrayBuffer(file), compressors });
}
