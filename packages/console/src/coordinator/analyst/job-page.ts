/**
 * /jobs/:id: one of the analyst's jobs. Its header, then the live section (kept up to date from /jobs/:id/events):
 * progress, charts, the privacy it spent, its result with links to the report, payouts and model, and Cancel.
 */
import { page, when } from '../../http/page.js';
import { esc } from '../../report/svg.js';
import { ANALYST_NAV, type CoordinatorConsoleContext } from '../console-context.js';
import { jobDataOf } from './job-data.js';
import { liveSection } from './job-live.js';
import { requireOwnJob } from './own-job.js';

export function registerJobPage({ coordinator, console: c }: CoordinatorConsoleContext): void {
  c.app.get('/jobs/:id', async (request, reply) => {
    const { session, job } = await requireOwnJob(c, coordinator, request);
    const d = await jobDataOf(coordinator, job);
    const base = `/jobs/${encodeURIComponent(job.id)}`;
    const body = `<dl class="meta">
<dt>Job</dt><dd data-testid="job-id">${esc(job.id)}</dd>
<dt>Kind</dt><dd data-testid="job-kind">${esc(d.kind)}</dd>
<dt>Created</dt><dd>${esc(when(job.createdAt))}</dd>
</dl>
<h2>Progress</h2>
<section data-live="${esc(base)}/events" data-testid="job-live">
${await liveSection(coordinator, d, session)}
</section>`;
    return reply
      .type('text/html; charset=utf-8')
      .send(page({ title: job.name || job.id, nav: ANALYST_NAV, session, body }));
  });
}
