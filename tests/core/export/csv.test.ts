/** The CSV writer of the ranking export: RFC 4180 quoting, full-precision numbers, the fixed header. */
import { describe, expect, it } from 'vitest';
import { csvField, csvLine, RANKING_CSV_COLUMNS, RANKING_CSV_HEADER } from '../../../src-main/core/export';

/** A minimal RFC 4180 reader, to check that what is written reads back as it was. */
function parse(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    }
    else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

describe('csvField', () => {
  it('leaves plain text as it is and quotes fields with a comma, a quote or a line break', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('"')).toBe('""""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField('crlf\r\nhere')).toBe('"crlf\r\nhere"');
    expect(csvField(' spaced ')).toBe(' spaced ');
    expect(csvField('é, ü — 日本')).toBe('"é, ü — 日本"');
  });

  it('writes numbers with full precision, booleans as words, nothing for null and NaN', () => {
    expect(csvField(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(Number(csvField(Math.fround(1 / 3)))).toBe(Math.fround(1 / 3));
    expect(csvField(1e-12)).toBe('1e-12');
    expect(csvField(42)).toBe('42');
    expect(csvField(true)).toBe('true');
    expect(csvField(false)).toBe('false');
    expect(csvField(null)).toBe('');
    expect(csvField(undefined)).toBe('');
    expect(csvField(NaN)).toBe('');
  });
});

describe('csvLine', () => {
  it('joins fields with commas, ends with CRLF, and reads back field for field', () => {
    const fields = ['id,1', 'note with "quotes"', 'multi\nline', '', 3.25, true];
    const line = csvLine(fields);
    expect(line.endsWith('\r\n')).toBe(true);
    expect(parse(line)).toEqual([['id,1', 'note with "quotes"', 'multi\nline', '', '3.25', 'true']]);
  });

  it('the ranking header names the columns once, in order', () => {
    expect(RANKING_CSV_HEADER).toBe('rank,id,score,flagged,feature_1,share_1,feature_2,share_2,feature_3,share_3,label,verdict,note\r\n');
    expect(parse(RANKING_CSV_HEADER)[0]).toEqual([...RANKING_CSV_COLUMNS]);
  });
});
