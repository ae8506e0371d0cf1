import { describe, expect, it } from 'vitest';
import { DecodeError, StreamDecoder, detectEncoding, firstInvalidUtf8 } from '../../../src-main/core/data/decode';
import { sniffDecimalComma, sniffDelimiter } from '../../../src-main/core/data/sniff';

describe('sniffDelimiter', () => {
  it('picks the delimiter whose field counts agree with the header', () => {
    expect(sniffDelimiter('a,b,c\n1,2,3\n4,5,6\n', true)).toBe(',');
    expect(sniffDelimiter('a;b;c\n1,5;2,5;3\n4;5;6\n', true)).toBe(';');
    expect(sniffDelimiter('a\tb\n1\t2\n', true)).toBe('\t');
    expect(sniffDelimiter('a|b|c\n1|2|3\n', true)).toBe('|');
  });

  it('ignores delimiters inside quoted fields', () => {
    // Commas only inside quotes: the semicolon is the delimiter.
    expect(sniffDelimiter('"a,1";"b,2"\n"x,y,z";"1"\n"p";"q,r"\n', true)).toBe(';');
  });

  it('falls back to a comma for a single column', () => {
    expect(sniffDelimiter('value\n1\n2\n', true)).toBe(',');
  });
});

describe('sniffDecimalComma', () => {
  it('sees decimal commas only with a semicolon delimiter', () => {
    expect(sniffDecimalComma('x;y\n1,5;2\n3,25;4\n', ';', true)).toBe(true);
    expect(sniffDecimalComma('x;y\n1.5;2\n3.25;4\n', ';', true)).toBe(false);
    expect(sniffDecimalComma('x,y\n1,5\n', ',', true)).toBe(false);
  });
});

describe('encodings', () => {
  it('detects UTF-8, UTF-8 with BOM and Windows-1252, and refuses binary and UTF-16', () => {
    expect(detectEncoding(Buffer.from('a,b\né,1\n'), true)).toEqual({ ok: true, encoding: 'utf-8' });
    expect(detectEncoding(Buffer.from('\uFEFFa,b\n'), true)).toEqual({ ok: true, encoding: 'utf-8-bom' });
    expect(detectEncoding(Buffer.from([0x61, 0x2c, 0xe9, 0x0a]), true)).toEqual({ ok: true, encoding: 'windows-1252' });
    expect(detectEncoding(Buffer.from([0x61, 0x0a, 0x00, 0x01]), true)).toEqual({ ok: false, reason: 'nul', offset: 2 });
    expect(detectEncoding(Buffer.from([0xff, 0xfe, 0x61, 0x00]), true)).toMatchObject({ ok: false, reason: 'utf-16' });
    // A sample cut in the middle of a character is still UTF-8.
    const cut = Buffer.from('abc€').subarray(0, 5);
    expect(detectEncoding(cut, false)).toEqual({ ok: true, encoding: 'utf-8' });
  });

  it('decodes characters split across chunks, Windows-1252 bytes, and drops only a leading BOM', () => {
    const bytes = Buffer.from('\uFEFFé€x\uFEFF', 'utf8');
    const dec = new StreamDecoder('utf-8-bom');
    let text = '';
    for (let i = 0; i < bytes.length; i++) text += dec.decode(bytes.subarray(i, i + 1));
    expect(text + dec.end()).toBe('é€x\uFEFF');
    expect(new StreamDecoder('windows-1252').decode(Buffer.from([0xe9, 0x80, 0x20, 0x9c]))).toBe('é€ œ');
  });

  it('says where UTF-8 breaks', () => {
    const buf = Buffer.concat([Buffer.from('ab\ncd'), Buffer.from([0xe9]), Buffer.from('f')]);
    expect(firstInvalidUtf8(buf)).toBe(5);
    let err: unknown;
    try {
      new StreamDecoder('utf-8').decode(buf);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as DecodeError).offset).toBe(5);
    expect(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0); // surrogates are not UTF-8
    expect(firstInvalidUtf8(Buffer.from('ok €'))).toBe(-1);
  });
});
