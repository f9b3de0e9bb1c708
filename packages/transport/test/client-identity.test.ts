import { webcrypto, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '@tessera/crypto';
import {
  createCertificateAuthority,
  ed25519BindingUri,
  ed25519Sha256,
  generateKeyPair,
  identityUri,
  issueClientCertificate,
  issueServerCertificate,
  subjectPublicKeyOf,
  type TransportError,
  verifyClientCertificate,
} from '@tessera/transport';

describe('client certificates bound to a Tessera identity and an Ed25519 key', async () => {
  const ca = await createCertificateAuthority();
  const caCert = new X509Certificate(ca.certPem);
  const tlsKey = await generateKeyPair();
  const spki = new Uint8Array(await webcrypto.subtle.exportKey('spki', tlsKey.publicKey));
  const identity = generateSigningKeyPair();
  const certPem = await issueClientCertificate(ca, {
    publicKey: spki,
    identity: identityUri('analyst', 'alice'),
    bindings: [ed25519BindingUri(identity.publicKey)],
  });
  const raw = new X509Certificate(certPem).raw;

  it('names the role, the id and the hash of the identity key', () => {
    expect(verifyClientCertificate(raw, caCert)).toEqual({
      role: 'analyst',
      id: 'alice',
      ed25519Sha256: ed25519Sha256(identity.publicKey),
    });
    expect(Buffer.from(subjectPublicKeyOf(new X509Certificate(raw).publicKey)).equals(Buffer.from(spki))).toBe(true);
  });

  it('refuses a certificate from another CA', async () => {
    const other = await createCertificateAuthority({ commonName: 'Another CA' });
    expect(() => verifyClientCertificate(raw, new X509Certificate(other.certPem))).toThrow(/not signed by the trust/);
  });

  it('refuses a server certificate and one without an identity key', async () => {
    const server = await issueServerCertificate(ca);
    const e = catchError(() => verifyClientCertificate(new X509Certificate(server.certPem).raw, caCert));
    expect((e as TransportError).code).toBe('BAD_CERTIFICATE');
    expect((e as Error).message).toMatch(/not for client authentication/);
    const unbound = await issueClientCertificate(ca, { publicKey: spki, identity: identityUri('participant', 'p-1') });
    expect(() => verifyClientCertificate(new X509Certificate(unbound).raw, caCert)).toThrow(
      /exactly one Tessera identity and one identity key/,
    );
  });

  it('refuses garbage', () => {
    expect(() => verifyClientCertificate(new Uint8Array([1, 2, 3]), caCert)).toThrow(/cannot be parsed/);
  });
});

function catchError(f: () => void): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}
