/**
 * /operator/participants: every enrolled participant, kept live (a participant going offline shows within a second of
 * its stream closing), and the operator's disable, enable and revoke actions. The running coordinator's access check
 * cuts off a disabled or revoked participant within ACCESS_CHECK_MS of the change.
 */
import type { ParticipantStatus } from '@tessera/coordinator';
import { ConsoleError } from '../../http/console-error.js';
import { page } from '../../http/page.js';
import { OPERATOR_NAV, type CoordinatorConsoleContext } from '../console-context.js';
import { streamLive } from '../../http/live-stream.js';
import { formField, operatorAction } from './operator-refusal.js';
import { PARTICIPANT_STATUS_PATH, participantsTable } from './participants-table.js';

const EVENTS_PATH = '/operator/participants/events';
const STATUSES: readonly ParticipantStatus[] = ['active', 'disabled', 'revoked'];

export function registerParticipantsPage({ coordinator, console: c }: CoordinatorConsoleContext): void {
  c.app.get('/operator/participants', async (request, reply) => {
    const session = c.require(request, 'operator');
    const body = `<p class="meta">Online: connected to this federation now (any replica). Disabling or revoking a
participant cuts it off within a second; revocation is final.</p>
<div data-live="${EVENTS_PATH}" data-testid="participants">${await participantsTable(coordinator, session)}</div>`;
    return reply
      .type('text/html; charset=utf-8')
      .send(page({ title: 'Participants', nav: OPERATOR_NAV, session, body }));
  });

  c.app.get(EVENTS_PATH, async (request, reply) => {
    const session = c.require(request, 'operator');
    streamLive(request, reply, {
      render: async () => ({ html: await participantsTable(coordinator, session) }),
      stillValid: c.stillValid(request),
      watch: (changed) => {
        coordinator.registry.on('change', changed);
        return () => coordinator.registry.off('change', changed);
      },
    });
  });

  c.app.post(PARTICIPANT_STATUS_PATH, async (request, reply) => {
    c.require(request, 'operator');
    const id = formField(request.body, 'id', 'participant id');
    const status = formField(request.body, 'status', 'new status') as ParticipantStatus;
    if (!STATUSES.includes(status))
      throw new ConsoleError('BAD_REQUEST', `status ${status} is not one of ${STATUSES.join(', ')}: send one of them`);
    await operatorAction(() => coordinator.store.setParticipantStatus(id, status));
    // A connected one is cut off by the coordinator's access check within a second, which live pages then show.
    return reply.redirect('/operator/participants', 303);
  });
}
