import { describe, expect, it } from 'vitest';
import { CsvParser, CsvSyntaxError } from '../../../src-main/core/data/csv-parser';
import { naiveParse } from './reference';

/** Rows with their start lines, the text pushed in pieces of `piece` characters. */
function parse(text: string, delimiter = ',', piece = Infinity): { fields: string[]; line: number }[] {
  const rows: { fields: string[]; line: number }[] = [];
  const p = new CsvParser(delimiter, (row) => rows.push({ fields: row.fields(), line: row.line }), 2);
  for (let i = 0; i < text.length; i += piece) p.push(text.slice(i, i + piece));
  p.end();
  return rows;
}

const tricky = [
  'name,note,n',
  '"Smith, J.","said ""hi""",1',
  'plain,"multi',
  'line, with ""quotes""",2',
  '"","",3',
  ',,',
  '"ends with quote""",x,5',
  'last,row,6',
].join('\r\n');

describe('CsvParser', () => {
  it('handles quoted delimiters, doubled quotes, newlines in quotes and CRLF, like a naive reader', () => {
    const rows = parse(tricky);
    expect(rows.map((r) => r.fields)).toEqual(naiveParse(tricky));
    expect(rows[1]!.fields).toEqual(['Smith, J.', 'said "hi"', '1']);
    expect(rows[2]!.fields).toEqual(['plain', 'multi\r\nline, with "quotes"', '2']);
    expect(rows[5]!.fields).toEqual(['ends with quote"', 'x', '5']);
  });

  it('gives each row the physical line it starts on, counting line breaks inside quotes', () => {
    expect(parse(tricky).map((r) => r.line)).toEqual([1, 2, 3, 5, 6, 7, 8]);
    expect(parse('a\rb\r\nc\nd').map((r) => [r.fields[0], r.line])).toEqual([['a', 1], ['b', 2], ['c', 3], ['d', 4]]);
  });

  it('gives the same rows whatever the chunk boundaries (including between \\r and \\n, and inside "")', () => {
    const whole = parse(tricky);
    for (const piece of [1, 2, 3, 5, 7, 11]) expect(parse(tricky, ',', piece), `piece ${piece}`).toEqual(whole);
  });

  it('keeps a quote inside an unquoted field, and unquotes text after a closing quote', () => {
    expect(parse('a,5" tall,c\n"ab"cd,e,f').map((r) => r.fields)).toEqual([
      ['a', '5" tall', 'c'],
      ['abcd', 'e', 'f'],
    ]);
  });

  it('reports an unterminated quote with the line where it opens and the field index', () => {
    let err: unknown;
    try {
      parse('a,b\n1,2\n3,"open\n\nstill open');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CsvSyntaxError);
    expect(err).toMatchObject({ kind: 'unterminated-quote', line: 3, fieldIndex: 1 });
  });

  it('splits on the delimiter it is given, and counts trailing empty fields', () => {
    expect(parse('a\tb;c|d\t\n', '\t').map((r) => r.fields)).toEqual([['a', 'b;c|d', '']]);
    expect(parse('a|b|\n', '|').map((r) => r.fields)).toEqual([['a', 'b', '']]);
  });

  it('tells where input ends for errors found in raw bytes', () => {
    const p = new CsvParser(',', () => undefined);
    p.push('a,b\n1,2\n3,"x\ny');
    expect(p.lineAtEndOfInput()).toBe(4);
  });
});
