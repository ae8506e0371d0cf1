import fs from 'node:fs';
import { ResidualError } from '../errors';
import { RANKING_CSV_COLUMNS, RANKING_CSV_HEADER } from './csv';

/*
 * Files Residual writes (PDF reports, CSV and Parquet exports) and may therefore write over; any other file it leaves
 * alone. The one rule for every writer (the report, the ranking exports) and for the file policy of pages.
 */

/**
 * The key-value metadata that marks a Parquet file as Residual's ranking export (its footer holds it; see
 * core/export/parquet.ts).
 */
export const RANKING_PARQUET_KEY = 'residual_export';
export const RANKING_PARQUET_VALUE = 'ranking';
/** A Parquet footer larger than this is not one Residual wrote (its ranking's footer takes a few KiB). */
const MAX_FOOTER_BYTES = 16 * 1024 * 1024;

/** A report is a few MiB; past this a PDF is not one Residual wrote. */
const MAX_REPORT_SCAN_BYTES = 256 * 1024 * 1024;

/** A PDF that Residual wrote: the header, and the Creator "Residual x.y.z" in the document info. */
export function isResidualReport(file: string): boolean {
  let fd: number | null = null;
  try {
    fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    const head = Buffer.alloc(5);
    fs.readSync(fd, head, 0, 5, 0);
    if (head.toString('latin1') !== '%PDF-') return false;
    // The document info is near the end of a table-only report, but images (a gallery) are written after it: scan the
    // whole file from the end, in chunks that overlap by the marker's length.
    const marker = Buffer.from('(Residual ', 'latin1');
    const chunk = Buffer.alloc(1 << 20);
    for (let end = size; end > 0 && size - end < MAX_REPORT_SCAN_BYTES; end -= chunk.length - marker.length) {
      const start = Math.max(0, end - chunk.length);
      const n = fs.readSync(fd, chunk, 0, end - start, start);
      if (chunk.subarray(0, n).includes(marker)) return true;
      if (start === 0) break;
    }
    return false;
  } catch {
    return false;
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

/** A CSV that Residual wrote: its first line is the ranking export's header. */
export function isResidualCsv(file: string): boolean {
  let fd: number | null = null;
  try {
    fd = fs.openSync(file, 'r');
    const head = Buffer.alloc(Buffer.byteLength(RANKING_CSV_HEADER));
    const n = fs.readSync(fd, head, 0, head.length, 0);
    return n === head.length && head.toString('utf8') === RANKING_CSV_HEADER;
  } catch {
    return false;
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

/**
 * A Parquet file that Residual wrote: "PAR1" at both ends, and a footer (the file metadata before the last 8 bytes)
 * that holds the ranking export's key-value pair and its column names. Read as bytes, without a Parquet library: the
 * file policy runs in main, which loads none.
 */
export function isResidualParquet(file: string): boolean {
  let fd: number | null = null;
  try {
    fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    if (size < 12) return false;
    const head = Buffer.alloc(4);
    fs.readSync(fd, head, 0, 4, 0);
    const tail = Buffer.alloc(8);
    fs.readSync(fd, tail, 0, 8, size - 8);
    if (head.toString('latin1') !== 'PAR1' || tail.toString('latin1', 4) !== 'PAR1') return false;
    const footerBytes = tail.readUInt32LE(0);
    if (footerBytes <= 0 || footerBytes > MAX_FOOTER_BYTES || footerBytes > size - 12) return false;
    const footer = Buffer.alloc(footerBytes);
    fs.readSync(fd, footer, 0, footerBytes, size - 8 - footerBytes);
    return footer.includes(RANKING_PARQUET_KEY) && footer.includes(RANKING_PARQUET_VALUE) && RANKING_CSV_COLUMNS.every((c) => footer.includes(c));
  } catch {
    return false;
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

/**
 * An ONNX model that Residual exported (core/export/onnx.ts): a ModelProto whose producer_name (field 2, right after
 * ir_version) is "Residual", and whose metadata holds the residual_export = model pair. Read as bytes, without a
 * protobuf library, as the Parquet check.
 */
export function isResidualOnnx(file: string): boolean {
  try {
    const size = fs.statSync(file).size;
    if (size < 16 || size > 2 ** 31) return false;
    const bytes = fs.readFileSync(file);
    const producer = Buffer.concat([Buffer.from([0x12, 8]), Buffer.from('Residual', 'latin1')]);
    const at = bytes.subarray(0, 32).indexOf(producer);
    return bytes[0] === 0x08 && at > 0 && bytes.includes('residual_export') && bytes.includes(Buffer.from([0x12, 5, ...Buffer.from('model', 'latin1')]));
  } catch {
    return false;
  }
}

/** What Residual writes and may therefore write over. */
export type OwnedKind = 'report' | 'csv' | 'parquet' | 'onnx';

const OWNED: Record<OwnedKind, { readonly isOurs: (file: string) => boolean; readonly what: string }> = {
  report: { isOurs: isResidualReport, what: 'a Residual report' },
  csv: { isOurs: isResidualCsv, what: 'a CSV that Residual exported' },
  parquet: { isOurs: isResidualParquet, what: 'a Parquet file that Residual exported' },
  onnx: { isOurs: isResidualOnnx, what: 'an ONNX model that Residual exported' },
};

/** Refuses (BAD_INPUT) to write over an existing file that Residual did not write. */
export function checkOverwrite(file: string, kind: OwnedKind): void {
  if (!fs.existsSync(file)) return;
  const ours = OWNED[kind].isOurs(file);
  if (!ours) {
    const what = OWNED[kind].what;
    throw new ResidualError('BAD_INPUT', `${file} exists and is not ${what}: it is not overwritten. Choose another file name, or move that file away first.`, { file, field: 'out' });
  }
}
