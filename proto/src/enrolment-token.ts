// The one-time enrolment token: a secret the coordinator stores only as a hash, and (format 1) the SHA-256
// fingerprint of the coordinator's TLS trust anchor, so `tessera participant init --token` can pin it unaided.
import { randomToken } from '@tessera/crypto';
import { parseFingerprint, type Fingerprint } from '@tessera/transport';

/** tse1_<32 random bytes, base64url>_<TLS fingerprint, 64 hex characters> */
const WITH_FINGERPRINT = /^tse1_[A-Za-z0-9_-]{43}_([0-9a-f]{64})$/;
/** tse_<32 random bytes, base64url>: tokens made before the fingerprint was added, or for a plaintext coordinator. */
const WITHOUT_FINGERPRINT = /^tse_[A-Za-z0-9_-]{43}$/;

export class EnrolmentTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnrolmentTokenError';
  }
}

/** A new token; with the coordinator's TLS fingerprint in it when the coordinator has one. */
export function newEnrolmentToken(fingerprint?: Fingerprint): string {
  const secret = randomToken(); // 32 bytes from node:crypto, 43 base64url characters
  return fingerprint ? `tse1_${secret}_${parseFingerprint(fingerprint)}` : `tse_${secret}`;
}

/**
 * The TLS fingerprint a token carries (undefined for a token without one). The whole token is the secret sent at
 * enrolment; a token of neither form is refused here, before it is sent anywhere.
 */
export function enrolmentTokenFingerprint(token: string): Fingerprint | undefined {
  const t = token.trim();
  const m = WITH_FINGERPRINT.exec(t);
  if (m) return m[1];
  if (WITHOUT_FINGERPRINT.test(t)) return undefined;
  throw new EnrolmentTokenError(
    'the enrolment token is not one tessera coordinator enroll prints (tse1_<secret>_<fingerprint>, or tse_<secret> ' +
      'from an older coordinator); copy it whole',
  );
}
