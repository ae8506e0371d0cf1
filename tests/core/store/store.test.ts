import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { ProjectStore, type ColumnInfo } from '../../../src-main/core/store';
import { PAGE_SIZE } from '../../../src-main/core/store/store';
import { migrations } from '../../../src-main/core/store/migrations';
import { tmpDir } from '../../helpers/tmp';

const dir = tmpDir();
const stats = { count: 3, missing: 1, distinct: 3, distinctCapped: false, topValues: [] };

function numericColumn(idx: number, name: string): ColumnInfo {
  return { idx, name, valueKind: 'number', storage: 'f64', role: 'numeric', inferredRole: 'numeric', roleReason: '', positiveValue: null, stats };
}

function addDataset(store: ProjectStore, name: string): number {
  const tx = store.beginWrite();
  const id = store.insertDataset({
    name, sourcePath: '/x.csv', sourceSha256: 'ab', sourceBytes: 1, encoding: 'utf-8', delimiter: ',', decimalComma: false,
    rowCount: 5, skippedRows: 0, chunkRows: 3, createdAt: new Date(0).toISOString(),
  });
  store.insertColumn(id, numericColumn(0, 'a'));
  store.insertColumn(id, { ...numericColumn(1, 's'), valueKind: 'text', storage: 'str', role: 'categorical', inferredRole: 'categorical' });
  store.writeChunk(id, 0, 0, 0, new Float64Array([1.5, NaN, -0.1]));
  store.writeChunk(id, 0, 1, 3, new Float64Array([1e300, 5e-324]));
  store.writeChunk(id, 1, 0, 0, ['x', null, 'ü"\n,']);
  store.writeChunk(id, 1, 1, 3, ['', 'z']);
  tx.commit();
  return id;
}

describe('ProjectStore', () => {
  it('refuses to open a missing project unless asked to create it', () => {
    expect(() => ProjectStore.open(path.join(dir, 'missing.residual'))).toThrow(/does not exist/);
  });

  it('creates the schema with WAL, foreign keys and the latest schema_version', () => {
    const store = ProjectStore.open(path.join(dir, 'new.residual'), { create: true });
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(store.db.pragma('page_size', { simple: true })).toBe(PAGE_SIZE);
    expect(store.schemaVersion).toBe(migrations[migrations.length - 1]!.version);
    expect(store.getMeta('schema_version')).toBe(String(store.schemaVersion));
    store.close();
  });

  it('keeps the page size of a project made with another one (4 KiB files from earlier versions open and work)', () => {
    const file = path.join(dir, 'old-pages.residual');
    const raw = new Database(file);
    raw.pragma('page_size = 4096');
    raw.pragma('journal_mode = WAL');
    raw.close();
    const store = ProjectStore.open(file);
    expect(store.db.pragma('page_size', { simple: true })).toBe(4096);
    const id = addDataset(store, 'd');
    expect(Array.from(store.readRange(id, numericColumn(0, 'a'), 0, 5) as Float64Array)).toEqual([1.5, NaN, -0.1, 1e300, 5e-324]);
    store.close();
  });

  it('round-trips column chunks exactly and reads ranges across chunk borders', () => {
    const store = ProjectStore.open(path.join(dir, 'rt.residual'), { create: true });
    const id = addDataset(store, 'd');
    const a = store.readColumn(id, 'a') as Float64Array;
    expect(Array.from(a)).toEqual([1.5, NaN, -0.1, 1e300, 5e-324]);
    expect(store.readColumn('d', 1)).toEqual(['x', null, 'ü"\n,', '', 'z']);
    expect(Array.from(store.readRange(id, { idx: 0, storage: 'f64' }, 2, 4) as Float64Array)).toEqual([-0.1, 1e300]);
    expect(store.readRange(id, { idx: 1, storage: 'str' }, 1, 5)).toEqual([null, 'ü"\n,', '', 'z']);
    store.close();
  });

  it('rolls a failed write back whole', () => {
    const store = ProjectStore.open(path.join(dir, 'rb.residual'), { create: true });
    const tx = store.beginWrite();
    store.insertDataset({ name: 'half', sourcePath: '/x', sourceSha256: '', sourceBytes: 0, encoding: 'utf-8', delimiter: ',', decimalComma: false, rowCount: 0, skippedRows: 0, chunkRows: 1, createdAt: '' });
    expect(() => store.beginWrite()).toThrow(/in progress/);
    tx.rollback();
    expect(store.listDatasets()).toEqual([]);
    store.close();
  });

  it('names the datasets that exist when one is missing, and overrides roles', () => {
    const store = ProjectStore.open(path.join(dir, 'roles.residual'), { create: true });
    addDataset(store, 'month');
    expect(() => store.getDataset('week')).toThrow(/No dataset "week".*month/);
    expect(() => store.setColumnRole('month', 's', 'numeric')).toThrow(/holds text/);
    expect(() => store.setColumnRole('month', 's', 'label')).toThrow(/--positive/);
    store.setColumnRole('month', 's', 'label', 'x');
    const col = store.getDataset('month').columns[1]!;
    expect([col.role, col.positiveValue]).toEqual(['label', 'x']);
    store.close();
  });

  it('refuses a file that is not a project, and one from a newer Residual', () => {
    const junk = path.join(dir, 'junk.residual');
    fs.writeFileSync(junk, 'this is not sqlite, just text '.repeat(100));
    expect(() => ProjectStore.open(junk)).toThrow(/not a Residual project/);
    const newer = path.join(dir, 'newer.residual');
    ProjectStore.open(newer, { create: true }).close();
    const raw = new Database(newer);
    raw.pragma('user_version = 999');
    raw.close();
    expect(() => ProjectStore.open(newer)).toThrow(/newer Residual/);
  });
});
