/**
 * How one field's text becomes a value: missing tokens, numbers and dates/times.
 * Everything here works on (string, start, end) ranges or whole strings and allocates nothing
 * on the common path, because it runs once per field of every imported row.
 */

/** Spellings that mean "no value" (compared after trimming whitespace). */
export const MISSING_TOKENS: ReadonlySet<string> = new Set(['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', '?']);
const LONGEST_MISSING_TOKEN = 4;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 0xa0;
}

/** True when the field is empty, whitespace only, or one of MISSING_TOKENS. */
export function isMissing(s: string): boolean {
  // Fast exit for ordinary values: a token is at most 4 characters once trimmed.
  if (s.length > LONGEST_MISSING_TOKEN && !isSpace(s.charCodeAt(0)) && !isSpace(s.charCodeAt(s.length - 1))) return false;
  return MISSING_TOKENS.has(s.trim());
}

// Exact powers of ten: every one up to 1e22 is representable in a double.
const POW10 = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
const MAX_FAST_DIGITS = 15;

/** Where the last `scanNumber` stopped (an object, not a return value, so scanning allocates nothing). */
export const numberScan = { end: 0 };

/**
 * Reads a decimal number starting at s[i] and stops at the first character that cannot continue
 * it (numberScan.end): optional sign, digits with at most one decimal mark ('.', or ',' when
 * `decimalComma`), optional exponent. NaN when there is no digit. Callers decide whether what
 * follows ends the field; thousands separators, hex, "Infinity" and the like thus never parse,
 * and such columns stay text, unchanged.
 *
 * The result equals Number() of the same spelling bit for bit: with at most 15 significant digits
 * and a power of ten within 1e±22, one IEEE multiplication or division of two exact doubles is
 * correctly rounded (Clinger's fast path); anything longer goes through Number().
 */
export function scanNumber(s: string, i: number, limit: number, decimalComma: boolean): number {
  const start = i;
  let c = i < limit ? s.charCodeAt(i) : -1;
  let neg = false;
  if (c === 45 /* - */ || c === 43 /* + */) {
    neg = c === 45;
    c = ++i < limit ? s.charCodeAt(i) : -1;
  }
  const mark = decimalComma ? 44 : 46;
  // Digit counts come from positions, so the digit loops do nothing but accumulate.
  const intStart = i;
  while (c === 48) c = ++i < limit ? s.charCodeAt(i) : -1; // leading zeros are not significant
  const sigStart = i;
  let mant = 0;
  while (c >= 48 && c <= 57) {
    mant = mant * 10 + (c - 48);
    c = ++i < limit ? s.charCodeAt(i) : -1;
  }
  let sig = i - sigStart;
  let digits = i - intStart;
  let exp = 0;
  if (c === mark) {
    c = ++i < limit ? s.charCodeAt(i) : -1;
    const fracStart = i;
    if (mant === 0) while (c === 48) c = ++i < limit ? s.charCodeAt(i) : -1;
    const fracSig = i;
    while (c >= 48 && c <= 57) {
      mant = mant * 10 + (c - 48);
      c = ++i < limit ? s.charCodeAt(i) : -1;
    }
    sig += i - fracSig;
    digits += i - fracStart;
    exp = fracStart - i;
  }
  if (digits === 0) {
    numberScan.end = i;
    return NaN;
  }
  if (c === 101 || c === 69 /* e E */) {
    let j = i + 1;
    let e = 0;
    let edigits = 0;
    let ec = j < limit ? s.charCodeAt(j) : -1;
    const eneg = ec === 45;
    if (ec === 45 || ec === 43) ec = ++j < limit ? s.charCodeAt(j) : -1;
    while (ec >= 48 && ec <= 57) {
      if (e < 100_000) e = e * 10 + (ec - 48);
      edigits++;
      ec = ++j < limit ? s.charCodeAt(j) : -1;
    }
    // "5e" or "5e+" is not an exponent: the number ends before the e (and the caller sees an "e").
    if (edigits > 0) {
      exp += eneg ? -e : e;
      i = j;
    }
  }
  numberScan.end = i;
  let v: number;
  if (mant === 0) v = 0;
  else if (sig <= MAX_FAST_DIGITS && exp >= -22 && exp <= 22) v = exp < 0 ? mant / POW10[-exp]! : mant * POW10[exp]!;
  else {
    const text = s.slice(start, i);
    return Number(decimalComma ? text.replace(',', '.') : text);
  }
  return neg ? -v : v;
}

/** s[start, end) as a number (surrounding whitespace allowed), or NaN when it is not exactly one. */
export function parseNumberAt(s: string, start: number, end: number, decimalComma: boolean): number {
  while (start < end && isSpace(s.charCodeAt(start))) start++;
  while (end > start && isSpace(s.charCodeAt(end - 1))) end--;
  const v = scanNumber(s, start, end, decimalComma);
  return numberScan.end === end ? v : NaN;
}

export function parseNumber(s: string, decimalComma: boolean): number {
  return parseNumberAt(s, 0, s.length, decimalComma);
}

// ---- dates and times ----------------------------------------------------------------------------

/** Which of day and month comes first in slash dates like 03/04/2020. */
export type DateOrder = 'dmy' | 'mdy';

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil), exact for any year. */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** A tiny cursor over one trimmed field; each read returns -1 when the text does not fit. */
class Cursor {
  i = 0;
  constructor(readonly s: string) {}
  get done(): boolean {
    return this.i >= this.s.length;
  }
  peek(): number {
    return this.i < this.s.length ? this.s.charCodeAt(this.i) : -1;
  }
  /** Between min and max decimal digits; -1 if fewer than min. */
  int(min: number, max: number): number {
    let v = 0;
    let n = 0;
    while (n < max && this.i < this.s.length) {
      const d = this.s.charCodeAt(this.i) - 48;
      if (d < 0 || d > 9) break;
      v = v * 10 + d;
      n++;
      this.i++;
    }
    return n >= min ? v : -1;
  }
  eat(c: number): boolean {
    if (this.peek() !== c) return false;
    this.i++;
    return true;
  }
}

const SLASH = 47;
const DASH = 45;
const DOT = 46;
const COLON = 58;

/**
 * Parses a date or date-time and returns epoch milliseconds (UTC; a time without an offset is
 * taken as UTC), or NaN when the text is not one of:
 *   YYYY-MM-DD, YYYY/MM/DD, DD.MM.YYYY, DD/MM/YYYY or MM/DD/YYYY (per `order`),
 * each optionally followed by ('T' or space) HH:MM[:SS[.fff…]] and then Z or ±HH[:MM].
 * Impossible dates (2021-02-29, 13/13/2020) and times (24:00, 12:60) are not dates.
 */
export function parseTime(text: string, order: DateOrder): number {
  const s = text.trim();
  if (s.length < 8 || s.length > 40) return NaN;
  const cur = new Cursor(s);
  let y: number;
  let m: number;
  let d: number;
  const first = cur.int(1, 4);
  if (first < 0) return NaN;
  const firstLen = cur.i;
  const sep = cur.peek();
  if (firstLen === 4 && (sep === DASH || sep === SLASH)) {
    cur.i++;
    y = first;
    m = cur.int(1, 2);
    if (!cur.eat(sep)) return NaN;
    d = cur.int(1, 2);
  } else if (firstLen <= 2 && (sep === SLASH || sep === DOT)) {
    cur.i++;
    const second = cur.int(1, 2);
    if (!cur.eat(sep)) return NaN;
    y = cur.int(4, 4);
    // Dotted dates are always day first (German and others); slashes depend on the column.
    if (sep === DOT || order === 'dmy') {
      d = first;
      m = second;
    } else {
      m = first;
      d = second;
    }
  } else return NaN;
  if (y < 0 || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return NaN;
  let ms = daysFromCivil(y, m, d) * 86_400_000;
  if (cur.done) return ms;
  const t = cur.peek();
  if (t !== 84 /* T */ && t !== 116 /* t */ && t !== 32) return NaN;
  cur.i++;
  const hh = cur.int(1, 2);
  if (hh < 0 || hh > 23 || !cur.eat(COLON)) return NaN;
  const mi = cur.int(2, 2);
  if (mi < 0 || mi > 59) return NaN;
  let sec = 0;
  let frac = 0;
  if (cur.eat(COLON)) {
    sec = cur.int(2, 2);
    if (sec < 0 || sec > 59) return NaN;
    if (cur.eat(DOT)) {
      const from = cur.i;
      while (cur.i < s.length && s.charCodeAt(cur.i) >= 48 && s.charCodeAt(cur.i) <= 57) cur.i++;
      if (cur.i === from) return NaN;
      // Milliseconds, with any finer digits kept as a fraction of a millisecond.
      frac = Number('0.' + s.slice(from, cur.i)) * 1000;
    }
  }
  ms += ((hh * 60 + mi) * 60 + sec) * 1000 + frac;
  if (cur.done) return ms;
  const z = cur.peek();
  if (z === 90 /* Z */ || z === 122 /* z */) {
    cur.i++;
    return cur.done ? ms : NaN;
  }
  if (z === 43 || z === DASH) {
    cur.i++;
    const oh = cur.int(2, 2);
    if (oh < 0 || oh > 14) return NaN;
    let om = 0;
    if (!cur.done) {
      cur.eat(COLON);
      om = cur.int(2, 2);
      if (om < 0 || om > 59) return NaN;
    }
    if (!cur.done) return NaN;
    const offset = (oh * 60 + om) * 60_000;
    return z === 43 ? ms - offset : ms + offset;
  }
  return NaN;
}

/** How a time value is shown in statistics (top values). */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
}
