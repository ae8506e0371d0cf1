/**
 * The report's gallery for image datasets: the top rows as tiles (original, reconstruction, per-pixel error or
 * attribution map, with rank and score), recomputed for these rows like the app's gallery (row.images) and drawn
 * as PNG images (pngjs), scaled up without smoothing.
 */
import { PNG } from 'pngjs';
import { imageRgba, mapColour } from '../../contract/images';
import { VERDICT_NAMES } from '../../contract/review';
import { getModel } from '../engine';
import { imageColumns, imageMaps, mapOf, readPixels } from '../engine/images';
import type { DatasetInfo, ProjectStore } from '../store';
import { heatmapScale } from '../workbench/heatmap-scale';
import { formatInt, formatNumber } from './format';
import { INK, type Layout } from './layout';
import { GALLERY_TILES, type ReportData, type ReportGallery, type ReportTopRow } from './types';

/** The gallery of the top rows, or null when the dataset is not images. */
export async function gatherGallery(store: ProjectStore, ds: DatasetInfo, scoreId: number, modelId: number, top: readonly ReportTopRow[]): Promise<ReportGallery | null> {
  const image = (() => {
    try {
      return imageColumns(ds);
    } catch {
      return null;
    }
  })();
  if (!image || top.length === 0) return null;
  const shown = top.slice(0, GALLERY_TILES);
  const rows = shown.map((t) => t.row);
  const pixels = readPixels(store, ds, image.columns, rows);
  const maps = await imageMaps(store, scoreId, rows, image.columns, pixels);
  const kind = mapOf(getModel(store, modelId));
  return {
    shape: { width: image.shape.width, height: image.shape.height, channels: image.shape.channels },
    map: kind.map,
    reconstructs: kind.reconstructs,
    signed: kind.signed,
    meaning: kind.meaning,
    scale: heatmapScale(store, scoreId, false).value,
    tiles: shown.map((t, i) => ({
      rank: t.rank,
      id: t.id,
      score: t.score,
      flagged: t.flagged,
      verdict: t.verdict,
      pixels: pixels[i]!,
      reconstruction: maps.reconstruction[i]!,
      errors: maps.errors[i]!,
    })),
    omitted: top.length - shown.length,
  };
}

/** RGBA bytes → a PNG, each pixel repeated `k` × `k` (viewers smooth small images when they scale them up). */
export function pngOf(rgba: Uint8ClampedArray, width: number, height: number, k: number): Buffer {
  const png = new PNG({ width: width * k, height: height * k });
  for (let y = 0; y < height * k; y++) {
    for (let x = 0; x < width * k; x++) {
      const from = (Math.floor(y / k) * width + Math.floor(x / k)) * 4;
      const to = (y * width * k + x) * 4;
      png.data[to] = rgba[from]!;
      png.data[to + 1] = rgba[from + 1]!;
      png.data[to + 2] = rgba[from + 2]!;
      png.data[to + 3] = rgba[from + 3]!;
    }
  }
  return PNG.sync.write(png);
}

const COLUMNS = 3;
const GAP = 4;
const CAPTION = 11;

/** The gallery pages: tiles three to a row, each with original / reconstruction / map and its rank, id and score. */
export function gallerySection(layout: Layout, d: ReportData): void {
  const g = d.gallery;
  if (!g) return;
  layout.pageBreak();
  layout.heading('Gallery of the top images');
  layout.paragraph(
    `The ${formatInt(g.tiles.length)} highest-ranked images: ${g.reconstructs ? 'the original, the model\'s reconstruction and the per-pixel error map' : 'the original and the per-pixel attribution map (this kind has no reconstruction)'}. ` +
      `The map is ${g.meaning}; one colour scale for every tile, from black (none) to pale yellow (${formatNumber(g.scale)} and above, the 99th percentile over the whole score)${g.signed ? ', blue for negative values' : ''}. ` +
      `A red rank marks a flagged image.${g.omitted ? ` ${formatInt(g.omitted)} further top rows are listed in the table above but not drawn.` : ''}`,
    { size: 8.5, color: INK.muted },
    { after: 4 },
  );
  legend(layout, g);
  const k = Math.max(1, Math.ceil(96 / Math.max(g.shape.width, g.shape.height)));
  const perTile = g.reconstructs ? 3 : 2;
  const tileW = (layout.width - (COLUMNS - 1) * 12) / COLUMNS;
  const imgW = Math.min(56, (tileW - (perTile - 1) * GAP) / perTile);
  const imgH = (imgW * g.shape.height) / g.shape.width;
  const rowH = imgH + CAPTION + 10;
  const doc = layout.doc;
  for (let i = 0; i < g.tiles.length; i += COLUMNS) {
    layout.ensure(rowH);
    const y = layout.y;
    for (let c = 0; c < COLUMNS && i + c < g.tiles.length; c++) {
      const t = g.tiles[i + c]!;
      const x0 = layout.left + c * (tileW + 12);
      const images = [
        imageRgba(t.pixels, g.shape, { kind: 'pixels' }),
        ...(t.reconstruction ? [imageRgba(t.reconstruction, g.shape, { kind: 'pixels' })] : []),
        imageRgba(t.errors, g.shape, { kind: 'map', scale: g.scale, signed: g.signed }),
      ];
      images.forEach((rgba, j) => layout.image(pngOf(rgba, g.shape.width, g.shape.height, k), x0 + j * (imgW + GAP), y, imgW, imgH));
      const caption = `#${formatInt(t.rank)}  ${t.id}  score ${formatNumber(t.score)}${t.verdict ? `  · ${VERDICT_NAMES[t.verdict].toLowerCase()}` : ''}`;
      doc.fontSize(7).fillColor(t.flagged ? '#b3261e' : INK.text).text(caption, x0, y + imgH + 2, { width: tileW, lineBreak: false, ellipsis: true });
    }
    doc.fillColor(INK.text);
    layout.y = y + rowH;
  }
}

/** The map's colour scale as a bar with its ends. */
function legend(layout: Layout, g: ReportGallery): void {
  const steps = 64;
  const rgba = new Uint8ClampedArray(steps * 4);
  for (let i = 0; i < steps; i++) {
    const v = g.signed ? -1 + (2 * i) / (steps - 1) : i / (steps - 1);
    const [r, gr, b] = mapColour(v, 1, g.signed);
    rgba.set([r, gr, b, 255], i * 4);
  }
  layout.ensure(24);
  const y = layout.y;
  const w = 160;
  layout.image(pngOf(rgba, steps, 1, 4), layout.left, y, w, 7);
  const doc = layout.doc;
  doc.fontSize(7).fillColor(INK.muted);
  doc.text(g.signed ? `−${formatNumber(g.scale)}` : '0', layout.left, y + 9, { lineBreak: false });
  doc.text(`≥ ${formatNumber(g.scale)}`, layout.left + w - 40, y + 9, { width: 40, align: 'right', lineBreak: false });
  doc.fillColor(INK.text);
  layout.y = y + 24;
}
