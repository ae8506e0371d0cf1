/** Hand-written files: delimiters, quoting, encodings, missing values, dates, kinds that change mid-file, options. */
import { afterAll, describe, expect, it } from 'vitest';
import { importDataset, type ImportOptions } from '../../../src-main/core/data';
import type { ColumnInfo, DatasetInfo } from '../../../src-main/core/store';
import { tmpDir } from '../../helpers/tmp';
import { freshStore, tableCounts, writeFile } from './reference';

const dir = tmpDir();
const store = freshStore(dir);
afterAll(() => store.close());

let files = 0;
async function importText(content: string | Buffer, options: ImportOptions = {}, ext = '.csv') {
  const file = writeFile(dir, `f${++files}${ext}`, content);
  const result = await importDataset(store, file, options);
  return { ...result, file, ds: result.dataset, values: (name: string) => store.readColumn(result.dataset.id, name) };
}

function col(ds: DatasetInfo, name: string): ColumnInfo {
  const c = ds.columns.find((x) => x.name === name);
  if (!c) throw new Error(`no column ${name}`);
  return c;
}

const nums = (v: unknown): number[] => Array.from(v as Float64Array);

/** Windows-1252 bytes for ASCII plus the few letters these tests use. */
function cp1252(text: string): Buffer {
  const extra: Record<string, number> = { 'é': 0xe9, '€': 0x80, 'ü': 0xfc, 'œ': 0x9c };
  return Buffer.from([...text].map((ch) => extra[ch] ?? ch.charCodeAt(0)));
}

describe('delimiters and decimal marks', () => {
  it('reads semicolons with decimal commas', async () => {
    const { ds, values } = await importText('name;x;y\na;1,5;-2,25\nb;3;1,0e3\nc;;NA\n');
    expect(ds).toMatchObject({ delimiter: ';', decimalComma: true, rowCount: 3 });
    expect(nums(values('x'))).toEqual([1.5, 3, NaN]);
    expect(nums(values('y'))).toEqual([-2.25, 1000, NaN]);
    expect(values('name')).toEqual(['a', 'b', 'c']);
  });

  it('reads semicolons with decimal points when the numbers use points', async () => {
    const { ds, values } = await importText('x;y\n1.5;2\n2.5;3\n');
    expect(ds).toMatchObject({ delimiter: ';', decimalComma: false });
    expect(nums(values('x'))).toEqual([1.5, 2.5]);
  });

  it('reads tab- and pipe-separated files', async () => {
    const tsv = await importText('a\tb c\n1\t2\n3\t4\n', {}, '.tsv');
    expect(tsv.ds.delimiter).toBe('\t');
    expect(nums(tsv.values('b c'))).toEqual([2, 4]);
    expect(tsv.ds.name).toMatch(/^f\d+$/);
    const pipe = await importText('a|b\n1|x,y\n2|z\n');
    expect(pipe.ds.delimiter).toBe('|');
    expect(pipe.values('b')).toEqual(['x,y', 'z']);
  });
});

describe('quoting, line endings and encodings', () => {
  it('keeps quoted delimiters, doubled quotes and newlines exactly, with CRLF line ends', async () => {
    const text = 'id,comment,value\r\n1,"Hello, world",1.5\r\n2,"She said ""no""",2.5\r\n3,"multi\r\nline\nnote",3.5\r\n4,plain,"4.5"\r\n';
    const { ds, values } = await importText(text);
    expect(ds.rowCount).toBe(4);
    expect(values('comment')).toEqual(['Hello, world', 'She said "no"', 'multi\r\nline\nnote', 'plain']);
    expect(nums(values('value'))).toEqual([1.5, 2.5, 3.5, 4.5]);
  });

  it('drops the UTF-8 BOM from the first column name and keeps non-ASCII text', async () => {
    const { ds, values } = await importText('\uFEFFcity,n\nZürich,1\nMalmö,2\n東京,3\n');
    expect(ds.encoding).toBe('utf-8-bom');
    expect(ds.columns[0]!.name).toBe('city');
    expect(values('city')).toEqual(['Zürich', 'Malmö', '東京']);
  });

  it('detects and decodes Windows-1252', async () => {
    const { ds, values } = await importText(cp1252('name,price\ncafé,1\n€uro,2\nmüsli œuf,3\n'));
    expect(ds.encoding).toBe('windows-1252');
    expect(values('name')).toEqual(['café', '€uro', 'müsli œuf']);
  });
});

describe('missing values', () => {
  it('treats empty, NA, N/A, NaN, nan, null, NULL, ? and blanks as missing, and counts them', async () => {
    const tokens = ['', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', '?', '   '];
    const lines = ['x,t', '1,a', ...tokens.map((t) => `${t},${t}`), '2,b', '3,a'];
    const { ds, values } = await importText(lines.join('\n') + '\n');
    expect(col(ds, 'x')).toMatchObject({ valueKind: 'number', role: 'numeric' });
    expect(col(ds, 'x').stats).toMatchObject({ count: 3, missing: 9, mean: 2 });
    expect(nums(values('x'))).toEqual([1, ...tokens.map(() => NaN), 2, 3]);
    expect(values('t')).toEqual(['a', ...tokens.map(() => null), 'b', 'a']);
    expect(col(ds, 't').stats).toMatchObject({ count: 3, missing: 9, distinct: 2 });
  });

  it('makes an all-missing column ignored', async () => {
    const { ds } = await importText('x,gone\n1,\n2,NA\n3,\n');
    expect(col(ds, 'gone')).toMatchObject({ role: 'ignored', roleReason: 'every value is missing' });
  });
});

describe('dates and times', () => {
  const utc = (y: number, m: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number => Date.UTC(y, m - 1, d, h, mi, s, ms);

  it('reads ISO, day-first, month-first and dotted dates; one column becomes the timestamp', async () => {
    const text = [
      'iso,dmy,mdy,dotted,x',
      '2021-01-02,25/12/2021,12/25/2021,24.12.2021,1',
      '2021-01-02T03:04:05Z,01/02/2021,01/02/2021,1.2.2021 10:30,2',
      '2021-01-02 03:04:05.5,,NA,,3',
      '2021-01-02T03:04:05+01:00,3/4/2021 08:15:00,3/4/2021,31.01.2021,4',
    ].join('\n');
    const { ds, values, warnings } = await importText(text);
    expect(nums(values('iso'))).toEqual([utc(2021, 1, 2), utc(2021, 1, 2, 3, 4, 5), utc(2021, 1, 2, 3, 4, 5, 500), utc(2021, 1, 2, 2, 4, 5)]);
    expect(nums(values('dmy'))).toEqual([utc(2021, 12, 25), utc(2021, 2, 1), NaN, utc(2021, 4, 3, 8, 15)]);
    // 12/25 can only be month-first, so the whole column is read month-first (a second pass).
    expect(nums(values('mdy'))).toEqual([utc(2021, 12, 25), utc(2021, 1, 2), NaN, utc(2021, 3, 4)]);
    expect(nums(values('dotted'))).toEqual([utc(2021, 12, 24), utc(2021, 2, 1, 10, 30), NaN, utc(2021, 1, 31)]);
    for (const name of ['iso', 'dmy', 'mdy', 'dotted']) expect(col(ds, name)).toMatchObject({ valueKind: 'time', storage: 'f64' });
    expect(col(ds, 'iso').role).toBe('timestamp');
    for (const name of ['dmy', 'mdy', 'dotted']) expect(col(ds, name)).toMatchObject({ role: 'ignored', roleReason: expect.stringMatching(/"iso" is the timestamp/) });
    // Four distinct instants, one each: top values in time order, spelled as ISO 8601.
    expect(col(ds, 'iso').stats.topValues.map((t) => t.value)).toEqual(['2021-01-02T00:00:00.000Z', '2021-01-02T02:04:05.000Z', '2021-01-02T03:04:05.000Z', '2021-01-02T03:04:05.500Z']);
    expect(warnings).toEqual([]);
  });

  it('reads slash dates that could go either way day-first, and warns', async () => {
    const { values, warnings, ds } = await importText('when,x\n03/04/2021,1\n05/06/2021,2\n', { time: 'when' });
    expect(nums(values('when'))).toEqual([utc(2021, 4, 3), utc(2021, 6, 5)]);
    expect(col(ds, 'when').role).toBe('timestamp');
    expect(warnings.join(' ')).toMatch(/"when".*03\/04\/2021.*day-first/);
  });

  it('keeps a column whose slash dates contradict each other as text', async () => {
    const { ds, values } = await importText('when,x\n25/12/2021,1\n12/25/2021,2\n');
    expect(col(ds, 'when').valueKind).toBe('text');
    expect(values('when')).toEqual(['25/12/2021', '12/25/2021']);
  });
});

describe('columns that change kind part way', () => {
  it('turns "007","12","x" into text, spelled exactly as in the file', async () => {
    const { ds, values, warnings } = await importText('code,n\n"007",1\n12,2\n1e3,3\nx,4\n');
    expect(col(ds, 'code')).toMatchObject({ valueKind: 'text', storage: 'str' });
    expect(values('code')).toEqual(['007', '12', '1e3', 'x']);
    expect(warnings.join(' ')).toMatch(/"code" held numbers until line 5 \("x"\)/);
  });

  it('re-reads a demoted column across many chunks, and rewrites earlier all-missing chunks as text', async () => {
    const lines = ['num,late,n'];
    for (let i = 0; i < 23; i++) lines.push(`${i === 20 ? 'oops' : String(i).padStart(3, '0')},${i >= 17 ? `t${i}` : ''},${i}`);
    const { ds, values } = await importText(lines.join('\n'), { chunkRows: 4 });
    expect(values('num')).toEqual(Array.from({ length: 23 }, (_, i) => (i === 20 ? 'oops' : String(i).padStart(3, '0'))));
    expect(values('late')).toEqual(Array.from({ length: 23 }, (_, i) => (i >= 17 ? `t${i}` : null)));
    expect(nums(values('n'))).toEqual(Array.from({ length: 23 }, (_, i) => i));
    expect(ds.chunkRows).toBe(4);
    const chunks = store.db.prepare('SELECT column_idx, count(*) AS n, sum(row_count) AS rows FROM column_chunks WHERE dataset_id = ? GROUP BY column_idx').all(ds.id);
    expect(chunks).toEqual([0, 1, 2].map((c) => ({ column_idx: c, n: 6, rows: 23 })));
  });

  it('turns a date column with a non-date into text', async () => {
    const { ds, values } = await importText('d,n\n2021-01-01,1\nsoon,2\n');
    expect(col(ds, 'd').valueKind).toBe('text');
    expect(values('d')).toEqual(['2021-01-01', 'soon']);
  });
});

describe('rows', () => {
  it('skips rows with the wrong number of fields when asked, counting them', async () => {
    const text = 'a,b,c\n1,2,3\n4,5\n6,7,8\n9,10,11,12\n"x\ny",13,14\n';
    const r = await importText(text, { skipBadRows: true });
    expect(r.skippedRows).toBe(2);
    expect(r.skippedLines).toEqual([
      { line: 3, reason: '2 fields where the header has 3' },
      { line: 5, reason: '4 fields where the header has 3' },
    ]);
    expect(r.ds).toMatchObject({ rowCount: 3, skippedRows: 2 });
    expect(r.values('a')).toEqual(['1', '6', 'x\ny']);
    expect(r.warnings.join(' ')).toMatch(/2 rows with the wrong number of fields were skipped \(first at line 3\)/);
  });

  it('skips blank lines, and reads a last line without a line break', async () => {
    const r = await importText('\na,b\n1,2\n\n3,4\n   \n5,6');
    expect(nums(r.values('a'))).toEqual([1, 3, 5]);
    expect(r.warnings).toContain('2 blank lines were skipped.');
  });

  it('splits rows into chunks of chunkRows', async () => {
    const lines = ['a,b', ...Array.from({ length: 10 }, (_, i) => `${i},${i * 2}`)];
    const { ds, values } = await importText(lines.join('\n'), { chunkRows: 3 });
    expect(nums(values('b'))).toEqual(Array.from({ length: 10 }, (_, i) => i * 2));
    const n = store.db.prepare('SELECT count(*) AS n FROM column_chunks WHERE dataset_id = ?').get(ds.id) as { n: number };
    expect(n.n).toBe(2 * 4);
  });
});

describe('roles and options', () => {
  const base = 'user_id,amount,kind,note,class\n' + Array.from({ length: 40 }, (_, i) => `${100 + i},${i * 1.5},${['a', 'b', 'c'][i % 3]},free text ${i},${i % 8 === 0 ? 'fraud' : 'ok'}`).join('\n');

  it('infers id, numeric, categorical, free text and label', async () => {
    const { ds } = await importText(base);
    expect(ds.columns.map((c) => [c.name, c.role])).toEqual([
      ['user_id', 'id'],
      ['amount', 'numeric'],
      ['kind', 'categorical'],
      ['note', 'id'],
      ['class', 'label'],
    ]);
    expect(col(ds, 'class').positiveValue).toBe('fraud');
    expect(col(ds, 'note').roleReason).toBe('text that is different in every row');
  });

  it('applies label, positive, id, ignore, time and role overrides', async () => {
    const text = 'ts,a,b,c,grp,d\n2021-01-01,1,2,x,g1,0.5\n2021-01-02,2,3,y,g2,0.25\n2021-01-03,3,5,z,g1,0.125\n';
    const { ds } = await importText(text, { ignore: ['b'], id: 'c', roles: { a: 'categorical' }, label: 'grp', positive: 'g2' });
    expect(ds.columns.map((c) => [c.name, c.role, c.inferredRole])).toEqual([
      ['ts', 'timestamp', 'timestamp'],
      ['a', 'categorical', 'numeric'],
      ['b', 'ignored', 'numeric'],
      ['c', 'id', 'id'],
      ['grp', 'label', 'ignored'],
      ['d', 'numeric', 'numeric'],
    ]);
    expect(col(ds, 'grp').positiveValue).toBe('g2');
    expect(col(ds, 'a').roleReason).toMatch(/chosen in the import options/);
  });

  it('infers a 0/1 is_fraud column as the label with 1 as the anomaly', async () => {
    const text = 'x,is_fraud\n' + Array.from({ length: 20 }, (_, i) => `${i},${i % 5 === 0 ? 1 : 0}`).join('\n');
    const { ds } = await importText(text);
    expect(col(ds, 'is_fraud')).toMatchObject({ role: 'label', positiveValue: '1', valueKind: 'number' });
  });

  it('moves an inferred label aside when another column is chosen', async () => {
    const { ds } = await importText(base, { label: 'kind', positive: 'b' });
    expect(col(ds, 'kind')).toMatchObject({ role: 'label', positiveValue: 'b' });
    expect(col(ds, 'class')).toMatchObject({ role: 'categorical', inferredRole: 'label', positiveValue: null });
  });

  it('infers the anomaly value of a chosen label, and warns about an id that repeats', async () => {
    const text = 'grp,v,status\ng1,1,ok\ng1,2,bad\ng2,3,ok\n';
    const { ds, warnings } = await importText(text, { label: 'status', id: 'grp' });
    expect(col(ds, 'status')).toMatchObject({ role: 'label', positiveValue: 'bad', roleReason: expect.stringMatching(/"bad" is a usual name for the anomalous class/) });
    expect(col(ds, 'grp').role).toBe('id');
    expect(warnings).toContain('Column "grp" is the row id, but some of its values are missing or repeated, so it does not identify rows on its own.');
  });

  it('uses the given name, and refuses one that is taken', async () => {
    const first = await importText('a\n1\n2\n', { name: 'mine' });
    expect(first.ds.name).toBe('mine');
    const before = tableCounts(store);
    await expect(importText('a\n1\n2\n', { name: 'mine' })).rejects.toMatchObject({ code: 'BAD_INPUT', message: expect.stringMatching(/already has a dataset named "mine"/) });
    expect(tableCounts(store)).toEqual(before);
  });
});
