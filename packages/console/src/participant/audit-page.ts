/**
 * The merchant's audit log: every admitted use of the data, refusal and revocation, newest first, with the hash
 * chain recomputed on every view (verified, or broken at the first bad entry).
 */
import { auditParticipant, type AuditEntry, type ChainVerification } from '@tessera/participant';
import { page, table, when } from '../http/page.js';
import { esc, fmt } from '../report/svg.js';
import { MERCHANT_NAV, type ParticipantConsoleContext } from './participant-context.js';

/** The newest entries the page lists (the chain is verified whole). */
const SHOWN = 1000;

export function registerAuditPage({ config, console: c }: ParticipantConsoleContext): void {
  c.app.get('/audit', async (request, reply) => {
    const session = c.require(request, 'merchant');
    const audit = auditParticipant(config);
    const newest = audit.log.slice(-SHOWN).reverse();
    const body =
      chainStatus(audit.chain) +
      (audit.log.length > SHOWN
        ? `<p class="meta">The newest ${SHOWN} of ${audit.log.length} entries (tessera participant audit --json ` +
          'lists all).</p>'
        : '') +
      table(
        ['#', 'When', 'What', 'Job', 'Round', 'Stage', 'Purpose', 'Data set', 'Rows', 'Epsilon', 'Grant', 'Detail'],
        newest.map(row),
        'nothing recorded yet: no task has used or been refused the data',
      ) +
      `<p class="meta">Ledger ${esc(audit.ledger)}.</p>`;
    return reply.type('text/html; charset=utf-8').send(page({ title: 'Audit log', nav: MERCHANT_NAV, session, body }));
  });
}

function chainStatus(chain: ChainVerification): string {
  if (chain.ok)
    return (
      `<p><span class="ok" data-testid="audit-status">verified</span>: ` +
      `<span data-testid="audit-entries">${chain.entries}</span> entries, hash chain intact; head hash ` +
      `<code data-testid="audit-head">${esc(chain.head)}</code>. Note the head hash elsewhere: deleting the ` +
      'newest entries can only be detected against it.</p>'
    );
  return (
    `<p><span class="bad" data-testid="audit-status">broken</span>: ` +
    `the hash chain breaks at entry <span data-testid="audit-bad-entry">${chain.badId}</span>: ` +
    `${esc(chain.problem)}. An entry was edited, deleted or inserted after it was written.</p>`
  );
}

function row(e: AuditEntry): string[] {
  const use = e.kind === 'use';
  return [
    String(e.id),
    esc(when(e.at)),
    `<span class="badge${e.kind === 'use' ? '' : ' revoked'}">${esc(e.kind)}</span>`,
    esc(e.jobId),
    e.kind === 'revocation' ? '' : String(e.round),
    esc(e.stage),
    esc(e.purpose),
    esc(e.dataset),
    use ? String(e.rows) : '',
    use ? esc(fmt(e.epsilon)) : '',
    esc(e.grantId),
    esc(use ? e.columns.join(', ') : e.reason),
  ];
}
