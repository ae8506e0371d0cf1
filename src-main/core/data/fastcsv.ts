/**
 * fastcsv.c in WebAssembly (built by scripts/build-data-wasm.mjs into fastcsv-wasm.ts): plain rows of numbers parsed
 * straight from the file's bytes, and the statistics' sort of a column. One instance per user (an import, a column's
 * statistics) with its own memory, dropped with it. Where WebAssembly is missing, or RESIDUAL_FASTCSV=0, `create`
 * answers null and the callers keep to their TypeScript paths, which give the same values.
 */
import { FASTCSV_WASM_BASE64 } from './fastcsv-wasm';

interface FastCsvExports {
  memory: { buffer: ArrayBuffer };
  fc_reserve(bytes: number): number;
  fc_rows(buf: number, pos: number, len: number, ncols: number, kinds: number, delim: number, dcomma: number, out: number, stride: number, maxRows: number, endPos: number): number;
  fc_sort_f64(a: number, tmp: number, n: number): void;
  fc_stats(a: number, tmp: number, n: number, out: number): void;
}

/** fastcsv.c's TOP: the most frequent values fc_stats keeps. */
const FC_TOP = 10;

/** What fc_stats gives of a column (see `columnStats`). */
export interface FastColumnStats {
  readonly mean: number;
  /** Sum of squared deviations from the mean. */
  readonly squares: number;
  readonly distinct: number;
  /** The most frequent values, most frequent first (ties: the smaller value first). */
  readonly top: readonly { key: number; count: number }[];
  /** The values, ascending (a view into the instance: valid until its next use). */
  readonly sorted: Float64Array;
}

// tsconfig has no DOM lib and @types/node declares only part of WebAssembly: the few members used here.
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { exports: unknown };
}

/** fastcsv.c's column kinds (FC_NUMBER, FC_SKIP). */
export const FC_NUMBER = 0;
export const FC_SKIP = 1;

/** Bytes of parsed values one fc_rows call may write (its rows are capped to fit). */
const OUT_BYTES = 4 * 1024 * 1024;

let compiled: object | null | undefined;

function module(): object | null {
  if (compiled !== undefined) return compiled;
  try {
    const WA = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
    compiled = WA ? new WA.Module(Buffer.from(FASTCSV_WASM_BASE64, 'base64')) : null;
  } catch {
    compiled = null;
  }
  return compiled;
}

export class FastCsv {
  private readonly ex: FastCsvExports;
  /** Bytes of the chunk loaded (at the region's start), and where the kinds, the end position and the values go. */
  private loaded = 0;
  private capacity = 0;
  private base = 0;
  private kindsAt = 0;
  private endAt = 0;
  private outAt = 0;
  private ncols = 0;
  /** Where the last `rows` call stopped. */
  end = 0;

  private constructor(ex: FastCsvExports) {
    this.ex = ex;
  }

  /** A fresh instance, or null where WebAssembly cannot run it (or RESIDUAL_FASTCSV=0 turns it off). */
  static create(): FastCsv | null {
    if (process.env['RESIDUAL_FASTCSV'] === '0') return null;
    const m = module();
    if (!m) return null;
    const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    return new FastCsv(new WA.Instance(m, {}).exports as FastCsvExports);
  }

  /** Rows of `ncols` values one `rows` call may parse at most. */
  maxRows(ncols: number): number {
    return Math.max(1, Math.floor(OUT_BYTES / (8 * Math.max(1, ncols))));
  }

  /** Copies a chunk of bytes (and the column count's room) into the instance; `rows` then reads it. */
  load(buf: Uint8Array, ncols: number): void {
    const align = (n: number): number => (n + 15) & ~15;
    this.kindsAt = align(buf.length);
    this.endAt = align(this.kindsAt + ncols);
    this.outAt = align(this.endAt + 8);
    const need = this.outAt + OUT_BYTES + 8 * ncols;
    if (need > this.capacity || this.base === 0) {
      const base = this.ex.fc_reserve(need);
      if (base === 0) throw new RangeError(`WebAssembly memory cannot grow to ${need} bytes`);
      this.base = base;
      this.capacity = need;
    }
    new Uint8Array(this.ex.memory.buffer, this.base, buf.length).set(buf);
    this.loaded = buf.length;
    this.ncols = ncols;
  }

  /**
   * Parses plain rows of the loaded chunk from `pos` (fastcsv.c's fc_rows), at most `maxRows` (≤ this.maxRows):
   * returns how many, `end` is the byte after them; values of column c at `values(c, maxRows)`.
   */
  rows(pos: number, kinds: Uint8Array, delim: number, decimalComma: boolean, maxRows: number): number {
    const mem = this.ex.memory.buffer;
    new Uint8Array(mem, this.base + this.kindsAt, this.ncols).set(kinds.subarray(0, this.ncols));
    const k = this.ex.fc_rows(this.base, pos, this.loaded, this.ncols, this.base + this.kindsAt, delim, decimalComma ? 1 : 0, this.base + this.outAt, maxRows, maxRows, this.base + this.endAt);
    this.end = new Int32Array(this.ex.memory.buffer, this.base + this.endAt, 1)[0]!;
    return k;
  }

  /** Column c's values of the last `rows` call (stride: the maxRows it was given), `count` of them. */
  values(c: number, stride: number, count: number): Float64Array {
    return new Float64Array(this.ex.memory.buffer, this.base + this.outAt + 8 * c * stride, count);
  }

  /**
   * Room for `capacity` doubles inside the instance (and as many for the sort's scratch), for a column to be gathered
   * into and summed and sorted there by `columnStats` without copies. The view stays valid until the next load or column.
   */
  column(capacity: number): Float64Array {
    const base = this.ex.fc_reserve(16 * capacity + 16 + 8 * (4 + 2 * FC_TOP));
    if (base === 0) throw new RangeError(`WebAssembly memory cannot grow to ${16 * capacity} bytes`);
    this.capacity = 0;
    this.base = 0;
    this.columnAt = base;
    this.columnCapacity = capacity;
    return new Float64Array(this.ex.memory.buffer, base, capacity);
  }

  /**
   * The first n values of the last `column`: mean and squared deviations (in row order, as stats.ts sums them), then
   * sorted in place, their distinct values and the most frequent ones — fastcsv.c's fc_stats.
   */
  columnStats(n: number): FastColumnStats {
    if (n > this.columnCapacity) throw new RangeError(`${n} values do not fit the column of ${this.columnCapacity}`);
    const outAt = this.columnAt + 16 * this.columnCapacity;
    this.ex.fc_stats(this.columnAt, this.columnAt + 8 * this.columnCapacity, n, outAt);
    const out = new Float64Array(this.ex.memory.buffer, outAt, 4 + 2 * FC_TOP);
    const top: { key: number; count: number }[] = [];
    for (let k = 0; k < out[3]!; k++) top.push({ key: out[4 + k]!, count: out[4 + FC_TOP + k]! });
    return { mean: out[0]!, squares: out[1]!, distinct: out[2]!, top, sorted: new Float64Array(this.ex.memory.buffer, this.columnAt, n) };
  }

  private columnAt = 0;
  private columnCapacity = 0;

  /** An ascending copy of `values` (no NaN), -0 before +0: Float64Array.prototype.sort's order, by a radix sort. */
  sorted(values: Float64Array): Float64Array {
    const n = values.length;
    const base = this.ex.fc_reserve(16 * n + 16);
    if (base === 0) throw new RangeError(`WebAssembly memory cannot grow to ${16 * n} bytes`);
    // The region moved under any chunk loaded before: load again before the next `rows`.
    this.capacity = 0;
    this.base = 0;
    new Float64Array(this.ex.memory.buffer, base, n).set(values);
    this.ex.fc_sort_f64(base, base + 8 * n, n);
    return new Float64Array(this.ex.memory.buffer, base, n).slice();
  }
}
