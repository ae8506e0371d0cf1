import { describe, expect, it } from 'vitest';
import { downloadName } from '../../src-renderer/src/api/download-name';

describe('the name a browser-mode download is saved under', () => {
  it("is the file's name, never the server's folder", () => {
    expect(downloadName('/tmp/newcomer-home/reports/p-model-3-ensemble.onnx')).toBe('p-model-3-ensemble.onnx');
    expect(downloadName('C:\\Users\\ana\\.residual\\reports\\cards-model-1.csv')).toBe('cards-model-1.csv');
    expect(downloadName('report.pdf')).toBe('report.pdf');
  });
});
