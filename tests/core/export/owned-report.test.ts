import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOverwrite, isResidualReport } from '../../../src-main/core/export/owned';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'residual-owned-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A PDF-like file: the header, the document info at `at`, then `after` bytes of image data. */
function pdf(name: string, info: string, after: number): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, Buffer.concat([Buffer.from('%PDF-1.3\n'), Buffer.alloc(5000, 0x41), Buffer.from(info, 'latin1'), Buffer.alloc(after, 0x42), Buffer.from('\n%%EOF\n')]));
  return file;
}

describe('a report Residual wrote may be written over', () => {
  it('finds the creator wherever the document info lies, also before megabytes of gallery images', () => {
    expect(isResidualReport(pdf('near-end.pdf', '/Creator (Residual 0.1.0)', 100))).toBe(true);
    // The info dictionary before 3 MiB of image streams (a report with a gallery): the old 64 KiB tail missed it.
    expect(isResidualReport(pdf('gallery.pdf', '/Creator (Residual 0.1.0)', 3 * 1024 * 1024))).toBe(true);
    // The marker straddling a chunk boundary is still found.
    const straddle = pdf('straddle.pdf', '/Creator (Residual 0.1.0)', (1 << 20) - 20);
    expect(isResidualReport(straddle)).toBe(true);
    expect(() => checkOverwrite(straddle, 'report')).not.toThrow();
  });

  it("refuses another program's PDF and a file that is no PDF", () => {
    const other = pdf('other.pdf', '/Creator (LibreOffice 7.4)', 2 * 1024 * 1024);
    expect(isResidualReport(other)).toBe(false);
    expect(() => checkOverwrite(other, 'report')).toThrow(/exists and is not a Residual report/);
    const text = path.join(dir, 'notes.pdf');
    fs.writeFileSync(text, 'not a pdf (Residual 0.1.0)');
    expect(isResidualReport(text)).toBe(false);
  });
});
