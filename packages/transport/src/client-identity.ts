// What a client certificate from the coordinator's CA proves: the Tessera identity (role and id) its key belongs to,
// and the hash of the Ed25519 identity key it was issued for.
import { createHash, X509Certificate } from 'node:crypto';
import { CLIENT_AUTH } from './pki/build-certificate.js';
import { verifyChain } from './pki/verify-chain.js';
import { TransportError } from './transport-error.js';

/** The roles a client certificate can name. */
export type ClientRole = 'participant' | 'analyst';

/** The identity a verified client certificate names. */
export interface CertifiedIdentity {
  role: ClientRole;
  /** The participant id or the analyst name. */
  id: string;
  /** SHA-256 (hex) of the Ed25519 public key the certificate was issued for (ed25519BindingUri). */
  ed25519Sha256: string;
}

const IDENTITY = /^urn:tessera:(participant|analyst):([A-Za-z0-9._~-]+)$/;
const ED25519 = /^urn:tessera:ed25519-sha256:([0-9a-f]{64})$/;

/** SHA-256 of an Ed25519 public key, hex: how a certificate names the signing identity behind it. */
export function ed25519Sha256(publicKey: Uint8Array): string {
  return createHash('sha256').update(publicKey).digest('hex');
}

/**
 * The SAN URI that binds a client certificate to the holder's Ed25519 identity key, so the TLS key and the key that
 * signs messages and job specs cannot be paired differently from how the CA paired them.
 */
export function ed25519BindingUri(publicKey: Uint8Array): string {
  return `urn:tessera:ed25519-sha256:${ed25519Sha256(publicKey)}`;
}

/**
 * Checks a client certificate (DER, as a TLS peer presented it) against the CA that issues them: it chains to `ca`,
 * is valid now, is for client authentication, and names exactly one Tessera identity and one Ed25519 key hash.
 * Throws a TransportError (CHAIN_INVALID, BAD_CERTIFICATE) saying which.
 */
export function verifyClientCertificate(raw: Uint8Array, ca: X509Certificate, now = new Date()): CertifiedIdentity {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(raw);
  } catch (e) {
    throw new TransportError('BAD_CERTIFICATE', `the client certificate cannot be parsed: ${(e as Error).message}`);
  }
  verifyChain(cert, ca, [], now);
  if (!(cert.keyUsage ?? []).includes(CLIENT_AUTH))
    throw new TransportError('BAD_CERTIFICATE', 'the certificate is not for client authentication');
  return certifiedIdentity(cert);
}

/** The identity and key hash a certificate's SAN URIs name; throws BAD_CERTIFICATE unless exactly one of each. */
export function certifiedIdentity(cert: X509Certificate): CertifiedIdentity {
  const uris = (cert.subjectAltName ?? '')
    .split(', ')
    .filter((n) => n.startsWith('URI:'))
    .map((n) => n.slice(4));
  const identities = uris.map((u) => IDENTITY.exec(u)).filter((m) => m !== null);
  const keys = uris.map((u) => ED25519.exec(u)).filter((m) => m !== null);
  const [identity] = identities;
  const [key] = keys;
  if (identities.length !== 1 || keys.length !== 1 || !identity || !key)
    throw new TransportError(
      'BAD_CERTIFICATE',
      'the client certificate does not name exactly one Tessera identity and one identity key ' +
        `(subject alternative names: ${cert.subjectAltName ?? 'none'})`,
    );
  return { role: identity[1] as ClientRole, id: identity[2]!, ed25519Sha256: key[1]! };
}
