/**
 * `residual export-model` (issue #15): one ONNX file of a trained model through the Workbench's model.exportOnnx, run
 * here with onnxruntime-node; the kinds it does not export and files it did not write are refused with a message.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { createFilePolicy } from '../../src-main/app/file-policy';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli';
import { tmpDir } from '../helpers/tmp';

const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures');

describe('residual export-model', () => {
  const dir = tmpDir('residual-cli-export-model-');
  const project = path.join(dir, 'cells.residual');

  beforeAll(async () => {
    expect((await cli('import', path.join(FIXTURES, 'wdbc.csv'), '--project', project, '--label', 'diagnosis', '--positive', 'malignant', '--id', 'id')).code).toBe(0);
    expect((await cli('train', '--project', project, '--kind', 'ae', '--layers', '8,3', '--epochs', '3', '--seed', '1')).code).toBe(0);
    expect((await cli('train', '--project', project, '--kind', 'ecod')).code).toBe(0);
    expect((await cli('score', '--project', project, '--model', '1')).code).toBe(0);
  }, 120_000);

  it('writes the model as ONNX whose scores are the ranked scores of the app, with the threshold in force', async () => {
    const out = path.join(dir, 'model.onnx');
    const r = await cli('export-model', '--project', project, '--model', '1', '--out', out, '--json');
    expect(r.code, r.err).toBe(0);
    const res = JSON.parse(r.out) as { out: string; kind: string; inputs: { name: string; type: string }[]; threshold: number; outputs: string[] };
    expect(res.out).toBe(out);
    expect(res.kind).toBe('ae');
    expect(res.inputs).toHaveLength(30);
    expect(res.outputs).toEqual(['residual_score', 'residual_column_errors', 'residual_flagged']);
    const top = JSON.parse((await cli('top', '--project', project, '--model', '1', '-n', '5', '--json')).out) as { rows: { id: string; score: number; flagged: boolean }[] };
    // The five top rows' raw values, from the CSV (its id column is the first, no quoted commas in it).
    const lines = fs.readFileSync(path.join(FIXTURES, 'wdbc.csv'), 'utf8').trim().split(/\r?\n/);
    const header = lines[0]!.split(',').map((h) => h.replace(/^"|"$/g, ''));
    const rows = top.rows.map((t) => lines.slice(1).find((l) => l.split(',')[0]!.replace(/^"|"$/g, '') === t.id)!.split(','));
    const feeds: Record<string, ort.Tensor> = {};
    for (const input of res.inputs) {
      const j = header.indexOf(input.name);
      feeds[input.name] = new ort.Tensor('float64', Float64Array.from(rows, (row) => Number(row[j]!.replace(/^"|"$/g, ''))), [rows.length]);
    }
    const session = await ort.InferenceSession.create(out);
    const result = await session.run(feeds);
    const scores = result['residual_score']!.data as Float32Array;
    top.rows.forEach((t, i) => {
      expect(Math.abs(scores[i]! - t.score)).toBeLessThanOrEqual(1e-4 * Math.abs(t.score));
      expect(Boolean((result['residual_flagged']!.data as Uint8Array)[i])).toBe(t.flagged);
    });
    await session.release();
    // Its own file it writes over.
    expect((await cli('export-model', '--project', project, '--model', '1', '--out', out)).code).toBe(0);
  });

  it('refuses a kind it does not export and a file it did not write, naming them', async () => {
    const ecod = await cli('export-model', '--project', project, '--model', '2', '--out', path.join(dir, 'ecod.onnx'));
    expect(ecod.code).toBe(2);
    expect(ecod.err).toMatch(/ECOD detector.*ecod is not exported yet/);
    const mine = path.join(dir, 'mine.onnx');
    fs.writeFileSync(mine, 'my own model');
    const r = await cli('export-model', '--project', project, '--model', '1', '--out', mine);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/mine\.onnx exists and is not an ONNX model that Residual exported: it is not overwritten/);
    expect(fs.readFileSync(mine, 'utf8')).toBe('my own model');
  });

  it('file policy (browser mode): model.exportOnnx writes an .onnx into the reports folder only, never over a file Residual did not write', async () => {
    const reports = path.join(dir, 'reports');
    fs.mkdirSync(reports, { recursive: true });
    const ours = path.join(reports, 'ours.onnx');
    expect((await cli('export-model', '--project', project, '--model', '1', '--out', ours)).code).toBe(0);
    const theirs = path.join(reports, 'theirs.onnx');
    fs.writeFileSync(theirs, 'an ONNX file of someone else');
    const policy = createFilePolicy({ reportsDir: reports, reportsOnlyThere: true });
    const refusal = (out?: string): string | null => {
      try {
        policy.check('model.exportOnnx', { modelId: 1, ...(out !== undefined ? { out } : {}) });
        return null;
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(refusal()).toBeNull();
    expect(refusal(path.join(reports, 'new.onnx'))).toBeNull();
    expect(refusal(ours)).toBeNull();
    expect(refusal(theirs)).toMatch(/theirs\.onnx exists and is not an ONNX model that Residual exported/);
    expect(refusal(path.join(dir, 'outside.onnx'))).toMatch(/outside it/);
    expect(refusal(path.join(reports, 'model.pdf'))).toMatch(/must end in \.onnx/);
    // And it may be downloaded from there, being Residual's own.
    expect(policy.checkDownload(ours)).toBe(fs.realpathSync(ours));
    expect(() => policy.checkDownload(theirs)).toThrow(/not a report or an export that Residual wrote/);
  });
});
