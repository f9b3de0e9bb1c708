import { X509Certificate, type KeyObject } from 'node:crypto';
import { buildCertificate, CLIENT_AUTH, KeyUsageBit, SERVER_AUTH } from './build-certificate.js';
import { CLOCK_SKEW_MS, type CertificateAuthority } from './certificate-authority.js';
import { generateKeyPair, privateKeyPem, publicKeyDer, signingKeyFromPem, subjectPublicKeyOf } from './keys.js';
import { toPem } from './pem.js';

const DAY_MS = 86_400_000;

/** The DNS name every Tessera server certificate carries, so clients dialling an IP address can name the server. */
export const SERVER_NAME = 'tessera-coordinator';

/** A certificate with its private key, both PEM. */
export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
}

function validity(days: number, now: Date) {
  return { notBefore: new Date(now.getTime() - CLOCK_SKEW_MS), notAfter: new Date(now.getTime() + days * DAY_MS) };
}

/**
 * A server certificate from the CA for a new key: SERVER_NAME, `dns` and `ip` as subject alternative names,
 * 825 days by default (the longest validity clients commonly accept).
 */
export async function issueServerCertificate(
  ca: CertificateAuthority,
  opts: { dns?: readonly string[]; ip?: readonly string[]; days?: number; now?: Date } = {},
): Promise<IssuedCertificate> {
  const keys = await generateKeyPair();
  const dns = [...new Set([SERVER_NAME, ...(opts.dns ?? [])])];
  const der = await buildCertificate({
    commonName: SERVER_NAME,
    subjectPublicKey: await publicKeyDer(keys.publicKey),
    issuer: new X509Certificate(ca.certPem).raw,
    signingKey: await signingKeyFromPem(ca.keyPem, 'the CA key'),
    ...validity(opts.days ?? 825, opts.now ?? new Date()),
    ca: false,
    keyUsage: [KeyUsageBit.digitalSignature],
    extendedKeyUsage: [SERVER_AUTH],
    altNames: { dns, ip: opts.ip ?? [] },
  });
  return { certPem: toPem(der, 'CERTIFICATE'), keyPem: await privateKeyPem(keys.privateKey) };
}

/** The SAN URI that binds a client certificate to a Tessera identity, e.g. urn:tessera:participant:p-1a2b. */
export function identityUri(role: 'participant' | 'analyst', id: string): string {
  if (!/^[A-Za-z0-9._~-]+$/.test(id))
    throw new Error(`an identity in a certificate is letters, digits and . _ ~ - only, got ${JSON.stringify(id)}`);
  return `urn:tessera:${role}:${id}`;
}

/**
 * A client certificate from the CA for a key the client holds (only its public key comes here), bound to an identity
 * by a SAN URI (see identityUri), and to anything in `bindings` by further SAN URIs (see ed25519BindingUri); one year
 * by default.
 */
export async function issueClientCertificate(
  ca: CertificateAuthority,
  opts: {
    publicKey: string | Uint8Array | KeyObject;
    identity: string;
    bindings?: readonly string[];
    days?: number;
    now?: Date;
  },
): Promise<string> {
  const der = await buildCertificate({
    commonName: opts.identity,
    subjectPublicKey: subjectPublicKeyOf(opts.publicKey),
    issuer: new X509Certificate(ca.certPem).raw,
    signingKey: await signingKeyFromPem(ca.keyPem, 'the CA key'),
    ...validity(opts.days ?? 365, opts.now ?? new Date()),
    ca: false,
    keyUsage: [KeyUsageBit.digitalSignature],
    extendedKeyUsage: [CLIENT_AUTH],
    altNames: { uri: [opts.identity, ...(opts.bindings ?? [])] },
  });
  return toPem(der, 'CERTIFICATE');
}
