export { renderReportPage, renderQueryReport, type QueryReportInput, type QueryReportRow } from './query-report.js';
export { renderPayoutReport, type PayoutReportInput } from './payout-report.js';
