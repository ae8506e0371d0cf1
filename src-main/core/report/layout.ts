/**
 * A small layout engine over pdfkit: one cursor (y) down the page, explicit page breaks, and every string
 * measured with the embedded font before it is drawn, so nothing overflows its box. pdfkit's own flowing
 * text is never used (it adds pages on its own); every line is drawn with lineBreak: false.
 */
import PDFDocument from 'pdfkit';
import SVGtoPDF from 'svg-to-pdfkit';
import type { FontName } from './fonts';
import type { Paper } from './types';
import { ellipsize, wrap, wrapCommand, type Measure } from './wrap';

/** Points; pdfinfo reports A4 as 595.276 × 841.89 and Letter as 612 × 792. */
export const PAPER_SIZES: Record<Paper, readonly [number, number]> = { a4: [595.28, 841.89], letter: [612, 792] };
export const MARGINS = { top: 62, bottom: 54, left: 50, right: 50 };

export const INK = { text: '#222222', muted: '#5f6670', rule: '#c9d1db', headerFill: '#e9eef4', zebra: '#f6f8fa', accent: '#2f5d8a' };

export interface Style {
  readonly font?: FontName;
  readonly size?: number;
  readonly color?: string;
}

const BODY = { font: 'body' as FontName, size: 9, color: INK.text };
/** Smallest size a number is shrunk to before it is cut. */
const MIN_SHRUNK_SIZE = 5.5;
/** Line pitch as a multiple of the font size (DejaVu's own line box is about 1.16). */
const LEADING = 1.3;

export type CellLine = string | { readonly text: string; readonly font?: FontName; readonly color?: string };
/** A string (wrapped to the column's maxLines) or pre-split lines (each cut to one line). */
/** `span` > 1 lets a cell take the width of the next columns too (their cells are skipped). */
export type Cell = string | { readonly text?: string; readonly lines?: readonly CellLine[]; readonly font?: FontName; readonly color?: string; readonly span?: number };

export interface TableColumn {
  readonly header: string;
  /** Share of the table width (weights are normalised). */
  readonly weight: number;
  /** 'right' marks a number column: each line stays one line, shrunk a little if it must. */
  readonly align?: 'left' | 'right' | 'center';
  readonly font?: FontName;
  /** Most lines a wrapped string cell takes; longer text ends in an ellipsis. Default 3. */
  readonly maxLines?: number;
}

export interface TableOptions {
  readonly size?: number;
  /** Draw the header row (repeated on every page the table runs onto). Default true. */
  readonly header?: boolean;
  readonly zebra?: boolean;
  readonly width?: number;
}

/** A buffered document (pages stay open for the running headers) whose default font is embedded DejaVu. */
export function newDocument(paper: Paper, fonts: Record<FontName, string>, info: PDFKit.DocumentInfo = {}): PDFKit.PDFDocument {
  return new PDFDocument({
    size: [...PAPER_SIZES[paper]],
    margins: MARGINS,
    bufferPages: true,
    // Without it pdfkit starts on Helvetica, a standard-14 font that is never embedded.
    font: fonts.body,
    info,
    lang: 'en',
    displayTitle: true,
  });
}

/** The document's bytes once `doc.end()` is called. */
export function collect(doc: PDFKit.PDFDocument): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

interface DrawnLine {
  readonly text: string;
  readonly font: FontName;
  readonly color: string;
  /** Smaller than the table's size when a number was shrunk to fit its cell. */
  readonly size?: number;
}

interface LaidCell {
  readonly x: number;
  readonly width: number;
  readonly align: TableColumn['align'];
  readonly lines: readonly DrawnLine[];
}

export class Layout {
  /** Top of the free space on the current page. */
  y = MARGINS.top;
  private section = '';
  /** Running-header text per page. */
  private readonly pageSections: string[] = [''];
  /** Sections in order with their 0-based first page, for the contents. */
  readonly sections: { title: string; page: number }[] = [];
  private fresh = true;
  private readonly fontCallback = (_family: string, bold: boolean): string => this.fonts[bold ? 'bold' : 'body'];

  constructor(
    readonly doc: PDFKit.PDFDocument,
    private readonly fonts: Record<FontName, string>,
    private readonly running: { readonly header: string; readonly footer: string },
  ) {}

  get left(): number {
    return MARGINS.left;
  }
  get width(): number {
    return this.doc.page.width - MARGINS.left - MARGINS.right;
  }
  get top(): number {
    return MARGINS.top;
  }
  get bottom(): number {
    return this.doc.page.height - MARGINS.bottom;
  }
  get remaining(): number {
    return this.bottom - this.y;
  }

  measure(style: Style = {}): Measure {
    const font = style.font ?? BODY.font;
    const size = style.size ?? BODY.size;
    const file = this.fonts[font];
    return (text) => this.doc.font(file).fontSize(size).widthOfString(text);
  }

  lineHeight(size = BODY.size): number {
    return size * LEADING;
  }

  newPage(): void {
    this.doc.addPage();
    this.y = this.top;
    this.pageSections.push(this.section);
    this.fresh = true;
  }

  /** Starts a new page unless the current one is still empty. */
  pageBreak(): void {
    if (!this.fresh) this.newPage();
  }

  /** Keeps the next `height` points together: breaks the page when they do not fit below the cursor. */
  ensure(height: number): void {
    if (this.y + height > this.bottom && !this.fresh) this.newPage();
  }

  gap(height: number): void {
    this.y = Math.min(this.bottom, this.y + height);
  }

  /** Level 1 starts a section (running header, PDF outline); both keep `keep` points of what follows on their page. */
  heading(title: string, level: 1 | 2 = 1, keep = 90): void {
    const size = level === 1 ? 14 : 10.5;
    if (level === 1 && !this.fresh) this.gap(8);
    this.ensure(this.lineHeight(size) + keep);
    if (level === 1) {
      this.section = title;
      if (this.fresh) this.pageSections[this.pageSections.length - 1] = title;
      this.sections.push({ title, page: this.pageSections.length - 1 });
      this.doc.outline.addItem(title);
    }
    const line = ellipsize(title, this.width, this.measure({ font: 'bold', size }));
    this.drawLine({ text: line, font: 'bold', color: level === 1 ? INK.accent : INK.text }, size, this.left, this.y);
    this.y += this.lineHeight(size);
    if (level === 1) {
      this.doc.moveTo(this.left, this.y).lineTo(this.left + this.width, this.y).lineWidth(0.75).strokeColor(INK.accent).stroke();
      this.y += 6;
    } else {
      this.y += 1;
    }
  }

  /** Wrapped text, breaking the page between lines; a paragraph never starts on the last line of a page. */
  paragraph(text: string, style: Style = {}, opts: { indent?: number; after?: number } = {}): void {
    const font = style.font ?? BODY.font;
    const size = style.size ?? BODY.size;
    const color = style.color ?? BODY.color;
    const indent = opts.indent ?? 0;
    const lines = wrap(text, this.width - indent, this.measure({ font, size }));
    const lh = this.lineHeight(size);
    this.ensure(Math.min(lines.length, 2) * lh);
    for (const line of lines) {
      this.ensure(lh);
      this.drawLine({ text: line, font, color }, size, this.left + indent, this.y);
      this.y += lh;
    }
    this.y += opts.after ?? 4;
  }

  /**
   * A shell command in the mono font on a shaded band, wrapped with backslash continuations (wrapCommand)
   * so the lines, copied out of the PDF as they are, still run; kept on one page when it fits one.
   */
  command(text: string, opts: { indent?: number; size?: number; after?: number } = {}): void {
    const size = opts.size ?? 8;
    const indent = opts.indent ?? 0;
    const padX = 4;
    const lh = this.lineHeight(size);
    const lines = wrapCommand(text, this.width - indent - 2 * padX, this.measure({ font: 'mono', size }));
    this.ensure(Math.min(lines.length * lh + 4, this.bottom - this.top));
    this.y += 2;
    for (const line of lines) {
      this.ensure(lh);
      this.doc.rect(this.left + indent, this.y, this.width - indent, lh).fill(INK.zebra);
      this.drawLine({ text: line, font: 'mono', color: INK.text }, size, this.left + indent + padX, this.y + (lh - size * 1.16) / 2);
      this.y += lh;
    }
    this.y += 2 + (opts.after ?? 4);
  }

  /** Label: value rows; values wrap, labels are cut to their column. */
  keyValues(pairs: readonly (readonly [string, string])[], opts: { keyWidth?: number; size?: number; mono?: readonly string[] } = {}): void {
    const keyWidth = opts.keyWidth ?? 150;
    const mono = new Set(opts.mono ?? []);
    this.table(
      [
        { header: '', weight: keyWidth, font: 'bold', maxLines: 2 },
        { header: '', weight: this.width - keyWidth, maxLines: 12 },
      ],
      pairs.map(([k, v]) => [{ text: k, color: INK.muted, font: 'bold' }, mono.has(k) ? { text: v, font: 'mono' } : v]),
      { header: false, zebra: false, size: opts.size ?? 8.5 },
    );
  }

  /** A table that breaks across pages between rows and repeats its header row on each page. */
  table(columns: readonly TableColumn[], rows: readonly (readonly Cell[])[], opts: TableOptions = {}): void {
    const size = opts.size ?? 8;
    const lh = this.lineHeight(size);
    const padX = 4;
    const padY = 2.5;
    const width = opts.width ?? this.width;
    const total = columns.reduce((s, c) => s + c.weight, 0);
    const widths = columns.map((c) => (c.weight / total) * width);
    const xs = widths.map((_w, i) => this.left + widths.slice(0, i).reduce((s, w) => s + w, 0));
    const showHeader = opts.header !== false;
    const header = columns.map((c, i) => this.headerLines(c.header, widths[i]! - 2 * padX, size));
    const headerHeight = showHeader ? Math.max(1, ...header.map((l) => l.length)) * lh + 2 * padY : 0;
    // A row never grows past one page, whatever its cells hold.
    const maxLines = Math.max(1, Math.floor((this.bottom - this.top - headerHeight - 2 * padY) / lh));
    const laid = rows.map((row) => {
      const cells: LaidCell[] = [];
      for (let i = 0; i < columns.length; ) {
        const cell = row[i] ?? '';
        const span = Math.max(1, Math.min(columns.length - i, typeof cell === 'string' ? 1 : (cell.span ?? 1)));
        const w = widths.slice(i, i + span).reduce((sum, x) => sum + x, 0) - 2 * padX;
        cells.push({ x: xs[i]! + padX, width: w, align: span > 1 ? 'left' : columns[i]!.align, lines: this.cellLines(cell, columns[i]!, w, size, maxLines) });
        i += span;
      }
      return cells;
    });
    const heights = laid.map((cells) => Math.max(1, ...cells.map((c) => c.lines.length)) * lh + 2 * padY);

    const drawHeader = (): void => {
      if (!showHeader) return;
      this.doc.rect(this.left, this.y, width, headerHeight).fill(INK.headerFill);
      columns.forEach((c, i) => {
        header[i]!.forEach((line, k) => this.drawAligned(line, size, xs[i]! + padX, widths[i]! - 2 * padX, c.align, this.y + padY + k * lh));
      });
      this.y += headerHeight;
    };

    this.ensure(headerHeight + (heights[0] ?? 0));
    drawHeader();
    laid.forEach((cells, r) => {
      const h = heights[r]!;
      if (this.y + h > this.bottom) {
        this.newPage();
        drawHeader();
      }
      if (opts.zebra !== false && r % 2 === 1) this.doc.rect(this.left, this.y, width, h).fill(INK.zebra);
      for (const c of cells) c.lines.forEach((line, k) => this.drawAligned(line, size, c.x, c.width, c.align, this.y + padY + k * lh));
      this.y += h;
      if (showHeader) this.hline(this.y, width, 0.25);
    });
    this.y += 6;
  }

  /** An SVG chart drawn as vectors at the cursor (or at `x`), one SVG unit = one point. */
  svg(svg: string, width: number, height: number, opts: { x?: number; advance?: boolean } = {}): void {
    this.ensure(height);
    this.doc.save();
    SVGtoPDF(this.doc as unknown as Parameters<typeof SVGtoPDF>[0], svg, opts.x ?? this.left, this.y, { width, height, assumePt: true, fontCallback: this.fontCallback });
    this.doc.restore();
    this.fresh = false;
    if (opts.advance !== false) this.y += height;
  }

  /** A raster image (PNG bytes) at (x, y) of the current page, `width` × `height` points; the cursor does not move. */
  image(png: Buffer, x: number, y: number, width: number, height: number): void {
    this.doc.image(png, x, y, { width, height });
    this.fresh = false;
  }

  /** Contents lines with dot leaders, drawn at `y` of the current page into space the caller kept free. */
  contents(y: number, size = 9.5): number {
    const m = this.measure({ size });
    const dot = m(' .');
    const lh = this.lineHeight(size) + 1;
    for (const entry of this.sections) {
      const page = String(entry.page + 1);
      const title = ellipsize(entry.title, this.width * 0.7, m);
      const from = this.left + m(title) + 6;
      const to = this.left + this.width - m(page) - 6;
      const dots = ' .'.repeat(Math.max(0, Math.floor((to - from) / dot)));
      this.drawLine({ text: title, font: 'body', color: INK.text }, size, this.left, y);
      this.drawLine({ text: dots, font: 'body', color: INK.rule }, size, to - m(dots), y);
      this.drawLine({ text: page, font: 'body', color: INK.text }, size, this.left + this.width - m(page), y);
      y += lh;
    }
    return y;
  }

  /** Height `contents` will take for `entries` sections. */
  contentsHeight(entries: number, size = 9.5): number {
    return entries * (this.lineHeight(size) + 1);
  }

  /** Switches to a buffered page (0-based) to draw on it again, e.g. the contents on the title page. */
  revisit(page: number): void {
    this.doc.switchToPage(this.doc.bufferedPageRange().start + page);
  }

  /** Draws the running header and "page X of Y" footer on every buffered page; call once, before doc.end(). */
  finish(): number {
    const range = this.doc.bufferedPageRange();
    for (let i = 0; i < range.count; i++) {
      this.doc.switchToPage(range.start + i);
      const w = this.width;
      const size = 7.5;
      const m = this.measure({ size });
      if (i > 0) {
        const section = this.pageSections[i] ?? '';
        const right = ellipsize(section, w * 0.4, m);
        const left = ellipsize(this.running.header, w - m(right) - 16, m);
        const y = MARGINS.top - 26;
        this.drawLine({ text: left, font: 'body', color: INK.muted }, size, this.left, y);
        this.drawLine({ text: right, font: 'body', color: INK.muted }, size, this.left + w - m(right), y);
        this.hline(y + this.lineHeight(size) + 1, w, 0.5);
      }
      const page = `Page ${i + 1} of ${range.count}`;
      const fy = this.doc.page.height - MARGINS.bottom + 20;
      this.hline(fy - 5, w, 0.5);
      this.drawLine({ text: ellipsize(this.running.footer, w - m(page) - 16, m), font: 'body', color: INK.muted }, size, this.left, fy);
      this.drawLine({ text: page, font: 'body', color: INK.muted }, size, this.left + w - m(page), fy);
    }
    return range.count;
  }

  private hline(y: number, width: number, lineWidth: number): void {
    this.doc.moveTo(this.left, y).lineTo(this.left + width, y).lineWidth(lineWidth).strokeColor(INK.rule).stroke();
  }

  private cellLines(cell: Cell, column: TableColumn, width: number, size: number, maxLines: number): DrawnLine[] {
    const c = typeof cell === 'string' ? { text: cell } : cell;
    const font = c.font ?? column.font ?? 'body';
    const color = c.color ?? INK.text;
    // Right-aligned columns hold numbers: one line each, shrunk rather than broken or cut.
    const numeric = column.align === 'right' && (c.span ?? 1) === 1;
    if (c.lines || numeric) {
      const given = c.lines ?? [c.text ?? ''];
      return given.slice(0, maxLines).map((l) => {
        const line = typeof l === 'string' ? { text: l } : l;
        const f = line.font ?? font;
        return { ...this.fit(line.text, width, f, size, numeric), font: f, color: line.color ?? color };
      });
    }
    const lines = wrap(c.text ?? '', width, this.measure({ font, size }), Math.min(maxLines, column.maxLines ?? 3));
    return lines.map((text) => ({ text, font, color }));
  }

  /** A header wraps at spaces only: a word too wide for its column shrinks the header instead of breaking. */
  private headerLines(text: string, width: number, size: number): DrawnLine[] {
    const words = text.split(/\s+/).filter(Boolean);
    let s = size;
    while (s > MIN_SHRUNK_SIZE && words.some((w) => this.measure({ font: 'bold', size: s })(w) > width)) s -= 0.25;
    return wrap(text, width, this.measure({ font: 'bold', size: s }), 2).map((line) => ({ text: line, font: 'bold' as const, color: INK.text, size: s }));
  }

  /** One line in `width`: shrunk down to MIN_SHRUNK_SIZE first when `shrink`, then ellipsized. */
  private fit(text: string, width: number, font: FontName, size: number, shrink: boolean): { text: string; size: number } {
    let s = size;
    while (shrink && s > MIN_SHRUNK_SIZE && this.measure({ font, size: s })(text) > width) s -= 0.25;
    return { text: ellipsize(text, width, this.measure({ font, size: s })), size: s };
  }

  private drawAligned(line: DrawnLine, tableSize: number, x: number, width: number, align: TableColumn['align'], y: number): void {
    const size = line.size ?? tableSize;
    const w = this.measure({ font: line.font, size })(line.text);
    const dx = align === 'right' ? width - w : align === 'center' ? (width - w) / 2 : 0;
    // A shrunk number moves down by the difference in ascent (DejaVu: 0.93 em), so baselines stay in line.
    this.drawLine(line, size, x + dx, y + (tableSize - size) * 0.93);
  }

  private drawLine(line: DrawnLine, size: number, x: number, y: number): void {
    if (line.text === '') return;
    this.doc.font(this.fonts[line.font]).fontSize(size).fillColor(line.color).text(line.text, x, y, { lineBreak: false });
    this.fresh = false;
  }
}
