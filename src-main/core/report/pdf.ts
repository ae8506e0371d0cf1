import { setTextMeasurer } from './charts';
import { fontDir, fontFiles } from './fonts';
import { collect, Layout, newDocument } from './layout';
import { gallerySection } from './gallery';
import { appendix } from './section-appendix';
import { dataSummary, titlePage } from './section-overview';
import { evaluation, modelCardSection, thresholdSection } from './section-model';
import { heatmapSection, notesSection, profileSection, topSection } from './section-rows';
import type { Paper, ReportData } from './types';

export interface RenderOptions {
  readonly paper?: Paper;
  /** Folder of the DejaVu TTFs, when they are not where the npm package puts them (a packaged app). */
  readonly fontsDir?: string;
}

export interface RenderedReport {
  readonly pdf: Buffer;
  readonly pages: number;
}

/** Draws the report. Same data and options → the same bytes (dates come from the data, not the clock). */
export async function renderReport(data: ReportData, opts: RenderOptions = {}): Promise<RenderedReport> {
  const paper = opts.paper ?? 'a4';
  const files = fontFiles(fontDir(opts.fontsDir));
  const created = new Date(data.generatedAt);
  const doc = newDocument(paper, files, {
    Title: `Anomaly report: ${data.dataset.name}`,
    Author: 'Residual',
    Subject: `Model #${data.model.id} "${data.model.name}" on dataset "${data.dataset.name}" (project ${data.project.name})`,
    Keywords: 'anomaly detection, autoencoder, reconstruction error',
    Creator: `Residual ${data.residualVersion}`,
    CreationDate: created,
    ModDate: created,
  });
  const bytes = collect(doc);

  setTextMeasurer((text, size, bold) => doc.font(bold ? files.bold : files.body).fontSize(size).widthOfString(text));

  const layout = new Layout(doc, files, {
    header: `Residual · ${data.project.name} · ${data.dataset.name} · model #${data.model.id}`,
    footer: `Generated ${data.generatedAt.slice(0, 16).replace('T', ' ')} UTC by Residual ${data.residualVersion}`,
  });
  const contentsAt = titlePage(layout, data);
  dataSummary(layout, data);
  modelCardSection(layout, data);
  thresholdSection(layout, data);
  evaluation(layout, data);
  topSection(layout, data);
  gallerySection(layout, data);
  profileSection(layout, data);
  heatmapSection(layout, data);
  notesSection(layout, data);
  appendix(layout, data);

  layout.revisit(0);
  layout.contents(contentsAt);
  const pages = layout.finish();
  doc.end();
  return { pdf: await bytes, pages };
}
