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

export function keyObject(kind: RawKeyKind, raw: Uint8Array): KeyObject {
  const cache = caches[kind];
  let k = cache.get(raw);
  if (!k) {
    const key = Buffer.concat([DER_PREFIX[kind], raw]);
    k = kind.endsWith('-private')
      ? createPrivateKey({ key, format: 'der', type: 'pkcs8' })
      : createPublicKey({ key, format: 'der', type: 'spki' });
    cache.set(raw, k);
  }
  return k;
}
