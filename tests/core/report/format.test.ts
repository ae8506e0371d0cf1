import { describe, expect, it } from 'vitest';
import { formatInt, formatNumber } from '../../../src-main/core/report/format';

describe('report number format', () => {
  it('groups thousands like the UI (en-US), from four digits on', () => {
    expect(formatInt(999)).toBe('999');
    expect(formatInt(1234)).toBe('1,234');
    expect(formatInt(-1234)).toBe('-1,234');
    expect(formatInt(1_234_567)).toBe('1,234,567');
    expect(formatNumber(1234.5)).toBe('1,235');
    expect(formatNumber(1234.5, 6)).toBe('1,234.5');
    expect(formatNumber(0.1234)).toBe('0.1234');
  });
});
