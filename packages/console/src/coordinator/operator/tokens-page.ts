/** /operator/tokens: the enrolment tokens issued (ids only: the store keeps hashes), and revoking a pending one. */
import { page, postForm, table, when } from '../../http/page.js';
import { esc } from '../../report/svg.js';
import { OPERATOR_NAV, type CoordinatorConsoleContext } from '../console-context.js';
import { formField, operatorAction } from './operator-refusal.js';

const REVOKE_PATH = '/operator/tokens/revoke';

export function registerTokensPage({ coordinator, console: c }: CoordinatorConsoleContext): void {
  c.app.get('/operator/tokens', async (request, reply) => {
    const session = c.require(request, 'operator');
    const tokens = await coordinator.store.listEnrollmentTokens();
    const body = `<p class="meta">A token enrols one participant once. New tokens come from
<code>tessera coordinator enroll NAME</code>; the coordinator keeps only their hashes, so none is shown here.</p>
${table(
  ['Token', 'Name', 'Status', 'Created', 'Expires', 'Participant', ''],
  tokens
    .slice()
    .reverse()
    .map((t) => {
      const id = esc(t.id);
      return [
        id,
        esc(t.name),
        `<span class="badge ${esc(t.status)}" data-testid="token-${id}-status">${esc(t.status)}</span>`,
        esc(when(t.createdAt)),
        esc(when(t.expiresAt)),
        t.participantId ? esc(t.participantId) : '–',
        t.status === 'pending' ? postForm(REVOKE_PATH, 'Revoke', session, { id: t.id }, 'danger') : '',
      ];
    }),
  'no enrolment token has been issued yet',
)}`;
    return reply
      .type('text/html; charset=utf-8')
      .send(page({ title: 'Enrolment tokens', nav: OPERATOR_NAV, session, body }));
  });

  c.app.post(REVOKE_PATH, async (request, reply) => {
    c.require(request, 'operator');
    const id = formField(request.body, 'id', 'token id (tok-...)');
    await operatorAction(() => coordinator.store.revokeEnrollmentToken(id));
    return reply.redirect('/operator/tokens', 303);
  });
}
