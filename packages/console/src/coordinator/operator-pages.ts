/** The operator's pages: who is online, jobs by state, enrolment tokens, analysts, replicas and their leases. */
import { page, table, when } from '../http/page.js';
import { esc } from '../report/svg.js';
import { OPERATOR_NAV, type CoordinatorConsoleContext } from './console-context.js';

export function registerOperatorPages({ coordinator, console: c }: CoordinatorConsoleContext): void {
  c.app.get('/operator', async (request, reply) => {
    const session = c.require(request, 'operator');
    const online = coordinator.registry.connected();
    const participants = await coordinator.store.listParticipants();
    const body = `<div class="cards"><div class="card"><div class="n" data-testid="online-count">${online.length}</div>
online of ${participants.length} enrolled</div></div>
${table(
  ['Participant', 'Name', 'Status', 'Last seen'],
  participants.map((p) => [
    esc(p.id),
    esc(p.name),
    online.some((s) => s.participantId === p.id)
      ? '<span class="badge online">online</span>'
      : '<span class="badge offline">offline</span>',
    esc(when(p.lastSeenAt)),
  ]),
  'no participant has enrolled yet',
)}`;
    return reply.type('text/html; charset=utf-8').send(page({ title: 'Overview', nav: OPERATOR_NAV, session, body }));
  });
}
