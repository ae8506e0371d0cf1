/** Results taken out of Residual as files other tools read: the ranked rows of a score as CSV or Parquet. */
export { csvField, csvLine, RANKING_CSV_COLUMNS, RANKING_CSV_HEADER, type CsvValue } from './csv';
export {
  exportRankingCsv,
  writeRankingCsv,
  type RankingCsvHooks,
  type RankingCsvOptions,
  type RankingCsvProgress,
  type RankingCsvResult,
  type RankingFormat,
  type RankingRecord,
} from './ranking';
export { exportRankingParquet } from './parquet';
export { isResidualOnnx, isResidualParquet, RANKING_PARQUET_KEY } from './owned';
export { buildOnnxModel, exportModelOnnx, ONNX_KINDS, ONNX_OUTPUTS, onnxUnsupported } from './onnx';
