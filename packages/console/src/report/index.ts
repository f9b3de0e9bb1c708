export { renderReportPage, renderQueryReport, type QueryReportInput, type QueryReportRow } from './query-report.js';
export { renderPayoutReport, type PayoutReportInput } from './payout-report.js';
export { reportInputOf } from './from-result.js';
export { formatNoisy, isCountColumn, roundNoisy, SD_LEGEND } from './noisy.js';
export {
  renderStatementReport,
  type StatementPageEntry,
  type StatementPageInput,
  type StatementPageSale,
  type StatementPageTotal,
} from './statement-report.js';
