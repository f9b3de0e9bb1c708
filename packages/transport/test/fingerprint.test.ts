import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createCertificateAuthority,
  fingerprintOf,
  parseFingerprint,
  sameFingerprint,
  TransportError,
} from '@tessera/transport';

describe('fingerprints', async () => {
  const ca = await createCertificateAuthority();
  const fp = fingerprintOf(ca.certPem);

  it("is the SHA-256 of the certificate's DER, 64 lowercase hex characters", () => {
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    expect(fp).toBe(new X509Certificate(ca.certPem).fingerprint256.replace(/:/g, '').toLowerCase());
    expect(fingerprintOf(new X509Certificate(ca.certPem).raw)).toBe(fp);
  });

  it('reads the plain and the colon-separated forms, in either case', () => {
    expect(parseFingerprint(fp.toUpperCase())).toBe(fp);
    expect(parseFingerprint(new X509Certificate(ca.certPem).fingerprint256)).toBe(fp);
    expect(parseFingerprint(` ${fp}\n`)).toBe(fp);
  });

  it('refuses anything else, saying what a fingerprint looks like', () => {
    for (const bad of ['', fp.slice(1), `${fp}00`, 'z'.repeat(64), `${fp.slice(0, 2)}:${fp.slice(2)}`]) {
      let error: unknown;
      try {
        parseFingerprint(bad, '--tls-fingerprint');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TransportError);
      expect((error as TransportError).code).toBe('BAD_FINGERPRINT');
      expect((error as Error).message).toContain('--tls-fingerprint must be a SHA-256 fingerprint: 64 hex characters');
    }
  });

  it('compares fingerprints', async () => {
    const other = fingerprintOf((await createCertificateAuthority()).certPem);
    expect(sameFingerprint(fp, fp)).toBe(true);
    expect(sameFingerprint(fp, other)).toBe(false);
    expect(sameFingerprint(fp, fp.slice(2))).toBe(false);
  });
});
