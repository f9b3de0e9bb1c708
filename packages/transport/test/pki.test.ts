import { createPrivateKey, webcrypto, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  createCertificateAuthority,
  generateKeyPair,
  identityUri,
  isSelfSigned,
  issueClientCertificate,
  issueServerCertificate,
  privateKeyPem,
  SERVER_NAME,
  subjectPublicKeyOf,
  TransportError,
  verifyChain,
} from '@tessera/transport';

const YEAR_MS = 365 * 86_400_000;

describe('private PKI', async () => {
  const ca = await createCertificateAuthority();
  const caCert = new X509Certificate(ca.certPem);
  const server = await issueServerCertificate(ca, { dns: ['localhost'], ip: ['127.0.0.1', '::1'] });
  const serverCert = new X509Certificate(server.certPem);

  it('creates a self-signed ECDSA P-256 CA valid for ten years', () => {
    expect(caCert.ca).toBe(true);
    expect(isSelfSigned(caCert)).toBe(true);
    expect(caCert.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const years = (Date.parse(caCert.validTo) - Date.parse(caCert.validFrom)) / YEAR_MS;
    expect(years).toBeGreaterThan(9.99);
    expect(years).toBeLessThan(10.01);
  });

  it('issues a server certificate that chains to the CA, for the Tessera name, localhost and loopback', () => {
    expect(serverCert.ca).toBe(false);
    expect(serverCert.checkIssued(caCert)).toBe(true);
    expect(serverCert.verify(caCert.publicKey)).toBe(true);
    expect(() => verifyChain(serverCert, caCert)).not.toThrow();
    expect(serverCert.subjectAltName).toBe(
      `DNS:${SERVER_NAME}, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1`,
    );
    expect(serverCert.checkHost(SERVER_NAME)).toBe(SERVER_NAME);
    expect(serverCert.checkPrivateKey(createPrivateKey(server.keyPem))).toBe(true);
  });

  it('refuses a chain to another CA, naming the certificate that breaks it', async () => {
    const other = await createCertificateAuthority({ commonName: 'Another CA' });
    const e = catchError(() => verifyChain(serverCert, new X509Certificate(other.certPem)));
    expect(e).toBeInstanceOf(TransportError);
    expect((e as TransportError).code).toBe('CHAIN_INVALID');
    expect((e as Error).message).toContain('is not signed by the trust anchor');
  });

  it('refuses a certificate outside its validity period', () => {
    const e = catchError(() => verifyChain(serverCert, caCert, [], new Date(Date.now() + 3 * YEAR_MS)));
    expect((e as TransportError).code).toBe('CHAIN_INVALID');
    expect((e as Error).message).toMatch(/is valid from .* to .*, not at/);
  });

  it('issues a client certificate for a public key the client keeps, bound to its identity by a SAN URI', async () => {
    const keys = await generateKeyPair();
    const spki = new Uint8Array(await webcrypto.subtle.exportKey('spki', keys.publicKey));
    const certPem = await issueClientCertificate(ca, {
      publicKey: spki,
      identity: identityUri('participant', 'p-1a2b'),
    });
    const cert = new X509Certificate(certPem);
    expect(cert.subjectAltName).toBe('URI:urn:tessera:participant:p-1a2b');
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']); // node lists the extended key usages: client authentication
    expect(() => verifyChain(cert, caCert)).not.toThrow();
    expect(cert.checkPrivateKey(createPrivateKey(await privateKeyPem(keys.privateKey)))).toBe(true);
    expect(Buffer.from(subjectPublicKeyOf(cert.publicKey)).equals(Buffer.from(spki))).toBe(true);
  });

  it('keeps identities to characters that need no escaping in a URI', () => {
    expect(() => identityUri('analyst', 'ana lyst')).toThrow(/letters, digits/);
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
