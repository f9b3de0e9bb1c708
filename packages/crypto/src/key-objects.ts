import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

/** node:crypto key objects for raw 32-byte keys, cached per key array (the same keys are used many times). */
export type RawKeyKind = 'x25519-private' | 'x25519-public' | 'ed25519-private' | 'ed25519-public';

const DER_PREFIX: Record<RawKeyKind, Buffer> = {
  'x25519-private': Buffer.from('302e020100300506032b656e04220420', 'hex'),
  'x25519-public': Buffer.from('302a300506032b656e032100', 'hex'),
  'ed25519-private': Buffer.from('302e020100300506032b657004220420', 'hex'),
  'ed25519-public': Buffer.from('302a300506032b6570032100', 'hex'),
};

const caches: Record<RawKeyKind, WeakMap<Uint8Array, KeyObject>> = {
  'x25519-private': new WeakMap(),
  'x25519-public': new WeakMap(),
  'ed25519-private': new WeakMap(),
  'ed25519-public': new WeakMap(),
};

const JWK_CURVE = { 'x25519-public': 'X25519', 'ed25519-public': 'Ed25519' } as const;

/**
 * A public key is imported as a JWK: the same raw key, about nine times faster than through DER (OpenSSL 3's decoder
 * lookup), which made key creation the coordinator's hottest function at a SecAgg+ round's advertise step, and most
 * of a participant's share-keys step (a fresh key per neighbour). Private keys, cached and few, stay on DER.
 */
function createKey(kind: RawKeyKind, raw: Uint8Array): KeyObject {
  if (kind === 'x25519-public' || kind === 'ed25519-public') {
    const x = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64url');
    return createPublicKey({ key: { kty: 'OKP', crv: JWK_CURVE[kind], x }, format: 'jwk' });
  }
  return createPrivateKey({ key: Buffer.concat([DER_PREFIX[kind], raw]), format: 'der', type: 'pkcs8' });
}

export function keyObject(kind: RawKeyKind, raw: Uint8Array): KeyObject {
  const cache = caches[kind];
  let k = cache.get(raw);
  if (!k) {
    k = createKey(kind, raw);
    cache.set(raw, k);
  }
  return k;
}
