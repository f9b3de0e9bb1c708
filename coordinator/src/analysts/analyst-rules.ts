/**
 * The rules of analyst identities, apart from any store: analyst names, when an analyst's status is what it is, and
 * why a call or an invitation is refused, each refusal saying what to do.
 */
import type { AnalystRecord, AnalystStatus } from '../store/store.js';
import { AnalystError } from './analyst-error.js';

/** Analyst names go into client certificates (urn:tessera:analyst:NAME) and job listings: short, URI-safe. */
export const MAX_ANALYST_NAME_LENGTH = 64;
const NAME = /^[A-Za-z0-9._~-]+$/;

const iso = (ms: number) => new Date(ms).toISOString();

/** The operator's name for an analyst, trimmed; throws an AnalystError (bad-name) naming what is wrong. */
export function checkAnalystName(name: string): string {
  const n = name.trim();
  if (n === '')
    throw new AnalystError('bad-name', 'the analyst needs a name, e.g. tessera coordinator analysts add alice');
  if (n.length > MAX_ANALYST_NAME_LENGTH)
    throw new AnalystError(
      'bad-name',
      `the analyst name has ${n.length} characters; at most ${MAX_ANALYST_NAME_LENGTH}`,
    );
  if (!NAME.test(n))
    throw new AnalystError(
      'bad-name',
      `the analyst name ${JSON.stringify(n)} may have letters, digits and . _ ~ - only (it goes into certificates)`,
    );
  return n;
}

/**
 * An analyst's status at `now` from what is stored: revoked is final; with a key it is active; without one it waits
 * for its invitation, which turns expired at its expiry.
 */
export function analystStatus(
  a: { publicKey?: Uint8Array | undefined; revokedAt?: number | undefined; invitationExpiresAt?: number | undefined },
  now: number,
): AnalystStatus {
  if (a.revokedAt !== undefined) return 'revoked';
  if (a.publicKey) return 'active';
  return a.invitationExpiresAt !== undefined && now < a.invitationExpiresAt ? 'invited' : 'expired';
}

/** Why an invitation cannot be redeemed, or undefined if it can. */
export function invitationRefusal(a: AnalystRecord): string | undefined {
  const ask = `ask the coordinator operator for a new one (tessera coordinator analysts add ${a.name})`;
  switch (a.status) {
    case 'invited':
      return undefined;
    case 'expired':
      return `this invitation for analyst ${a.name} expired at ${iso(a.invitationExpiresAt ?? 0)}: ${ask}`;
    case 'active':
      return `this invitation was already used: analyst ${a.name} joined at ${iso(a.joinedAt ?? 0)}`;
    case 'revoked':
      return `analyst ${a.name} was revoked by the coordinator operator at ${iso(a.revokedAt ?? 0)}`;
  }
}

/** Why this analyst may not make calls (not active), or undefined while it is active. */
export function analystRefusal(a: AnalystRecord): string | undefined {
  switch (a.status) {
    case 'active':
      return undefined;
    case 'revoked':
      return (
        `analyst ${a.name} was revoked by the coordinator operator at ${iso(a.revokedAt ?? 0)}: it can no longer ` +
        'make calls; ask the operator for a new invitation under another name'
      );
    case 'invited':
    case 'expired':
      return `analyst ${a.name} has not joined yet: run tessera analyst join INVITATION --keys FILE first`;
  }
}
