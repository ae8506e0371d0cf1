/** Dataset import: CSV/TSV files into the project store, and the preview the import dialog shows. */
export { importDataset, type ImportHooks, type ImportOptions, type ImportResult } from './import';
export { previewFile, type FilePreview } from './preview';
export type { ImportPhase, ImportProgress } from './progress';
export { MISSING_TOKENS } from './values';
