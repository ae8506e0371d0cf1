import { execFileSync } from 'node:child_process';

/** Reads PDFs back with Debian's poppler-utils, the way a reader's tools see them. */

export function pdfText(file: string, opts: { layout?: boolean; first?: number; last?: number } = {}): string {
  const args = [...(opts.layout ? ['-layout'] : []), ...(opts.first ? ['-f', String(opts.first)] : []), ...(opts.last ? ['-l', String(opts.last)] : []), file, '-'];
  return execFileSync('pdftotext', args, { encoding: 'utf8' });
}

export function pdfInfo(file: string): { pages: number; width: number; height: number; paper: string } {
  const out = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
  const size = /Page size:\s+([\d.]+) x ([\d.]+) pts(?: \((\w+)\))?/.exec(out);
  const pages = /Pages:\s+(\d+)/.exec(out);
  if (!size || !pages) throw new Error(`unexpected pdfinfo output:\n${out}`);
  return { pages: Number(pages[1]), width: Number(size[1]), height: Number(size[2]), paper: size[3] ?? '' };
}

export function pdfFonts(file: string): { name: string; embedded: boolean }[] {
  const lines = execFileSync('pdffonts', [file], { encoding: 'utf8' }).trim().split('\n').slice(2);
  return lines.map((l) => {
    const cols = l.trim().split(/\s+/);
    // name type... encoding emb sub uni object ID: emb is the 5th column from the end
    return { name: cols[0]!, embedded: cols[cols.length - 5] === 'yes' };
  });
}

export interface WordBox {
  readonly page: number;
  readonly text: string;
  readonly xMin: number;
  readonly xMax: number;
  readonly yMin: number;
  readonly yMax: number;
}

/** Every word with its box, in points from the page's top-left corner. */
export function wordBoxes(file: string): { pageWidth: number; pageHeight: number; words: WordBox[] } {
  const html = execFileSync('pdftotext', ['-bbox', file, '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const words: WordBox[] = [];
  let page = 0;
  let pageWidth = 0;
  let pageHeight = 0;
  for (const line of html.split('\n')) {
    const p = /<page width="([\d.]+)" height="([\d.]+)">/.exec(line);
    if (p) {
      page++;
      pageWidth = Number(p[1]);
      pageHeight = Number(p[2]);
      continue;
    }
    const w = /<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)">(.*)<\/word>/.exec(line);
    if (w) words.push({ page, text: w[5]!, xMin: Number(w[1]), yMin: Number(w[2]), xMax: Number(w[3]), yMax: Number(w[4]) });
  }
  return { pageWidth, pageHeight, words };
}
