// An identity key's request for a client certificate: the Ed25519 key that signs a participant's messages or an
// analyst's job specs also signs its TLS key, so the coordinator's CA certifies only a TLS key its holder vouched for.
import { lengthPrefixed, sign, verify } from '@tessera/crypto';

/** Signature context of a TLS key signed by an identity key. */
export const TLS_KEY_CONTEXT = 'tessera/v1/tls-key';

/** Who asks for the certificate: a signature for one role never serves the other. */
export type TlsKeyRole = 'participant' | 'analyst';

const utf8 = (s: string) => new TextEncoder().encode(s);

/**
 * The signed message: the role, the one-time secret redeemed with the request (an analyst invitation; '' for none)
 * and the TLS public key (DER SubjectPublicKeyInfo; empty when the coordinator runs in plaintext and issues none).
 */
export function tlsKeyMessage(role: TlsKeyRole, secret: string, tlsPublicKey: Uint8Array): Uint8Array {
  return lengthPrefixed(utf8(role), utf8(secret), tlsPublicKey);
}

export function signTlsKey(role: TlsKeyRole, secret: string, tlsPublicKey: Uint8Array, identitySecretKey: Uint8Array) {
  return sign(TLS_KEY_CONTEXT, tlsKeyMessage(role, secret, tlsPublicKey), identitySecretKey);
}

/** False (never a throw) for a signature that does not verify, or a malformed key or signature. */
export function verifyTlsKey(
  role: TlsKeyRole,
  secret: string,
  tlsPublicKey: Uint8Array,
  signature: Uint8Array,
  identity: Uint8Array,
): boolean {
  return verify(TLS_KEY_CONTEXT, tlsKeyMessage(role, secret, tlsPublicKey), signature, identity);
}
