/**
 * The rules of the enrolment life cycle, apart from any store: participant names, token lifetimes, when a token is
 * refused and when a participant is cut off, each refusal saying what to do.
 */
import type { EnrollmentTokenRecord, EnrollmentTokenStatus, ParticipantRecord } from '../store/store.js';
import { EnrolmentError } from './enrolment-error.js';

const HOUR_MS = 60 * 60 * 1000;

/** How long an enrolment token stays valid unless the operator says otherwise (`--expires`). */
export const DEFAULT_TOKEN_LIFETIME_MS = 24 * HOUR_MS;

/** The longest lifetime accepted: a token is a bearer secret, and one that lives for months is one that leaks. */
export const MAX_TOKEN_LIFETIME_MS = 30 * 24 * HOUR_MS;

/** Participant names are shown in logs, tables and audit trails: short, printable. */
export const MAX_NAME_LENGTH = 100;

const iso = (ms: number) => new Date(ms).toISOString();

/** The operator's name for a participant, trimmed; throws an EnrolmentError (bad-name) naming what is wrong. */
export function checkParticipantName(name: string): string {
  const n = name.trim();
  if (n === '')
    throw new EnrolmentError('bad-name', 'the participant needs a name, e.g. tessera coordinator enroll merchant-a');
  if (n.length > MAX_NAME_LENGTH)
    throw new EnrolmentError('bad-name', `the participant name has ${n.length} characters; at most ${MAX_NAME_LENGTH}`);
  for (const ch of n) {
    const code = ch.codePointAt(0) ?? 0;
    // Control characters would garble the logs and tables the name appears in.
    if (code < 0x20 || code === 0x7f)
      throw new EnrolmentError('bad-name', `the participant name ${JSON.stringify(n)} has a control character`);
  }
  return n;
}

/** A token lifetime in milliseconds, checked: positive and at most MAX_TOKEN_LIFETIME_MS. */
export function checkTokenLifetime(ms: number): number {
  if (!Number.isFinite(ms) || ms <= 0)
    throw new EnrolmentError('bad-lifetime', `a token lifetime must be positive (e.g. 24h), got ${ms} ms`);
  if (ms > MAX_TOKEN_LIFETIME_MS)
    throw new EnrolmentError(
      'bad-lifetime',
      `a token lifetime is at most ${MAX_TOKEN_LIFETIME_MS / (24 * HOUR_MS)} days; issue a new token when it expires`,
    );
  return ms;
}

/** A token's status at `now` from its times: used and revoked are final; pending turns expired at `expiresAt`. */
export function tokenStatus(
  t: Pick<EnrollmentTokenRecord, 'usedAt' | 'revokedAt' | 'expiresAt'>,
  now: number,
): EnrollmentTokenStatus {
  if (t.usedAt !== undefined) return 'used';
  if (t.revokedAt !== undefined) return 'revoked';
  return now >= t.expiresAt ? 'expired' : 'pending';
}

/**
 * Why this token cannot enrol a participant asking to be called `requestedName` (empty: no preference), or
 * undefined if it can. The operator names the participant: a different name is refused, naming both.
 */
export function redeemRefusal(t: EnrollmentTokenRecord, requestedName: string, now: number): string | undefined {
  const newToken = `ask the coordinator operator for a new one (tessera coordinator enroll ${t.name})`;
  switch (tokenStatus(t, now)) {
    case 'used':
      return 'this enrolment token was already used: each token enrols exactly one participant';
    case 'revoked':
      return (
        `this enrolment token (${t.id}) was revoked by the coordinator operator at ${iso(t.revokedAt ?? now)}: ` +
        newToken
      );
    case 'expired':
      return `this enrolment token (${t.id}) expired at ${iso(t.expiresAt)}: ${newToken}`;
    case 'pending':
      break;
  }
  if (requestedName !== '' && requestedName !== t.name)
    return (
      `this enrolment token is for the participant the coordinator operator named "${t.name}", ` +
      `not "${requestedName}": run tessera participant init with --name ${t.name} (or without --name), ` +
      `or ask the operator for a token for "${requestedName}"`
    );
  return undefined;
}

/** Why this participant may not connect or stay connected (disabled or revoked), or undefined while it is active. */
export function participantRefusal(p: Pick<ParticipantRecord, 'id' | 'name' | 'status' | 'statusChangedAt'>) {
  const at = p.statusChangedAt !== undefined ? ` at ${iso(p.statusChangedAt)}` : '';
  switch (p.status) {
    case 'active':
      return undefined;
    case 'disabled':
      return (
        `participant ${p.id} (${p.name}) was disabled by the coordinator operator${at}: it is refused until ` +
        `the operator enables it again (tessera coordinator participants enable ${p.id})`
      );
    case 'revoked':
      return (
        `participant ${p.id} (${p.name}) was revoked by the coordinator operator${at}: it can no longer connect; ` +
        'to take part again, ask the operator for a new enrolment token and run tessera participant init with it'
      );
  }
}

/** How the operator asks for a token: its lifetime (default 24 h). `now` is for tests. */
export interface EnrollmentTokenOptions {
  expiresInMs?: number;
  now?: number;
}

/** A token as issued to the operator: the secret to hand over, and what to note (its id, to revoke it; its expiry). */
export interface IssuedEnrollmentToken {
  token: string;
  id: string;
  name: string;
  expiresAt: number;
}

/** The issue time and checked expiry of a new token. */
export function tokenTimes(options: EnrollmentTokenOptions): { now: number; expiresAt: number } {
  const now = options.now ?? Date.now();
  return { now, expiresAt: now + checkTokenLifetime(options.expiresInMs ?? DEFAULT_TOKEN_LIFETIME_MS) };
}
