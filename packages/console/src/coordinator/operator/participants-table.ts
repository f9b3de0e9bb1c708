/**
 * The operator's table of enrolled participants: status in the store, online or offline on this federation (the
 * session registry, which includes participants connected to other replicas), what each connected one runs and
 * serves, and the buttons that disable, enable or revoke it.
 */
import type { Coordinator, ParticipantRecord, ParticipantSession } from '@tessera/coordinator';
import { postForm, table, when } from '../../http/page.js';
import type { Session } from '../../http/sessions.js';
import { esc } from '../../report/svg.js';

/** The form the status buttons post to: fields id and status (active, disabled or revoked). */
export const PARTICIPANT_STATUS_PATH = '/operator/participants/status';

export async function participantsTable(coordinator: Coordinator, session: Session): Promise<string> {
  const participants = await coordinator.store.listParticipants();
  const online = new Map(coordinator.registry.connected().map((s) => [s.participantId, s]));
  return table(
    ['Participant', 'Name', 'Status', 'Connection', 'Last seen', 'Software', 'Data sets', 'Connected since', ''],
    participants.map((p) => participantRow(p, online.get(p.id), session)),
    'no participant has enrolled yet: issue a token with tessera coordinator enroll NAME',
  );
}

function participantRow(p: ParticipantRecord, s: ParticipantSession | undefined, session: Session): string[] {
  const id = esc(p.id);
  const state = s ? 'online' : 'offline';
  return [
    `<span data-testid="participant-${id}-id">${id}</span>`,
    esc(p.name),
    `<span class="badge ${esc(p.status)}" data-testid="participant-${id}-status">${esc(p.status)}</span>`,
    `<span class="badge ${state}" data-testid="participant-${id}-state">${state}</span>`,
    esc(when(p.lastSeenAt)),
    s?.software ? esc(s.software) : '–',
    s ? esc(s.datasets.join(', ') || 'none') : '–',
    s ? esc(when(s.connectedAt)) : '–',
    statusButtons(p, session),
  ];
}

function statusButtons(p: ParticipantRecord, session: Session): string {
  // Revocation is final: a revoked participant has no buttons.
  if (p.status === 'revoked') return '';
  const form = (label: string, status: string, cls = '') =>
    postForm(PARTICIPANT_STATUS_PATH, label, session, { id: p.id, status }, cls);
  return (
    (p.status === 'active' ? form('Disable', 'disabled') : form('Enable', 'active')) +
    ' ' +
    form('Revoke', 'revoked', 'danger')
  );
}
