/** The analyst's pages: their own jobs only, each with live progress, charts, privacy spend, results and payouts. */
import { page, table, when } from '../http/page.js';
import { esc } from '../report/svg.js';
import { ANALYST_NAV, type CoordinatorConsoleContext } from './console-context.js';

export function registerAnalystPages({ coordinator, console: c }: CoordinatorConsoleContext): void {
  c.app.get('/jobs', async (request, reply) => {
    const session = c.require(request, 'analyst');
    const jobs = await coordinator.store.listJobs(200, session.principal.id);
    const body = table(
      ['Job', 'Name', 'Status', 'Rounds', 'Updated'],
      jobs.map((j) => [
        `<a href="/jobs/${esc(j.id)}">${esc(j.id)}</a>`,
        esc(j.name),
        `<span class="badge ${esc(j.status)}">${esc(j.status)}</span>`,
        `${j.roundsCompleted} / ${j.roundsTotal}`,
        esc(when(j.updatedAt)),
      ]),
      'you have no jobs at this coordinator yet',
    );
    return reply.type('text/html; charset=utf-8').send(page({ title: 'My jobs', nav: ANALYST_NAV, session, body }));
  });
}
