/** The analyst's pages: their own jobs only, each with live progress, charts, privacy spend, results and payouts. */
import type { CoordinatorConsoleContext } from './console-context.js';
import { registerJobCancel } from './analyst/job-cancel.js';
import { registerJobLive } from './analyst/job-live.js';
import { registerJobPage } from './analyst/job-page.js';
import { registerJobReport } from './analyst/job-report.js';
import type { LiveStreamTimes } from '../http/live-stream.js';
import { registerJobsPage } from './analyst/jobs-page.js';
import { registerModelDownload } from './analyst/model-download.js';
import { registerPayoutPage } from './analyst/payout-page.js';

/** `live`: how the job streams debounce and keep alive (defaults: 250 ms, 15 s). */
export function registerAnalystPages(ctx: CoordinatorConsoleContext, live: LiveStreamTimes = {}): void {
  registerJobsPage(ctx);
  registerJobPage(ctx);
  registerJobLive(ctx, live);
  registerJobCancel(ctx);
  registerJobReport(ctx);
  registerPayoutPage(ctx);
  registerModelDownload(ctx);
}
