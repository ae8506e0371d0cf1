import { describe, expect, it } from 'vitest';
import { heatmapCap } from '../../src-main/contract/heatmap';

describe("the heatmap's colour-scale cap (the app's and the report's)", () => {
  it("is the score's fixed scale when known, at least 1× typical for normalised values", () => {
    expect(heatmapCap(6.01, [1, 200], true, false)).toBe(6.01);
    expect(heatmapCap(0.4, [0.1], true, false)).toBe(1);
    expect(heatmapCap(0.4, [0.1], false, false)).toBe(0.4);
  });

  it("falls back to the shown cells' 98th percentile (of magnitudes when signed), ignoring non-finite cells", () => {
    const cells = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(heatmapCap(null, [...cells, NaN, Infinity], true, false)).toBe(99);
    expect(heatmapCap(null, cells.map((v) => -v), true, true)).toBe(99);
    expect(heatmapCap(Number.NaN, [], true, false)).toBe(1);
  });
});
