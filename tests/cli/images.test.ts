/**
 * Images from the command line (issue #14): `residual import` of an IDX file with `--labels` and `--size`, and of a
 * folder of PNG files, through the contract's data.import; `residual info` shows the shape; a bad `--size` and a
 * truncated file exit 2 with a message naming what to fix.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { importOptionsSchema } from '../../src-main/contract';
import { cli } from '../helpers/cli';
import { FASHION_MNIST_SKIP, hasFashionMnist, imageAt, readFashionMnist, writeIdxPair } from '../helpers/idx';
import { tmpDir } from '../helpers/tmp';

const dir = tmpDir('residual-cli-images-');

describe('the contract takes the image options', () => {
  it('labels, imageSize and imageColour pass importOptionsSchema; a size of 0 does not', () => {
    expect(importOptionsSchema.parse({ labels: '/x/labels.idx.gz', imageSize: 28, imageColour: true })).toEqual({ labels: '/x/labels.idx.gz', imageSize: 28, imageColour: true });
    expect(importOptionsSchema.safeParse({ imageSize: 0 }).success).toBe(false);
  });
});

describe.skipIf(!hasFashionMnist())('residual import of an IDX file', () => {
  const fashion = hasFashionMnist() ? readFashionMnist('t10k') : null;
  const n = 50;
  const files = fashion
    ? writeIdxPair(dir, 'few', Array.from({ length: n }, (_, i) => imageAt(fashion, i)), Array.from(fashion.labels.subarray(0, n)), 28, 28, true)
    : { images: '', labels: '' };
  const project = path.join(dir, 'few.residual');

  it('imports with --labels and --size, shows the shape, and info shows it too', async () => {
    const r = await cli('import', files.images, '--project', project, '--labels', files.labels, '--size', '14');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^Imported 50 rows × 197 columns from .*few-images-idx3-ubyte\.gz into dataset ".*" \(14×14 grey images \(IDX\), pixels scaled to 0–1\)/);
    expect(r.out).toMatch(/196 pixel columns: \d+ features, \d+ left out/);
    expect(r.out).toMatch(/label\s+ignored\s+number/);
    const info = await cli('info', '--project', project);
    expect(info.out).toMatch(/14×14 grey images \(IDX\)/);
  });

  it('a bad --size, and a truncated file, exit 2 naming the problem', async () => {
    const size = await cli('import', files.images, '--project', project, '--size', 'big');
    expect(size.code).toBe(2);
    expect(size.err).toMatch(/--size takes the side images are resized to/);
    const cut = path.join(dir, 'cut-images-idx3-ubyte');
    const whole = zlib.gunzipSync(fs.readFileSync(files.images));
    fs.writeFileSync(cut, whole.subarray(0, 3000));
    const r = await cli('import', cut, '--project', project, '--json');
    expect(r.code).toBe(2);
    const error = (JSON.parse(r.out) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('BAD_FILE');
    expect(error.message).toContain(cut);
    expect(error.message).toMatch(/truncated/);
  });
});

if (!hasFashionMnist()) {
  describe('residual import of an IDX file', () => {
    it.skip(FASHION_MNIST_SKIP, () => undefined);
  });
}

describe('residual import of a folder of PNG files', () => {
  it('imports 28×28 grey by default, the subfolders as labels', async () => {
    const folder = path.join(dir, 'shapes');
    for (const [label, level] of [['dark', 30], ['light', 220]] as const) {
      fs.mkdirSync(path.join(folder, label), { recursive: true });
      for (let i = 0; i < 3; i++) {
        const img = new PNG({ width: 12, height: 12 });
        for (let p = 0; p < 144; p++) img.data.set([level + i, level, level - i, 255], 4 * p);
        fs.writeFileSync(path.join(folder, label, `${i}.png`), PNG.sync.write(img));
      }
    }
    const r = await cli('import', folder, '--project', path.join(dir, 'shapes.residual'));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^Imported 6 rows × 786 columns .* \(28×28 grey images \(PNG\/JPEG folder\), pixels scaled to 0–1\)/);
    expect(r.out).toMatch(/file\s+id\s+text/);
  });
});
