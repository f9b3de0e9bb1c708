// The coordinator's own CA as issuer and checker of client certificates: a participant's at enrolment (or renewal),
// an analyst's at Join. A certificate binds a TLS key to one identity and to the hash of its Ed25519 key.
import { createPublicKey, X509Certificate } from 'node:crypto';
import type { PeerCertificate as TlsPeerCertificate } from 'node:tls';
import {
  ed25519BindingUri,
  ed25519Sha256,
  identityUri,
  issueClientCertificate,
  TransportError,
  verifyClientCertificate,
  type CertificateAuthority,
  type CertifiedIdentity,
  type ClientRole,
} from '@tessera/transport';
import { ClientCertificateError } from './client-certificate-error.js';

/** Client certificates last a year: a participant renews with its identity key (tessera participant renew-cert). */
export const CLIENT_CERTIFICATE_DAYS = 365;

/** What the peer of a call proved with its certificate, or why it proved nothing. */
export type PeerCertificate = { identity: CertifiedIdentity } | { problem: string };

export class ClientCertificates {
  private readonly caCert: X509Certificate;

  constructor(private readonly ca: CertificateAuthority) {
    this.caCert = new X509Certificate(ca.certPem);
  }

  /**
   * A client certificate (PEM) for `tlsPublicKey` (DER SubjectPublicKeyInfo, ECDSA P-256), bound to `id` in `role`
   * and to the holder's Ed25519 identity key. Throws ClientCertificateError for a key of another kind.
   */
  issue(role: ClientRole, id: string, identityKey: Uint8Array, tlsPublicKey: Uint8Array): Promise<string> {
    checkTlsKey(tlsPublicKey);
    return issueClientCertificate(this.ca, {
      publicKey: tlsPublicKey,
      identity: identityUri(role, id),
      bindings: [ed25519BindingUri(identityKey)],
      days: CLIENT_CERTIFICATE_DAYS,
    });
  }

  /**
   * The identity the call's TLS peer certificate proves for `role`. Node's TLS layer has already checked it against
   * this CA (grpc-js shows only an authorised certificate); it is checked again here, with its identity.
   */
  peerOf(call: { getAuthContext(): { sslPeerCertificate?: TlsPeerCertificate } }, role: ClientRole): PeerCertificate {
    const raw = call.getAuthContext().sslPeerCertificate?.raw;
    if (!raw)
      return { problem: "it presented no client certificate that the coordinator's CA issued and is valid now" };
    try {
      const identity = verifyClientCertificate(raw, this.caCert);
      if (identity.role !== role)
        return { problem: `its client certificate is for ${identity.role} ${identity.id}, not for a ${role}` };
      return { identity };
    } catch (e) {
      if (e instanceof TransportError) return { problem: `its client certificate is refused: ${e.message}` };
      throw e;
    }
  }
}

/** True when a certificate was issued for this Ed25519 identity key. */
export function certifiesKey(identity: CertifiedIdentity, publicKey: Uint8Array): boolean {
  return identity.ed25519Sha256 === ed25519Sha256(publicKey);
}

/** Refuses a TLS public key that is not an ECDSA P-256 SubjectPublicKeyInfo (what Tessera clients create). */
export function checkTlsKey(spki: Uint8Array): void {
  let details: { type?: string; curve?: string };
  try {
    const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    details = { type: key.asymmetricKeyType, curve: key.asymmetricKeyDetails?.namedCurve };
  } catch (e) {
    throw new ClientCertificateError(
      'bad-tls-key',
      `tls_public_key is not a DER SubjectPublicKeyInfo: ${(e as Error).message}`,
    );
  }
  if (details.type !== 'ec' || details.curve !== 'prime256v1')
    throw new ClientCertificateError(
      'bad-tls-key',
      `tls_public_key must be an ECDSA P-256 key, got ${details.type ?? 'unknown'} ${details.curve ?? ''}`.trim(),
    );
}
