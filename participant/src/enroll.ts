import { sign, type SigningKeyPair } from '@tessera/crypto';
import { ENROLL_CONTEXT, enrollmentMessage, participantClient, signTlsKey, type ChannelSecurity } from '@tessera/proto';

/**
 * Exchanges a one-time token for a participant id bound to this identity key, over a channel secured as `security`
 * says (TLS pinned to the coordinator's anchor, see pinCoordinator). With `tlsPublicKey` (DER SubjectPublicKeyInfo),
 * signed here with the identity key, a TLS coordinator returns a client certificate for it (PEM; '' in plaintext).
 */
export async function enroll(
  coordinator: string,
  token: string,
  name: string,
  identity: SigningKeyPair,
  security: ChannelSecurity,
  tlsPublicKey?: Uint8Array,
): Promise<{ participantId: string; name: string; clientCertificate: string }> {
  const client = participantClient(coordinator, security);
  try {
    return await new Promise((resolve, reject) => {
      // the generic client has every method of ParticipantService
      client.enroll!(
        {
          token,
          name,
          publicKey: identity.publicKey,
          signature: sign(ENROLL_CONTEXT, enrollmentMessage(token, identity.publicKey), identity.secretKey),
          ...(tlsPublicKey
            ? { tlsPublicKey, tlsKeySignature: signTlsKey('participant', '', tlsPublicKey, identity.secretKey) }
            : {}),
        },
        { deadline: Date.now() + 15_000 },
        (
          err: { details?: string; message: string } | null,
          res: { participantId: string; name: string; clientCertificate: string },
        ) =>
          err ? reject(new Error(`enrolment at ${coordinator} failed: ${err.details ?? err.message}`)) : resolve(res),
      );
    });
  } finally {
    client.close();
  }
}
