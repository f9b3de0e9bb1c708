/**
 * The operator's analyst commands on a coordinator's data directory: invite an analyst (a one-time invitation), or
 * register one's public key directly, list and revoke analysts. Like the enrolment commands they open the store
 * directly: local access to the data directory is the operator's credential, and a running coordinator reads the
 * store at every analyst call, so a revocation takes effect at the analyst's next call.
 */
import { fromHex, isAcceptablePublicKey, sha256Hex } from '@tessera/crypto';
import { newAnalystInvitation } from '@tessera/proto';
import { fingerprintOf } from '@tessera/transport';
import { tokenTimes } from '../enrolment/enrolment-rules.js';
import { ClientCertificates } from '../identity/client-certificates.js';
import { withOperatorStore } from '../store/operator-store.js';
import type { AnalystRecord, Store } from '../store/store.js';
import { ownCertificateAuthority } from '../tls/own-certificates.js';
import { readTrustAnchor } from '../tls/tls-files.js';
import { AnalystError } from './analyst-error.js';
import { checkAnalystName } from './analyst-rules.js';

/** An analyst as the operator sees it: times as ISO strings, the public key in hex once known. */
export interface AnalystSummary {
  name: string;
  status: AnalystRecord['status'];
  createdAt: string;
  joinedAt: string | null;
  invitationExpiresAt: string | null;
  revokedAt: string | null;
  publicKey: string | null;
}

/** An invitation as issued: the text to hand over, and what the operator notes. */
export interface IssuedInvitation {
  invitation: string;
  name: string;
  expiresAt: number;
  /** The fingerprint it carries (null: the coordinator has not started with TLS yet). */
  tlsFingerprint: string | null;
  address: string | null;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export const analystSummary = (a: AnalystRecord): AnalystSummary => ({
  name: a.name,
  status: a.status,
  createdAt: new Date(a.createdAt).toISOString(),
  joinedAt: iso(a.joinedAt),
  invitationExpiresAt: iso(a.invitationExpiresAt),
  revokedAt: iso(a.revokedAt),
  publicKey: a.publicKey ? Buffer.from(a.publicKey).toString('hex') : null,
});

/** Runs `fn` on the store of an existing data directory; a missing one is an AnalystError. */
const withStore = <T>(dataDir: string, fn: (store: Store) => T | Promise<T>): Promise<T> =>
  withOperatorStore(dataDir, (message) => new AnalystError('no-coordinator-data', message), fn);

/**
 * A one-time invitation for analyst `name` (24 h by default, like enrolment tokens), carrying the coordinator's TLS
 * fingerprint and `address` so `tessera analyst join INVITATION` needs nothing else. Only its hash is kept.
 */
export async function inviteAnalyst(
  dataDir: string,
  name: string,
  options: { expiresInMs?: number; address?: string; now?: number } = {},
): Promise<IssuedInvitation> {
  const checked = checkAnalystName(name);
  const times = tokenTimes(options);
  const anchor = readTrustAnchor(dataDir);
  const tlsFingerprint = anchor ? fingerprintOf(anchor) : undefined;
  const { text, secret } = newAnalystInvitation({
    ...(tlsFingerprint ? { tlsFingerprint } : {}),
    ...(options.address ? { address: options.address } : {}),
  });
  const record = await withStore(dataDir, (s) => s.inviteAnalyst(checked, sha256Hex(secret), times));
  return {
    invitation: text,
    name: record.name,
    expiresAt: times.expiresAt,
    tlsFingerprint: tlsFingerprint ?? null,
    address: options.address ?? null,
  };
}

/** Registers an analyst's Ed25519 public key (64 hex characters) directly, without an invitation. */
export async function registerAnalystKey(
  dataDir: string,
  name: string,
  publicKeyHex: string,
  now?: number,
): Promise<AnalystSummary> {
  const checked = checkAnalystName(name);
  return analystSummary(await withStore(dataDir, (s) => s.registerAnalyst(checked, publicKeyOf(publicKeyHex), now)));
}

/**
 * Registers analyst `name` with this identity (or finds it registered with it) and, when the coordinator serves TLS,
 * issues a client certificate for `tlsPublicKey` with the CA in the data directory: for an analyst on the operator's
 * machine (tessera coordinator analysts add NAME --keys FILE) and in-process federations. Returns the certificate
 * and the anchor to trust, or no `tls` for a coordinator that has not run with TLS.
 */
export async function certifyAnalyst(
  dataDir: string,
  name: string,
  identity: Uint8Array,
  tlsPublicKey: Uint8Array,
): Promise<{ analyst: AnalystSummary; tls?: { certPem: string; anchorPem: string } }> {
  const checked = checkAnalystName(name);
  const analyst = await withStore(dataDir, async (s) => {
    // Read, then register: if another process registers the name in between, registerAnalyst refuses it.
    const known = await s.getAnalyst(checked);
    const same = known?.status === 'active' && Buffer.from(known.publicKey ?? []).equals(Buffer.from(identity));
    return same ? known! : s.registerAnalyst(checked, publicKeyOf(Buffer.from(identity).toString('hex')));
  });
  const anchorPem = readTrustAnchor(dataDir);
  if (!anchorPem) return { analyst: analystSummary(analyst) };
  const certificates = new ClientCertificates(await ownCertificateAuthority(dataDir));
  const certPem = await certificates.issue('analyst', analyst.name, identity, tlsPublicKey);
  return { analyst: analystSummary(analyst), tls: { certPem, anchorPem } };
}

/** Every analyst of this data directory, oldest first, with its status now. */
export function listAnalysts(dataDir: string, now?: number): Promise<AnalystSummary[]> {
  return withStore(dataDir, async (s) => (await s.listAnalysts(now)).map(analystSummary));
}

/** Revokes an analyst for good (idempotent): its calls are refused from the next one on. */
export async function revokeAnalyst(dataDir: string, name: string, now?: number): Promise<AnalystSummary> {
  return analystSummary(await withStore(dataDir, (s) => s.revokeAnalyst(name, now)));
}

function publicKeyOf(hex: string): Uint8Array {
  const h = hex.trim().toLowerCase();
  const key = /^[0-9a-f]{64}$/.test(h) ? fromHex(h) : undefined;
  if (!key || !isAcceptablePublicKey(key))
    throw new AnalystError(
      'bad-public-key',
      `the public key must be the analyst's Ed25519 identity, 64 hex characters (tessera keys create prints it as ` +
        `"analyst identity"), got ${JSON.stringify(hex.length > 80 ? `${hex.slice(0, 80)}...` : hex)}`,
    );
  return key;
}
