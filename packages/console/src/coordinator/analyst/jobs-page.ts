/** /jobs: the analyst's own jobs, newest first: id, name, kind, status, round i of n, last update. */
import { page, table, when } from '../../http/page.js';
import { esc } from '../../report/svg.js';
import { ANALYST_NAV, type CoordinatorConsoleContext } from '../console-context.js';
import { kindOf, roundCounter } from './own-job.js';

/** The most jobs the list shows. */
const JOBS_SHOWN = 200;

export function registerJobsPage({ coordinator, console: c }: CoordinatorConsoleContext): void {
  c.app.get('/jobs', async (request, reply) => {
    const session = c.require(request, 'analyst');
    const jobs = await coordinator.store.listJobs(JOBS_SHOWN, session.principal.id);
    const body = table(
      ['Job', 'Name', 'Kind', 'Status', 'Round', 'Updated'],
      jobs.map((j) => {
        const id = esc(j.id);
        return [
          `<a href="/jobs/${esc(encodeURIComponent(j.id))}" data-testid="job-link-${id}">${id}</a>`,
          esc(j.name),
          esc(kindOf(j)),
          `<span class="badge ${esc(j.status)}" data-testid="job-${id}-status">${esc(j.status)}</span>`,
          `<span data-testid="job-${id}-round">${esc(roundCounter(j))}</span>`,
          esc(when(j.updatedAt)),
        ];
      }),
      'you have no jobs at this coordinator yet',
    );
    return reply.type('text/html; charset=utf-8').send(page({ title: 'My jobs', nav: ANALYST_NAV, session, body }));
  });
}
