import { describe, expect, it } from 'vitest';
import { formatBytes } from '../../src-renderer/src/components/data/bytes';

describe('formatBytes (file sizes in the app)', () => {
  it('says bytes below 1 KiB, never a fraction of a KiB', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(33)).toBe('33 B');
    expect(formatBytes(1023)).toBe('1023 B');
  });

  it('then KiB, MiB, GiB with at most three significant digits', () => {
    expect(formatBytes(1024)).toBe('1 KiB');
    expect(formatBytes(4690)).toBe('4.58 KiB');
    expect(formatBytes(46_900)).toBe('45.8 KiB');
    expect(formatBytes(125_000)).toBe('122 KiB');
    expect(formatBytes(1_048_575)).toBe('1 MiB');
    expect(formatBytes(5.5 * 1024 ** 3)).toBe('5.5 GiB');
  });

  it('shows nothing misleading for impossible sizes', () => {
    expect(formatBytes(-1)).toBe('–');
    expect(formatBytes(Number.NaN)).toBe('–');
  });
});
