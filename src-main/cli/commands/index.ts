import type { Command } from '../command';

/** A command as `residual help` lists it; its module (and what that imports: SQLite, TensorFlow.js, PDFKit) loads only when it runs. */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  load(): Promise<Command>;
}

export const commands: readonly CommandEntry[] = [
  { name: 'import', summary: 'Import a CSV/TSV or Parquet file, an IDX file or a folder of PNG/JPEG images as a dataset (creates the project file if absent)', load: async () => (await import('./import')).importCommand },
  { name: 'info', summary: 'Show the datasets of a project: rows, columns with roles and statistics', load: async () => (await import('./info')).infoCommand },
  { name: 'train', summary: 'Train a model on a dataset (the wizard proposes what you leave out)', load: async () => (await import('./train')).trainCommand },
  { name: 'models', summary: 'List the models of a project: kind, settings, status, backend and, with labels, ROC AUC and AP', load: async () => (await import('./models')).modelsCommand },
  { name: 'score', summary: "Score every row of a dataset with a model (flags rows above the model's threshold)", load: async () => (await import('./score')).scoreCommand },
  { name: 'top', summary: 'List the most anomalous rows with the features that explain them', load: async () => (await import('./top')).topCommand },
  { name: 'export', summary: 'Export the ranked rows of a score as CSV: rank, id, score, flagged, top columns, label, verdict, note', load: async () => (await import('./export')).exportCommand },
  { name: 'export-model', summary: 'Export a trained model as one ONNX file: raw columns in, row score (and per-column values where the app computes them forward) out, preprocessing inside', load: async () => (await import('./export-model')).exportModelCommand },
  { name: 'threshold', summary: "Set the model's alert threshold: mean + kσ, percentile, alert budget, false-positive rate or cost-optimal", load: async () => (await import('./threshold')).thresholdCommand },
  { name: 'latent', summary: 'Show the latent space of a model: PCA of its codes, kNN on the codes against the inputs, compression ratio and its reconstruction error', load: async () => (await import('./latent')).latentCommand },
  { name: 'eval', summary: "Evaluate a model's ranking against the labels and verdicts: ROC AUC, AP, precision/recall@k, confusion", load: async () => (await import('./eval')).evalCommand },
  { name: 'verdict', summary: 'Mark a row as anomaly, normal (false positive) or unsure, with an optional note', load: async () => (await import('./verdict')).verdictCommand },
  { name: 'report', summary: 'Export a PDF report of a scored model: data, model card, threshold, evaluation, top anomalies, appendix', load: async () => (await import('./report')).reportCommand },
  { name: 'serve', summary: 'Serve the app to a browser on this machine (browser mode): loopback only, with a per-run token', load: async () => (await import('./serve')).serveCommand },
];
