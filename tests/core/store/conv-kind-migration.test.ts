import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ProjectStore } from '../../../src-main/core/store';
import { migrations } from '../../../src-main/core/store/migrations';
import { tmpDir } from '../../helpers/tmp';

/** Migration 010 (issue #14): the models' kind CHECK widens to the convolutional autoencoder, in place. */

const dir = tmpDir();
const insert = (kind: string, name: string): string =>
  `INSERT INTO models(name, kind, status, backend, seed, settings_json, preprocess_json, architecture_json, row_count, train_rows, val_rows, split_train, split_val, epochs, seconds, samples_per_second, created_at) VALUES ('${name}', '${kind}', 'complete', 'wasm', 0, '{}', '{}', '{}', 0, 0, 0, x'', x'', 1, 0, 0, 'now')`;

describe('010_conv_kind', () => {
  it('a project of schema 9 migrates: conv is accepted, models and their history stay, other kinds are still refused', () => {
    const file = path.join(dir, 'schema9.residual');
    const db = new Database(file);
    db.pragma('foreign_keys = ON');
    for (const m of migrations.filter((x) => x.version <= 9)) {
      if (m.apply) m.apply(db);
      else db.exec(m.up);
      db.pragma(`user_version = ${m.version}`);
    }
    db.prepare(insert('wae', 'old')).run();
    db.prepare('INSERT INTO model_history(model_id, epoch, train_loss, val_loss, seconds) VALUES (1, 1, 0.5, 0.6, 1)').run();
    expect(() => db.prepare(insert('conv', 'conv')).run()).toThrow(/CHECK/);
    db.close();

    const store = ProjectStore.open(file);
    try {
      expect(store.schemaVersion).toBeGreaterThanOrEqual(10);
      store.db.prepare(insert('conv', 'conv')).run();
      expect((store.db.prepare('SELECT name, kind FROM models ORDER BY id').all() as { name: string; kind: string }[])).toEqual([{ name: 'old', kind: 'wae' }, { name: 'conv', kind: 'conv' }]);
      expect(store.db.prepare('SELECT COUNT(*) AS n FROM model_history').get()).toEqual({ n: 1 });
      expect(() => store.db.prepare(insert('knn', 'x')).run()).toThrow(/CHECK/);
      expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(store.db.pragma('foreign_key_check')).toEqual([]);
    } finally {
      store.close();
    }
  });
});
