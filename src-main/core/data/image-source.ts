/**
 * Reading images for image-import.ts: IDX files (the MNIST / Fashion-MNIST format, gzipped or not) streamed item by
 * item, folders of PNG/JPEG files decoded with pngjs and jpeg-js, and the area-averaging resize to the chosen size.
 * Every failure names the file it is about and what to do.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline, type Readable } from 'node:stream';
import zlib from 'node:zlib';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { ResidualError, cancelled } from '../errors';
import { unreadable } from './reader';

const IDX_NAME = /(\.idx\d?|-ubyte)(\.gz)?$/i;
const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** 00 00 08 0N: an IDX file of unsigned bytes with N dimensions. */
function isIdxMagic(head: Uint8Array): boolean {
  return head.length >= 4 && head[0] === 0 && head[1] === 0 && head[2] === 0x08 && head[3]! >= 1 && head[3]! <= 4;
}

async function readHead(file: string, bytes: number): Promise<Buffer> {
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * Whether `file` is images: a folder, an IDX file by name (x.idx, x-idx3-ubyte, either with .gz), or a file that
 * starts with an IDX header. A path that cannot be read is not (the CSV path then says why).
 */
export async function isImageSource(file: string, options: { labels?: string; imageSize?: number; imageColour?: boolean } = {}): Promise<boolean> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch {
    return false;
  }
  if (stat.isDirectory()) return true;
  if (IDX_NAME.test(file)) return true;
  const head = await readHead(file, 4).catch(() => Buffer.alloc(0));
  if (isIdxMagic(head)) return true;
  // A gzipped file not named like IDX is images only when the options say so (the CSV path reads no gzip anyway).
  return isGzip(head) && hasImageOptions(options);
}

function hasImageOptions(options: { labels?: string; imageSize?: number; imageColour?: boolean }): boolean {
  return options.labels !== undefined || options.imageSize !== undefined || options.imageColour !== undefined;
}

/** A table (CSV, Parquet) imported with options that only images take: say so rather than ignore them. */
export function refuseImageOptions(file: string, options: { labels?: string; imageSize?: number; imageColour?: boolean }): void {
  if (!hasImageOptions(options)) return;
  const named = [options.labels !== undefined ? 'a labels file' : '', options.imageSize !== undefined ? 'an image size' : '', options.imageColour !== undefined ? 'colour' : ''].filter(Boolean).join(', ');
  throw new ResidualError('BAD_INPUT', `${file} is a table, not images (an IDX file or a folder of PNG/JPEG files), so ${named} does not apply to it. Leave those options out.`, { file, field: options.labels !== undefined ? 'labels' : 'imageSize' });
}

// ---- IDX ------------------------------------------------------------------------------------------------

export interface IdxHeader {
  /** Items (images or labels). */
  count: number;
  /** The dimensions after the count: [rows, cols] or [rows, cols, channels] for images, [] for labels. */
  dims: number[];
  /** Bytes per item. */
  itemBytes: number;
  gzipped: boolean;
}

function idxHeaderError(file: string, head: Uint8Array): ResidualError {
  const hex = Array.from(head.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  if (head.length >= 4 && head[0] === 0 && head[1] === 0 && head[2] !== 0x08) {
    return new ResidualError(
      'BAD_FILE',
      `${file} is an IDX file of data type 0x${head[2]!.toString(16).padStart(2, '0')}; Residual reads IDX files of unsigned bytes (type 0x08, as MNIST and Fashion-MNIST are) only.`,
      { file },
    );
  }
  return new ResidualError(
    'BAD_FILE',
    `${file} is not an IDX file: it starts with the bytes ${hex || '(none)'} where an IDX file starts with 00 00 08 and its number of dimensions. Check that it is the images (idx3) or labels (idx1) file, gzipped or not.`,
    { file },
  );
}

function truncatedIdx(file: string, header: IdxHeader, items: number, extra: number, what: string): ResidualError {
  const shape = header.dims.length > 0 ? ` of ${header.dims.join('×')} bytes` : '';
  return new ResidualError(
    'BAD_FILE',
    `${file} is truncated: its header promises ${header.count.toLocaleString('en-US')} ${what}${shape}, but the file ends after ${items.toLocaleString('en-US')}${extra > 0 ? ` and ${extra} bytes of the next` : ''}. Download or copy it again; nothing was imported.`,
    { file },
  );
}

function gzipError(file: string, e: Error): ResidualError {
  return new ResidualError('BAD_FILE', `${file} is gzipped but cannot be unpacked (${e.message}): it is damaged or cut short. Download or copy it again; nothing was imported.`, { file });
}

export interface IdxReadHooks {
  signal?: AbortSignal;
  what: string;
  /** What the items are, for messages: "images", "labels". */
  itemName: string;
  /** Checks the header before any item is read (throw to refuse it). */
  onHeader(header: IdxHeader): void;
  /** One item's bytes; the array is reused, so copy what must outlive the call. */
  onItem(item: Uint8Array, index: number): void;
  /** Bytes of the file (as stored, gzipped or not) read so far. */
  onBytes?(bytes: number): void;
}

/** Streams an IDX file item by item; returns the SHA-256 of the file's bytes and the header. */
export async function readIdx(file: string, hooks: IdxReadHooks): Promise<{ sha256: string; header: IdxHeader; bytes: number }> {
  const head = await readHead(file, 2).catch((e: NodeJS.ErrnoException) => {
    throw unreadable(file, e);
  });
  const gzipped = isGzip(head);
  const raw = fs.createReadStream(file, { highWaterMark: 1024 * 1024 });
  const hash = createHash('sha256');
  let rawBytes = 0;
  raw.on('data', (c: Buffer | string) => {
    hash.update(c);
    rawBytes += c.length;
  });
  const stream: Readable = gzipped ? pipeline(raw, zlib.createGunzip(), () => undefined) : raw;
  let header: IdxHeader | null = null;
  let headBuf = Buffer.alloc(0);
  let item = new Uint8Array(0);
  let fill = 0;
  let items = 0;
  let extra = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (hooks.signal?.aborted) throw cancelled(hooks.what);
      let at = 0;
      if (!header) {
        headBuf = Buffer.concat([headBuf, chunk]);
        if (headBuf.length < 4) continue;
        if (!isIdxMagic(headBuf)) throw idxHeaderError(file, headBuf);
        const ndims = headBuf[3]!;
        const size = 4 + 4 * ndims;
        if (headBuf.length < size) continue;
        const dimsAll = Array.from({ length: ndims }, (_, i) => headBuf.readUInt32BE(4 + 4 * i));
        const dims = dimsAll.slice(1);
        const itemBytes = dims.reduce((a, b) => a * b, 1);
        header = { count: dimsAll[0]!, dims, itemBytes, gzipped };
        hooks.onHeader(header);
        item = new Uint8Array(itemBytes);
        const rest = headBuf.subarray(size);
        headBuf = Buffer.alloc(0);
        at = chunk.length - rest.length;
      }
      const { count, itemBytes } = header;
      while (at < chunk.length) {
        if (items >= count) {
          extra += chunk.length - at;
          break;
        }
        const take = Math.min(itemBytes - fill, chunk.length - at);
        item.set(chunk.subarray(at, at + take), fill);
        fill += take;
        at += take;
        if (fill === itemBytes) {
          hooks.onItem(item, items);
          items++;
          fill = 0;
        }
      }
      hooks.onBytes?.(rawBytes);
    }
  } catch (e) {
    raw.destroy();
    if (e instanceof ResidualError) throw e;
    const err = e as NodeJS.ErrnoException;
    if (gzipped && typeof err.code === 'string' && err.code.startsWith('Z_')) {
      // "unexpected end of file": a gzip cut short is a truncated IDX file.
      if (err.code === 'Z_BUF_ERROR' && header) throw truncatedIdx(file, header, items, fill, hooks.itemName);
      throw gzipError(file, err);
    }
    if (typeof err.code === 'string') throw unreadable(file, err);
    throw e;
  }
  if (!header) throw headBuf.length >= 4 && !isIdxMagic(headBuf) ? idxHeaderError(file, headBuf) : new ResidualError('BAD_FILE', `${file} is too short to be an IDX file: it ends inside its header. Download or copy it again.`, { file });
  if (items < header.count) throw truncatedIdx(file, header, items, fill, hooks.itemName);
  if (extra > 0) {
    throw new ResidualError(
      'BAD_FILE',
      `${file} has ${extra.toLocaleString('en-US')} bytes after the last of the ${header.count.toLocaleString('en-US')} ${hooks.itemName} its header announces, so its header or its contents are wrong. Check that the file is a whole IDX file.`,
      { file },
    );
  }
  return { sha256: hash.digest('hex'), header, bytes: rawBytes };
}

/** An IDX labels file (one dimension, one byte per item), read whole: labels are small. */
export async function readIdxLabels(file: string, signal: AbortSignal | undefined, what: string): Promise<Uint8Array> {
  let labels = new Uint8Array(0);
  await readIdx(file, {
    signal,
    what,
    itemName: 'labels',
    onHeader: (h) => {
      if (h.dims.length !== 0) {
        throw new ResidualError('BAD_FILE', `${file} holds items of ${h.dims.join('×')} bytes, not labels: a labels file (idx1) has one dimension. Give the labels file as the labels (--labels on the command line), and the images file as the file to import.`, { file });
      }
      labels = new Uint8Array(h.count);
    },
    onItem: (item, i) => {
      labels[i] = item[0]!;
    },
  });
  return labels;
}

// ---- folders of PNG/JPEG files ---------------------------------------------------------------------------

export interface ImageFile {
  /** Absolute path. */
  path: string;
  /** Relative to the folder, with "/" separators. */
  relative: string;
  /** The subfolder (directly under the folder) it is in; null for a file at the top. */
  label: string | null;
  bytes: number;
}

/** The PNG/JPEG files in a folder and its subfolders, in path order; other files are counted, not read. */
export async function listImageFolder(folder: string): Promise<{ files: ImageFile[]; skipped: string[] }> {
  const files: ImageFile[] = [];
  const skipped: string[] = [];
  const walk = async (dir: string, label: string | null): Promise<void> => {
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(dir, { withFileTypes: true });
    } catch (e) {
      throw unreadable(dir, e as NodeJS.ErrnoException);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) await walk(full, label ?? e.name);
      else if (e.isFile()) {
        const relative = path.relative(folder, full).split(path.sep).join('/');
        if (IMAGE_EXTENSIONS.has(path.extname(e.name).toLowerCase())) {
          const { size } = await fs.promises.stat(full);
          files.push({ path: full, relative, label, bytes: size });
        } else skipped.push(relative);
      }
    }
  };
  await walk(folder, null);
  return { files, skipped };
}

/** A decoded image: RGBA, 8 bits a channel. */
export interface Rgba {
  width: number;
  height: number;
  data: Uint8Array;
}

function corruptImage(file: string, format: string, e: unknown): ResidualError {
  const why = e instanceof Error ? e.message : String(e);
  return new ResidualError('BAD_FILE', `${file} is not a readable ${format} image (${why}). Replace or remove it, then import the folder again; nothing was imported.`, { file });
}

/** Decodes a PNG or JPEG by its first bytes (not its name). */
export function decodeImage(file: string, bytes: Buffer): Rgba {
  if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47) {
    try {
      const png = PNG.sync.read(bytes);
      return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
    } catch (e) {
      throw corruptImage(file, 'PNG', e);
    }
  }
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    try {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 1024 });
      return { width: img.width, height: img.height, data: img.data };
    } catch (e) {
      throw corruptImage(file, 'JPEG', e);
    }
  }
  const ext = path.extname(file).slice(1).toUpperCase() || 'image';
  throw corruptImage(file, ext, new Error('it does not start like a PNG or JPEG file'));
}

/** RGBA → grey (ITU-R 601 luma) or RGB, transparent pixels blended over black, 0–255 as floats. */
export function fromRgba(img: Rgba, channels: 1 | 3): Float32Array {
  const n = img.width * img.height;
  const out = new Float32Array(n * channels);
  const d = img.data;
  for (let i = 0; i < n; i++) {
    const a = d[4 * i + 3]! / 255;
    const r = d[4 * i]! * a;
    const g = d[4 * i + 1]! * a;
    const b = d[4 * i + 2]! * a;
    if (channels === 1) out[i] = 0.299 * r + 0.587 * g + 0.114 * b;
    else {
      out[3 * i] = r;
      out[3 * i + 1] = g;
      out[3 * i + 2] = b;
    }
  }
  return out;
}

/** Grey or RGB bytes (an IDX item) → the wanted channels, 0–255 as floats. */
export function fromBytes(bytes: Uint8Array, pixels: number, from: 1 | 3, to: 1 | 3): Float32Array {
  const out = new Float32Array(pixels * to);
  if (from === to) out.set(bytes.subarray(0, pixels * to));
  else if (to === 3) for (let i = 0; i < pixels; i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = bytes[i]!;
  else for (let i = 0; i < pixels; i++) out[i] = 0.299 * bytes[3 * i]! + 0.587 * bytes[3 * i + 1]! + 0.114 * bytes[3 * i + 2]!;
  return out;
}

/** For each output index along one axis: the source indices it covers and their weights (summing to 1). */
function areaWeights(from: number, to: number): { idx: number[]; w: number[] }[] {
  const scale = from / to;
  const out: { idx: number[]; w: number[] }[] = [];
  for (let o = 0; o < to; o++) {
    const a = o * scale;
    const b = (o + 1) * scale;
    const idx: number[] = [];
    const w: number[] = [];
    for (let s = Math.floor(a); s < Math.min(from, Math.ceil(b)); s++) {
      const cover = Math.min(b, s + 1) - Math.max(a, s);
      if (cover > 0) {
        idx.push(s);
        w.push(cover / scale);
      }
    }
    out.push({ idx, w });
  }
  return out;
}

/**
 * Resizes interleaved pixels (`channels` per pixel) from w×h to W×H by area averaging: each output pixel is the
 * mean of the source area it covers (a box filter when shrinking, nearest pixels when growing).
 */
export function resizeArea(src: Float32Array, w: number, h: number, channels: number, W: number, H: number): Float32Array {
  if (w === W && h === H) return src;
  const xs = areaWeights(w, W);
  const ys = areaWeights(h, H);
  const mid = new Float32Array(W * h * channels);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < W; x++) {
      const { idx, w: wt } = xs[x]!;
      for (let c = 0; c < channels; c++) {
        let s = 0;
        for (let k = 0; k < idx.length; k++) s += src[(y * w + idx[k]!) * channels + c]! * wt[k]!;
        mid[(y * W + x) * channels + c] = s;
      }
    }
  }
  const out = new Float32Array(W * H * channels);
  for (let y = 0; y < H; y++) {
    const { idx, w: wt } = ys[y]!;
    for (let x = 0; x < W; x++) {
      for (let c = 0; c < channels; c++) {
        let s = 0;
        for (let k = 0; k < idx.length; k++) s += mid[(idx[k]! * W + x) * channels + c]! * wt[k]!;
        out[(y * W + x) * channels + c] = s;
      }
    }
  }
  return out;
}
