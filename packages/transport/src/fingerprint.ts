import { createHash, X509Certificate } from 'node:crypto';
import { constantTimeEqual } from '@tessera/crypto';
import { TransportError } from './transport-error.js';

/** A certificate's SHA-256 fingerprint: 64 lowercase hexadecimal characters. */
export type Fingerprint = string;

/** SHA-256 of the certificate's DER encoding, as 64 lowercase hex characters. */
export function fingerprintOf(certificate: X509Certificate | string | Uint8Array): Fingerprint {
  const x = certificate instanceof X509Certificate ? certificate : new X509Certificate(certificate);
  return createHash('sha256').update(x.raw).digest('hex');
}

/**
 * Reads a fingerprint as people paste it: 64 hex characters in either case, or the colon-separated pairs that
 * `openssl x509 -fingerprint -sha256` and Node's fingerprint256 print.
 */
export function parseFingerprint(text: string, what = 'TLS fingerprint'): Fingerprint {
  const hex = text.trim().replace(/:/g, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(hex) || (text.includes(':') && !/^([0-9a-fA-F]{2}:){31}[0-9a-fA-F]{2}$/.test(text.trim())))
    throw new TransportError(
      'BAD_FINGERPRINT',
      `${what} must be a SHA-256 fingerprint: 64 hex characters (tessera coordinator start --json prints it as ` +
        `tlsFingerprint), got ${JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}...` : text)}`,
    );
  return hex;
}

/** Compares two fingerprints in constant time (they are public, but the comparison is a security decision). */
export function sameFingerprint(a: Fingerprint, b: Fingerprint): boolean {
  return constantTimeEqual(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
