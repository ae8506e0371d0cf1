import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ResidualError } from '../errors';

/** The report's fonts: DejaVu TrueType files, embedded (subset) in every PDF; never the unembedded standard 14. */
export type FontName = 'body' | 'bold' | 'italic' | 'mono';

const FILES: Record<FontName, string> = {
  body: 'DejaVuSans.ttf',
  bold: 'DejaVuSans-Bold.ttf',
  italic: 'DejaVuSans-Oblique.ttf',
  mono: 'DejaVuSansMono.ttf',
};

/** Folder of the DejaVu TTFs: `override` (a packaged app may ship them elsewhere), else the npm package's. */
export function fontDir(override?: string): string {
  if (override) return override;
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
}

/**
 * The TTF path per font. Fonts are selected by path, never by a registered alias: pdfkit 0.17 caches a
 * font under the name it was first opened by, so an alias of the document's default font would be
 * re-read and re-parsed on every doc.font() call (seconds per report).
 */
export function fontFiles(dir: string): Record<FontName, string> {
  const out = {} as Record<FontName, string>;
  for (const [name, file] of Object.entries(FILES) as [FontName, string][]) {
    const p = path.join(dir, file);
    if (!fs.existsSync(p)) throw new ResidualError('INTERNAL', `The report font ${p} is missing; reinstall Residual.`, { file: p });
    out[name] = p;
  }
  return out;
}
