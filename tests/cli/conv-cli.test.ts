import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli';
import { hasFashionMnist, imageAt, readFashionMnist, writeIdxPair, FASHION_MNIST_SKIP } from '../helpers/idx';
import { tmpDir } from '../helpers/tmp';

/**
 * The convolutional autoencoder from the command line (main() in process): residual train --kind conv --filters on an
 * image dataset, its path and settings, residual models listing its filters, scoring; a bad --filters and a table
 * refused, naming what is wrong.
 */

const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures');
const dir = tmpDir();

describe.skipIf(!hasFashionMnist())('residual train --kind conv', () => {
  it('trains on TensorFlow.js with the filters given, lists them, scores; refuses bad filters and a table', async () => {
    const fashion = readFashionMnist('t10k');
    const files = writeIdxPair(dir, 'few', Array.from({ length: 80 }, (_, i) => imageAt(fashion, i)), Array.from(fashion.labels.subarray(0, 80)), 28, 28, true);
    const project = path.join(dir, 'conv.residual');
    expect((await cli('import', files.images, '--project', project, '--labels', files.labels)).code).toBe(0);

    const trained = await cli('train', '--project', project, '--kind', 'conv', '--filters', '8,4', '--epochs', '2', '--json');
    expect(trained.code, trained.err).toBe(0);
    const t = JSON.parse(trained.out) as { path: string; pathReason: string; settings: { kind: string; filters: number[]; loss: string } };
    expect([t.settings.kind, t.settings.filters, t.settings.loss, t.path]).toEqual(['conv', [8, 4], 'bce', 'tfjs']);
    expect(t.pathReason).toMatch(/convolutions run on TensorFlow.js/);

    const models = await cli('models', '--project', project, '--json');
    const listed = JSON.parse(models.out).models as { kind: string; architecture: string; settings: Record<string, unknown> }[];
    expect(listed[0]).toMatchObject({ kind: 'conv', settings: { filters: [8, 4] } });
    expect(listed[0]!.architecture).toContain('28×28×1 → conv 8-4 → 7×7×4 code (196)');
    const score = await cli('score', '--project', project);
    expect(score.code, score.err).toBe(0);

    const bad = await cli('train', '--project', project, '--kind', 'conv', '--filters', '8,x');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--filters takes the convolutional encoder's filter counts .* got "8,x"/);

    expect((await cli('import', path.join(FIXTURES, 'ionosphere.csv'), '--project', project, '--label', 'Class', '--positive', 'bad')).code).toBe(0);
    const table = await cli('train', '--project', project, '--dataset', 'ionosphere', '--kind', 'conv');
    expect(table.code).toBe(2);
    expect(table.err).toMatch(/kind conv.*needs an image dataset.*"ionosphere" is a table/);
  });
});

if (!hasFashionMnist()) {
  describe('residual train --kind conv', () => {
    it.skip(FASHION_MNIST_SKIP, () => undefined);
  });
}
