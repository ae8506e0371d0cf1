import { describe, expect, it } from 'vitest';
import { isMissing, parseNumber, parseNumberAt, parseTime } from '../../../src-main/core/data/values';

describe('parseNumber', () => {
  it('equals Number() bit for bit on short, long, tiny and huge spellings', () => {
    // Deterministic pseudo-random spellings covering the fast path and the Number() fallback.
    let seed = 42;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const spellings: string[] = ['0', '-0', '+0', '0.0', '1', '007', '.5', '5.', '-.25', '1e5', '1E-5', '2.5e+3', '123456789012345', '1234567890123456789', '0.1', '0.3',
      '9007199254740993', '1e22', '1e23', '4.9e-324', '1.7976931348623157e308', '0.000000000000000000000001234', '123.456e-10'];
    for (let i = 0; i < 20_000; i++) {
      const digits = 1 + Math.floor(rand() * 20);
      let d = '';
      for (let k = 0; k < digits; k++) d += Math.floor(rand() * 10);
      const point = Math.floor(rand() * (digits + 1));
      let s = (rand() < 0.3 ? '-' : '') + d.slice(0, point) + (point < digits || rand() < 0.5 ? '.' : '') + d.slice(point);
      if (rand() < 0.2) s += `e${rand() < 0.5 ? '-' : ''}${Math.floor(rand() * 30)}`;
      spellings.push(s);
    }
    for (const s of spellings) expect(Object.is(parseNumber(s, false), Number(s)), s).toBe(true);
  });

  it('reads decimal commas only when asked, and rejects what is not a plain number', () => {
    expect(parseNumber('1,5', true)).toBe(1.5);
    expect(parseNumber('-0,125', true)).toBe(-0.125);
    expect(parseNumber('1,5', false)).toBeNaN();
    expect(parseNumber('1.5', true)).toBeNaN(); // '.' is not the decimal mark then: kept as text, not misread
    for (const s of ['', ' ', '-', '.', 'e5', '1e', '1e+', '0x1F', 'Infinity', '-inf', '1,000', '1 000', '1.2.3', '12abc', '--1', 'NaN']) {
      expect(parseNumber(s, false), s).toBeNaN();
    }
    expect(parseNumber('  42.5 ', false)).toBe(42.5);
  });

  it('parses a range inside a longer string without looking past it', () => {
    const s = 'x,12.5,7e3,99';
    expect(parseNumberAt(s, 2, 6, false)).toBe(12.5);
    expect(parseNumberAt(s, 7, 10, false)).toBe(7000);
    expect(parseNumberAt(s, 2, 5, false)).toBe(12);
  });
});

describe('isMissing', () => {
  it('knows the missing tokens, with surrounding whitespace, and nothing else', () => {
    for (const s of ['', '   ', '\t', 'NA', 'N/A', 'NaN', 'nan', 'null', 'NULL', '?', ' NA ']) expect(isMissing(s), JSON.stringify(s)).toBe(true);
    for (const s of ['0', 'na', 'None', 'n/a ok', 'NULLS', '??', '-']) expect(isMissing(s), s).toBe(false);
  });
});

describe('parseTime', () => {
  const utc = (...a: [number, number, number, number?, number?, number?, number?]): number => Date.UTC(a[0], a[1] - 1, a[2], a[3] ?? 0, a[4] ?? 0, a[5] ?? 0, a[6] ?? 0);

  it('reads ISO 8601 dates and times, with T or space, fractions, Z and offsets', () => {
    expect(parseTime('2021-03-04', 'dmy')).toBe(utc(2021, 3, 4));
    expect(parseTime('2021-03-04 05:06', 'dmy')).toBe(utc(2021, 3, 4, 5, 6));
    expect(parseTime('2021-03-04T05:06:07', 'dmy')).toBe(utc(2021, 3, 4, 5, 6, 7));
    expect(parseTime('2021-03-04T05:06:07.250Z', 'dmy')).toBe(utc(2021, 3, 4, 5, 6, 7, 250));
    expect(parseTime('2021-03-04T05:06:07+02:00', 'dmy')).toBe(utc(2021, 3, 4, 3, 6, 7));
    expect(parseTime('2021-03-04T05:06:07-0130', 'dmy')).toBe(utc(2021, 3, 4, 6, 36, 7));
    expect(parseTime('1969-12-31T23:59:59Z', 'dmy')).toBe(-1000);
    expect(parseTime('2021/03/04', 'mdy')).toBe(utc(2021, 3, 4));
  });

  it('reads slash dates in the order given and dotted dates day first', () => {
    expect(parseTime('03/04/2021', 'dmy')).toBe(utc(2021, 4, 3));
    expect(parseTime('03/04/2021', 'mdy')).toBe(utc(2021, 3, 4));
    expect(parseTime('25/12/2021 18:30', 'dmy')).toBe(utc(2021, 12, 25, 18, 30));
    expect(parseTime('25/12/2021', 'mdy')).toBeNaN();
    expect(parseTime('4.3.2021', 'mdy')).toBe(utc(2021, 3, 4));
  });

  it('rejects impossible dates and times and things that are not dates', () => {
    for (const s of ['2021-02-29', '2021-13-01', '2021-00-10', '2021-04-31', '2021-01-01T24:00', '2021-01-01T12:60', '2021-01-01T12:00:60', '2021-01-01T12:00+15:00',
      '2021-01-01x', '20210101', '12', 'hello', '2021-1-1-1', '1/2/21']) {
      expect(parseTime(s, 'dmy'), s).toBeNaN();
    }
    expect(parseTime('2020-02-29', 'dmy')).toBe(utc(2020, 2, 29));
  });
});
