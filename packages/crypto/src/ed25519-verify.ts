import { ed25519 } from '@noble/curves/ed25519.js';
import { verify as nodeVerify } from 'node:crypto';
import { keyObject } from './key-objects.js';

/**
 * RFC 8032 Ed25519 verification of a raw message, with no domain separation. Internal: the package exports
 * `verify(context, ...)`, which calls this on `context || 0x00 || message`; the Wycheproof tests call it directly
 * because their messages carry no context.
 *
 * False (never a throw) for a malformed key or signature. Keys of small order are refused (checked with
 * @noble/curves); the RFC 8032 check itself runs in node:crypto (OpenSSL), an order of magnitude faster than
 * pure JS on a coordinator that verifies every message. OpenSSL refuses S >= L and non-canonical R and A.
 */
export function verifyDetached(message: Uint8Array, signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || !isAcceptablePublicKey(publicKey)) return false;
  try {
    return nodeVerify(null, message, keyObject('ed25519-public', publicKey), signature);
  } catch {
    return false;
  }
}

const acceptable = new WeakMap<Uint8Array, boolean>();
/** The same answers by the key's bytes, bounded (a decoded message brings a fresh array for a key seen before). */
const acceptableByContent = new Map<string, boolean>();
const ACCEPTABLE_BY_CONTENT = 8192;

/** A 32-byte encoding of a curve point that is not of small order (small-order keys let forged signatures verify). */
export function isAcceptablePublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== 32) return false;
  const known = acceptable.get(publicKey);
  if (known !== undefined) return known;
  const hex = Buffer.from(publicKey.buffer, publicKey.byteOffset, 32).toString('hex');
  let ok = acceptableByContent.get(hex);
  if (ok === undefined) {
    try {
      ok = !ed25519.Point.fromBytes(publicKey, false).isSmallOrder();
    } catch {
      ok = false;
    }
    if (acceptableByContent.size >= ACCEPTABLE_BY_CONTENT)
      acceptableByContent.delete(acceptableByContent.keys().next().value!);
    acceptableByContent.set(hex, ok);
  }
  acceptable.set(publicKey, ok);
  return ok;
}
