import fs from 'node:fs';
import { ResidualError } from '../errors';
import { RANKING_CSV_HEADER } from './csv';

/*
 * Files Residual writes (PDF reports, CSV exports) and may therefore write over; any other file it leaves alone. The
 * one rule for every writer (the report, the CSV export) and for the file policy of pages.
 */

/** A PDF that Residual wrote: the header, and the Creator "Residual x.y.z" in the document info near the end. */
export function isResidualReport(file: string): boolean {
  let fd: number | null = null;
  try {
    fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    const head = Buffer.alloc(5);
    fs.readSync(fd, head, 0, 5, 0);
    if (head.toString('latin1') !== '%PDF-') return false;
    const n = Math.min(size, 65_536);
    const tail = Buffer.alloc(n);
    fs.readSync(fd, tail, 0, n, size - n);
    return tail.includes('(Residual ');
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

/** Refuses (BAD_INPUT) to write over an existing file that Residual did not write. */
export function checkOverwrite(file: string, kind: 'report' | 'csv'): void {
  if (!fs.existsSync(file)) return;
  const ours = kind === 'report' ? isResidualReport(file) : isResidualCsv(file);
  if (!ours) {
    const what = kind === 'report' ? 'a Residual report' : 'a CSV that Residual exported';
    throw new ResidualError('BAD_INPUT', `${file} exists and is not ${what}: it is not overwritten. Choose another file name, or move that file away first.`, { file, field: 'out' });
  }
}
