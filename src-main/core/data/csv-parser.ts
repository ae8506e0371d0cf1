/**
 * RFC 4180 tokenizer over decoded text chunks. It never builds strings for fields: for each row it
 * fills start/end offsets into `text` (typed arrays, reused), and the consumer converts only the
 * fields it needs (numbers straight from the characters, text with `field(i)`).
 *
 * Rows may span chunks: the unfinished tail of a chunk is kept and re-scanned with the next one.
 * Line numbers are physical lines of the file (1-based), counting newlines inside quoted fields.
 */

/** The field was quoted: [start, end) lies inside the quotes. */
export const FIELD_QUOTED = 1;
/** The quoted field contains doubled quotes ("") that stand for one quote. */
export const FIELD_ESCAPED = 2;
/** A quoted part followed by more text before the delimiter ("ab"c): [start, end) is the raw field. */
export const FIELD_IRREGULAR = 4;

const QUOTE = 34;
const LF = 10;
const CR = 13;

/** A row this long is almost surely a quote that never closes; stop before memory runs away. */
export const MAX_ROW_CHARS = 16 * 1024 * 1024;

export class CsvSyntaxError extends Error {
  constructor(
    readonly kind: 'unterminated-quote' | 'row-too-long',
    /** Physical line where the offending field (or row) starts. */
    readonly line: number,
    /** 0-based field index within the row. */
    readonly fieldIndex: number,
  ) {
    super(kind === 'unterminated-quote' ? `unterminated quote at line ${line}` : `row at line ${line} is too long`);
    this.name = 'CsvSyntaxError';
  }
}

export type RowHandler = (row: CsvParser) => void;

/**
 * Optional fast path tried at the start of each row: consumes one complete, plain row of s
 * starting at pos (through its line break) and returns the position after it, or -1 to leave the
 * row to the tokenizer (quotes, odd field counts, anything unusual, a row cut by the chunk end).
 */
export type FastRow = (s: string, pos: number, len: number) => number;

/**
 * Optional fast path over an ASCII chunk's bytes (see `pushBytes`): consumes complete, plain rows of buf from pos
 * and returns the position after them, their number in `rows`; it stops (possibly at pos, with rows 0) before any
 * row it does not take, which the tokenizer then reads.
 */
export interface ByteRows {
  /** The chunk `read` reads next (the whole of buf). */
  load(buf: Uint8Array): void;
  read(pos: number): number;
  rows: number;
}

/** Byte-path stops after which `pushBytes` gives up on it for good when it read fewer than 8 rows per stop. */
const BYTE_STOPS_TRIAL = 64;
/** The first window of text the tokenizer gets for a row the byte path stopped at (it grows for longer rows). */
const STOP_WINDOW_CHARS = 4096;

export class CsvParser {
  /** The text the current row's offsets point into. */
  text = '';
  starts: Int32Array;
  ends: Int32Array;
  flags: Uint8Array;
  /** Fields in the current row. */
  count = 0;
  /** Physical line where the current row starts. */
  line = 1;
  /** Physical line of the first character not yet turned into a row. */
  private nextLine = 1;
  private leftover = '';
  private readonly delim: number;
  /** See FastRow. Set once the header is behind (the consumer decides). */
  fastRow: FastRow | null = null;
  /** See ByteRows and pushBytes. Set once the header is behind (the consumer decides). */
  byteRows: ByteRows | null = null;
  private byteStops = 0;
  private byteRowsRead = 0;

  constructor(
    delimiter: string,
    private readonly onRow: RowHandler,
    capacity = 64,
  ) {
    this.delim = delimiter.charCodeAt(0);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.flags = new Uint8Array(capacity);
  }

  /** Parses every complete row of what was pushed so far. */
  push(chunk: string): void {
    const s = this.leftover.length > 0 ? this.leftover + chunk : chunk;
    const consumed = this.run(s, false);
    this.leftover = consumed < s.length ? s.slice(consumed) : '';
    if (this.leftover.length > MAX_ROW_CHARS) throw new CsvSyntaxError('row-too-long', this.nextLine, 0);
  }

  /**
   * Like push(buf as text) for a chunk of ASCII bytes (where bytes and characters are the same): plain rows go
   * through `byteRows` straight from the bytes, the rows it stops at through the tokenizer, one at a time, and the
   * byte path resumes after each. Where it stops too often to pay (a column of text, say), it is dropped for good.
   */
  pushBytes(chunk: Uint8Array): void {
    let buf = chunk;
    if (this.leftover.length > 0) {
      if (!isAsciiText(this.leftover)) {
        this.push(latin1(chunk, 0, chunk.length));
        return;
      }
      buf = Buffer.concat([Buffer.from(this.leftover, 'latin1'), chunk]);
      this.leftover = '';
    }
    const len = buf.length;
    let pos = 0;
    this.byteRows?.load(buf);
    while (pos < len) {
      const fast = this.byteRows;
      if (fast === null) {
        this.push(latin1(buf, pos, len));
        return;
      }
      pos = fast.read(pos);
      this.nextLine += fast.rows;
      this.byteRowsRead += fast.rows;
      if (pos >= len) return;
      if (++this.byteStops >= BYTE_STOPS_TRIAL && this.byteRowsRead < 8 * this.byteStops) this.byteRows = null;
      // One row by the tokenizer, in a window of text that grows until the row fits (or the chunk ends).
      for (let win = STOP_WINDOW_CHARS; ; win *= 4) {
        const end = Math.min(len, pos + win);
        const text = latin1(buf, pos, end);
        const used = this.run(text, false, 1);
        if (used > 0) {
          pos += used;
          break;
        }
        if (end === len) {
          this.leftover = text;
          if (text.length > MAX_ROW_CHARS) throw new CsvSyntaxError('row-too-long', this.nextLine, 0);
          return;
        }
      }
    }
  }

  /** End of input: the last row needs no line break; an open quote is an error. */
  end(): void {
    const s = this.leftover;
    this.leftover = '';
    if (s.length > 0) this.run(s, true);
  }

  /** Physical line of the next character after all input pushed so far (for errors found in raw bytes). */
  lineAtEndOfInput(): number {
    return this.nextLine + countLineBreaks(this.leftover, 0, this.leftover.length);
  }

  /** Field i of the current row as a string, quotes removed and "" unescaped. */
  field(i: number): string {
    const fs = this.starts[i]!;
    const fe = this.ends[i]!;
    const fl = this.flags[i]!;
    if (fl <= FIELD_QUOTED) return this.text.slice(fs, fe);
    if (fl & FIELD_IRREGULAR) return unquoteIrregular(this.text.slice(fs, fe));
    return this.text.slice(fs, fe).replaceAll('""', '"');
  }

  /** All fields of the current row as strings. */
  fields(): string[] {
    const out = new Array<string>(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.field(i);
    return out;
  }

  private grow(): void {
    const cap = this.starts.length * 2;
    const s = new Int32Array(cap);
    const e = new Int32Array(cap);
    const f = new Uint8Array(cap);
    s.set(this.starts);
    e.set(this.ends);
    f.set(this.flags);
    this.starts = s;
    this.ends = e;
    this.flags = f;
  }

  /**
   * Emits complete rows of s (at most maxRows); returns where the first incomplete row starts (s.length if none), or
   * where the row after the last one emitted starts.
   */
  private run(s: string, final: boolean, maxRows = Infinity): number {
    const len = s.length;
    const delim = this.delim;
    let pos = 0;
    let emitted = 0;
    while (pos < len) {
      if (emitted++ >= maxRows) return pos;
      const fast = this.fastRow;
      if (fast !== null) {
        const next = fast(s, pos, len);
        if (next >= 0) {
          pos = next;
          this.nextLine++;
          continue;
        }
      }
      const rowStart = pos;
      let rowBreaks = 0; // line breaks inside quoted fields of this row
      let n = 0;
      for (;;) {
        let fs: number;
        let fe: number;
        let fl = 0;
        if (pos < len && s.charCodeAt(pos) === QUOTE) {
          fs = pos + 1;
          let q = fs;
          for (;;) {
            const close = s.indexOf('"', q);
            if (close < 0) {
              if (final) throw new CsvSyntaxError('unterminated-quote', this.nextLine + rowBreaks, n);
              return rowStart;
            }
            if (close + 1 < len) {
              if (s.charCodeAt(close + 1) === QUOTE) {
                fl = FIELD_ESCAPED;
                q = close + 2;
                continue;
              }
            } else if (!final) return rowStart; // the next chunk may start with a second quote
            fe = close;
            pos = close + 1;
            break;
          }
          fl |= FIELD_QUOTED;
          rowBreaks += countLineBreaks(s, fs, fe);
          if (pos < len) {
            const c = s.charCodeAt(pos);
            if (c !== delim && c !== LF && c !== CR) {
              // Text after the closing quote: keep the raw field and unquote it like most readers do.
              fs--;
              while (pos < len) {
                const c2 = s.charCodeAt(pos);
                if (c2 === delim || c2 === LF || c2 === CR) break;
                pos++;
              }
              fe = pos;
              fl = FIELD_IRREGULAR;
              if (pos >= len && !final) return rowStart;
            }
          }
        } else {
          fs = pos;
          while (pos < len) {
            const c = s.charCodeAt(pos);
            if (c === delim || c === LF || c === CR) break;
            pos++;
          }
          fe = pos;
          if (pos >= len && !final) return rowStart;
        }
        if (n >= this.starts.length) this.grow();
        this.starts[n] = fs;
        this.ends[n] = fe;
        this.flags[n] = fl;
        n++;
        if (pos >= len) break;
        const c = s.charCodeAt(pos);
        if (c === delim) {
          pos++;
          continue;
        }
        if (c === CR) {
          if (pos + 1 < len) pos += s.charCodeAt(pos + 1) === LF ? 2 : 1;
          else if (final) pos++;
          else return rowStart; // an LF may follow in the next chunk
        } else pos++;
        break;
      }
      this.text = s;
      this.count = n;
      this.line = this.nextLine;
      this.nextLine += rowBreaks + 1;
      this.onRow(this);
    }
    return len;
  }
}

function latin1(buf: Uint8Array, from: number, to: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + from, to - from).toString('latin1');
}

function isAsciiText(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/** Line breaks (LF, CRLF or a lone CR) in s[from, to). */
export function countLineBreaks(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === LF) n++;
    else if (c === CR && (i + 1 >= to || s.charCodeAt(i + 1) !== LF)) n++;
  }
  return n;
}

/** `"ab""c"de` → `ab"cde`: the quoted part unescaped, then the rest as is. */
function unquoteIrregular(raw: string): string {
  let out = '';
  let i = 1;
  for (;;) {
    const q = raw.indexOf('"', i);
    if (q < 0) return out + raw.slice(i);
    out += raw.slice(i, q);
    if (raw.charCodeAt(q + 1) === QUOTE) {
      out += '"';
      i = q + 2;
    } else return out + raw.slice(q + 1);
  }
}
