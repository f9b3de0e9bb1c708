/**
 * /jobs/:id/report: a query job's result as the self-contained HTML report `tessera report --job` writes (charts,
 * error bars, the privacy statement), served with the report's own Content-Security-Policy (inline styles, no script).
 */
import { queryResultOf } from '@tessera/sdk';
import { jobMessage } from '@tessera/coordinator';
import { ConsoleError } from '../../http/console-error.js';
import { REPORT_CSP } from '../../http/security-headers.js';
import { reportInputOf } from '../../report/from-result.js';
import { renderQueryReport } from '../../report/query-report.js';
import type { CoordinatorConsoleContext } from '../console-context.js';
import { kindOf, requireOwnJob } from './own-job.js';

export function registerJobReport({ coordinator, console: c }: CoordinatorConsoleContext): void {
  c.app.get('/jobs/:id/report', async (request, reply) => {
    const { job } = await requireOwnJob(c, coordinator, request);
    if (kindOf(job) !== 'query')
      throw new ConsoleError(
        'NOT_FOUND',
        `job ${job.id} is a ${kindOf(job)} job: reports are of query jobs (its page has its charts and result)`,
      );
    const message = await jobMessage(coordinator.store, job);
    if (!message.resultJson)
      throw new ConsoleError(
        'NOT_FOUND',
        `job ${job.id} is ${job.status} and has no query result${job.error ? `: ${job.error}` : ''}`,
      );
    const result = queryResultOf(JSON.parse(message.resultJson), `job ${job.id} result`);
    const participants = Math.max(0, ...(message.history ?? []).map((h) => h.contributors ?? 0));
    const secure = (JSON.parse(job.specJson) as { secure?: { mode?: unknown } }).secure?.mode;
    const html = renderQueryReport(
      reportInputOf(result, {
        participants,
        title: job.name,
        generatedAt: new Date(job.updatedAt).toISOString(),
        ...(typeof secure === 'string' ? { secure } : {}),
      }),
    );
    return reply.header('content-security-policy', REPORT_CSP).type('text/html; charset=utf-8').send(html);
  });
}
