/**
 * Number and date formatting for print: fixed significant digits, thousands separators, no locale surprises.
 * Minus stays ASCII so numbers copied out of the PDF paste into a spreadsheet as numbers.
 */

/** `digits` significant digits, trailing zeros dropped; exponent form outside 1e-4 … 1e7. */
export function formatNumber(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  if (v === Infinity) return '+∞';
  if (v === -Infinity) return '−∞';
  if (Number.isInteger(v) && Math.abs(v) < 1e7) return formatInt(v);
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e7)) return v.toExponential(Math.max(0, digits - 1)).replace(/\.?0+e/, 'e');
  const s = v.toPrecision(digits);
  const trimmed = s.includes('.') ? s.replace(/\.?0+$/, '') : s;
  return withSeparators(trimmed);
}

export function formatInt(v: number): string {
  return withSeparators(String(Math.round(v)));
}

function withSeparators(s: string): string {
  const [int, frac] = s.split('.');
  const sign = int!.startsWith('-') ? '-' : '';
  const digits = sign ? int!.slice(1) : int!;
  const grouped = digits.length > 3 ? digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',') : digits;
  return sign + grouped + (frac !== undefined ? `.${frac}` : '');
}

export function formatPercent(v: number | null, digits = 1): string {
  if (v === null || !Number.isFinite(v)) return '–';
  return `${(v * 100).toFixed(digits)}%`;
}

/** A cell value in the data's own units: numbers with `digits` significant digits, text as is, missing as "(missing)". */
export function formatValue(v: number | string | null, digits = 6): string {
  if (v === null) return '(missing)';
  return typeof v === 'number' ? formatNumber(v, digits) : v;
}

/** "2025-11-25 08:31 UTC" from an ISO string. */
export function formatDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}

/** Quotes a shell argument when it needs it (POSIX sh). */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
