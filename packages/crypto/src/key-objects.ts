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
  if (kind === 'x25519-public' || kind === 'ed25519-public') return publicKeyByContent(kind, raw);
  return createPrivateKey({ key: Buffer.concat([DER_PREFIX[kind], raw]), format: 'der', type: 'pkcs8' });
}

/** How many public keys are also kept by their bytes (about 100 bytes each, plus OpenSSL's key). */
const PUBLIC_BY_CONTENT = 8192;
const publicByContent: Record<'x25519-public' | 'ed25519-public', Map<string, KeyObject>> = {
  'x25519-public': new Map(),
  'ed25519-public': new Map(),
};

/**
 * Public keys are also cached by their bytes, not only per array: every decoded message brings a fresh array for a key
 * seen before (a neighbour's keys at every step of every round, every participant's identity key), and participants
 * simulated in one thread verify the same neighbours' keys. Without it a SecAgg+ share-keys step of 200 participants
 * created some 30,000 key objects, each costing more than the signature check it served. Bounded: the oldest go first.
 */
function publicKeyByContent(kind: 'x25519-public' | 'ed25519-public', raw: Uint8Array): KeyObject {
  const x = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64url');
  const known = publicByContent[kind];
  let k = known.get(x);
  if (!k) {
    k = createPublicKey({ key: { kty: 'OKP', crv: JWK_CURVE[kind], x }, format: 'jwk' });
    if (known.size >= PUBLIC_BY_CONTENT) known.delete(known.keys().next().value!);
    known.set(x, k);
  }
  return k;
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
