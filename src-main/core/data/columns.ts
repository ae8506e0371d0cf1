/**
 * Rows → typed column chunks. Each column decides its kind as values arrive (number, time or
 * text) and buffers `chunkRows` values, handed to a sink (the project store, or memory for the
 * preview) whenever the buffers fill.
 *
 * A number or time column that meets a value of another kind cannot be turned into text from its
 * stored doubles without losing spellings ("007" → 7), so it is marked DEFERRED and re-read from
 * the file as text in a second pass (see `secondPassStates`). Columns that were empty so far are
 * the exception: their earlier values were all missing, so they become text on the spot.
 *
 * A number too large for a double ("1e400", which would read as Infinity) is a bad value of its row, like a
 * row with the wrong number of fields: skipped with `skipBadRows`, otherwise an error once the pass is over
 * (NumberOverflowError), unless its column turned out to be text, where "1e400" is just text.
 */
import type { ColumnValues, ValueKind } from '../store/types';
import { FIELD_QUOTED, type ByteRows, type CsvParser, type FastRow } from './csv-parser';
import { FastCsv, FC_NUMBER, FC_SKIP } from './fastcsv';
import { isMissing, numberScan, parseNumber, parseNumberAt, parseTime, scanNumber, type DateOrder } from './values';

export interface ChunkSink {
  write(column: number, chunkIdx: number, rowStart: number, values: ColumnValues): void;
}

/** Column states. Numbers, not strings: the row loop switches on them for every field. */
export const SKIP = 0;
export const EMPTY = 1;
export const NUMBER = 2;
export const TIME = 3;
export const TEXT = 4;
export const DEFERRED = 5;

const QUOTE = 34;
const LF = 10;
const CR = 13;

function isFieldEnd(ch: number, delim: number): boolean {
  return ch === delim || ch === LF || ch === CR;
}

export interface Demotion {
  line: number;
  value: string;
  from: 'number' | 'time';
}

export class ColumnBuilder {
  f64: Float64Array | null = null;
  str: (string | null)[] | null = null;
  order: DateOrder = 'dmy';
  /** Seen a slash date that is only valid day-first (25/12/2020), resp. month-first (12/25/2020). */
  dmyOnly = false;
  mdyOnly = false;
  /** Seen a slash date whose value depends on the order (03/04/2020). */
  ambiguous = false;
  ambiguousExample: string | null = null;
  demotion: Demotion | null = null;
  /** The first number too large for a double that this column kept (without skipBadRows); see TableBuilder.finish. */
  overflow: { line: number; value: string } | null = null;

  constructor(
    public state: number,
    /** Second pass: the kind is settled, so a value that does not fit means the file changed. */
    readonly fixed: boolean,
  ) {}

  get valueKind(): ValueKind {
    return this.state === TIME ? 'time' : this.state === TEXT || this.state === DEFERRED ? 'text' : 'number';
  }

  /** The second pass must re-read this column (as text, or as month-first dates). */
  get needsSecondPass(): boolean {
    return this.state === DEFERRED || (this.state === TIME && this.mdyOnly);
  }
}

export interface BadRow {
  line: number;
  fields: number;
  /** Set when the row was skipped for a number too large for a double: its column index and spelling. */
  column?: number;
  value?: string;
}

/** Rows whose field count differs from the header's, when they are not to be skipped. */
export class BadRowsError extends Error {
  constructor(
    readonly rows: readonly BadRow[],
    readonly expected: number,
  ) {
    super(`rows with the wrong number of fields at lines ${rows.map((r) => r.line).join(', ')}`);
    this.name = 'BadRowsError';
  }
}

/** A value that fitted its column in the first pass does not in the second. */
export class ChangedDuringReadError extends Error {
  constructor(readonly line: number) {
    super(`the file changed while it was read (line ${line})`);
    this.name = 'ChangedDuringReadError';
  }
}

/** Numbers too large for a double (they would read as ±Infinity), in columns that stayed numeric. */
export class NumberOverflowError extends Error {
  constructor(
    /** The first few, by line. */
    readonly cells: readonly { line: number; column: number; value: string }[],
    /** How many columns have one. */
    readonly columns: number,
  ) {
    super(`numbers too large at lines ${cells.map((c) => c.line).join(', ')}`);
    this.name = 'NumberOverflowError';
  }
}

export const MAX_BAD_ROWS_REPORTED = 5;
/** Rows a column buffer holds at first; it doubles as rows come, up to chunkRows (a 20,000-column file of 50 rows must not reserve 65,536 rows per column). */
export const INITIAL_BUFFER_ROWS = 256;
/** Skipped lines listed one by one in the result; beyond that they are only counted. */
export const MAX_SKIPPED_LISTED = 1000;

export interface TableOptions {
  columns: number;
  delimiter: string;
  chunkRows: number;
  decimalComma: boolean;
  skipBadRows: boolean;
  sink: ChunkSink;
  /**
   * Second pass: physical lines of the rows the first pass skipped for a bad value (its `badValueLines`), in
   * order, so that both passes keep the same rows. A table with such lines has no fast path (see `fastPath`).
   */
  skipLines?: readonly number[];
}

export class TableBuilder {
  readonly cols: ColumnBuilder[];
  /** Data rows kept. */
  rows = 0;
  skippedCount = 0;
  readonly skipped: BadRow[] = [];
  blankLines = 0;
  /** Rows skipped (skipBadRows) for a number too large for a double; also counted in skippedCount. */
  badValueCount = 0;
  /** Lines of those rows, all of them (for the second pass's `skipLines`). */
  readonly badValueLines: number[] = [];
  private readonly bad: BadRow[] = [];
  private rowInChunk = 0;
  /** Rows the column buffers hold now (≤ chunkRows). */
  private capacity: number;
  private readonly skipLines: readonly number[];
  private skipAt = 0;
  private chunkIdx = 0;
  private readonly ncols: number;
  private readonly chunkRows: number;
  private readonly decimalComma: boolean;
  private readonly skipBadRows: boolean;
  private readonly sink: ChunkSink;
  private readonly delim: number;

  /** `states`: initial state per column (all EMPTY for a first pass). */
  constructor(opts: TableOptions, states: readonly number[], fixed = false, orders?: readonly DateOrder[]) {
    this.ncols = opts.columns;
    this.chunkRows = opts.chunkRows;
    this.decimalComma = opts.decimalComma;
    this.skipBadRows = opts.skipBadRows;
    this.sink = opts.sink;
    this.delim = opts.delimiter.charCodeAt(0);
    this.skipLines = opts.skipLines ?? [];
    this.capacity = Math.min(this.chunkRows, INITIAL_BUFFER_ROWS);
    this.cols = states.map((st, i) => {
      const col = new ColumnBuilder(st, fixed);
      if (orders?.[i]) col.order = orders[i];
      if (st === EMPTY || st === NUMBER || st === TIME) col.f64 = new Float64Array(this.capacity);
      else if (st === TEXT) col.str = new Array<string | null>(this.capacity).fill(null);
      return col;
    });
  }

  /** `fastRow` for CsvParser, or null when rows must be matched by line (skipLines), which only the general path knows. */
  get fastPath(): FastRow | null {
    return this.skipLines.length > 0 ? null : this.fastRow;
  }

  /**
   * `byteRows` for CsvParser (fastcsv.c's fc_rows through WebAssembly: plain rows of numbers from the bytes, the same
   * doubles as fastRow), or null where fastPath is, for a single column (whose blank lines fastRow would not see
   * as such) or where WebAssembly does not run.
   */
  byteRowsPath(): ByteRows | null {
    if (this.skipLines.length > 0 || this.ncols < 2) return null;
    const fc = FastCsv.create();
    if (!fc) return null;
    const kinds = new Uint8Array(this.ncols);
    let loaded = false;
    let chunk: Uint8Array | null = null;
    const path: ByteRows = {
      rows: 0,
      load: (buf) => {
        chunk = buf;
        loaded = false;
      },
      read: (pos) => {
        path.rows = 0;
        const cols = this.cols;
        for (let c = 0; c < this.ncols; c++) {
          const st = cols[c]!.state;
          if (st === NUMBER) kinds[c] = FC_NUMBER;
          else if (st === SKIP || st === DEFERRED) kinds[c] = FC_SKIP;
          else return pos; // a column still open, text or dates: the tokenizer's row
        }
        if (!loaded) {
          fc.load(chunk!, this.ncols);
          loaded = true;
        }
        const most = fc.maxRows(this.ncols);
        for (;;) {
          const max = Math.min(most, this.capacity - this.rowInChunk);
          const k = fc.rows(pos, kinds, this.delim, this.decimalComma, max);
          if (k > 0) {
            const r = this.rowInChunk;
            for (let c = 0; c < this.ncols; c++) if (kinds[c] === FC_NUMBER) cols[c]!.f64!.set(fc.values(c, max, k), r);
            this.rows += k;
            this.rowInChunk += k;
            path.rows += k;
            pos = fc.end;
            if (this.rowInChunk === this.capacity) {
              if (this.capacity === this.chunkRows) this.flush();
              else this.grow();
            }
          }
          if (k < max) return pos;
        }
      },
    };
    return path;
  }

  /** Row callback for CsvParser. The hot loop of the import: keep it allocation-free for numbers. */
  readonly onRow = (p: CsvParser): void => {
    const n = p.count;
    if (n !== this.ncols || n === 1) {
      if (n === 1 && p.flags[0] === 0 && p.field(0).trim() === '') {
        this.blankLines++;
        return;
      }
      if (n !== this.ncols) {
        this.badRow(p);
        return;
      }
    }
    if (this.skipAt < this.skipLines.length) {
      const skip = this.skipLines;
      while (this.skipAt < skip.length && skip[this.skipAt]! < p.line) this.skipAt++;
      if (skip[this.skipAt] === p.line) {
        this.skipAt++;
        this.skippedCount++;
        this.badValueCount++;
        return;
      }
    }
    const r = this.rowInChunk;
    const text = p.text;
    const starts = p.starts;
    const ends = p.ends;
    const flags = p.flags;
    const cols = this.cols;
    const dc = this.decimalComma;
    for (let c = 0; c < n; c++) {
      const col = cols[c]!;
      const st = col.state;
      if (st === NUMBER) {
        if (flags[c]! <= FIELD_QUOTED) {
          const v = parseNumberAt(text, starts[c]!, ends[c]!, dc);
          // Finite: NaN (not a number) and ±Infinity (too large) take the long way.
          if (v - v === 0) {
            col.f64![r] = v;
            continue;
          }
        }
        if (!this.numberValue(col, c, p.field(c), r, p.line)) return;
      } else if (st === TEXT) {
        const s = p.field(c);
        col.str![r] = isMissing(s) ? null : s;
      } else if (st === TIME) {
        this.timeValue(col, p.field(c), r, p.line);
      } else if (st === EMPTY) {
        if (!this.firstValue(col, c, p.field(c), r, p.line)) return;
      }
    }
    this.rowDone();
  };

  /**
   * CsvParser's fast path (see FastRow): one scan over a plain row's characters, numbers parsed
   * as they are scanned (an empty field is missing). Gives up (-1) on anything the general path
   * must judge: quotes, missing-value tokens, spaces, values that do not fit the column, columns
   * whose kind is still open, slash dates, wrong field counts. What it wrote for a row it gives
   * up on does not count: the general path rewrites the same row slot.
   */
  readonly fastRow: FastRow = (s, pos, len) => {
    const cols = this.cols;
    const n = this.ncols;
    const r = this.rowInChunk;
    const delim = this.delim;
    const dc = this.decimalComma;
    for (let c = 0; c < n; c++) {
      const col = cols[c]!;
      const st = col.state;
      if (st === NUMBER) {
        const v = scanNumber(s, pos, len, dc);
        if (v - v === 0) {
          col.f64![r] = v;
          pos = numberScan.end;
        } else if (numberScan.end === pos && pos < len && isFieldEnd(s.charCodeAt(pos), delim)) {
          col.f64![r] = NaN; // empty field: missing
        } else return -1;
      } else if (st === EMPTY) {
        if (pos < len && isFieldEnd(s.charCodeAt(pos), delim)) col.f64![r] = NaN;
        else return -1;
      } else if (st === TIME) {
        // Order-free dates (ISO, dotted) only; slash dates need the general path's bookkeeping.
        const from = pos;
        while (pos < len && !isFieldEnd(s.charCodeAt(pos), delim)) pos++;
        const field = s.slice(from, pos);
        const v = field.includes('/') ? NaN : parseTime(field, 'dmy');
        if (v !== v) return -1;
        col.f64![r] = v;
      } else if (st === TEXT || st === SKIP || st === DEFERRED) {
        const from = pos;
        if (pos < len && s.charCodeAt(pos) === QUOTE) return -1;
        while (pos < len) {
          const ch = s.charCodeAt(pos);
          if (ch === delim || ch === LF || ch === CR) break;
          pos++;
        }
        if (st === TEXT) {
          const v = s.slice(from, pos);
          col.str![r] = isMissing(v) ? null : v;
        }
      } else return -1;
      if (pos >= len) return -1;
      const ch = s.charCodeAt(pos);
      if (c < n - 1) {
        if (ch !== delim) return -1;
        pos++;
      } else if (ch === LF) pos++;
      else if (ch === CR && pos + 1 < len) pos += s.charCodeAt(pos + 1) === LF ? 2 : 1;
      else return -1;
    }
    this.rowDone();
    return pos;
  };

  /** A row is kept: count it, and flush a full chunk or make room for the next row. */
  private rowDone(): void {
    this.rows++;
    if (++this.rowInChunk === this.capacity) {
      if (this.capacity === this.chunkRows) this.flush();
      else this.grow();
    }
  }

  /** Doubles the column buffers (up to chunkRows), keeping the rows they hold. */
  private grow(): void {
    const cap = Math.min(this.chunkRows, this.capacity * 2);
    for (const col of this.cols) {
      if (col.f64) {
        const f64 = new Float64Array(cap);
        f64.set(col.f64);
        col.f64 = f64;
      } else if (col.str) {
        const str = new Array<string | null>(cap).fill(null);
        for (let i = 0; i < col.str.length; i++) str[i] = col.str[i]!;
        col.str = str;
      }
    }
    this.capacity = cap;
  }

  /** Writes the last, partial chunk and reports rows that were wrong. */
  finish(): void {
    this.flush();
    if (this.bad.length > 0) throw new BadRowsError(this.bad, this.ncols);
    const over: { line: number; column: number; value: string }[] = [];
    this.cols.forEach((col, column) => {
      // A column demoted to text keeps "1e400" as text: only columns still numeric have a bad value.
      if (col.overflow && col.state === NUMBER) over.push({ ...col.overflow, column });
    });
    if (over.length > 0) throw new NumberOverflowError(over.sort((a, b) => a.line - b.line || a.column - b.column).slice(0, MAX_BAD_ROWS_REPORTED), over.length);
  }

  private skip(row: BadRow): void {
    this.skippedCount++;
    if (this.skipped.length < MAX_SKIPPED_LISTED) this.skipped.push(row);
  }

  private badRow(p: CsvParser): void {
    const row = { line: p.line, fields: p.count };
    if (this.skipBadRows) {
      this.skip(row);
      return;
    }
    this.bad.push(row);
    // Enough to show the analyst the pattern; no need to read the rest of a broken file.
    if (this.bad.length >= MAX_BAD_ROWS_REPORTED) throw new BadRowsError(this.bad, this.ncols);
  }

  /** False when the row is to be skipped (see `overflow`). */
  private numberValue(col: ColumnBuilder, c: number, s: string, r: number, line: number): boolean {
    if (isMissing(s)) {
      col.f64![r] = NaN;
      return true;
    }
    const v = parseNumber(s, this.decimalComma);
    if (v - v === 0) col.f64![r] = v;
    else if (v === v) {
      if (!this.overflow(col, c, s, line)) return false;
      col.f64![r] = NaN;
    } else this.demote(col, s, line, 'number');
    return true;
  }

  /**
   * A number too large for a double (it parsed to ±Infinity): a bad value of its row. With skipBadRows the row
   * is skipped (false; values of earlier fields in it may already have settled a column's kind). Otherwise the
   * row is kept for now and the column remembers its first such value: `finish` fails if the column is still
   * numeric by then.
   */
  private overflow(col: ColumnBuilder, c: number, s: string, line: number): boolean {
    if (this.skipBadRows) {
      this.skip({ line, fields: this.ncols, column: c, value: shownValue(s) });
      this.badValueCount++;
      this.badValueLines.push(line);
      return false;
    }
    col.overflow ??= { line, value: shownValue(s) };
    return true;
  }

  private timeValue(col: ColumnBuilder, s: string, r: number, line: number): void {
    if (isMissing(s)) {
      col.f64![r] = NaN;
      return;
    }
    if (col.fixed) {
      const v = parseTime(s, col.order);
      if (v !== v) throw new ChangedDuringReadError(line);
      col.f64![r] = v;
      return;
    }
    const dmy = parseTime(s, 'dmy');
    // Only slash dates read differently month-first; skip the second parse for everything else.
    const mdy = s.includes('/') ? parseTime(s, 'mdy') : dmy;
    if (dmy === dmy) {
      if (mdy !== mdy) col.dmyOnly = true;
      else if (mdy !== dmy && !col.ambiguous) {
        col.ambiguous = true;
        col.ambiguousExample = s;
      }
    } else if (mdy === mdy) col.mdyOnly = true;
    else {
      this.demote(col, s, line, 'time');
      return;
    }
    if (col.dmyOnly && col.mdyOnly) {
      this.demote(col, s, line, 'time');
      return;
    }
    // Month-first values wait for the second pass (NaN for now), which re-reads the column month-first.
    col.f64![r] = dmy;
  }

  /** False when the row is to be skipped (see `overflow`); the column then stays open. */
  private firstValue(col: ColumnBuilder, c: number, s: string, r: number, line: number): boolean {
    if (isMissing(s)) {
      col.f64![r] = NaN;
      return true;
    }
    const v = parseNumber(s, this.decimalComma);
    if (v === v) {
      if (v - v !== 0 && !this.overflow(col, c, s, line)) return false;
      col.state = NUMBER;
      col.f64![r] = v - v === 0 ? v : NaN;
      return true;
    }
    if (!Number.isNaN(parseTime(s, 'dmy')) || !Number.isNaN(parseTime(s, 'mdy'))) {
      col.state = TIME;
      this.timeValue(col, s, r, line);
      return true;
    }
    // Everything before was missing: earlier chunks become all-null text chunks, nothing to re-read.
    col.state = TEXT;
    col.f64 = null;
    col.str = new Array<string | null>(this.capacity).fill(null);
    col.str[r] = s;
    for (let k = 0; k < this.chunkIdx; k++) {
      this.sink.write(c, k, k * this.chunkRows, new Array<string | null>(this.chunkRows).fill(null));
    }
    return true;
  }

  private demote(col: ColumnBuilder, s: string, line: number, from: 'number' | 'time'): void {
    if (col.fixed) throw new ChangedDuringReadError(line);
    col.state = DEFERRED;
    col.demotion = { line, value: s, from };
    col.f64 = null;
  }

  private flush(): void {
    const n = this.rowInChunk;
    if (n === 0) return;
    const rowStart = this.rows - n;
    const full = n === this.chunkRows;
    for (let c = 0; c < this.ncols; c++) {
      const col = this.cols[c]!;
      if (col.f64) this.sink.write(c, this.chunkIdx, rowStart, full ? col.f64 : col.f64.subarray(0, n));
      else if (col.str) {
        this.sink.write(c, this.chunkIdx, rowStart, full ? col.str : col.str.slice(0, n));
        // The sink may keep the array (preview); never reuse it.
        col.str = new Array<string | null>(this.capacity).fill(null);
      }
    }
    this.chunkIdx++;
    this.rowInChunk = 0;
  }
}

/** A value as messages show it: trimmed, and cut short when long (a number can have hundreds of digits). */
function shownValue(s: string): string {
  const v = s.trim();
  return v.length > 40 ? `${v.slice(0, 30)}…(${v.length} characters)` : v;
}

/** States for the second pass: only the columns that need it are read, with their kind settled. */
export function secondPassStates(cols: readonly ColumnBuilder[]): { states: number[]; orders: DateOrder[] } {
  return {
    states: cols.map((c) => (c.state === DEFERRED ? TEXT : c.state === TIME && c.mdyOnly ? TIME : SKIP)),
    orders: cols.map((c) => (c.mdyOnly ? 'mdy' : 'dmy')),
  };
}
