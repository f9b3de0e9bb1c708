/**
 * /operator/analysts: the analysts (invited, joined, revoked) with a short fingerprint of each identity key, and
 * revoking one, which also ends that analyst's console sessions at once (their gRPC calls are refused from the next).
 */
import { sha256Hex } from '@tessera/crypto';
import { page, postForm, table, when } from '../../http/page.js';
import { esc } from '../../report/svg.js';
import { OPERATOR_NAV, type CoordinatorConsoleContext } from '../console-context.js';
import { formField, operatorAction } from './operator-refusal.js';

const REVOKE_PATH = '/operator/analysts/revoke';

/** The first 16 hex digits of the SHA-256 of an Ed25519 public key: enough to tell keys apart by eye. */
export const keyFingerprint = (publicKey: Uint8Array): string => sha256Hex(publicKey).slice(0, 16);

export function registerAnalystsPage({ coordinator, console: c }: CoordinatorConsoleContext): void {
  c.app.get('/operator/analysts', async (request, reply) => {
    const session = c.require(request, 'operator');
    const analysts = await coordinator.store.listAnalysts();
    const body = `<p class="meta">Invite an analyst with <code>tessera coordinator analysts add NAME</code>.
Revoking one is final, refuses its next call and ends its console sessions.</p>
${table(
  ['Analyst', 'Status', 'Added', 'Joined', 'Revoked', 'Identity key', ''],
  analysts.map((a) => {
    const name = esc(a.name);
    return [
      name,
      `<span class="badge ${esc(a.status)}" data-testid="analyst-${name}-status">${esc(a.status)}</span>`,
      esc(when(a.createdAt)),
      esc(when(a.joinedAt)),
      esc(when(a.revokedAt)),
      a.publicKey ? `<code title="SHA-256 of the Ed25519 public key">${keyFingerprint(a.publicKey)}</code>` : '–',
      a.status === 'revoked' ? '' : postForm(REVOKE_PATH, 'Revoke', session, { name: a.name }, 'danger'),
    ];
  }),
  'no analyst has been invited yet',
)}`;
    return reply.type('text/html; charset=utf-8').send(page({ title: 'Analysts', nav: OPERATOR_NAV, session, body }));
  });

  c.app.post(REVOKE_PATH, async (request, reply) => {
    c.require(request, 'operator');
    const name = formField(request.body, 'name', "analyst's name");
    await operatorAction(() => coordinator.store.revokeAnalyst(name));
    c.sessions.destroyAllOf('analyst', name);
    return reply.redirect('/operator/analysts', 303);
  });
}
