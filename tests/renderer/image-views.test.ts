/**
 * The image views' logic without a browser (issue #14 item 3): the map colour scale (errors and signed
 * attributions), images as RGBA bytes for a canvas or a PNG, colour channels folded into one map value per pixel,
 * and the Ranking's thumbnail fetching (only rows not held or on their way, in batches the contract allows).
 */
import { describe, expect, it, vi } from 'vitest';
import { imageRgba, mapColour, MAX_IMAGE_ROWS, perPixel } from '../../src-main/contract/images';

const invoke = vi.fn();
vi.mock('../../src-renderer/src/api/client', () => ({ api: { invoke: (...a: unknown[]) => invoke(...a) } }));
const { missingRows, useThumbnails, THUMBNAIL_CACHE_ROWS } = await import('../../src-renderer/src/components/images/thumbnails');

describe('mapColour', () => {
  it('runs from near-black at 0 to pale yellow at the scale, brighter all the way, and clips beyond it', () => {
    expect(mapColour(0, 2)).toEqual([0, 0, 4]);
    expect(mapColour(2, 2)).toEqual([252, 255, 164]);
    expect(mapColour(5, 2)).toEqual([252, 255, 164]);
    const lum = (c: number[]): number => 0.2126 * c[0]! + 0.7152 * c[1]! + 0.0722 * c[2]!;
    let last = -1;
    for (let t = 0; t <= 1.0001; t += 0.05) {
      const l = lum(mapColour(t, 1));
      expect(l).toBeGreaterThan(last);
      last = l;
    }
    // Halfway: the middle stop (a red).
    expect(mapColour(0.5, 1)).toEqual([188, 55, 84]);
  });

  it('draws negative values blue only on a signed scale; a zero or broken scale draws nothing', () => {
    expect(mapColour(-1, 1, true)).toEqual([200, 235, 255]);
    const blue = mapColour(-0.5, 1, true);
    expect(blue[2]).toBeGreaterThan(blue[0]!);
    expect(mapColour(-1, 1, false)).toEqual([0, 0, 4]);
    expect(mapColour(3, 0)).toEqual([0, 0, 4]);
    expect(mapColour(Number.NaN, 1)).toEqual([0, 0, 4]);
    expect(mapColour(1, Number.POSITIVE_INFINITY)).toEqual([0, 0, 4]);
  });
});

describe('imageRgba and perPixel', () => {
  it('draws grey pixels as grey, colour as colour, opaque, 0–1 clipped', () => {
    expect(Array.from(imageRgba([0, 0.5, 1, 2], { width: 2, height: 2, channels: 1 }, { kind: 'pixels' }))).toEqual([
      0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    ]);
    expect(Array.from(imageRgba([1, 0, 0, 0, 0.2, 1], { width: 2, height: 1, channels: 3 }, { kind: 'pixels' }))).toEqual([255, 0, 0, 255, 0, 51, 255, 255]);
  });

  it('draws a map in the map colours, a colour image\'s three channels averaged into one value per pixel', () => {
    const shape = { width: 2, height: 1, channels: 3 as const };
    expect(perPixel([0.3, 0.3, 0.3, 3, 0, 0], shape)).toEqual([0.3, 1]);
    expect(perPixel([1, 2, 3], { width: 3, height: 1, channels: 1 })).toEqual([1, 2, 3]);
    const rgba = imageRgba([0, 0, 0, 3, 3, 3], shape, { kind: 'map', scale: 3, signed: false });
    expect(Array.from(rgba)).toEqual([0, 0, 4, 255, 252, 255, 164, 255]);
  });
});

describe('thumbnails', () => {
  it('asks for the rows not held and not on their way, once each, at most a batch', () => {
    expect(missingRows([5, 1, 5, 2, 3], new Map([[1, []]]), new Set([3]))).toEqual([5, 2]);
    expect(missingRows(Array.from({ length: 250 }, (_, i) => i), new Set(), new Set())).toHaveLength(MAX_IMAGE_ROWS);
  });

  it('fetches the pixels of rows in batches, never twice, and forgets them for another score', async () => {
    invoke.mockReset();
    invoke.mockImplementation(async (_m: string, req: { scoreId: number; rows: number[] }) => ({
      shape: { source: 'idx', width: 2, height: 1, channels: 1 },
      rows: req.rows.map((row) => ({ row, pixels: [row / 1000, 0] })),
    }));
    const t = useThumbnails();
    t.reset(7);
    const rows = Array.from({ length: 150 }, (_, i) => i);
    await Promise.all([t.want(rows), t.want(rows.slice(0, 40))]);
    const calls = invoke.mock.calls.map((c) => c[1] as { scoreId: number; rows: number[]; parts: string });
    expect(calls.every((c) => c.scoreId === 7 && c.parts === 'pixels' && c.rows.length <= MAX_IMAGE_ROWS)).toBe(true);
    expect(calls.flatMap((c) => c.rows).sort((a, b) => a - b)).toEqual(rows);
    expect(t.get(42)).toEqual([0.042, 0]);
    expect(t.shape.value).toMatchObject({ width: 2, height: 1 });
    await t.want([3, 4]);
    expect(invoke).toHaveBeenCalledTimes(calls.length);

    t.reset(8);
    expect(t.get(42)).toBeNull();
    await t.want([42]);
    expect(invoke.mock.calls.at(-1)![1]).toMatchObject({ scoreId: 8, rows: [42] });
  });

  it('keeps at most THUMBNAIL_CACHE_ROWS rows, dropping the oldest', async () => {
    invoke.mockReset();
    invoke.mockImplementation(async (_m: string, req: { rows: number[] }) => ({ shape: { source: 'idx', width: 1, height: 1, channels: 1 }, rows: req.rows.map((row) => ({ row, pixels: [0] })) }));
    const t = useThumbnails();
    t.reset(1);
    await t.want(Array.from({ length: THUMBNAIL_CACHE_ROWS + 50 }, (_, i) => i));
    expect(t.get(0)).toBeNull();
    expect(t.get(49)).toBeNull();
    expect(t.get(50)).toEqual([0]);
    expect(t.get(THUMBNAIL_CACHE_ROWS + 49)).toEqual([0]);
  });
});
