/**
 * The refusals both stores give for enrolment and analyst requests (same types, same messages), each saying what to
 * do: the SQLite and PostgreSQL stores check the same things and word them once, here.
 */
import { AnalystError } from '../analysts/analyst-error.js';
import { EnrolmentError } from '../enrolment/enrolment-error.js';
import type { AnalystRecord } from './store.js';

export const UNKNOWN_TOKEN_REASON =
  'unknown enrolment token: ask the coordinator operator for a new one (tessera coordinator enroll <name>)';

export const UNKNOWN_INVITATION_REASON =
  'unknown or already used analyst invitation: ask the coordinator operator for a new one ' +
  '(tessera coordinator analysts add NAME)';

export const participantKeyClash = (participantId: string) =>
  `this identity key is already enrolled as ${participantId}`;

export const analystKeyClash = (analystName: string) =>
  `this identity key is already registered as analyst ${analystName}: ` +
  'join with the key file of the new analyst (tessera keys create --out FILE makes one)';

export const unknownTokenId = (id: string) =>
  new EnrolmentError(
    'unknown-token-id',
    `no enrolment token has id ${id}; tessera coordinator tokens list shows the ids`,
  );

export const tokenAlreadyUsed = (id: string, participantId: string | undefined) =>
  new EnrolmentError(
    'token-already-used',
    `token ${id} already enrolled participant ${participantId}; ` +
      `to cut that participant off, run tessera coordinator participants revoke ${participantId}`,
  );

export const unknownParticipant = (id: string) =>
  new EnrolmentError(
    'unknown-participant',
    `no participant has id ${id}; tessera coordinator participants list shows the ids`,
  );

export const participantRevoked = (id: string, name: string) =>
  new EnrolmentError(
    'participant-revoked',
    `participant ${id} (${name}) was revoked, and revocation is final: ` +
      `enrol it again with a new token (tessera coordinator enroll ${name})`,
  );

export const unknownAnalyst = (name: string) =>
  new AnalystError(
    'unknown-analyst',
    `no analyst is called ${name}; tessera coordinator analysts list shows the names`,
  );

/** A joined or revoked analyst keeps its name for good: its jobs are listed under it. */
export function refuseAnalystNameTaken(a: AnalystRecord): void {
  if (a.status === 'active')
    throw new AnalystError(
      'name-taken',
      `analyst ${a.name} has already joined; revoke it first (tessera coordinator analysts revoke ${a.name}) ` +
        'and choose another name for its replacement',
    );
  if (a.status === 'revoked')
    throw new AnalystError(
      'analyst-revoked',
      `analyst ${a.name} was revoked, and its name stays with its jobs: choose another name`,
    );
}

/** Refuses a key registered to another analyst than `name`. */
export function refuseAnalystKeyTaken(clash: AnalystRecord | undefined, name: string): void {
  if (clash && clash.name !== name)
    throw new AnalystError('key-taken', `this public key is already registered as analyst ${clash.name}`);
}
