/**
 * IDX files for the image tests: Debian's dataset-fashion-mnist read whole (gunzipped in memory), and small IDX
 * files written from its first images, gzipped or not.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_SKIP = `Debian's dataset-fashion-mnist is not installed (no ${FASHION_MNIST_DIR}): run "sudo apt-get install dataset-fashion-mnist" to run these tests.`;

export function hasFashionMnist(): boolean {
  return fs.existsSync(path.join(FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz'));
}

export interface IdxImages {
  count: number;
  rows: number;
  cols: number;
  /** count × rows × cols bytes. */
  pixels: Uint8Array;
  labels: Uint8Array;
}

/** The t10k (10,000) or train (60,000) images and labels, parsed here independently of the importer. */
export function readFashionMnist(set: 't10k' | 'train'): IdxImages {
  const images = zlib.gunzipSync(fs.readFileSync(path.join(FASHION_MNIST_DIR, `${set}-images-idx3-ubyte.gz`)));
  const labels = zlib.gunzipSync(fs.readFileSync(path.join(FASHION_MNIST_DIR, `${set}-labels-idx1-ubyte.gz`)));
  if (images.readUInt32BE(0) !== 0x803 || labels.readUInt32BE(0) !== 0x801) throw new Error('unexpected IDX magic in dataset-fashion-mnist');
  const count = images.readUInt32BE(4);
  return { count, rows: images.readUInt32BE(8), cols: images.readUInt32BE(12), pixels: images.subarray(16), labels: labels.subarray(8) };
}

/** One image's bytes. */
export function imageAt(set: IdxImages, i: number): Uint8Array {
  const n = set.rows * set.cols;
  return set.pixels.subarray(i * n, (i + 1) * n);
}

/** An IDX file of unsigned bytes: `dims` after the count, the items' bytes in order. */
export function idxBytes(items: readonly Uint8Array[], dims: readonly number[]): Buffer {
  const head = Buffer.alloc(4 + 4 * (dims.length + 1));
  head.writeUInt32BE(0x800 + dims.length + 1, 0);
  head.writeUInt32BE(items.length, 4);
  dims.forEach((d, i) => head.writeUInt32BE(d, 8 + 4 * i));
  return Buffer.concat([head, ...items]);
}

/** Writes images (rows × cols) and, beside them, their labels; `.gz` names are gzipped. Returns the two paths. */
export function writeIdxPair(dir: string, base: string, images: readonly Uint8Array[], labels: readonly number[], rows: number, cols: number, gz: boolean): { images: string; labels: string } {
  const ext = gz ? '.gz' : '';
  const files = { images: path.join(dir, `${base}-images-idx3-ubyte${ext}`), labels: path.join(dir, `${base}-labels-idx1-ubyte${ext}`) };
  const img = idxBytes(images, [rows, cols]);
  const lab = idxBytes(labels.map((l) => Uint8Array.of(l)), []);
  fs.writeFileSync(files.images, gz ? zlib.gzipSync(img) : img);
  fs.writeFileSync(files.labels, gz ? zlib.gzipSync(lab) : lab);
  return files;
}
