/**
 * The operator's enrolment commands on a coordinator's data directory: list and revoke tokens, list, disable, enable
 * and revoke participants. They open the store directly, so they work whether a coordinator runs on the directory or
 * not; a running one reads the store and cuts off a revoked or disabled participant within a second
 * (ParticipantAccess).
 */
import { withOperatorStore } from '../store/operator-store.js';
import type { EnrollmentTokenRecord, ParticipantRecord, ParticipantStatus, Store } from '../store/store.js';
import { EnrolmentError } from './enrolment-error.js';

/** A participant as the operator sees it: no key material beyond the public key, times as ISO strings. */
export interface ParticipantSummary {
  id: string;
  name: string;
  status: ParticipantStatus;
  enrolledAt: string;
  /** Null if the coordinator never heard from it. */
  lastSeenAt: string | null;
  statusChangedAt: string | null;
  /** The Ed25519 identity it enrolled with, hex. */
  publicKey: string;
}

/** An enrolment token as the operator sees it (never the token itself: only its hash is stored). */
export interface TokenSummary {
  id: string;
  name: string;
  status: EnrollmentTokenRecord['status'];
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  participantId: string | null;
  revokedAt: string | null;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export const participantSummary = (p: ParticipantRecord): ParticipantSummary => ({
  id: p.id,
  name: p.name,
  status: p.status,
  enrolledAt: new Date(p.enrolledAt).toISOString(),
  lastSeenAt: iso(p.lastSeenAt),
  statusChangedAt: iso(p.statusChangedAt),
  publicKey: Buffer.from(p.publicKey).toString('hex'),
});

export const tokenSummary = (t: EnrollmentTokenRecord): TokenSummary => ({
  id: t.id,
  name: t.name,
  status: t.status,
  createdAt: new Date(t.createdAt).toISOString(),
  expiresAt: new Date(t.expiresAt).toISOString(),
  usedAt: iso(t.usedAt),
  participantId: t.participantId ?? null,
  revokedAt: iso(t.revokedAt),
});

/** Runs `fn` on the store of an existing data directory; a missing one is an EnrolmentError. */
const withStore = <T>(dataDir: string, fn: (store: Store) => T | Promise<T>): Promise<T> =>
  withOperatorStore(dataDir, (message) => new EnrolmentError('no-coordinator-data', message), fn);

/** Every enrolment token issued in this data directory, oldest first, with its status now. */
export function listEnrollmentTokens(dataDir: string, now?: number): Promise<TokenSummary[]> {
  return withStore(dataDir, async (s) => (await s.listEnrollmentTokens(now)).map(tokenSummary));
}

/** Revokes a token that was not used yet (idempotent); a used one is refused, naming its participant. */
export async function revokeEnrollmentToken(dataDir: string, id: string, now?: number): Promise<TokenSummary> {
  return tokenSummary(await withStore(dataDir, (s) => s.revokeEnrollmentToken(id, now)));
}

/** Every participant enrolled in this data directory, in enrolment order. */
export function listEnrolledParticipants(dataDir: string): Promise<ParticipantSummary[]> {
  return withStore(dataDir, async (s) => (await s.listParticipants()).map(participantSummary));
}

/**
 * Disables, enables or revokes a participant (revocation is final); returns it with its previous status. A running
 * coordinator cuts off a disabled or revoked participant within ACCESS_CHECK_MS.
 */
export function setParticipantStatus(
  dataDir: string,
  id: string,
  status: ParticipantStatus,
  now?: number,
): Promise<ParticipantSummary & { previousStatus: ParticipantStatus }> {
  return withStore(dataDir, async (s) => {
    // Read, then write: another process may change the status in between; previousStatus is then the one read.
    const previousStatus = (await s.getParticipant(id))?.status ?? status;
    return { ...participantSummary(await s.setParticipantStatus(id, status, now)), previousStatus };
  });
}
