/**
 * Deep SVDD and OC-NN through the CLI (main() in process, as tests/cli/cli.test.ts): train --kind deepsvdd|ocnn with
 * their own flags (reconstruction flags ignored and said so), the path the run took, score, top (the columns named as
 * integrated-gradients attributions), models (the kind's settings) and report.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../../helpers/cli';
import { tmpDir } from '../../helpers/tmp';

const FIXTURES = path.resolve(import.meta.dirname, '..', '..', 'fixtures');

describe('one-class kinds through the CLI', () => {
  const dir = tmpDir('residual-oneclass-cli-');
  const project = path.join(dir, 'glass.residual');

  beforeAll(async () => {
    process.env['RESIDUAL_BACKEND'] = 'wasm';
    const imported = await cli('import', path.join(FIXTURES, 'glass.csv'), '--project', project, '--label', 'Type', '--positive', '6');
    expect(imported.code, imported.err).toBe(0);
  });

  it('train --kind deepsvdd --objective soft-boundary --nu 0.2: its flags used, --trim ignored and said so, path tfjs', async () => {
    const trained = await cli('train', '--project', project, '--kind', 'deepsvdd', '--objective', 'soft-boundary', '--nu', '0.2', '--pretrain', '2', '--epochs', '4', '--trim', '0.3', '--json');
    expect(trained.code, trained.err).toBe(0);
    const r = JSON.parse(trained.out) as { modelId: number; path: string; pathReason: string; settings: Record<string, unknown> };
    expect(r.path).toBe('tfjs');
    expect(r.pathReason).toMatch(/no Deep SVDD objective/);
    expect(r.settings).toMatchObject({ kind: 'deepsvdd', objective: 'soft-boundary', nu: 0.2, pretrainEpochs: 2, trim: 0 });
    const plain = await cli('train', '--project', project, '--kind', 'deepsvdd', '--epochs', '3', '--pretrain', '0', '--trim', '0.3');
    expect(plain.code, plain.err).toBe(0);
    expect(plain.err).toMatch(/Training on "glass": kind deepsvdd \(one-class, weight decay 0\.000001\), bias-free layers/);
    expect(plain.err).toMatch(/Ignored for deepsvdd \(it reconstructs nothing; ν is its allowance for anomalies\): trim/);
    expect(plain.out).toMatch(/trained on wasm \(tfjs: the fused kernel has no Deep SVDD objective/);
  });

  it('train --kind ocnn, score, top names the attributions, models lists ν, the report is written', async () => {
    const trained = await cli('train', '--project', project, '--kind', 'ocnn', '--epochs', '4', '--pretrain', '2');
    expect(trained.code, trained.err).toBe(0);
    expect(trained.err).toMatch(/kind ocnn \(ν 0\.1\), bias-free layers [\d-]+-1, sigmoid, 2 epochs of autoencoder pre-training/);
    const id = Number(/Model #(\d+)/.exec(trained.out)![1]);
    expect((await cli('score', '--project', project, '--model', String(id))).code).toBe(0);
    const top = await cli('top', '--project', project, '--model', String(id), '-n', '3');
    expect(top.code, top.err).toBe(0);
    expect(top.out).toContain('by OC-NN score (r − ŷ)');
    expect(top.out).toMatch(/Columns: OC-NN: .* integrated gradients \(32 steps\) from the median row/);
    const models = await cli('models', '--project', project, '--json');
    const listed = (JSON.parse(models.out) as { models: { id: number; kind: string; settings: Record<string, unknown> }[] }).models.find((m) => m.id === id)!;
    expect(listed).toMatchObject({ kind: 'ocnn', settings: { nu: 0.1, pretrainEpochs: 2 } });
    const report = await cli('report', '--project', project, '--model', String(id), '--out', path.join(dir, 'ocnn.pdf'), '--json');
    expect(report.code, report.err).toBe(0);
    expect((JSON.parse(report.out) as { pages: number }).pages).toBeGreaterThan(1);
  });
});
