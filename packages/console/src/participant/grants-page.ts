/**
 * The merchant's grants: every grant of the consent policy the node enforces and where it stands, with a Revoke
 * button per active grant. A revocation is written to the node's ledger (as tessera participant revoke does), which
 * the running node reads before every task: the grant's next task is refused, without a restart.
 */
import { grantStatuses, PolicyError, revokeGrant, type GrantStatus } from '@tessera/participant';
import { ConsoleError } from '../http/console-error.js';
import { page, table } from '../http/page.js';
import type { Session } from '../http/sessions.js';
import { esc, fmt } from '../report/svg.js';
import { MERCHANT_NAV, type ParticipantConsoleContext } from './participant-context.js';

/** The longest reason kept with a revocation, in characters. */
const MAX_REASON = 500;

export function registerGrantsPage({ node, config, console: c }: ParticipantConsoleContext): void {
  c.app.get('/grants', async (request, reply) => {
    const session = c.require(request, 'merchant');
    const revoked = (request.query as { revoked?: unknown }).revoked;
    // The policy the node loaded at start and enforces, not the file as it may have been edited since.
    const policy = node.consent.policy;
    let body: string;
    if (!policy)
      body =
        '<p class="bad" data-testid="no-policy">This node has no consent policy: it serves every request. ' +
        'Add policy: ./policy.yaml to its config and restart it to choose who may use your data.</p>';
    else {
      const grants = grantStatuses(config, Date.now(), policy);
      const notice = grants.find((g) => g.id === revoked && g.status === 'revoked');
      body =
        (notice
          ? `<p class="ok" data-testid="revoked-notice">Revoked grant ${esc(notice.id)} at ${esc(
              notice.revokedAt ?? '',
            )}: the node refuses its next task (a task already running finishes).</p>`
          : '') +
        `<p class="meta">Consent policy ${esc(policy.file)}, as loaded at start. A revoked grant stays revoked; ` +
        'to allow an analyst again, add a grant with a new id to the policy and restart the node.</p>' +
        table(
          [
            'Grant',
            'Status',
            'Analysts',
            'Purposes',
            'Job kinds',
            'Data sets',
            'Epsilon caps',
            'Spent epsilon',
            'Expires',
            '',
          ],
          grants.map((g) => grantRow(g, session)),
          'the policy has no grants: every request is refused',
        );
    }
    return reply.type('text/html; charset=utf-8').send(page({ title: 'Grants', nav: MERCHANT_NAV, session, body }));
  });

  c.app.post('/grants/:id/revoke', async (request, reply) => {
    c.require(request, 'merchant');
    const grantId = (request.params as { id: string }).id;
    const given = (request.body as { reason?: unknown } | undefined)?.reason;
    if (given !== undefined && typeof given !== 'string')
      throw new ConsoleError('BAD_REQUEST', 'the field reason must be text');
    const reason = (given ?? '').trim();
    if (reason.length > MAX_REASON)
      throw new ConsoleError('BAD_REQUEST', `the reason is ${reason.length} characters: keep it to ${MAX_REASON}`);
    let r;
    try {
      r = revokeGrant(config, grantId, reason ? { reason } : {});
    } catch (e) {
      if (e instanceof PolicyError) throw new ConsoleError('BAD_REQUEST', e.message);
      throw e;
    }
    if ((request.headers.accept ?? '').includes('application/json'))
      return reply.send({ grantId: r.grantId, at: r.at, reason: r.reason, alreadyRevoked: r.alreadyRevoked });
    return reply.redirect(`/grants?revoked=${encodeURIComponent(r.grantId)}`, 303);
  });
}

function grantRow(g: GrantStatus, session: Session): string[] {
  const id = esc(g.id);
  const caps = g.budget
    ? [
        g.budget.perJob !== undefined ? `per job ${g.budget.perJob}` : '',
        g.budget.total !== undefined ? `total ${g.budget.total}` : '',
      ]
        .filter(Boolean)
        .join(', ')
    : 'none';
  const status =
    `<span class="badge ${esc(g.status)}" data-testid="grant-${id}-status">${esc(g.status)}</span>` +
    (g.status === 'revoked'
      ? `<div class="meta">at ${esc(g.revokedAt ?? '')}${g.reason ? `: ${esc(g.reason)}` : ''}</div>`
      : '');
  const revoke =
    g.status === 'active'
      ? `<form method="post" action="/grants/${esc(encodeURIComponent(g.id))}/revoke" class="inline">` +
        `<input type="hidden" name="_csrf" value="${esc(session.csrf)}">` +
        `<input type="text" name="reason" maxlength="${MAX_REASON}" placeholder="reason (optional)" ` +
        `aria-label="reason for revoking ${id}" data-testid="revoke-${id}-reason">` +
        `<button type="submit" class="danger" data-testid="revoke-${id}">Revoke</button></form>`
      : '';
  return [
    `<code>${id}</code>`,
    status,
    esc(g.analysts.join(', ')),
    esc(g.purposes.join(', ')),
    esc(g.jobKinds.join(', ')),
    esc(g.datasets?.join(', ') ?? 'all'),
    esc(caps),
    `<span data-testid="grant-${id}-spent">${esc(fmt(g.spentEpsilon))}</span>`,
    esc(g.expires),
    revoke,
  ];
}
