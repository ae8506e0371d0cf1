/**
 * Images → a dataset, whole or not at all: an IDX file (MNIST / Fashion-MNIST, gzipped or not, with an optional
 * labels file) or a folder of PNG/JPEG files (a subfolder's name is its images' label). Each image becomes one row:
 * a column per pixel (p0, p1, … row by row; p0_r, p0_g, p0_b, … in colour), scaled from 0–255 to 0–1, then `label`
 * (the labels file's class number, or the subfolder's name) and, for a folder, `file` (its path in the folder).
 * The dataset records the shape in its `encoding` (contract: imageEncoding / imageShape).
 *
 * The CSV import's steps after the read are shared: statistics column by column, roles, one write transaction that
 * a corrupt image, a truncated IDX file or a cancel rolls back.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { imageEncoding, type FilePreview, type ImageShape } from '../../contract/data';
import { ResidualError, cancelled } from '../errors';
import { DEFAULT_CHUNK_ROWS, type ProjectStore } from '../store/store';
import type { ColumnValues, ValueKind } from '../store/types';
import { SAVE, checkChunkRows, columnFacts, columnHasValue, createDataset, describeKind, inWriteTransaction, saveColumns, type ImportHooks, type ImportOptions, type ImportResult } from './import';
import type { ColumnFacts } from './infer';
import { ProgressReporter, type PhaseSpan } from './progress';
import { checkOptionColumns, resolveRoles, type ResolvedRole } from './roles';
import { numericStats, textStats } from './stats';
import { decodeImage, fromBytes, fromRgba, listImageFolder, readIdx, readIdxLabels, resizeArea, type IdxHeader, type ImageFile } from './image-source';
import { unreadable } from './reader';
import { formatTime, parseNumber } from './values';

/** A folder's images are resized to this side unless the options say otherwise. */
export const DEFAULT_IMAGE_SIZE = 28;
/** Pixel columns at most (width × height × channels): 128×128 grey, 72×72 colour. */
export const MAX_PIXEL_COLUMNS = 16_384;
/** Cells buffered per chunk (8 bytes each): wide rows get fewer rows per chunk. */
const CHUNK_CELLS = 4_194_304;
/** Images the preview reads to type the columns and infer their roles. */
const PREVIEW_SAMPLE_IMAGES = 1000;

const READ: PhaseSpan = { from: 0, to: 0.7 };

/** The pixel columns' names: p0… in grey, p0_r, p0_g, p0_b… in colour. */
export function pixelColumnNames(shape: ImageShape): string[] {
  const n = shape.width * shape.height;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    if (shape.channels === 1) out.push(`p${i}`);
    else out.push(`p${i}_r`, `p${i}_g`, `p${i}_b`);
  }
  return out;
}

function checkShape(shape: ImageShape, file: string): void {
  const cols = shape.width * shape.height * shape.channels;
  if (cols > MAX_PIXEL_COLUMNS) {
    throw new ResidualError(
      'BAD_INPUT',
      `${shape.width}×${shape.height} ${shape.channels === 1 ? 'grey' : 'colour'} images of ${file} would take ${cols.toLocaleString('en-US')} pixel columns; Residual takes ${MAX_PIXEL_COLUMNS.toLocaleString('en-US')} at most. Choose a smaller size (e.g. 28 or 64)${shape.channels === 3 ? ', or grey' : ''}.`,
      { file, field: 'imageSize' },
    );
  }
}

/** Rows per chunk: the options' chunkRows, or as many as CHUNK_CELLS allows for this width. */
function imageChunkRows(options: ImportOptions, columns: number): number {
  if (options.chunkRows !== undefined) return checkChunkRows(options.chunkRows);
  return Math.max(1, Math.min(DEFAULT_CHUNK_ROWS, Math.floor(CHUNK_CELLS / columns)));
}

/** Buffers the rows of one chunk, column by column, and writes each chunk when it is full. */
class ImageTable {
  rows = 0;
  private inChunk = 0;
  private chunkIdx = 0;
  private readonly pixels: Float64Array[];
  private readonly labelNum: Float64Array | null;
  private readonly labelText: (string | null)[] | null;
  private readonly files: (string | null)[] | null;

  constructor(
    readonly pixelColumns: number,
    readonly label: 'number' | 'text' | null,
    readonly hasFile: boolean,
    private readonly chunkRows: number,
    private readonly write: (column: number, chunkIdx: number, rowStart: number, values: ColumnValues) => void,
  ) {
    this.pixels = Array.from({ length: pixelColumns }, () => new Float64Array(chunkRows));
    this.labelNum = label === 'number' ? new Float64Array(chunkRows) : null;
    this.labelText = label === 'text' ? new Array<string | null>(chunkRows).fill(null) : null;
    this.files = hasFile ? new Array<string | null>(chunkRows).fill(null) : null;
  }

  /** One image, pixels 0–255. */
  add(pixels: Float32Array, label: number | string | null, file: string | null): void {
    const j = this.inChunk;
    for (let c = 0; c < this.pixelColumns; c++) this.pixels[c]![j] = pixels[c]! / 255;
    if (this.labelNum) this.labelNum[j] = label === null ? NaN : Number(label);
    if (this.labelText) this.labelText[j] = label === null ? null : String(label);
    if (this.files) this.files[j] = file;
    this.inChunk++;
    this.rows++;
    if (this.inChunk === this.chunkRows) this.flush();
  }

  finish(): void {
    if (this.inChunk > 0) this.flush();
  }

  private flush(): void {
    const n = this.inChunk;
    const rowStart = this.chunkIdx * this.chunkRows;
    let c = 0;
    for (; c < this.pixelColumns; c++) this.write(c, this.chunkIdx, rowStart, this.pixels[c]!.subarray(0, n));
    if (this.labelNum) this.write(c++, this.chunkIdx, rowStart, this.labelNum.subarray(0, n));
    if (this.labelText) this.write(c++, this.chunkIdx, rowStart, this.labelText.slice(0, n));
    if (this.files) this.write(c++, this.chunkIdx, rowStart, this.files.slice(0, n));
    this.chunkIdx++;
    this.inChunk = 0;
  }
}

/** What a source of images yields, whatever its format. */
interface ImageSource {
  readonly file: string;
  readonly shape: ImageShape;
  /** The images' own size, when they all share one (IDX); null for a folder. */
  readonly sourceWidth: number | null;
  readonly sourceHeight: number | null;
  /** Images there will be. */
  readonly count: number;
  /** Bytes of the source (files' sizes summed for a folder). */
  readonly size: number;
  readonly label: 'number' | 'text' | null;
  readonly hasFile: boolean;
  readonly warnings: string[];
  /**
   * Streams the images, at most `limit`: each resized to the shape, 0–255. Returns the SHA-256 of the bytes (for a
   * folder: of its files' names and bytes in order).
   */
  read(
    each: (pixels: Float32Array, label: number | string | null, file: string | null) => void,
    opts: { signal?: AbortSignal; what: string; limit?: number; onBytes?: (bytes: number) => void },
  ): Promise<string>;
}

function wantedSize(options: ImportOptions, fallback: number | null): number | null {
  return options.imageSize ?? fallback;
}

function channelsOf(header: IdxHeader, file: string): { width: number; height: number; channels: 1 | 3 } {
  const d = header.dims;
  if (d.length === 2) return { height: d[0]!, width: d[1]!, channels: 1 };
  if (d.length === 3 && (d[2] === 1 || d[2] === 3)) return { height: d[0]!, width: d[1]!, channels: d[2] };
  throw new ResidualError(
    'BAD_FILE',
    `${file} holds items of ${d.length === 0 ? 'one byte (a labels file?)' : `${d.join('×')} bytes`}, not images: an IDX images file has rows × columns (× 1 or 3 channels) per item. To import labels, give this file as the labels (--labels on the command line) beside its images file.`,
    { file },
  );
}

async function idxSource(file: string, options: ImportOptions, hooks: ImportHooks, what: string): Promise<ImageSource> {
  // The header first (a few bytes), to know the shape before the transaction starts.
  let header: IdxHeader | null = null;
  const stop = new Error('header read');
  await readIdx(file, {
    what,
    itemName: 'images',
    onHeader: (h) => {
      header = h;
      throw stop;
    },
    onItem: () => undefined,
  }).catch((e: unknown) => {
    if (e !== stop) throw e;
  });
  const h = header as IdxHeader | null;
  if (!h) throw new ResidualError('BAD_FILE', `${file} has no IDX header.`, { file });
  const own = channelsOf(h, file);
  const side = wantedSize(options, null);
  const channels: 1 | 3 = options.imageColour === true ? 3 : options.imageColour === false ? 1 : own.channels;
  const shape: ImageShape = { source: 'idx', width: side ?? own.width, height: side ?? own.height, channels };
  checkShape(shape, file);
  let labels: Uint8Array | null = null;
  if (options.labels !== undefined) {
    const labelsFile = path.resolve(options.labels);
    labels = await readIdxLabels(labelsFile, hooks.signal, what);
    if (labels.length !== h.count) {
      throw new ResidualError(
        'BAD_INPUT',
        `${labelsFile} holds ${labels.length.toLocaleString('en-US')} labels but ${file} holds ${h.count.toLocaleString('en-US')} images: they do not belong together. Pass the labels file that comes with these images (train with train, t10k with t10k).`,
        { file: labelsFile, field: 'labels' },
      );
    }
  }
  const size = (await fs.promises.stat(file)).size;
  const pixels = own.width * own.height;
  return {
    file,
    shape,
    sourceWidth: own.width,
    sourceHeight: own.height,
    count: h.count,
    size,
    label: labels ? 'number' : null,
    hasFile: false,
    warnings: [],
    async read(each, opts) {
      const limit = opts.limit ?? Infinity;
      let done = false;
      const enough = new Error('enough');
      const { sha256 } = await readIdx(file, {
        signal: opts.signal,
        what: opts.what,
        itemName: 'images',
        onHeader: () => undefined,
        onItem: (item, i) => {
          if (i >= limit) {
            done = true;
            throw enough;
          }
          const px = resizeArea(fromBytes(item, pixels, own.channels, channels), own.width, own.height, channels, shape.width, shape.height);
          each(px, labels ? labels[i]! : null, null);
        },
        onBytes: opts.onBytes,
      }).catch((e: unknown) => {
        if (e === enough && done) return { sha256: '' };
        throw e;
      });
      return sha256;
    },
  };
}

async function folderSource(folder: string, options: ImportOptions): Promise<ImageSource> {
  const { files, skipped } = await listImageFolder(folder);
  if (files.length === 0) {
    throw new ResidualError(
      'BAD_FILE',
      `${folder} is a folder, not a file, and holds no PNG or JPEG images (files named .png, .jpg or .jpeg, in it or in its subfolders)${skipped.length > 0 ? `; it holds ${skipped.slice(0, 5).join(', ')}${skipped.length > 5 ? ', …' : ''}` : ''}. Choose a CSV, TSV, Parquet or IDX file, or a folder of images.`,
      { file: folder },
    );
  }
  const side = wantedSize(options, DEFAULT_IMAGE_SIZE)!;
  const shape: ImageShape = { source: 'images', width: side, height: side, channels: options.imageColour === true ? 3 : 1 };
  checkShape(shape, folder);
  const labelled = files.some((f) => f.label !== null);
  const warnings: string[] = [];
  if (skipped.length > 0) {
    warnings.push(`${skipped.length.toLocaleString('en-US')} file${skipped.length === 1 ? ' that is' : 's that are'} not PNG or JPEG ${skipped.length === 1 ? 'was' : 'were'} left out (${skipped.slice(0, 3).join(', ')}${skipped.length > 3 ? ', …' : ''}).`);
  }
  const top = files.filter((f) => f.label === null).length;
  if (labelled && top > 0) warnings.push(`${top.toLocaleString('en-US')} image${top === 1 ? ' is' : 's are'} directly in the folder, not in a subfolder, so ${top === 1 ? 'its' : 'their'} label is missing.`);
  return {
    file: folder,
    shape,
    sourceWidth: null,
    sourceHeight: null,
    count: files.length,
    size: files.reduce((s, f) => s + f.bytes, 0),
    label: labelled ? 'text' : null,
    hasFile: true,
    warnings,
    async read(each, opts) {
      const hash = createHash('sha256');
      let bytes = 0;
      const take: ImageFile[] = opts.limit === undefined ? files : files.slice(0, opts.limit);
      for (const f of take) {
        if (opts.signal?.aborted) throw cancelled(opts.what);
        const buf = await fs.promises.readFile(f.path).catch((e: NodeJS.ErrnoException) => {
          throw unreadable(f.path, e);
        });
        hash.update(f.relative).update('\0').update(buf);
        const img = decodeImage(f.path, buf);
        const px = resizeArea(fromRgba(img, shape.channels), img.width, img.height, shape.channels, shape.width, shape.height);
        each(px, f.label, f.relative);
        bytes += f.bytes;
        opts.onBytes?.(bytes);
      }
      return hash.digest('hex');
    },
  };
}

async function openSource(file: string, options: ImportOptions, hooks: ImportHooks, what: string): Promise<ImageSource> {
  const stat = await fs.promises.stat(file).catch((e: NodeJS.ErrnoException) => {
    throw unreadable(file, e);
  });
  if (stat.isDirectory()) {
    if (options.labels !== undefined) {
      throw new ResidualError('BAD_INPUT', `A labels file goes with an IDX images file; the images of the folder ${file} take their labels from their subfolders' names. Leave out the labels file.`, { file, field: 'labels' });
    }
    return folderSource(file, options);
  }
  return idxSource(file, options, hooks, what);
}

function headerOf(src: ImageSource): string[] {
  const header = pixelColumnNames(src.shape);
  if (src.label) header.push('label');
  if (src.hasFile) header.push('file');
  return header;
}

function kindsOf(src: ImageSource): ValueKind[] {
  const kinds: ValueKind[] = new Array<ValueKind>(src.shape.width * src.shape.height * src.shape.channels).fill('number');
  if (src.label) kinds.push(src.label);
  if (src.hasFile) kinds.push('text');
  return kinds;
}

function noFeature(file: string, facts: readonly ColumnFacts[], roles: readonly ResolvedRole[]): ResidualError {
  const pixels = roles.filter((_, i) => facts[i]!.name.startsWith('p'));
  const constant = pixels.filter((r) => r.role === 'ignored').length;
  const byOptions = roles.some((r) => r.inferredRole === 'numeric' && r.role !== 'numeric');
  const hint = byOptions ? 'The import options took every pixel out; keep some as features.' : `${constant.toLocaleString('en-US')} pixel columns are constant across the images (every image is the same), so there is nothing to tell them apart.`;
  const found = facts.slice(-3).map((f) => `"${f.name}" (${describeKind(f.kind)})`).join(', ');
  return new ResidualError('BAD_INPUT', `${file} has no pixel that varies between images, so there is nothing to train on (last columns: ${found}). ${hint}`, { file });
}

export async function importImages(store: ProjectStore, file: string, options: ImportOptions = {}, hooks: ImportHooks = {}): Promise<ImportResult> {
  const started = performance.now();
  const abs = path.resolve(file);
  const what = `Import of ${path.basename(abs)}`;
  const src = await openSource(abs, options, hooks, what);
  const header = headerOf(src);
  checkOptionColumns(header, options, src.file);
  if (hooks.signal?.aborted) throw cancelled(what);
  const chunkRows = imageChunkRows(options, header.length);
  const progress = new ProgressReporter(src.size, hooks.onProgress);
  const kinds = kindsOf(src);

  const done = await inWriteTransaction(
    store,
    async () => {
      const datasetId = createDataset(store, { file: src.file, size: src.size, encoding: imageEncoding(src.shape), delimiter: '', decimalComma: false, header }, options, hooks, chunkRows);
      const pixelColumns = src.shape.width * src.shape.height * src.shape.channels;
      const table = new ImageTable(pixelColumns, src.label, src.hasFile, chunkRows, store.chunkWriter(datasetId));
      const sha256 = await src.read((px, label, f) => table.add(px, label, f), {
        signal: hooks.signal,
        what,
        onBytes: (bytes) => progress.report('reading', READ, bytes / Math.max(1, src.size), bytes, table.rows),
      });
      table.finish();
      if (table.rows === 0) throw new ResidualError('BAD_FILE', `${src.file} has nothing to import: it holds no images.`, { file: src.file });
      const facts = await columnFacts(store, datasetId, header, kinds, table.rows, { progress, span: { from: READ.to, to: SAVE.from }, bytes: src.size, signal: hooks.signal, what });
      const { roles, warnings } = resolveRoles(facts, options, {
        file: src.file,
        rowCount: table.rows,
        hasValue: (idx, value) => columnHasValue(store, datasetId, idx, facts[idx]!.kind, value),
      });
      if (!roles.some((r) => r.role === 'numeric')) throw noFeature(src.file, facts, roles);
      progress.report('saving', SAVE, 0, src.size, table.rows);
      if (hooks.signal?.aborted) throw cancelled(what);
      saveColumns(store, datasetId, facts, roles, table.rows, 0, sha256);
      return { datasetId, rows: table.rows, warnings: [...src.warnings, ...warnings] };
    },
    (e) => e,
  );
  progress.report('saving', SAVE, 1, src.size, done.rows, true);
  const seconds = (performance.now() - started) / 1000;
  return {
    dataset: store.getDataset(done.datasetId),
    skippedRows: 0,
    skippedLines: [],
    warnings: done.warnings,
    seconds,
    rowsPerSecond: seconds > 0 ? done.rows / seconds : 0,
  };
}

/** The import dialog's preview of images: the first `maxRows` rows, and the roles inferred from the first images. */
export async function previewImages(file: string, options: { maxRows: number } & ImportOptions): Promise<FilePreview> {
  const abs = path.resolve(file);
  const what = `Preview of ${path.basename(abs)}`;
  const src = await openSource(abs, options, {}, what);
  const header = headerOf(src);
  checkOptionColumns(header, options, src.file);
  const kinds = kindsOf(src);
  const chunks: ColumnValues[][] = header.map(() => []);
  const pixelColumns = src.shape.width * src.shape.height * src.shape.channels;
  const sample = Math.max(options.maxRows, Math.min(PREVIEW_SAMPLE_IMAGES, src.count));
  const table = new ImageTable(pixelColumns, src.label, src.hasFile, Math.max(1, sample), (c, _i, _r, v) => {
    chunks[c]!.push(v instanceof Float64Array ? v.slice() : v.slice());
  });
  await src.read((px, label, f) => table.add(px, label, f), { what, limit: sample });
  table.finish();
  const facts: ColumnFacts[] = header.map((name, idx) => {
    const kind = kinds[idx]!;
    const cs = chunks[idx]!;
    const stats = kind === 'text' ? textStats(cs as (string | null)[][]) : numericStats(cs as Float64Array[], table.rows, kind === 'time' ? formatTime : String);
    return { name, kind, stats };
  });
  const hasValue = (idx: number, value: string): boolean => {
    const target = facts[idx]!.kind === 'text' ? value : parseNumber(value, false);
    return chunks[idx]!.some((c) => (c as ArrayLike<unknown> & { includes(v: unknown): boolean }).includes(target));
  };
  const { roles, warnings } = resolveRoles(facts, options, { file: src.file, rowCount: table.rows, hasValue, lenient: true });
  const shown = (v: ColumnValues, j: number): string => {
    const x = v[j];
    if (x === null || x === undefined) return '';
    return typeof x === 'number' ? (x !== x ? '' : String(Math.round(x * 10_000) / 10_000)) : x;
  };
  const rows: string[][] = [];
  for (let j = 0; j < Math.min(options.maxRows, table.rows); j++) rows.push(header.map((_, c) => shown(chunks[c]![0]!, j)));
  if (table.rows > 0 && !roles.some((r) => r.role === 'numeric')) warnings.push('No pixel varies between the first images, so there would be nothing to train on.');
  return {
    file: src.file,
    format: src.shape.source,
    encoding: imageEncoding(src.shape),
    delimiter: '',
    decimalComma: false,
    header,
    rows,
    columns: header.map((name, i) => ({ name, valueKind: facts[i]!.kind, role: roles[i]!.role, roleReason: roles[i]!.roleReason, positiveValue: roles[i]!.positiveValue })),
    warnings: [...src.warnings, ...warnings],
    images: { shape: src.shape, count: src.count, sourceWidth: src.sourceWidth, sourceHeight: src.sourceHeight },
  };
}
