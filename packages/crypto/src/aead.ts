import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM authenticated encryption, sealed as `nonce (12) || ciphertext || tag (16)`.
 *
 * The nonce is drawn at random for every message, so one key may seal up to about 2^32 messages before
 * the chance of a repeated nonce (which breaks GCM) exceeds 2^-32 (NIST SP 800-38D, section 8.3).
 * In SecAgg each key comes from a fresh key agreement per round and seals a handful of messages.
 */
const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Bytes added by `seal` to the plaintext length. */
export const AEAD_OVERHEAD = NONCE_BYTES + TAG_BYTES;

export function seal(key: Uint8Array, plaintext: Uint8Array, associatedData: Uint8Array): Uint8Array {
  return sealWithNonce(key, new Uint8Array(randomBytes(NONCE_BYTES)), plaintext, associatedData);
}

/**
 * The plaintext, or `undefined` if `sealed` was not produced by `seal` under this key and associated data
 * (tampered, truncated, wrong key or AD, or malformed in any way). Never throws for bad input; the tag
 * comparison is OpenSSL's constant-time one.
 */
export function open(key: Uint8Array, sealed: Uint8Array, associatedData: Uint8Array): Uint8Array | undefined {
  try {
    if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) return undefined;
    if (!(sealed instanceof Uint8Array) || sealed.length < NONCE_BYTES + TAG_BYTES) return undefined;
    if (!(associatedData instanceof Uint8Array)) return undefined;
    const nonce = sealed.subarray(0, NONCE_BYTES);
    const ciphertext = sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES);
    const tag = sealed.subarray(sealed.length - TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(associatedData);
    decipher.setAuthTag(tag);
    const head = decipher.update(ciphertext);
    const tail = decipher.final(); // throws if the tag does not verify
    const out = new Uint8Array(head.length + tail.length);
    out.set(head, 0);
    out.set(tail, head.length);
    return out;
  } catch {
    return undefined;
  }
}

/**
 * @internal `seal` with a caller-chosen nonce, for known-answer tests only. Not exported from the package:
 * reusing a nonce under one key reveals the XOR of plaintexts and lets an attacker forge tags.
 */
export function sealWithNonce(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  associatedData: Uint8Array,
): Uint8Array {
  if (key.length !== KEY_BYTES) throw new RangeError(`an AES-256-GCM key is ${KEY_BYTES} bytes, got ${key.length}`);
  if (nonce.length !== NONCE_BYTES)
    throw new RangeError(`an AES-256-GCM nonce is ${NONCE_BYTES} bytes here, got ${nonce.length}`);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(associatedData);
  const head = cipher.update(plaintext);
  const tail = cipher.final();
  const tag = cipher.getAuthTag();
  const out = new Uint8Array(NONCE_BYTES + head.length + tail.length + TAG_BYTES);
  out.set(nonce, 0);
  out.set(head, NONCE_BYTES);
  out.set(tail, NONCE_BYTES + head.length);
  out.set(tag, NONCE_BYTES + head.length + tail.length);
  return out;
}
