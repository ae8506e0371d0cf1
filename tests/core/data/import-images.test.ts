/**
 * Image datasets (issue #14, deliverable 1): IDX files written from Debian's dataset-fashion-mnist (gzipped or not,
 * with their labels) and folders of PNG/JPEG files written here with pngjs and jpeg-js import one row per image, a
 * column per pixel scaled to 0–1; the shape is recorded on the dataset; a truncated IDX file or a corrupt image is
 * refused naming the file, and nothing is left behind.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { imageShape, sourceFormat } from '../../../src-main/contract/data';
import { importDataset, previewFile, type ImportProgress } from '../../../src-main/core/data';
import { ResidualError } from '../../../src-main/core/errors';
import type { ProjectStore } from '../../../src-main/core/store';
import type { DatasetInfo } from '../../../src-main/core/store/types';
import { FASHION_MNIST_SKIP, hasFashionMnist, imageAt, readFashionMnist, writeIdxPair } from '../../helpers/idx';
import { tmpDir } from '../../helpers/tmp';
import { fixture, freshStore, tableCounts } from './reference';

const dir = tmpDir('residual-images-');
const N = 120;

/** Every stored value of a column, in row order. */
function stored(store: ProjectStore, ds: DatasetInfo, name: string): unknown[] {
  const c = ds.columns.find((x) => x.name === name);
  if (!c) throw new Error(`no column ${name}`);
  const out: unknown[] = [];
  for (const { values } of store.iterateColumn(ds.id, c.idx, c.storage)) out.push(...Array.from(values as ArrayLike<unknown>));
  return out;
}

/** Row `row`'s pixel values, in column order. */
function pixelsOf(store: ProjectStore, ds: DatasetInfo, row: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => stored(store, ds, `p${i}`)[row] as number);
}

async function refusal(p: Promise<unknown>): Promise<ResidualError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ResidualError) return e;
    throw e;
  }
  throw new Error('expected the import to be refused');
}

describe.skipIf(!hasFashionMnist())('IDX files from Fashion-MNIST', () => {
  const fashion = hasFashionMnist() ? readFashionMnist('t10k') : null;
  const images = fashion ? Array.from({ length: N }, (_, i) => imageAt(fashion, i)) : [];
  const labels = fashion ? Array.from(fashion.labels.subarray(0, N)) : [];
  const plain = writeIdxPair(dir, 'plain', images, labels, 28, 28, false);
  const gz = writeIdxPair(dir, 'gz', images, labels, 28, 28, true);
  const store = freshStore(dir);
  afterAll(() => store.close());

  it('imports the first images: a row per image, p0…p783 scaled to 0–1, the labels, the shape on the dataset', async () => {
    const progress: ImportProgress[] = [];
    const r = await importDataset(store, plain.images, { labels: plain.labels }, { onProgress: (p) => progress.push(p) });
    const ds = r.dataset;
    expect(ds.rowCount).toBe(N);
    expect(ds.columns.map((c) => c.name)).toEqual([...Array.from({ length: 784 }, (_, i) => `p${i}`), 'label']);
    expect(imageShape(ds)).toEqual({ source: 'idx', width: 28, height: 28, channels: 1 });
    expect(sourceFormat(ds)).toBe('idx');
    expect(ds.sourceSha256).toBe(createHash('sha256').update(fs.readFileSync(plain.images)).digest('hex'));
    for (const row of [0, 1, N - 1]) expect(pixelsOf(store, ds, row, 784)).toEqual(Array.from(images[row]!, (b) => b / 255));
    expect(stored(store, ds, 'label')).toEqual(labels);
    // Ten classes, none obviously the anomaly: kept out of the features until the analyst says which class is.
    expect(ds.columns.find((c) => c.name === 'label')!.role).toBe('ignored');
    // A corner pixel that is black in every image is constant, so not a feature; most pixels are.
    expect(ds.columns.filter((c) => c.role === 'numeric').length).toBeGreaterThan(600);
    expect(progress.at(-1)!.fraction).toBe(1);
    expect(progress.some((p) => p.phase === 'reading')).toBe(true);
  });

  it('reads the gzipped files to the same values', async () => {
    const a = (await importDataset(store, plain.images, { labels: plain.labels, name: 'a' })).dataset;
    const b = (await importDataset(store, gz.images, { labels: gz.labels, name: 'b' })).dataset;
    for (const col of ['p0', 'p300', 'p407', 'p783', 'label']) expect(stored(store, b, col)).toEqual(stored(store, a, col));
    expect(b.sourceSha256).toBe(createHash('sha256').update(fs.readFileSync(gz.images)).digest('hex'));
  });

  it('resizes to the chosen size by averaging: 14×14 pixels are the means of 2×2 blocks', async () => {
    const ds = (await importDataset(store, gz.images, { imageSize: 14, name: 'small' })).dataset;
    expect(imageShape(ds)).toMatchObject({ width: 14, height: 14, channels: 1 });
    expect(ds.columns.length).toBe(196);
    const img = images[3]!;
    const want = Array.from({ length: 196 }, (_, k) => {
      const y = Math.floor(k / 14);
      const x = k % 14;
      return (img[2 * y * 28 + 2 * x]! + img[2 * y * 28 + 2 * x + 1]! + img[(2 * y + 1) * 28 + 2 * x]! + img[(2 * y + 1) * 28 + 2 * x + 1]!) / 4 / 255;
    });
    const got = pixelsOf(store, ds, 3, 196);
    got.forEach((v, k) => expect(v).toBeCloseTo(want[k]!, 6));
  });

  it('previews the first images with the roles an import would give', async () => {
    const p = await previewFile(gz.images, { labels: gz.labels, maxRows: 5 });
    expect(p.format).toBe('idx');
    expect(p.images).toEqual({ shape: { source: 'idx', width: 28, height: 28, channels: 1 }, count: N, sourceWidth: 28, sourceHeight: 28 });
    expect(p.rows).toHaveLength(5);
    expect(p.rows[2]![784]).toBe(String(labels[2]));
    expect(Number(p.rows[0]![400])).toBeCloseTo(images[0]![400]! / 255, 4);
  });

  it('refuses a truncated IDX file naming it, gzipped or not, and leaves nothing behind', async () => {
    const fresh = freshStore(dir);
    try {
      const whole = fs.readFileSync(plain.images);
      const cut = path.join(dir, 'cut-images-idx3-ubyte');
      fs.writeFileSync(cut, whole.subarray(0, whole.length - 500));
      const e = await refusal(importDataset(fresh, cut));
      expect(e.code).toBe('BAD_FILE');
      expect(e.message).toContain(cut);
      expect(e.message).toMatch(/truncated.*promises 120 images.*ends after 119/);
      const cutGz = path.join(dir, 'cut-images-idx3-ubyte.gz');
      const zipped = fs.readFileSync(gz.images);
      fs.writeFileSync(cutGz, zipped.subarray(0, Math.floor(zipped.length / 2)));
      const g = await refusal(importDataset(fresh, cutGz));
      expect(g.code).toBe('BAD_FILE');
      expect(g.message).toContain(cutGz);
      expect(tableCounts(fresh)).toEqual({ datasets: 0, columns: 0, chunks: 0 });
    } finally {
      fresh.close();
    }
  });

  it('refuses labels that do not match the images, and a labels file given as the images, naming the file', async () => {
    const other = writeIdxPair(dir, 'other', images.slice(0, 10), labels.slice(0, 10), 28, 28, false);
    const e = await refusal(importDataset(store, plain.images, { labels: other.labels }));
    expect(e.message).toContain(other.labels);
    expect(e.message).toMatch(/10 labels but .* holds 120 images/);
    const l = await refusal(importDataset(store, plain.labels));
    expect(l.message).toContain(plain.labels);
    expect(l.message).toMatch(/not images/);
  });

  it('is cancelled on request with nothing left behind', async () => {
    const fresh = freshStore(dir);
    try {
      const ac = new AbortController();
      const e = await refusal(importDataset(fresh, gz.images, { labels: gz.labels }, { signal: ac.signal, onProgress: () => ac.abort() }));
      expect(e.code).toBe('CANCELLED');
      expect(tableCounts(fresh)).toEqual({ datasets: 0, columns: 0, chunks: 0 });
    } finally {
      fresh.close();
    }
  });
});

if (!hasFashionMnist()) {
  describe('IDX files from Fashion-MNIST', () => {
    it.skip(FASHION_MNIST_SKIP, () => undefined);
  });
}

/** A w×h PNG of one colour (RGBA). */
function png(w: number, h: number, rgba: readonly [number, number, number, number], at?: (x: number, y: number) => [number, number, number, number]): Buffer {
  const img = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const c = at ? at(x, y) : rgba;
      img.data.set(c, 4 * (y * w + x));
    }
  }
  return PNG.sync.write(img);
}

describe('a folder of PNG and JPEG images', () => {
  const folder = path.join(dir, 'parts');
  fs.mkdirSync(path.join(folder, 'good'), { recursive: true });
  fs.mkdirSync(path.join(folder, 'scratched'), { recursive: true });
  // Grey levels 40, 80, 120 in "good"; a left-white, right-black image and a red one in "scratched".
  [40, 80, 120].forEach((g, i) => fs.writeFileSync(path.join(folder, 'good', `g${i}.png`), png(10, 6, [g, g, g, 255])));
  fs.writeFileSync(path.join(folder, 'scratched', 'half.png'), png(8, 8, [0, 0, 0, 255], (x) => (x < 4 ? [255, 255, 255, 255] : [0, 0, 0, 255])));
  fs.writeFileSync(path.join(folder, 'scratched', 'red.png'), png(5, 5, [255, 0, 0, 255]));
  const jpg = jpeg.encode({ width: 16, height: 16, data: Buffer.alloc(16 * 16 * 4, 200) }, 95).data;
  fs.writeFileSync(path.join(folder, 'scratched', 'grey.jpg'), jpg);
  fs.writeFileSync(path.join(folder, 'notes.txt'), 'not an image');
  const store = freshStore(dir);
  afterAll(() => store.close());

  it('imports every image resized to the chosen size in grey, the subfolder as label and the file as id', async () => {
    const r = await importDataset(store, folder, { imageSize: 4 });
    const ds = r.dataset;
    expect(imageShape(ds)).toEqual({ source: 'images', width: 4, height: 4, channels: 1 });
    expect(ds.rowCount).toBe(6);
    expect(ds.columns.map((c) => c.name).slice(-2)).toEqual(['label', 'file']);
    expect(stored(store, ds, 'file')).toEqual(['good/g0.png', 'good/g1.png', 'good/g2.png', 'scratched/grey.jpg', 'scratched/half.png', 'scratched/red.png']);
    expect(stored(store, ds, 'label')).toEqual(['good', 'good', 'good', 'scratched', 'scratched', 'scratched']);
    expect(ds.columns.find((c) => c.name === 'file')!.role).toBe('id');
    const px = (row: number) => pixelsOf(store, ds, row, 16);
    for (const [row, g] of [[0, 40], [1, 80], [2, 120]] as const) for (const v of px(row)) expect(v).toBeCloseTo((0.299 * g + 0.587 * g + 0.114 * g) / 255, 6);
    // A JPEG is lossy: a flat grey of 200 decodes to within a few levels of it.
    for (const v of px(3)) expect(Math.abs(v * 255 - 200)).toBeLessThan(4);
    expect(px(4)).toEqual(Array.from({ length: 16 }, (_, k) => (k % 4 < 2 ? 1 : 0)));
    for (const v of px(5)) expect(v).toBeCloseTo(0.299, 6);
    expect(r.warnings.join(' ')).toContain('notes.txt');
  });

  it('keeps colour when asked, three columns a pixel, and defaults to 28×28', async () => {
    const ds = (await importDataset(store, folder, { imageColour: true, imageSize: 2, name: 'colour' })).dataset;
    expect(imageShape(ds)).toMatchObject({ width: 2, height: 2, channels: 3 });
    expect(ds.columns.map((c) => c.name).slice(0, 4)).toEqual(['p0_r', 'p0_g', 'p0_b', 'p1_r']);
    expect([stored(store, ds, 'p3_r')[5], stored(store, ds, 'p3_g')[5], stored(store, ds, 'p3_b')[5]]).toEqual([1, 0, 0]);
    const p = await previewFile(folder, { maxRows: 2 });
    expect(p.format).toBe('images');
    expect(p.images!.shape).toEqual({ source: 'images', width: 28, height: 28, channels: 1 });
    expect(p.header).toHaveLength(28 * 28 + 2);
  });

  it('refuses a corrupt PNG naming it, and leaves nothing behind', async () => {
    const bad = path.join(dir, 'bad-folder');
    fs.mkdirSync(path.join(bad, 'a'), { recursive: true });
    fs.writeFileSync(path.join(bad, 'a', 'ok.png'), png(4, 4, [9, 9, 9, 255]));
    const whole = png(4, 4, [50, 60, 70, 255]);
    const corrupt = path.join(bad, 'a', 'broken.png');
    // The PNG signature and header, then garbage where the image data should be.
    fs.writeFileSync(corrupt, Buffer.concat([whole.subarray(0, 33), Buffer.from('this is not compressed image data at all')]));
    const fresh = freshStore(dir);
    try {
      const e = await refusal(importDataset(fresh, bad));
      expect(e.code).toBe('BAD_FILE');
      expect(e.message).toContain(corrupt);
      expect(e.message).toMatch(/not a readable PNG image/);
      fs.writeFileSync(corrupt, 'plain text named .png');
      const t = await refusal(importDataset(fresh, bad));
      expect(t.message).toContain(corrupt);
      expect(t.message).toMatch(/does not start like a PNG or JPEG/);
      expect(tableCounts(fresh)).toEqual({ datasets: 0, columns: 0, chunks: 0 });
    } finally {
      fresh.close();
    }
  });

  it('refuses image options for a table rather than ignore them', async () => {
    const csv = fixture('glass.csv');
    for (const options of [{ imageSize: 28 }, { labels: '/x/labels-idx1-ubyte' }]) {
      const e = await refusal(importDataset(store, csv, options));
      expect(e.code).toBe('BAD_INPUT');
      expect(e.message).toMatch(/glass\.csv is a table, not images .* Leave those options out/);
      await expect(previewFile(csv, options)).rejects.toThrow(/is a table, not images/);
    }
  });

  it('refuses a size that makes too many columns, saying what to do', async () => {
    const e = await refusal(importDataset(store, folder, { imageSize: 200 }));
    expect(e.message).toMatch(/40,000 pixel columns.*Choose a smaller size/);
  });
});
