/**
 * The CLI as a new user meets it: one flag name per meaning, what the wizard chose, the models of a project, failures
 * as JSON with --json, a plain word when the ranking is worse than random, and all-categorical data. In process
 * (main() with a captured Io) on the TypeScript sources; the built command is covered by bin.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli';
import { tmpDir } from '../helpers/tmp';

const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures');



/** A survey of yes/no answers: every column categorical, most rows following one of two answer patterns. */
function survey(file: string): void {
  let seed = 7;
  const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const lines = [['q1', 'q2', 'q3', 'q4', 'q5', 'q6'].join(',')];
  for (let r = 0; r < 240; r++) {
    const base = rand() < 0.5;
    lines.push(Array.from({ length: 6 }, () => ((rand() < 0.92 ? base : !base) ? 'yes' : 'no')).join(','));
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

describe('residual CLI', () => {
  const dir = tmpDir('residual-cli-');
  const project = path.join(dir, 'wdbc.residual');

  beforeAll(async () => {
    process.env['RESIDUAL_BACKEND'] = 'wasm';
    const imported = await cli('import', path.join(FIXTURES, 'wdbc.csv'), '--project', project, '--label', 'diagnosis', '--positive', 'malignant', '--id', 'id');
    expect(imported.code, imported.err).toBe(0);
  });

  it('train takes the kind as --kind, and says so when given --model', async () => {
    const wrong = await cli('train', '--project', project, '--model', 'vae');
    expect(wrong.code).toBe(2);
    expect(wrong.err).toMatch(/names the model kind with --kind .*--model takes a model id/);
    const right = await cli('train', '--project', project, '--kind', 'vae', '--epochs', '3', '--json');
    expect(right.code, right.err).toBe(0);
    expect(JSON.parse(right.out).settings.kind).toBe('vae');
  });

  it("train prints what the wizard chose and why, in text and in --json", async () => {
    const text = await cli('train', '--project', project, '--epochs', '4');
    expect(text.code, text.err).toBe(0);
    expect(text.err).toMatch(/Training on "wdbc": kind ensemble, encoder 16-8, relu, up to 4 epochs .* batch \d+, learning rate 0\.001, scaler standard/);
    expect(text.err).toMatch(/\n {2}kind: An ensemble of 5 detectors \(ae, ae, ae, iforest, ecod\)/);
    expect(text.err).toMatch(/\n {2}trim: Robust training: .* 30 % of training rows/);
    expect(text.err).toMatch(/From your flags: epochs\. The wizard chose the rest:/);
    expect(text.err).toMatch(/\n {2}layers: 30 model inputs → 16-8 encoder/);
    expect(text.err).not.toMatch(/\n {2}epochs: /);
    const json = JSON.parse((await cli('train', '--project', project, '--epochs', '2', '--json')).out);
    expect(json.settings).toMatchObject({ kind: 'ensemble', members: ['ae', 'ae', 'ae', 'iforest', 'ecod'], layers: [16, 8], epochs: 2, scaler: 'standard', clip: 5, trim: 0.3 });
    expect(json.fromFlags).toEqual(['epochs']);
    const settings = json.wizard.map((w: { setting: string }) => w.setting);
    expect(settings).toEqual(expect.arrayContaining(['kind', 'members', 'layers', 'batchSize', 'learningRate', 'scaler', 'clip', 'trim']));
    expect(settings).not.toContain('epochs');
    for (const w of json.wizard) expect(w.why.length).toBeGreaterThan(10);
  });

  it('score without --model says which model it used; models lists settings, status, backend and quality', async () => {
    const scored = await cli('score', '--project', project);
    expect(scored.code, scored.err).toBe(0);
    expect(scored.err).toMatch(/No --model given: using model #3 "Ensemble: 3 × ae 30-16-8-16-30, IsolationForest, ECOD on wdbc" \(ensemble\), the newest that finished\./);
    const text = await cli('models', '--project', project);
    expect(text.code, text.err).toBe(0);
    expect(text.out).toMatch(/id +name +dataset +kind +status +backend +network +epochs +batch +lr +scaler +ROC AUC +AP/);
    expect(text.out).toMatch(/\n +1 .* vae +complete +wasm \/ wasm-fused .* not scored/);
    const json = JSON.parse((await cli('models', '--project', project, '--json')).out);
    expect(json.models).toHaveLength(3);
    const newest = json.models[2];
    expect(newest).toMatchObject({ id: 3, kind: 'ensemble', status: 'complete', backend: 'wasm', dataset: 'wdbc', scored: true });
    expect(newest.settings).toMatchObject({ layers: [16, 8], epochs: 2 });
    expect(newest.quality.positives).toBe(212);
    expect(newest.quality.rocAuc).toBeGreaterThan(0);
    expect(newest.quality.rocAuc).toBeLessThanOrEqual(1);
    expect(json.models[0].quality).toBeNull();
  });

  it('with --json a failure is one JSON document on stdout and a non-zero exit', async () => {
    const missing = await cli('info', '--project', path.join(dir, 'nope.residual'), '--json');
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.out)).toEqual({ error: { code: 'NOT_FOUND', message: expect.stringMatching(/nope\.residual does not exist/) } });
    const badFlag = await cli('top', '--project', project, '--bogus', '--json');
    expect(badFlag.code).toBe(2);
    expect(JSON.parse(badFlag.out).error).toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/--bogus/) });
    const unknown = await cli('frobnicate', '--json');
    expect(JSON.parse(unknown.out).error.code).toBe('BAD_INPUT');
    const without = await cli('info', '--project', path.join(dir, 'nope.residual'));
    expect(without.out).toBe('');
  });

  it('import names its --skip-bad-rows flag for rows it could skip (the core says it in words for any front end)', async () => {
    const ragged = path.join(dir, 'ragged.csv');
    fs.writeFileSync(ragged, 'a,b,c\n1,2,3\n1,2\n4,5,6\n');
    const failed = await cli('import', ragged, '--project', path.join(dir, 'ragged.residual'));
    expect(failed.code).toBe(2);
    expect(failed.err).toMatch(/line 3 has 2\. Fix those lines .*, or import with --skip-bad-rows to skip such rows\./);
    const skipped = await cli('import', ragged, '--project', path.join(dir, 'ragged.residual'), '--skip-bad-rows');
    expect(skipped.code).toBe(0);
    expect(skipped.out).toMatch(/Imported 2 rows/);
  });

  it('eval says plainly when the ranking is worse than random', async () => {
    // Benign marked as the "anomaly": the majority, which the model reconstructs best, so ROC AUC falls below 0.5.
    const flipped = path.join(dir, 'flipped.residual');
    expect((await cli('import', path.join(FIXTURES, 'wdbc.csv'), '--project', flipped, '--label', 'diagnosis', '--positive', 'benign', '--id', 'id')).code).toBe(0);
    expect((await cli('train', '--project', flipped, '--epochs', '20')).code).toBe(0);
    expect((await cli('score', '--project', flipped)).code).toBe(0);
    const text = await cli('eval', '--project', flipped);
    expect(text.code, text.err).toBe(0);
    expect(text.out).toMatch(/Warning: ROC AUC 0\.\d+ is below 0\.5: this ranking is worse than random\. The model reconstructs the labelled anomalies better than the normal rows/);
    const json = JSON.parse((await cli('eval', '--project', flipped, '--json')).out);
    expect(json.rocAuc).toBeLessThan(0.5);
    expect(json.warning).toMatch(/worse than random/);
    const good = JSON.parse((await cli('eval', '--project', project, '--json')).out);
    expect(good.rocAuc).toBeGreaterThan(0.5);
    expect(good.warning).toBeNull();
  });

  it('an all-categorical dataset (yes/no answers) imports, trains and scores: one-hot inputs are inputs', async () => {
    const csv = path.join(dir, 'survey.csv');
    survey(csv);
    const p = path.join(dir, 'survey.residual');
    const imported = await cli('import', csv, '--project', p, '--json');
    expect(imported.code, imported.err).toBe(0);
    const trained = await cli('train', '--project', p, '--json');
    expect(trained.code, trained.err).toBe(0);
    expect(JSON.parse(trained.out).status).toBe('complete');
    expect((await cli('score', '--project', p)).code).toBe(0);
    const top = await cli('top', '--project', p, '-n', '3');
    expect(top.code, top.err).toBe(0);
    expect(top.out).toMatch(/q\d (yes|no)→(yes|no)/);
  });
});
