/**
 * updateColumn and setColumnInfo (issue #18) write one column's row by its key, without reading the dataset:
 * a patch changes only what it names, an explicit null positive value clears it, and a column that does not
 * exist is NOT_FOUND. insertColumns stores what insertColumn would.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProjectStore, type ColumnInfo } from '../../../src-main/core/store';
import { ResidualError } from '../../../src-main/core/errors';
import { tmpDir } from '../../helpers/tmp';

const dir = tmpDir();
const store = ProjectStore.open(path.join(dir, 'cols.residual'), { create: true });
afterAll(() => store.close());

const stats = { count: 3, missing: 0, distinct: 2, distinctCapped: false, topValues: [{ value: 'yes', count: 2 }] };
const column = (idx: number, name: string): ColumnInfo => ({
  idx, name, valueKind: 'text', storage: 'str', role: 'label', inferredRole: 'label', roleReason: 'named like a label', positiveValue: 'yes', stats,
});

function addDataset(name: string, columns: number): number {
  const tx = store.beginWrite();
  const id = store.insertDataset({
    name, sourcePath: '/x.csv', sourceSha256: 'ab', sourceBytes: 1, encoding: 'utf-8', delimiter: ',', decimalComma: false,
    rowCount: 3, skippedRows: 0, chunkRows: 3, createdAt: new Date(0).toISOString(),
  });
  store.insertColumns(id, Array.from({ length: columns }, (_, i) => column(i, `c${i}`)));
  tx.commit();
  return id;
}

describe('updateColumn', () => {
  it('changes only what the patch names; null clears the positive value', () => {
    const id = addDataset('a', 3);
    const other = addDataset('b', 3);
    store.updateColumn(id, 1, { role: 'ignored', positiveValue: null });
    const ds = store.getDataset(id);
    expect(ds.columns[1]).toEqual({ ...column(1, 'c1'), role: 'ignored', positiveValue: null });
    expect(ds.columns[0]).toEqual(column(0, 'c0'));
    expect(store.getDataset(other).columns[1]).toEqual(column(1, 'c1'));
    store.updateColumn(id, 2, { stats: { ...stats, count: 9 } });
    expect(store.getDataset(id).columns[2]).toEqual({ ...column(2, 'c2'), stats: { ...stats, count: 9 } });
  });

  it('setColumnInfo replaces every fact of one column', () => {
    const id = addDataset('c', 2);
    const info = { valueKind: 'number', storage: 'f64', role: 'numeric', inferredRole: 'numeric', roleReason: 'numbers', positiveValue: null, stats } as const;
    store.setColumnInfo(id, 0, info);
    expect(store.getDataset(id).columns).toEqual([{ idx: 0, name: 'c0', ...info }, column(1, 'c1')]);
  });

  it('NOT_FOUND for a column or dataset that does not exist', () => {
    const id = addDataset('d', 1);
    expect(() => store.updateColumn(id, 5, { role: 'ignored' })).toThrow(ResidualError);
    expect(() => store.updateColumn(id, 5, { role: 'ignored' })).toThrow(/has no column #5/);
    expect(() => store.updateColumn(9999, 0, { role: 'ignored' })).toThrow(/Dataset 9999 has no column #0/);
    expect(() => store.setColumnInfo(id, 1, { ...column(0, 'x') })).toThrow(/has no column #1/);
  });

  it('setColumnRole still moves the label from one column to another', () => {
    const id = addDataset('e', 3);
    store.setColumnRole(id, 'c2', 'label', 'yes');
    const roles = store.getDataset(id).columns.map((c) => [c.role, c.positiveValue]);
    expect(roles).toEqual([['ignored', null], ['ignored', null], ['label', 'yes']]);
  });
});
