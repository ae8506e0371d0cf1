/**
 * The import's WebAssembly paths (src-main/core/data/fastcsv.c): plain rows of numbers from the bytes, and the
 * statistics' radix sort. Each must give exactly what the TypeScript paths give (RESIDUAL_FASTCSV=0 turns it off):
 * the same doubles bit for bit, the same statistics, warnings, skipped lines and error messages (file, line,
 * column) — on files of several read chunks, so rows cut by a chunk's end and the switches between the byte path
 * and the tokenizer are crossed many times. And the committed wasm must still be built from fastcsv.c.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { importDataset, type ImportOptions } from '../../../src-main/core/data';
import { FastCsv, FC_NUMBER } from '../../../src-main/core/data/fastcsv';
import { FASTCSV_COMPILER, FASTCSV_SOURCE_SHA256, FASTCSV_WASM_BASE64 } from '../../../src-main/core/data/fastcsv-wasm';
import { numericStats } from '../../../src-main/core/data/stats';
import { compileDataWasm, DATA_DIR, DATA_SOURCE, dataClangVersion, dataSourceDigest } from '../../../scripts/build-data-wasm.mjs';
import { committedPow5Table, pow5Mantissa, renderPow5Table } from '../../../scripts/gen-pow5.mjs';
import { tmpDir } from '../../helpers/tmp';
import { freshStore, writeFile } from './reference';
import { mulberry32 } from '../../helpers/mulberry32';

const dir = tmpDir();
const store = freshStore(dir);
afterAll(() => store.close());
afterEach(() => {
  delete process.env['RESIDUAL_FASTCSV'];
});

let files = 0;

/** What an import leaves: every column's values (as bits), kinds, roles and statistics, and the result's lists. */
async function outcome(file: string, options: ImportOptions, fast: boolean): Promise<unknown> {
  if (fast) delete process.env['RESIDUAL_FASTCSV'];
  else process.env['RESIDUAL_FASTCSV'] = '0';
  try {
    const r = await importDataset(store, file, { ...options, name: `d${++files}` });
    const columns = r.dataset.columns.map((c) => {
      const v = store.readColumn(r.dataset.id, c.idx);
      const values = v instanceof Float64Array ? Array.from(new BigUint64Array(v.buffer, v.byteOffset, v.length), (b) => b.toString(16)) : v;
      return { name: c.name, kind: c.valueKind, role: c.role, stats: c.stats, values };
    });
    return { rows: r.dataset.rowCount, skipped: r.skippedRows, lines: r.skippedLines, warnings: r.warnings, columns };
  } catch (e) {
    const err = e as Error & { details?: unknown };
    return { error: err.message, details: err.details };
  }
}

/** Imports the file both ways and requires the same outcome; `byteRows`: the byte path must have read long runs of rows. */
async function same(content: string, options: ImportOptions = {}, byteRows = true): Promise<unknown> {
  const file = writeFile(dir, `f${++files}.csv`, content);
  const rows = vi.spyOn(FastCsv.prototype, 'rows');
  try {
    const slow = await outcome(file, options, false);
    expect(rows).not.toHaveBeenCalled();
    const fast = await outcome(file, options, true);
    // The byte path did read rows (not the tokenizer alone, twice).
    if (byteRows) expect(rows.mock.results.some((r) => (r.value as number) > 100)).toBe(true);
    expect(fast).toEqual(slow);
    return fast;
  } finally {
    rows.mockRestore();
  }
}

/**
 * Deterministic numbers in many spellings (sign, leading zeros, marks, exponents), and a share `slow` of the
 * spellings the byte path leaves to the tokenizer's Number() (16 to 30 significant digits, powers of ten beyond
 * 1e±22) and of empty fields.
 */
function spellings(seed: number, count: number, decimalComma = false, slow = 0.002): string[] {
  const rand = mulberry32(seed);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let s: string;
    if (rand() < slow) {
      const k = rand();
      if (k < 0.25) s = String(rand() * 10 ** Math.floor(rand() * 40 - 20));
      else if (k < 0.4) s = '0.000000000000000000000000123456789';
      else if (k < 0.55) s = '123456789012345678901234567890';
      else if (k < 0.7) s = `1e-${300 + Math.floor(rand() * 30)}`;
      else s = '';
      out.push(decimalComma ? s.replace('.', ',') : s);
      continue;
    }
    const u = rand() * 0.74;
    if (u < 0.3) s = String(Math.floor(rand() * 2e6 - 1e6) / 10 ** Math.floor(rand() * 7));
    else if (u < 0.4) s = `${rand() < 0.5 ? '-' : '+'}${Math.floor(rand() * 1000)}.${String(Math.floor(rand() * 1e6)).padStart(6, '0')}`;
    else if (u < 0.5) s = `${(rand() * 10).toFixed(3)}e${Math.floor(rand() * 36 - 18)}`;
    else if (u < 0.55) s = `${Math.floor(rand() * 9) + 1}E+${Math.floor(rand() * 22)}`;
    else if (u < 0.6) s = (rand() * 10 ** Math.floor(rand() * 20 - 10)).toPrecision(1 + Math.floor(rand() * 15));
    else if (u < 0.65) s = `00${Math.floor(rand() * 100)}`;
    else if (u < 0.7) s = `.${Math.floor(rand() * 1000)}`;
    else if (u < 0.72) s = `${Math.floor(rand() * 100)}.`;
    else s = '-0';
    out.push(decimalComma ? s.replace('.', ',') : s);
  }
  return out;
}

function csv(rows: number, cols: number, opts: { seed?: number; eol?: string; delim?: string; decimalComma?: boolean; slow?: number; every?: (r: number, c: number) => string | null } = {}): string {
  const delim = opts.delim ?? ',';
  const eol = opts.eol ?? '\n';
  const values = spellings(opts.seed ?? 1, rows * cols, opts.decimalComma, opts.slow);
  const lines = [Array.from({ length: cols }, (_, c) => `c${c}`).join(delim)];
  for (let r = 0; r < rows; r++) {
    const row: string[] = [];
    for (let c = 0; c < cols; c++) row.push(opts.every?.(r, c) ?? values[r * cols + c]!);
    lines.push(row.join(delim));
  }
  return lines.join(eol) + eol;
}

describe('the byte path reads what the tokenizer reads', () => {
  it('numbers in every spelling, over several read chunks (LF, CRLF)', async () => {
    // ~2.6 MB each: three 1 MiB reads, rows cut at every chunk's end.
    const lf = (await same(csv(40_000, 8, { seed: 3 }))) as { rows: number };
    expect(lf.rows).toBe(40_000);
    await same(csv(40_000, 8, { seed: 4, eol: '\r\n' }));
  }, 60_000);

  it('gives way to the tokenizer for good where most rows need it (long numbers: the same values)', async () => {
    await same(csv(30_000, 8, { seed: 9, slow: 0.1 }), {}, false);
  }, 60_000);

  it('decimal commas with semicolons, and tabs', async () => {
    await same(csv(30_000, 6, { seed: 5, delim: ';', decimalComma: true }));
    await same(csv(30_000, 6, { seed: 6, delim: '\t' }));
  }, 60_000);

  it('rows it stops at: quotes, spaces, missing-value tokens, lone CRs, blank lines, a text column that appears late', async () => {
    const every = (r: number, c: number): string | null => {
      if (r % 997 === 5 && c === 1) return '"1.5"';
      if (r % 1009 === 7 && c === 2) return ' 2.5 ';
      if (r % 1013 === 9 && c === 3) return 'NA';
      if (r % 499 === 11 && c === 0) return '"a ""quoted"" 3,5\nover two lines"';
      if (c === 4) return r < 20_000 ? String(r) : `t${r}`; // numbers, then text: the column is re-read as text
      return null;
    };
    const text = csv(30_000, 6, { seed: 7, every }).replace(/\n(?=12)/g, '\n\n').replace(/\n(?=77)/g, '\r');
    const r = (await same(text)) as { warnings: string[] };
    expect(r.warnings.join(' ')).toMatch(/held numbers until line/);
  }, 60_000);

  it('bad input: the same messages, lines and columns', async () => {
    // A row with a field too many deep in the file; a number too large; both with skipBadRows.
    const extra = csv(30_000, 5, { seed: 8 }).split('\n');
    extra[25_001] += ',9';
    extra[12_345] = extra[12_345]!.replace(/^[^,]*/, '1e400');
    const text = extra.join('\n');
    const failed = (await same(text)) as { error: string };
    expect(failed.error).toMatch(/line 25,?002/);
    const skipped = (await same(text, { skipBadRows: true })) as { skipped: number };
    expect(skipped.skipped).toBe(2);
  }, 60_000);
});


const F = new Float64Array(1);
const B = new BigUint64Array(F.buffer);
const fromBits = (b: bigint): number => ((B[0] = b), F[0]!);
const toBits = (x: number): bigint => ((F[0] = x), B[0]!);

/** A double of random bits (any exponent, subnormals included; no NaN or infinity). */
function randomDouble(rand: () => number): number {
  for (;;) {
    const x = fromBits((BigInt(Math.floor(rand() * 2 ** 32)) << 32n) | BigInt(Math.floor(rand() * 2 ** 32)));
    if (Number.isFinite(x)) return x;
  }
}

/** n random decimal digits, the first not 0. */
function digitString(rand: () => number, n: number): string {
  let s = String(1 + Math.floor(rand() * 9));
  while (s.length < n) s += String(Math.floor(rand() * 10));
  return s;
}

/** The exact decimal of m · 2^e (m, e integers; BigInt arithmetic), e.g. a midpoint between two doubles. */
function exactDecimal(m: bigint, e: number): string {
  const neg = m < 0n;
  if (neg) m = -m;
  let s: string;
  if (e >= 0) s = String(m << BigInt(e));
  else {
    const digits = String(m * 5n ** BigInt(-e)).padStart(-e + 1, '0');
    s = `${digits.slice(0, digits.length + e)}.${digits.slice(digits.length + e)}`;
  }
  return neg ? `-${s}` : s;
}

/** The midpoint between x > 0 (finite, not the largest) and the next double up, exactly, in decimal. */
function midpointAbove(x: number): string {
  const b = toBits(x);
  const exp = Number((b >> 52n) & 0x7ffn);
  const frac = b & 0xfffffffffffffn;
  const m = exp === 0 ? frac : frac | (1n << 52n);
  const e = (exp === 0 ? 1 : exp) - 1075;
  return exactDecimal(2n * m + 1n, e - 1);
}

/**
 * Parses one column of `values` with the byte path alone (FastCsv.rows), as the import drives it: where it stops,
 * that row is read with Number() (as the tokenizer does) and the byte path resumes after it. Returns the doubles and
 * the rows the byte path stopped at.
 */
function byteColumn(values: readonly string[], decimalComma = false): { got: Float64Array; stops: string[] } {
  const fc = FastCsv.create();
  if (fc === null) throw new Error('no WebAssembly here');
  const buf = Buffer.from(values.join('\n') + '\n');
  fc.load(buf, 1);
  const kinds = Uint8Array.of(FC_NUMBER);
  const got = new Float64Array(values.length);
  const stops: string[] = [];
  let pos = 0;
  let n = 0;
  while (n < values.length) {
    const max = Math.min(fc.maxRows(1), values.length - n);
    const k = fc.rows(pos, kinds, 59, decimalComma, max);
    got.set(fc.values(0, max, k), n);
    n += k;
    pos = fc.end;
    if (k < max) {
      stops.push(values[n]!);
      got[n] = Number(decimalComma ? values[n]!.replace(',', '.') : values[n]);
      pos = buf.indexOf(10, pos) + 1;
      n++;
    }
  }
  return { got, stops };
}

/** Every value of the byte path must be Number()'s double, bit for bit (-0 and +0 apart). */
function expectNumberBits(values: readonly string[], decimalComma = false): string[] {
  const { got, stops } = byteColumn(values, decimalComma);
  const wrong: string[] = [];
  for (let i = 0; i < values.length; i++) {
    const want = Number(decimalComma ? values[i]!.replace(',', '.') : values[i]);
    if (!Object.is(got[i], want)) wrong.push(`${values[i]}: ${got[i]} (0x${toBits(got[i]!).toString(16)}), Number() ${want} (0x${toBits(want).toString(16)})`);
  }
  expect(wrong.slice(0, 10)).toEqual([]);
  return stops;
}

describe('full-precision numbers (Eisel–Lemire): every value is Number()’s double', () => {
  it('random doubles of every exponent: 17 significant digits, the shortest form, 16 digits', () => {
    const rand = mulberry32(101);
    const values: string[] = [];
    for (let i = 0; i < 60_000; i++) {
      const x = randomDouble(rand);
      values.push(x.toPrecision(17), String(x), x.toPrecision(16));
    }
    // At most 19 digits: the byte path decides every one itself (subnormals and exact binary fractions such as
    // 811389134626243.75 included), and leaves to the tokenizer only what rounds beyond the largest double.
    const stops = expectNumberBits(values);
    expect(stops.filter((v) => Number.isFinite(Number(v)))).toEqual([]);
  });

  it('as pandas writes them: shortest forms of values of many scales (the byte path stops at none)', () => {
    const rand = mulberry32(102);
    const values: string[] = [];
    for (let i = 0; i < 100_000; i++) values.push(String((rand() - 0.5) * 10 ** Math.floor(rand() * 14 - 6)));
    expect(values.filter((v) => v.replace(/^-?0*\.?0*|\.|e.*$/g, '').length >= 16).length).toBeGreaterThan(80_000);
    expect(expectNumberBits(values)).toEqual([]);
    // And with decimal commas.
    expect(expectNumberBits(values.slice(0, 20_000).map((v) => v.replace('.', ',')), true)).toEqual([]);
  });

  it('long mantissas: 18 to 25 significant digits (beyond 19: w and w + 1 must round alike), in every placement', () => {
    const rand = mulberry32(103);
    const values: string[] = [];
    for (let i = 0; i < 60_000; i++) {
      const d = digitString(rand, 18 + (i % 8));
      const at = Math.floor(rand() * (d.length + 1));
      const e = Math.floor(rand() * 660 - 345);
      const sign = rand() < 0.5 ? '-' : '';
      values.push(i % 3 === 0 ? `${sign}${d}e${e}` : i % 3 === 1 ? `${sign}${d.slice(0, at)}.${d.slice(at)}` : `${sign}0.${d}e${e % 40}`);
    }
    const stops = expectNumberBits(values);
    // Beyond 19 digits it stops where w and w + 1 round apart (rare) and where the value is beyond the largest double.
    expect(stops.filter((v) => Number.isFinite(Number(v))).length).toBeLessThan(values.length / 100);
  });

  it('halfway cases: exact midpoints between doubles, and their neighbours one unit of the last digit off', () => {
    const rand = mulberry32(104);
    const values: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      // 53-bit mantissas whose midpoints fit in 19 or 20 digits: integers (2m + 1) · 2^j and fractions (2m + 1) / 2^k.
      const m = (1n << 52n) + BigInt(Math.floor(rand() * 2 ** 26)) * (1n << 26n) + BigInt(Math.floor(rand() * 2 ** 26));
      const e = Math.floor(rand() * 14) - 4;
      const mid = exactDecimal(2n * m + 1n, e);
      values.push(mid);
      if (e >= 0) {
        const n = BigInt(mid);
        values.push(String(n - 1n), String(n + 1n));
      }
    }
    for (let i = 0; i < 3_000; i++) {
      const x = Math.abs(randomDouble(rand));
      if (x < Number.MAX_VALUE) values.push(midpointAbove(x)); // hundreds of digits: past w, w + 1
    }
    for (let k = 0; k < 200; k++) values.push(String(2n ** 53n + BigInt(k)), String(2n ** 63n + BigInt(k) * 1024n), `${2n ** 53n + BigInt(k)}.5`);
    expectNumberBits(values);
  });

  it('the classic hard cases, subnormals, the ends of the exponent range, zeros and a great many digits', () => {
    const values = [
      '9007199254740993', '9007199254740995', '9007199254740993.0000000000000001', '-9007199254740993',
      '2.2250738585072011e-308', '2.2250738585072012e-308', '2.2250738585072014e-308', '2.225073858507201e-308',
      '1.7976931348623157e308', '1.7976931348623158e308', '1.7976931348623159e308', '-1.7976931348623157e308',
      '4.9e-324', '5e-324', '2.4703282292062327e-324', '2.4703282292062328e-324', '7.1e-323', '1e-400',
      '0.1', '0.2', '0.3', '1e23', '8.98846567431158e307', '9007199254740992e-22', '1e22', '1e-22', '9999999999999999e22',
      '123456789012345678901234567890e-10', '179769313486231570000000000000000000000e270', '1e-342', '1e-343', '1e308',
      '1e309', '10000000000000000000', '18446744073709551615', '18446744073709551616', '99999999999999999999',
      '3.4028236692093846346e38', '0.000000000000000000000000000000000000001', '-0', '-0.0000000000000000000000',
      '-0e-400', '0e999999', '-0.0e5', '00000000000000000000000012.5', '1.0000000000000000000000000000',
      exactDecimal(1n, -1074), exactDecimal((1n << 53n) - 1n, 971), exactDecimal(3n, -1075),
      `1.${'0'.repeat(1000)}1`, `${'9'.repeat(400)}`, `0.${'0'.repeat(320)}${'7'.repeat(60)}`, `${'3'.repeat(25)}e-360`,
    ];
    const rand = mulberry32(105);
    for (let i = 0; i < 20_000; i++) {
      // Subnormals, and the largest and smallest normal exponents.
      const sub = fromBits(BigInt(Math.floor(rand() * 2 ** 32)) * BigInt(1 + Math.floor(rand() * 2 ** 20)));
      const big = fromBits((BigInt(0x7d0 + Math.floor(rand() * 0x2f)) << 52n) | BigInt(Math.floor(rand() * 2 ** 52)));
      const small = fromBits((BigInt(1 + Math.floor(rand() * 0x30)) << 52n) | BigInt(Math.floor(rand() * 2 ** 52)));
      for (const x of [sub, big, small]) values.push(x.toPrecision(17), String(x), `-${x.toPrecision(16)}`);
      values.push(`${digitString(rand, 1 + (i % 19))}e${-350 + (i % 30)}`, `${digitString(rand, 1 + (i % 19))}e${290 + (i % 30)}`);
    }
    expectNumberBits(values);
  });

  it('through the import, with and without the WebAssembly: the same stored values', async () => {
    const rand = mulberry32(106);
    const forms = (x: number, k: number): string => (k === 0 ? String(x) : k === 1 ? x.toPrecision(17) : k === 2 ? x.toPrecision(16) : x.toExponential(18));
    const text = (delim: string, comma: boolean): string => {
      const lines = ['a,b,c,d,e,f'.replaceAll(',', delim)];
      for (let r = 0; r < 30_000; r++) {
        const row: string[] = [];
        for (let c = 0; c < 6; c++) {
          const x = c === 5 ? randomDouble(rand) : (rand() - 0.5) * 10 ** (c * 2 - 3);
          const s = forms(x, (r + c) % 4);
          row.push(comma ? s.replace('.', ',') : s);
        }
        lines.push(row.join(delim));
      }
      return lines.join('\n') + '\n';
    };
    const plain = text(',', false);
    await same(plain);
    await same(text(';', true));
    // The byte path read every row after the first read (1 MiB, the tokenizer's while it settles the columns' kinds):
    // full-precision numbers no longer leave their rows to the tokenizer.
    const firstRead = plain.slice(0, 1024 * 1024).split('\n').length - 2;
    const rows = vi.spyOn(FastCsv.prototype, 'rows');
    try {
      await outcome(writeFile(dir, `f${++files}.csv`, plain), {}, true);
      expect(rows.mock.results.reduce((n, r) => n + (r.value as number), 0)).toBeGreaterThanOrEqual(30_000 - firstRead - 1);
    } finally {
      rows.mockRestore();
    }
  }, 60_000);
});

describe('the radix sort', () => {
  it('sorts as Float64Array.prototype.sort does (-0 before +0, extremes, subnormals, duplicates)', () => {
    const fc = FastCsv.create();
    expect(fc).not.toBeNull();
    let seed = 11;
    const rand = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const specials = [0, -0, 5e-324, -5e-324, Number.MAX_VALUE, -Number.MAX_VALUE, Infinity, -Infinity, 1, -1, 2.2250738585072014e-308];
    const values = Float64Array.from({ length: 70_000 }, (_, i) =>
      i < specials.length ? specials[i]! : rand() < 0.2 ? Math.round(rand() * 5) : (rand() - 0.5) * 10 ** Math.round(rand() * 40 - 20),
    );
    const expected = values.slice().sort();
    const got = fc!.sorted(values);
    expect(got.length).toBe(expected.length);
    for (let i = 0; i < got.length; i++) if (!Object.is(got[i], expected[i])) throw new Error(`index ${i}: ${got[i]} vs ${expected[i]}`);
  });

  it('gives the statistics the TypeScript sort gives', () => {
    let seed = 5;
    const rand = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const values = Float64Array.from({ length: 50_000 }, () => (rand() < 0.05 ? NaN : rand() < 0.3 ? Math.floor(rand() * 20) : Math.floor(rand() * 2e6 - 1e6) / 1000));
    const chunks = [values.subarray(0, 20_000), values.subarray(20_000)];
    process.env['RESIDUAL_FASTCSV'] = '0';
    const slow = numericStats(chunks, values.length, String);
    delete process.env['RESIDUAL_FASTCSV'];
    expect(numericStats(chunks, values.length, String)).toEqual(slow);
  });
});

describe('fastcsv-wasm.ts', () => {
  it('is built from the fastcsv.c beside it (npm run build:wasm), byte for byte where the same clang is here', () => {
    expect(FASTCSV_SOURCE_SHA256, 'fastcsv.c changed: run npm run build:wasm').toBe(dataSourceDigest());
    const version = dataClangVersion();
    if (version === null || version !== FASTCSV_COMPILER) return; // no compiler, or another one: the stamp must do
    const bytes = compileDataWasm();
    expect(Buffer.from(bytes).toString('base64')).toBe(FASTCSV_WASM_BASE64);
  });

  it('carries the powers of five that scripts/gen-pow5.mjs generates (node scripts/gen-pow5.mjs)', () => {
    const source = fs.readFileSync(path.join(DATA_DIR, DATA_SOURCE), 'utf8');
    expect(committedPow5Table(source), 'the POW5 table differs: run node scripts/gen-pow5.mjs, then npm run build:wasm').toBe(renderPow5Table());
    // The generator against published values (Go's strconv detailedPowersOfTen: 10^q's 128 bits, rounded down).
    const hex = (q: number): string[] => pow5Mantissa(q).map((h) => h.toString(16).toUpperCase());
    expect(hex(-342)).toEqual(['EEF453D6923BD65A', '113FAA2906A13B3F']);
    expect(hex(-300)).toEqual(['AB70FE17C79AC6CA', '6DBD630A48AAF406']);
    expect(hex(43)).toEqual(['E596B7B0C643C719', '6D9CCD05D0000000']);
    expect(hex(308)).toEqual(['8E679C2F5E44FF8F', '570F09EAA7EA7648']);
  });
});
