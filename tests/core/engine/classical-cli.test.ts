/**
 * IsolationForest and ECOD end to end through the CLI (main() in process, as tests/cli/cli.test.ts): import wdbc,
 * train --kind iforest / ecod (no epochs, network flags ignored and said so), score, top, eval, models, report; the
 * model is stored complete with its fit as the weights blob and its SHA-256. Also: a project of the schema before
 * classical kinds migrates without losing its models and scores.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { getModel } from '../../../src-main/core/engine';
import { getWeights } from '../../../src-main/core/engine/repo';
import { ProjectStore } from '../../../src-main/core/store';
import { migrations } from '../../../src-main/core/store/migrations';
import { cli } from '../../helpers/cli';
import { tmpDir } from '../../helpers/tmp';

const FIXTURES = path.resolve(import.meta.dirname, '..', '..', 'fixtures');


describe('classical detectors through the CLI', () => {
  const dir = tmpDir('residual-classical-cli-');
  const project = path.join(dir, 'wdbc.residual');

  beforeAll(async () => {
    process.env['RESIDUAL_BACKEND'] = 'wasm';
    const imported = await cli('import', path.join(FIXTURES, 'wdbc.csv'), '--project', project, '--label', 'diagnosis', '--positive', 'malignant');
    expect(imported.code, imported.err).toBe(0);
  });

  for (const kind of ['iforest', 'ecod'] as const) {
    it(`train --kind ${kind}, score, top, eval, models and report work; the eval AUC is sensible`, async () => {
      const trained = await cli('train', '--project', project, '--kind', kind, '--epochs', '7', '--layers', '4,2');
      expect(trained.code, trained.err).toBe(0);
      expect(trained.err).toMatch(new RegExp(`Fitting ${kind === 'iforest' ? 'IsolationForest' : 'ECOD'} on "wdbc"`));
      expect(trained.err).toMatch(/Ignored for .*: layers, epochs/);
      expect(trained.out).toMatch(kind === 'iforest' ? /fitted \(IsolationForest: 100 trees × 256 rows/ : /fitted \(ECOD: 30 columns/);
      const id = Number(/Model #(\d+)/.exec(trained.out)![1]);

      const store = ProjectStore.open(project, { readonly: true });
      try {
        const m = getModel(store, id);
        expect(m.kind).toBe(kind);
        expect(m.status).toBe('complete');
        expect(m.epochs).toBe(0);
        expect(m.settings.layers).toEqual([]);
        expect(m.split).toEqual({ rows: 569, train: 569, validation: 0, excluded: 0 });
        expect(getWeights(store, id)!.byteLength).toBeGreaterThan(1000);
        expect(m.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
      } finally {
        store.close();
      }

      const scored = await cli('score', '--project', project, '--model', String(id));
      expect(scored.code, scored.err).toBe(0);
      const top = await cli('top', '--project', project, '--model', String(id), '-n', '5', '--json');
      expect(top.code, top.err).toBe(0);
      const rows = JSON.parse(top.out).rows as { features?: unknown[] }[];
      expect(rows.length).toBe(5);
      const ev = await cli('eval', '--project', project, '--model', String(id), '--json');
      expect(ev.code, ev.err).toBe(0);
      const auc = JSON.parse(ev.out).rocAuc as number;
      console.log(`wdbc ${kind} eval ROC AUC through the CLI: ${auc.toFixed(4)}`);
      // ECOD is deterministic (reference.py: 0.8632). IsolationForest on wdbc sits below 0.8 for scikit-learn too: 0.799 at
      // its seed 0, 0.772 over seeds 0–4 (see classical-quality.test.ts), so 0.75 is the sensible floor there.
      expect(auc).toBeGreaterThan(kind === 'ecod' ? 0.8 : 0.75);

      const models = await cli('models', '--project', project, '--json');
      expect(models.code, models.err).toBe(0);
      const listed = (JSON.parse(models.out).models as { id: number; kind: string; status: string; architecture: string; settings: Record<string, unknown>; quality: { rocAuc: number } | null }[]).find((x) => x.id === id)!;
      expect(listed.kind).toBe(kind);
      expect(listed.status).toBe('complete');
      expect(listed.settings).not.toHaveProperty('epochs');
      expect(listed.quality!.rocAuc).toBeCloseTo(auc, 9);
      const table = await cli('models', '--project', project);
      expect(table.out).toContain(listed.architecture);

      const pdf = path.join(dir, `${kind}.pdf`);
      const report = await cli('report', '--project', project, '--model', String(id), '--top', '5', '--out', pdf);
      expect(report.code, report.err).toBe(0);
      expect(fs.statSync(pdf).size).toBeGreaterThan(10_000);
    }, 120_000);
  }

  it('a project from before classical kinds (schema 5) migrates: the CHECK widens, models and scores stay', async () => {
    const old = path.join(dir, 'old.residual');
    // Schema 5 as it was: migrations 1–5 only.
    const db = new Database(old);
    db.pragma('foreign_keys = ON');
    for (const m of migrations.filter((x) => x.version <= 5)) {
      db.exec(m.up);
      db.pragma(`user_version = ${m.version}`);
    }
    db.prepare("INSERT INTO models(name, kind, status, backend, seed, settings_json, preprocess_json, architecture_json, row_count, train_rows, val_rows, split_train, split_val, epochs, seconds, samples_per_second, created_at) VALUES ('old', 'ae', 'complete', 'wasm', 0, '{}', '{}', '{}', 0, 0, 0, x'', x'', 1, 0, 0, 'now')").run();
    db.prepare("INSERT INTO scores(model_id, dataset_id, status, row_count, columns_json, chunk_rows, backend, stats_json, seconds, rows_per_second, created_at) SELECT 1, NULL, 'complete', 0, '[]', 1, 'wasm', '{}', 0, 0, 'now' WHERE 0").run();
    expect(() => db.prepare("INSERT INTO models(name, kind, status, backend, seed, settings_json, preprocess_json, architecture_json, row_count, train_rows, val_rows, split_train, split_val, epochs, seconds, samples_per_second, created_at) VALUES ('x', 'ecod', 'complete', 'wasm', 0, '{}', '{}', '{}', 0, 0, 0, x'', x'', 0, 0, 0, 'now')").run()).toThrow(/CHECK/);
    db.close();

    const store = ProjectStore.open(old);
    try {
      expect(store.schemaVersion).toBe(migrations[migrations.length - 1]!.version);
      expect((store.db.prepare('SELECT name FROM models').all() as { name: string }[]).map((r) => r.name)).toEqual(['old']);
      store.db.prepare("INSERT INTO models(name, kind, status, backend, seed, settings_json, preprocess_json, architecture_json, row_count, train_rows, val_rows, split_train, split_val, epochs, seconds, samples_per_second, created_at) VALUES ('x', 'ecod', 'complete', 'wasm', 0, '{}', '{}', '{}', 0, 0, 0, x'', x'', 0, 0, 0, 'now')").run();
      expect(() => store.db.prepare("UPDATE models SET kind = 'knn' WHERE name = 'x'").run()).toThrow(/CHECK/);
      expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(store.db.pragma('foreign_key_check')).toEqual([]);
    } finally {
      store.close();
    }
  });
});
