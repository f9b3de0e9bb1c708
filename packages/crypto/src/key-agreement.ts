import { x25519 } from '@noble/curves/ed25519.js';
import { diffieHellman, randomBytes } from 'node:crypto';
import { keyObject } from './key-objects.js';

/** An X25519 (RFC 7748) key-agreement pair: a participant's per-round Diffie-Hellman key. */
export interface KeyAgreementPair {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

const KEY_BYTES = 32;

export function generateKeyAgreementPair(): KeyAgreementPair {
  return keyAgreementPairFromSecret(new Uint8Array(randomBytes(KEY_BYTES)));
}

/** The pair for a 32-byte secret key (any 32 bytes; X25519 clamps the scalar). */
export function keyAgreementPairFromSecret(secretKey: Uint8Array): KeyAgreementPair {
  checkLength('secret key', secretKey);
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

// X25519 itself runs in node:crypto (OpenSSL), several times faster than a pure-JS ladder on the
// hot path of secure aggregation (2k agreements per participant, k per dropped participant at
// the server); key generation stays on @noble/curves. Tests check both agree on RFC 7748 vectors.
/**
 * The raw 32-byte X25519 shared secret, X25519(secretKey, peerPublicKey). Feed it to a KDF (`hkdfSha256`),
 * never use it as a key directly. Throws if the peer key is of low order, which would make the result
 * all zeros (RFC 7748 section 6.1) and so known to everyone.
 */
export function agree(secretKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
  checkLength('secret key', secretKey);
  checkLength('peer public key', peerPublicKey);
  let shared: Uint8Array;
  try {
    shared = new Uint8Array(
      diffieHellman({
        privateKey: keyObject('x25519-private', secretKey),
        publicKey: keyObject('x25519-public', peerPublicKey),
      }),
    );
  } catch {
    // OpenSSL refuses to derive from the low-order points (an all-zero result).
    throw new Error('X25519: the peer public key is of low order (the shared secret would be all zeros)');
  }
  let acc = 0;
  for (const byte of shared) acc |= byte;
  if (acc === 0) throw new Error('X25519: the peer public key is of low order (the shared secret would be all zeros)');
  return shared;
}

function checkLength(what: string, key: Uint8Array): void {
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) {
    throw new RangeError(
      `an X25519 ${what} is ${KEY_BYTES} bytes, got ${key instanceof Uint8Array ? key.length : typeof key}`,
    );
  }
}
