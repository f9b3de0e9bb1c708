import type { X509Certificate } from 'node:crypto';
import { fingerprintOf } from '../fingerprint.js';
import { TransportError } from '../transport-error.js';

/** Longest chain followed from a leaf to its trust anchor (leaf, intermediates, anchor). */
const MAX_DEPTH = 8;

/**
 * Checks that `leaf` chains to `anchor`, through `intermediates` if needed: each certificate names its issuer
 * (checkIssued), carries the issuer's signature (verify), and is valid at `now`; every issuer is a CA. Throws
 * CHAIN_INVALID naming the certificate that breaks the chain.
 */
export function verifyChain(
  leaf: X509Certificate,
  anchor: X509Certificate,
  intermediates: readonly X509Certificate[] = [],
  now = new Date(),
): void {
  let current = leaf;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    checkValidity(current, now);
    if (current.raw.equals(anchor.raw)) return;
    const issuer = [anchor, ...intermediates].find(
      (c) => c.ca && current.checkIssued(c) && current.verify(c.publicKey) && !c.raw.equals(current.raw),
    );
    if (!issuer)
      throw new TransportError(
        'CHAIN_INVALID',
        `certificate "${current.subject.replace(/\n/g, ', ')}" (${fingerprintOf(current)}) ` +
          `is not signed by the trust anchor "${anchor.subject.replace(/\n/g, ', ')}" (${fingerprintOf(anchor)}) ` +
          'or an intermediate certificate given',
      );
    current = issuer;
  }
  throw new TransportError('CHAIN_INVALID', `no chain of at most ${MAX_DEPTH} certificates reaches the trust anchor`);
}

/** True when the certificate names itself as issuer and carries its own signature (a root). */
export function isSelfSigned(c: X509Certificate): boolean {
  return c.checkIssued(c) && c.verify(c.publicKey);
}

function checkValidity(c: X509Certificate, now: Date): void {
  const from = new Date(c.validFrom);
  const to = new Date(c.validTo);
  if (!(now >= from && now <= to))
    throw new TransportError(
      'CHAIN_INVALID',
      `certificate "${c.subject.replace(/\n/g, ', ')}" is valid from ${from.toISOString()} to ${to.toISOString()}, ` +
        `not at ${now.toISOString()}; issue a new one`,
    );
}
