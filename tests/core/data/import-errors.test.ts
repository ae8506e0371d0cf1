/**
 * Bad input: each case gets a ResidualError that names the file, the line and the column where
 * they matter and says what to do, and the project is left exactly as it was.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDataset, type ImportOptions } from '../../../src-main/core/data';
import { forCli, SKIP_BAD_ROWS_REMEDY } from '../../../src-main/core/data/messages';
import { ResidualError } from '../../../src-main/core/errors';
import { tmpDir } from '../../helpers/tmp';
import { fixture, freshStore, tableCounts, writeFile } from './reference';

const dir = tmpDir();
const store = freshStore(dir);
let before: ReturnType<typeof tableCounts>;

// One good dataset is already there: failed imports must leave it, and nothing else, behind.
beforeAll(async () => {
  await importDataset(store, fixture('glass.csv'));
  before = tableCounts(store);
});
afterAll(() => store.close());

let files = 0;
function file(content: string | Buffer, name = `bad${++files}.csv`): string {
  return writeFile(dir, name, content);
}

/** Imports, expects a ResidualError, checks the project is unchanged, returns the error. */
async function failure(target: string, options: ImportOptions = {}): Promise<ResidualError> {
  let caught: unknown;
  try {
    await importDataset(store, target, options);
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ResidualError);
  expect(tableCounts(store)).toEqual(before);
  expect(store.listDatasets().map((d) => d.name)).toEqual(['glass']);
  return caught as ResidualError;
}

/** A numeric CSV of about `mb` MiB. */
function bigCsv(name: string, mb: number): string {
  const line = '0.123456,1.234567,22.34567,333.4567,4444.567\n';
  const rows = Math.ceil((mb * 1024 * 1024) / line.length);
  return writeFile(dir, name, 'a,b,c,d,e\n' + line.repeat(rows));
}

describe('files that cannot be read', () => {
  it('a missing file', async () => {
    const target = path.join(dir, 'nope.csv');
    const e = await failure(target);
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toContain(target);
    expect(e.message).toMatch(/does not exist.*Check the path/);
    expect(e.details.file).toBe(target);
  });

  it('a folder', async () => {
    const e = await failure(dir);
    expect(e).toMatchObject({ code: 'BAD_FILE', message: expect.stringMatching(/is a folder, not a file/) });
  });

  it('an empty file, and one with only blank lines', async () => {
    const empty = file('', 'empty.csv');
    expect((await failure(empty)).message).toMatch(/empty\.csv is empty \(0 bytes\)/);
    expect((await failure(file('\n\r\n  \n', 'blank.csv'))).message).toMatch(/blank\.csv holds only blank lines/);
  });

  it('a header without data rows', async () => {
    const e = await failure(file('a,b,c\n', 'header-only.csv'));
    expect(e).toMatchObject({ code: 'BAD_FILE', message: expect.stringMatching(/header-only\.csv has nothing to import: it has a header line but no data rows/) });
  });

  it('a binary file', async () => {
    const e = await failure(file(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x0a, 0x00, 0x00, 0x08]), 'archive.csv'));
    expect(e.message).toMatch(/archive\.csv does not look like CSV or TSV text: line 2 contains a NUL byte/);
    expect(e.details.line).toBe(2);
  });

  it('UTF-16 text', async () => {
    const e = await failure(file(Buffer.from('\uFEFFa,b\n1,2\n', 'utf16le'), 'utf16.csv'));
    expect(e.message).toMatch(/utf16\.csv is UTF-16 text.*UTF-8/);
  });
});

describe('headers', () => {
  it('duplicate column names, with their positions', async () => {
    const e = await failure(file('a,b,a,c,b\n1,2,3,4,5\n', 'dups.csv'));
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toMatch(/dups\.csv must be unique.*"a" \(columns 1 and 3\), "b" \(columns 2 and 5\)/);
    expect(e.details).toMatchObject({ line: 1, column: 'a' });
  });

  it('empty column names, with their positions', async () => {
    const e = await failure(file('a,,c,\n1,2,3,4\n', 'unnamed.csv'));
    expect(e.message).toMatch(/Columns 2, 4 have no name in the header \(line 1\) of .*unnamed\.csv.*delimiter at the end of the header line/);
    expect(e.details).toMatchObject({ line: 1, column: 2 });
  });
});

describe('rows', () => {
  it('rows with too many or too few fields: lines listed (physical lines), skipping suggested in words for any front end', async () => {
    const e = await failure(file('a,b,c\n1,2,3\n1,2\n"multi\nline",2,3\n1,2,3,4\n', 'ragged.csv'));
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toMatch(/ragged\.csv.*header's 3: line 3 has 2, line 6 has 4\. .*or skip such rows when importing\./);
    // No front end's control in the core's words: the CLI names its flag, the app its checkbox (details.remedy).
    expect(e.message).not.toContain('--skip-bad-rows');
    expect(e.details).toMatchObject({ line: 3, lines: [3, 6], remedy: SKIP_BAD_ROWS_REMEDY });
    expect(forCli(e.message)).toMatch(/or import with --skip-bad-rows to skip such rows\./);
  });

  it('stops after five bad rows', async () => {
    const lines = ['a,b', ...Array.from({ length: 50 }, (_, i) => (i % 2 ? '1,2' : '1'))];
    const e = await failure(file(lines.join('\n'), 'many-bad.csv'));
    expect(e.message).toMatch(/line 2 has 1, line 4 has 1, line 6 has 1, line 8 has 1, line 10 has 1 \(and maybe more; reading stopped there\)/);
  });

  it('a header short of one name (R row names): says so', async () => {
    const e = await failure(file('x,y\n1,0.5,2\n2,0.25,3\n', 'rownames.csv'));
    expect(e.message).toMatch(/line 2 has 3, line 3 has 3\. .*skip such rows when importing.*row names, give it a name in the header/);
  });

  it('skipping every row leaves nothing to import', async () => {
    const e = await failure(file('a,b\n1\n2\n', 'all-bad.csv'), { skipBadRows: true });
    expect(e.message).toMatch(/all 2 data rows have the wrong number of fields/);
  });

  it('a number too large to compute with (1e400): file, line, column and value named, fix or skip', async () => {
    const e = await failure(file('a,b\n1,2\n1e400,3\n4,5\n', 'overflow.csv'));
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toMatch(/overflow\.csv, line 3, column "a" holds 1e400, a number too large to compute with \(beyond ±1\.8e308, so it would read as infinity\)\. Fix the value .*or skip such rows when importing\./);
    expect(e.details).toMatchObject({ file: expect.stringMatching(/overflow\.csv$/), line: 3, column: 'a', value: '1e400', remedy: SKIP_BAD_ROWS_REMEDY });
  });

  it('-1e400 too, quoted or not, also as a column\'s first value, and every such column is listed', async () => {
    const neg = await failure(file('a,b\n-1e400,2\n1,3\n', 'negative.csv'));
    expect(neg.message).toMatch(/negative\.csv, line 2, column "a" holds -1e400, a number too large/);
    const quoted = await failure(file('a,b\n1,2\n3,"-1e400"\n', 'quoted.csv'));
    expect(quoted.details).toMatchObject({ line: 3, column: 'b', value: '-1e400' });
    // Past the first rows, where the fast path reads plain rows.
    const rows = Array.from({ length: 200 }, (_, i) => `${i},${i * 2},${i % 7}`);
    rows[150] = '150,2e999,1';
    rows[120] = '120,240,-1E+400';
    const many = await failure(file(['x,y,z', ...rows].join('\n'), 'many.csv'));
    expect(many.message).toMatch(/many\.csv, numbers too large to compute with: line 122, column "z": -1E\+400; line 152, column "y": 2e999 .*Fix those values.*skip such rows when importing/);
    expect(many.details).toMatchObject({ line: 122, column: 'z', lines: [122, 152] });
  });

  it('an unterminated quote at the end of the file: line and column where it opens', async () => {
    const e = await failure(file('a,b,c\n1,2,3\n4,"open,6\n7,8,9\n', 'quote.csv'));
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toMatch(/quote\.csv, a quoted field \(column "b"\) opens at line 3 but its closing quote \(".*never comes/);
    expect(e.details).toMatchObject({ line: 3, column: 'b' });
  });

  it('NUL bytes after the sample: the line is named', async () => {
    const rows = 60_000; // ~1.2 MiB, past the 1 MiB sample
    const text = 'a,b\n' + '12345.678,98765.432\n'.repeat(rows);
    const e = await failure(file(Buffer.concat([Buffer.from(text), Buffer.from('1,\u0000\n')]), 'nul.csv'));
    expect(e.message).toMatch(new RegExp(`Line ${rows + 2} of .*nul\\.csv contains a NUL byte`));
    expect(e.details.line).toBe(rows + 2);
  });

  it('invalid UTF-8 after a sample that was UTF-8: the line is named', async () => {
    const rows = 60_000;
    const text = 'name,b\n' + 'abcdefghi,98765.432\n'.repeat(rows);
    const bad = Buffer.concat([Buffer.from(text + 'ok,1\n'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2c, 0x32, 0x0a])]);
    const e = await failure(file(bad, 'mixed.csv'));
    expect(e.code).toBe('BAD_FILE');
    expect(e.message).toMatch(new RegExp(`Line ${rows + 3} of .*mixed\\.csv is not valid UTF-8 \\(byte 0xE9`));
    expect(e.details.line).toBe(rows + 3);
  });
});

describe('content and options', () => {
  it('no numeric column: lists the columns found and their kinds', async () => {
    const e = await failure(file('name,colour\nann,red\nbob,blue\ncid,red\n', 'words.csv'));
    expect(e.code).toBe('BAD_INPUT');
    expect(e.message).toMatch(/words\.csv has no numeric or categorical column.*"name" \(text, id: .*\); "colour" \(text, /);
    expect(e.message).toMatch(/Check the delimiter/);
  });

  it('no numeric column that varies: says so', async () => {
    const e = await failure(file('a,b\n1,x\n1,y\n1,x\n', 'flat.csv'));
    expect(e.message).toMatch(/flat\.csv has no numeric or categorical column.*"a" \(numbers, ignored: constant.*cannot serve as features/);
  });

  it('an unknown column in the options: named, with the columns listed', async () => {
    const target = fixture('wdbc.csv');
    const e = await failure(target, { label: 'Diagnosis' });
    expect(e.code).toBe('BAD_INPUT');
    expect(e.message).toMatch(/label option names column "Diagnosis", but .*wdbc\.csv has no such column \(did you mean "diagnosis"\?\)\. Columns: "id", "mean radius"/);
    expect(e.details).toMatchObject({ column: 'Diagnosis' });
    expect((await failure(target, { ignore: ['nope'] })).message).toMatch(/ignore option names column "nope"/);
    expect((await failure(target, { roles: { 'mean radius': 'bogus' as never } })).message).toMatch(/"bogus" is not a column role/);
  });

  it('a positive value that does not occur in the label column', async () => {
    const e = await failure(fixture('wdbc.csv'), { label: 'diagnosis', positive: 'Malignant' });
    expect(e.code).toBe('BAD_INPUT');
    expect(e.message).toMatch(/positive value "Malignant" does not occur in column "diagnosis".*"benign" \(357\), "malignant" \(212\)/);
    expect((await failure(fixture('glass.csv'), { label: 'Type', positive: '4' })).message).toMatch(/"4" does not occur in column "Type"/);
    expect((await failure(fixture('glass.csv'), { label: 'Type', positive: 'six' })).message).toMatch(/holds numbers, so the positive value must be one of them/);
  });

  it('a label whose anomaly value cannot be inferred, and a positive value without a label', async () => {
    const e = await failure(fixture('glass.csv'), { label: 'Type' });
    expect(e.message).toMatch(/cannot tell which value of "Type" marks an anomaly.*--positive/);
    expect((await failure(fixture('vowel.csv'), { positive: 'hid' })).message).toMatch(/no column is the label/);
  });

  it('roles that do not fit the column', async () => {
    expect((await failure(fixture('wdbc.csv'), { roles: { diagnosis: 'numeric' } })).message).toMatch(/"diagnosis" holds text, so it cannot be a numeric feature/);
    expect((await failure(fixture('wdbc.csv'), { time: 'id' })).message).toMatch(/"id" does not hold dates or times.*cannot be the timestamp/);
    expect((await failure(fixture('wdbc.csv'), { label: 'diagnosis', roles: { diagnosis: 'ignored' } })).message).toMatch(/given two roles/);
  });

  it('a bad chunkRows', async () => {
    expect((await failure(fixture('wdbc.csv'), { chunkRows: 0 })).message).toMatch(/chunkRows must be a whole number/);
  });
});

describe('interrupted imports', () => {
  it('cancelled after the first progress report: CANCELLED, nothing kept', async () => {
    const target = bigCsv('cancel.csv', 6);
    const ac = new AbortController();
    let reports = 0;
    let caught: unknown;
    try {
      await importDataset(store, target, {}, {
        signal: ac.signal,
        onProgress: () => {
          reports++;
          ac.abort();
        },
      });
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ code: 'CANCELLED', message: 'Import of cancel.csv was cancelled; nothing was changed.' });
    expect(reports).toBe(1);
    expect(tableCounts(store)).toEqual(before);
    // The store is usable afterwards: the write transaction was closed.
    const ok = await importDataset(store, fixture('vowel.csv'), { name: 'after-cancel' });
    expect(ok.dataset.rowCount).toBe(990);
    store.deleteDataset(ok.dataset.id);
  });

  it('cancelled before it starts', async () => {
    const ac = new AbortController();
    ac.abort();
    await expect(importDataset(store, fixture('wdbc.csv'), {}, { signal: ac.signal })).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(tableCounts(store)).toEqual(before);
  });

  it('a file truncated while it is read: clean error, rollback', async () => {
    const target = bigCsv('shrinking.csv', 6);
    const size = fs.statSync(target).size;
    let caught: unknown;
    try {
      await importDataset(store, target, {}, { onProgress: (p) => p.bytesRead < size / 2 && fs.truncateSync(target, Math.floor(size / 2)) });
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ code: 'BAD_FILE', message: expect.stringMatching(/shrinking\.csv changed while it was being imported/) });
    expect(tableCounts(store)).toEqual(before);
  });

  it('a file that disappears before the second read: clean error, rollback', async () => {
    // "x" at the end turns column a into text, which needs a second read of the file.
    const text = 'a,b\n' + '1,2\n'.repeat(300_000) + 'x,3\n';
    const target = file(text, 'vanishing.csv');
    let caught: unknown;
    try {
      await importDataset(store, target, {}, { onProgress: () => fs.existsSync(target) && fs.unlinkSync(target) });
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ code: 'BAD_FILE', message: expect.stringMatching(/vanishing\.csv does not exist \(any more\)/) });
    expect(tableCounts(store)).toEqual(before);
  });
});
