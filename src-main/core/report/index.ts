/**
 * The PDF report for the case file: `exportReport` gathers the numbers (`gatherReportData`), draws them
 * (`renderReport`: pdfkit, ECharts SVG charts as vectors, embedded DejaVu fonts) and writes the file whole
 * or not at all, recording it in the project's report history.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { cancelled, ResidualError } from '../errors';
import type { ProjectStore } from '../store';
import { gatherReportData } from './data';
import { insertReport } from './history';
import { renderReport } from './pdf';
import { DEFAULT_TOP, PAPERS, type Paper } from './types';
import { checkOverwrite } from '../export/owned';
import type { ReportProgress, ReportResult } from '../../contract/report';
export type { ReportProgress, ReportResult };

export { gatherReportData, resolveScore, type GatherOptions } from './data';
export { listReports, type ReportInfo } from './history';
export { renderReport, type RenderedReport, type RenderOptions } from './pdf';
export * from './types';

export interface ExportOptions {
  /** Default: the model of the newest score. */
  readonly modelId?: number;
  /** Dataset id or name; default: the one the model scored (its training dataset first). */
  readonly datasetId?: number | string;
  /** Top rows listed, 1 … MAX_TOP. Default 50. */
  readonly top?: number;
  readonly paper?: Paper;
  /** The PDF to write; its folder must exist. */
  readonly out: string;
  /** The date printed in the report (tests pin it for identical bytes). Default now. */
  readonly now?: Date;
  readonly fontsDir?: string;
}

export interface ReportHooks {
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: ReportProgress) => void;
}

/**
 * Writes the report to `out`: rendered in memory, written to a temporary file beside it, then renamed over
 * `out` while the report row is inserted (one transaction), so a failure or cancel leaves neither a half
 * file nor a row for a file that is not there.
 */
export async function exportReport(store: ProjectStore, opts: ExportOptions, hooks: ReportHooks = {}): Promise<ReportResult> {
  const started = performance.now();
  const paper = opts.paper ?? 'a4';
  if (!PAPERS.includes(paper)) throw new ResidualError('BAD_INPUT', `Paper must be one of ${PAPERS.join(', ')}; got "${String(paper)}".`, { field: 'paper' });
  const out = checkOut(opts.out);
  const progress = (phase: ReportProgress['phase'], fraction: number, message: string): void => {
    if (hooks.signal?.aborted) throw cancelled('The report');
    hooks.onProgress?.({ phase, fraction, message });
  };

  progress('gather', 0, 'Gathering the numbers');
  const data = await gatherReportData(store, { modelId: opts.modelId, datasetId: opts.datasetId, top: opts.top ?? DEFAULT_TOP, now: opts.now, signal: hooks.signal });
  progress('render', 0.5, 'Drawing the pages');
  const { pdf, pages } = await renderReport(data, { paper, fontsDir: opts.fontsDir });
  progress('write', 0.9, `Writing ${path.basename(out)}`);

  const sha256 = crypto.createHash('sha256').update(pdf).digest('hex');
  const tmp = path.join(path.dirname(out), `.${path.basename(out)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  try {
    await fs.promises.writeFile(tmp, pdf);
    if (hooks.signal?.aborted) throw cancelled('The report');
    const reportId = store.transaction(() => {
      const id = insertReport(store, {
        modelId: data.model.id,
        datasetId: data.dataset.id,
        path: out,
        options: { top: data.options.top, paper },
        pages,
        bytes: pdf.length,
        sha256,
        createdAt: data.generatedAt,
      });
      fs.renameSync(tmp, out);
      return id;
    });
    hooks.onProgress?.({ phase: 'write', fraction: 1, message: `Wrote ${pages} pages` });
    return { reportId, out, pages, bytes: pdf.length, sha256, seconds: (performance.now() - started) / 1000 };
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    if (e instanceof ResidualError) throw e;
    throw new ResidualError('BAD_FILE', `Cannot write the report to ${out}: ${(e as Error).message}`, { file: out });
  }
}

/** The output path, absolute; its folder must exist (a typo should not create folders). */
function checkOut(out: string): string {
  if (typeof out !== 'string' || out.trim() === '') throw new ResidualError('BAD_INPUT', 'Say where to write the report (a .pdf file).', { field: 'out' });
  const abs = path.resolve(out);
  const dir = path.dirname(abs);
  if (!fs.existsSync(dir)) throw new ResidualError('NOT_FOUND', `The folder ${dir} does not exist. Create it first, or write the report somewhere else.`, { file: abs, field: 'out' });
  if (!fs.statSync(dir).isDirectory()) throw new ResidualError('BAD_INPUT', `${dir} is not a folder, so the report cannot be written to ${abs}.`, { file: abs, field: 'out' });
  if (fs.existsSync(abs) && fs.statSync(abs).isDirectory()) throw new ResidualError('BAD_INPUT', `${abs} is a folder; give a file name for the report, e.g. ${path.join(abs, 'report.pdf')}.`, { file: abs, field: 'out' });
  checkOverwrite(abs, 'report');
  return abs;
}
