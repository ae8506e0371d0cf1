/** The report history lives in the store layer (SQL in one place): src-main/core/store/reports.ts. */
export { insertReport, listReports, type ReportInfo } from '../store/reports';
