import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fontDir, fontFiles } from '../../../src-main/core/report/fonts';
import { collect, Layout, MARGINS, newDocument } from '../../../src-main/core/report/layout';
import type { Paper } from '../../../src-main/core/report';
import { tmpDir } from '../../helpers/tmp';
import { pdfFonts, pdfInfo, pdfText, wordBoxes } from './poppler';
import { shellWords } from './shell';
import { shellQuote } from '../../../src-main/core/report/format';

const dir = tmpDir('residual-layout-');
const fonts = fontFiles(fontDir());

async function draw(paper: Paper, fn: (layout: Layout) => void): Promise<string> {
  const doc = newDocument(paper, fonts);
  const bytes = collect(doc);
  const layout = new Layout(doc, fonts, { header: 'Running header', footer: 'Running footer' });
  fn(layout);
  layout.finish();
  doc.end();
  const file = path.join(dir, `${paper}-${Math.random().toString(36).slice(2)}.pdf`);
  fs.writeFileSync(file, await bytes);
  return file;
}

const LONG = 'A note long enough to need several lines in a narrow column, with a hash 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08 that has no spaces at all.';

describe('Layout', () => {
  it('breaks a long table across pages, repeating its header row on each', async () => {
    const file = await draw('a4', (l) => {
      l.heading('Section one');
      l.table(
        [
          { header: 'Row label', weight: 1 },
          { header: 'Amount', weight: 1, align: 'right' },
          { header: 'Comment', weight: 3, maxLines: 4 },
        ],
        Array.from({ length: 120 }, (_, i) => [`row ${i + 1}`, String(i * 1000), i % 7 === 0 ? LONG : 'short']),
      );
    });
    const info = pdfInfo(file);
    expect(info.pages).toBeGreaterThan(2);
    for (let p = 1; p <= info.pages; p++) {
      const text = pdfText(file, { first: p, last: p });
      expect(text, `page ${p}`).toContain('Row label');
      expect(text, `page ${p}`).toContain(`Page ${p} of ${info.pages}`);
      if (p > 1) expect(text, `page ${p}`).toContain('Running header');
    }
    const all = pdfText(file);
    const order = [...all.matchAll(/row (\d+)\b/g)].map((m) => Number(m[1]));
    expect(order).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
  });

  it('keeps every word inside the margins (wrapped or ellipsized) on both papers', async () => {
    for (const paper of ['a4', 'letter'] as const) {
      const file = await draw(paper, (l) => {
        l.heading(`A heading far too long to fit on one line of the page, which must be cut rather than run off the edge ${paper}`);
        l.paragraph(LONG.repeat(3));
        l.keyValues([['Source SHA-256', 'f'.repeat(64)], ['A very long key that does not fit its column', LONG]], { mono: ['Source SHA-256'] });
        l.table([{ header: 'Narrow', weight: 1 }, { header: 'Cell', weight: 1 }], [[LONG, { lines: [LONG, 'second'] }]]);
      });
      const { pageWidth, words } = wordBoxes(file);
      expect(words.length).toBeGreaterThan(50);
      for (const w of words) {
        expect(w.xMin, `${paper} "${w.text}"`).toBeGreaterThanOrEqual(MARGINS.left - 0.5);
        expect(w.xMax, `${paper} "${w.text}"`).toBeLessThanOrEqual(pageWidth - MARGINS.right + 0.5);
      }
      expect(pdfText(file)).toContain('…');
    }
  });

  it('draws long commands in the mono font inside the margins, and their lines copied out of the PDF run as the same command', async () => {
    const source = `/srv/data/${'very-long-folder-name/'.repeat(6)}Q3 card transactions (Mike's export).csv`;
    const commands = [
      `residual import ${shellQuote(source)} --project new.residual --name ${shellQuote("Mike's export")} --label is_fraud --positive 1 --id 'transaction reference' --ignore 'free text,notes'`,
      `residual train --project new.residual --name ${shellQuote('sparse 24-16-8-16-24 on card transactions of every branch office')} --kind sparse --layers 16,8 --activation leakyRelu --epochs 200 --batch 64 --lr 0.0003 --patience 10 --min-delta 0.0001 --scaler robust --split time --val 0.25 --train-on normal --seed 4294967295 --dropout 0.1 --l1 0.001 --noise 0.1 --beta 1 --score-with-kl --loss mse --log1p ${shellQuote(`amount,${'x'.repeat(150)}`)} --max-categories 20 --missing-indicators no`,
    ];
    for (const paper of ['a4', 'letter'] as const) {
      const file = await draw(paper, (l) => {
        l.heading('Commands');
        commands.forEach((c, i) => {
          l.paragraph(`BEGIN ${i}`);
          l.command(c, { indent: 12 });
          l.paragraph(`END ${i}`);
        });
      });
      const { pageWidth, words } = wordBoxes(file);
      for (const w of words) {
        expect(w.xMin, `${paper} "${w.text}"`).toBeGreaterThanOrEqual(MARGINS.left - 0.5);
        expect(w.xMax, `${paper} "${w.text}"`).toBeLessThanOrEqual(pageWidth - MARGINS.right + 0.5);
      }
      expect(pdfFonts(file).map((f) => f.name.replace(/^[A-Z]{6}\+/, ''))).toContain('DejaVuSansMono');
      const text = pdfText(file);
      commands.forEach((c, i) => {
        const copied = text.slice(text.indexOf(`BEGIN ${i}`) + `BEGIN ${i}`.length, text.indexOf(`END ${i}`)).split('\n').filter((line) => line.trim() !== '');
        expect(copied.length, `${paper} command ${i}`).toBeGreaterThan(2);
        expect(shellWords(copied.join('\n')), `${paper} command ${i}`).toEqual(shellWords(c));
      });
    }
  });

  it('embeds every font it uses and never falls back to a standard-14 font', async () => {
    const file = await draw('letter', (l) => {
      l.heading('Fonts');
      l.paragraph('Body text, σ ≥ ∞ – “quotes”.');
      l.paragraph('Mono text 0123456789', { font: 'mono' });
      l.paragraph('Italic text', { font: 'italic' });
    });
    const used = pdfFonts(file);
    expect(used.map((f) => f.name.replace(/^[A-Z]{6}\+/, '')).sort()).toEqual(['DejaVuSans', 'DejaVuSans-Bold', 'DejaVuSans-Oblique', 'DejaVuSansMono']);
    expect(used.every((f) => f.embedded)).toBe(true);
    expect(pdfText(file)).toContain('σ ≥ ∞');
  });
});
