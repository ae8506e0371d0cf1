/**
 * The import's WebAssembly paths (src-main/core/data/fastcsv.c): plain rows of numbers from the bytes, and the
 * statistics' radix sort. Each must give exactly what the TypeScript paths give (RESIDUAL_FASTCSV=0 turns it off):
 * the same doubles bit for bit, the same statistics, warnings, skipped lines and error messages (file, line,
 * column) — on files of several read chunks, so rows cut by a chunk's end and the switches between the byte path
 * and the tokenizer are crossed many times. And the committed wasm must still be built from fastcsv.c.
 */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { importDataset, type ImportOptions } from '../../../src-main/core/data';
import { FastCsv } from '../../../src-main/core/data/fastcsv';
import { FASTCSV_COMPILER, FASTCSV_SOURCE_SHA256, FASTCSV_WASM_BASE64 } from '../../../src-main/core/data/fastcsv-wasm';
import { numericStats } from '../../../src-main/core/data/stats';
import { compileDataWasm, dataClangVersion, dataSourceDigest } from '../../../scripts/build-data-wasm.mjs';
import { tmpDir } from '../../helpers/tmp';
import { freshStore, writeFile } from './reference';

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
  let a = seed >>> 0;
  const rand = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
});
