export { renderReportPage, renderQueryReport, type QueryReportInput, type QueryReportRow } from './query-report.js';
