/**
 * The file policy for image imports (issue #14): an IDX labels file named in the import options is read too, so a page
 * may name only one the user handed over or one under a data folder, as for the images file itself.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFilePolicy } from '../../src-main/app/file-policy';
import { tmpDir } from '../helpers/tmp';

describe('file policy: image imports', () => {
  const dir = tmpDir('residual-policy-images-');
  const data = path.join(dir, 'data');
  fs.mkdirSync(data);
  const images = path.join(data, 'train-images-idx3-ubyte.gz');
  const labels = path.join(data, 'train-labels-idx1-ubyte.gz');
  const secret = path.join(dir, 'secret-labels-idx1-ubyte');
  for (const f of [images, labels, secret]) fs.writeFileSync(f, 'x');
  const policy = createFilePolicy({ readRoots: [data] });
  const refusal = (method: 'data.preview' | 'data.import', request: unknown): string | null => {
    try {
      policy.check(method, request);
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  };

  it('allows images and labels under a data folder, and a folder of images there', () => {
    expect(refusal('data.import', { file: images, options: { labels } })).toBeNull();
    expect(refusal('data.preview', { file: data, options: { imageSize: 28 } })).toBeNull();
  });

  it('refuses a labels file the user did not hand over, naming it', () => {
    for (const method of ['data.preview', 'data.import'] as const) {
      const m = refusal(method, { file: images, options: { labels: secret } });
      expect(m).toContain(secret);
      expect(m).toMatch(/may only read files you hand it/);
    }
    policy.grant(secret);
    expect(refusal('data.import', { file: images, options: { labels: secret } })).toBeNull();
  });
});
