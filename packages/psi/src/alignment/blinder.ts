import sodium from 'libsodium-wrappers-sumo';
import { PsiError } from '../errors.js';
import { expandMessageXmd64, requireReady } from '../group.js';
import { POINT_BYTES } from '../messages.js';

/**
 * The hot loop of alignment: hashing keys to ristretto255 and multiplying points by a secret scalar. The
 * protocol stages call it; `inlineBlinder` runs it on this thread, `AlignmentWorkers` across worker threads.
 * Both take the scalar as 32 little-endian bytes and do not keep it.
 */
export interface AlignmentBlinder {
  /** [scalar]·H(key_i) for `keys` (32-byte keys, concatenated), hash_to_ristretto255 under `dst`. */
  hashAndBlind(keys: Uint8Array, scalar: Uint8Array, dst: string): Promise<Uint8Array>;
  /**
   * [scalar]·P_i for `points` (32-byte encodings, concatenated), refusing with `PsiError` 'bad-point' (naming its
   * index) any point that is not a canonical ristretto255 encoding or is the identity.
   */
  reblind(points: Uint8Array, scalar: Uint8Array): Promise<Uint8Array>;
}

export function badPoint(index: number): PsiError {
  return new PsiError(
    'bad-point',
    `peer set: point ${index} is not a canonical ristretto255 encoding, or is the identity`,
  );
}

function isIdentity(p: Uint8Array): boolean {
  let acc = 0;
  for (let i = 0; i < POINT_BYTES; i++) acc |= p[i]!; // p is a POINT_BYTES subarray
  return acc === 0;
}

/** Blinds on this thread (no workers): for small sets and as the reference the worker pool is tested against. */
export const inlineBlinder: AlignmentBlinder = {
  hashAndBlind(keys, scalar, dst) {
    requireReady();
    const n = keys.length / POINT_BYTES;
    const out = new Uint8Array(keys.length);
    for (let i = 0; i < n; i++) {
      const key = keys.subarray(i * POINT_BYTES, (i + 1) * POINT_BYTES);
      const h = sodium.crypto_core_ristretto255_from_hash(expandMessageXmd64(key, dst));
      out.set(sodium.crypto_scalarmult_ristretto255(scalar, h), i * POINT_BYTES);
    }
    return Promise.resolve(out);
  },
  reblind(points, scalar) {
    requireReady();
    const n = points.length / POINT_BYTES;
    const out = new Uint8Array(points.length);
    for (let i = 0; i < n; i++) {
      const p = points.subarray(i * POINT_BYTES, (i + 1) * POINT_BYTES);
      if (isIdentity(p) || !sodium.crypto_core_ristretto255_is_valid_point(p)) return Promise.reject(badPoint(i));
      out.set(sodium.crypto_scalarmult_ristretto255(scalar, p), i * POINT_BYTES);
    }
    return Promise.resolve(out);
  },
};
