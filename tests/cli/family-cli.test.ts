import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pdfText } from '../core/report/poppler';
import { cli } from '../helpers/cli';
import { tmpDir } from '../helpers/tmp';

/**
 * The adversarial and Wasserstein autoencoders from the command line (main() in process): residual train --kind aae|wae
 * with their own flags, residual models listing them with their path and settings, score, top, and the report's model
 * card describing the kind.
 */

const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures');
const dir = tmpDir();

describe('residual train --kind aae|wae', () => {
  it('trains each on its path (AAE TensorFlow.js, WAE the fused kernel), lists, scores, ranks and reports it', async () => {
    const project = path.join(dir, 'family.residual');
    const imported = await cli('import', path.join(FIXTURES, 'ionosphere.csv'), '--project', project, '--label', 'Class', '--positive', 'bad');
    expect(imported.code, imported.err).toBe(0);

    const aae = await cli('train', '--project', project, '--kind', 'aae', '--score-with-prior', '--epochs', '3', '--layers', '8,3', '--json');
    expect(aae.code, aae.err).toBe(0);
    const a = JSON.parse(aae.out) as { modelId: number; path: string; pathReason: string; settings: { kind: string; scoreWithPrior: boolean } };
    expect([a.settings.kind, a.settings.scoreWithPrior, a.path]).toEqual(['aae', true, 'tfjs']);
    expect(a.pathReason).toMatch(/adversarial training/);

    const wae = await cli('train', '--project', project, '--kind', 'wae', '--mmd-lambda', '2.5', '--epochs', '3', '--layers', '8,3');
    expect(wae.code, wae.err).toBe(0);
    expect(wae.out).toMatch(/trained on wasm \(wasm-fused: faster than tfjs on the wasm backend; the MMD in the kernel; 1 thread\)/);
    const badLambda = await cli('train', '--project', project, '--kind', 'wae', '--mmd-lambda', '-1');
    expect(badLambda.code).toBe(2);
    expect(badLambda.err).toMatch(/mmd-lambda/);

    const models = await cli('models', '--project', project, '--json');
    const listed = JSON.parse(models.out).models as { id: number; kind: string; path: string; architecture: string; settings: Record<string, unknown> }[];
    expect(listed.map((m) => [m.kind, m.path, m.architecture])).toEqual([['aae', 'tfjs', expect.stringMatching(/^\d+-8-3-8-\d+$/)], ['wae', 'wasm-fused', expect.stringMatching(/^\d+-8-3-8-\d+$/)]]);
    expect(listed[0]!.settings['scoreWithPrior']).toBe(true);
    expect(listed[1]!.settings['mmdLambda']).toBe(2.5);
    const table = await cli('models', '--project', project);
    expect(table.out).toMatch(/aae .*\/ tfjs/);

    for (const m of listed) {
      const score = await cli('score', '--project', project, '--model', String(m.id));
      expect(score.code, score.err).toBe(0);
      const top = await cli('top', '--project', project, '--model', String(m.id), '-n', '3', '--json');
      expect(top.code, top.err).toBe(0);
      const rows = JSON.parse(top.out).rows as { topFeatures?: unknown[]; features?: unknown[] }[];
      expect(rows).toHaveLength(3);
      const pdf = path.join(dir, `${m.kind}.pdf`);
      const report = await cli('report', '--project', project, '--model', String(m.id), '--top', '5', '--out', pdf);
      expect(report.code, report.err).toBe(0);
      const text = pdfText(pdf).replace(/\s+/g, ' ');
      if (m.kind === 'aae') {
        expect(text).toContain('adversarial autoencoder (Makhzani et al. 2016)');
        expect(text).toMatch(/a discriminator \(code → 8 → 8 → 1, ReLU/);
        expect(text).toContain('--score-with-prior');
      } else {
        expect(text).toContain('Wasserstein autoencoder, WAE-MMD (Tolstikhin et al. 2018)');
        expect(text).toContain('λ 2.5 × the MMD');
        expect(text).toContain('--mmd-lambda 2.5');
      }
      expect(text).toContain('code (linear)');
    }
    expect(fs.existsSync(path.join(dir, 'wae.pdf'))).toBe(true);
  }, 300_000);
});
