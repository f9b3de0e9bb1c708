// Joining a coordinator as an analyst: redeem the operator's invitation (or, for an analyst the operator registered by
// public key, ask for a certificate on the identity's signature alone), and get a client certificate for a new TLS key.
import * as grpc from '@grpc/grpc-js';
import { analystClient, INSECURE, parseAnalystInvitation, type ChannelSecurity, type tessera } from '@tessera/proto';
import { generateKeyPair, pinAnchor, privateKeyPem, subjectPublicKeyOf } from '@tessera/transport';
import type { AnalystCredentials } from './analyst-credentials.js';
import type { AnalystIdentity } from './analyst-identity.js';
import { CoordinatorError } from './analyst.js';

export interface JoinOptions {
  identity: AnalystIdentity;
  /** The invitation `tessera coordinator analysts add NAME` printed; absent: the identity is registered already. */
  invitation?: string;
  /** host:port; default the invitation's. */
  coordinator?: string;
  /** The TLS fingerprint to pin; default the invitation's. */
  tlsFingerprint?: string;
  /** Trust this anchor instead of pinning (a coordinator on this machine: its data directory's tls/anchor.pem). */
  anchorPem?: string;
  /** Plaintext, for a coordinator on loopback started with --insecure. */
  insecure?: boolean;
}

/** Joins and returns the credentials to keep beside the key file (saveAnalystCredentials). */
export async function joinCoordinator(o: JoinOptions): Promise<AnalystCredentials> {
  const invitation = o.invitation === undefined ? undefined : parseAnalystInvitation(o.invitation);
  const coordinator = o.coordinator ?? invitation?.address;
  if (!coordinator)
    throw new CoordinatorError(
      'INVALID_ARGUMENT',
      "the coordinator's address is needed: the invitation does not name it; pass --coordinator HOST:PORT",
    );
  const fingerprint = o.tlsFingerprint ?? invitation?.tlsFingerprint;
  let security: ChannelSecurity = INSECURE;
  if (!o.insecure) {
    if (o.anchorPem) security = { mode: 'tls', anchorPem: o.anchorPem };
    else if (fingerprint) security = { mode: 'tls', anchorPem: (await pinAnchor(coordinator, fingerprint)).anchorPem };
    else
      throw new CoordinatorError(
        'INVALID_ARGUMENT',
        `no TLS fingerprint to pin for the coordinator at ${coordinator}` +
          `${invitation ? ' (the invitation carries none)' : ''}: ` +
          'pass --tls-fingerprint SHA256 (its tlsFingerprint), or --insecure for a loopback coordinator started ' +
          'with --insecure',
      );
  }
  const tls = security.mode === 'tls' ? await newTlsKey() : undefined;
  const secret = invitation?.secret ?? '';
  const tlsPublicKey = tls?.publicKey ?? new Uint8Array(0);
  const request: tessera.v1.IJoinRequest = {
    invitation: secret,
    identity: o.identity.identity,
    tlsPublicKey,
    signature: o.identity.signTlsKey(secret, tlsPublicKey),
  };
  const client = analystClient(coordinator, security);
  try {
    const res = await new Promise<tessera.v1.JoinResponse>((resolve, reject) =>
      client.join!(
        request,
        { deadline: Date.now() + 15_000 },
        (err: grpc.ServiceError | null, r: tessera.v1.JoinResponse) =>
          err
            ? reject(new CoordinatorError(grpc.status[err.code] ?? String(err.code), err.details || err.message))
            : resolve(r),
      ),
    );
    return {
      name: res.name,
      coordinator,
      ...(security.mode === 'tls' && tls
        ? { tls: { anchorPem: security.anchorPem, certPem: res.clientCertificate, keyPem: tls.keyPem } }
        : {}),
    };
  } finally {
    client.close();
  }
}

/** A fresh ECDSA P-256 TLS key: its PEM (kept with the credentials) and its DER SubjectPublicKeyInfo. */
export async function newTlsKey(): Promise<{ keyPem: string; publicKey: Uint8Array }> {
  const keys = await generateKeyPair();
  const keyPem = await privateKeyPem(keys.privateKey);
  return { keyPem, publicKey: subjectPublicKeyOf(keyPem) };
}
