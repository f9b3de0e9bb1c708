import { ristretto255, ristretto255_hasher } from '@noble/curves/ed25519.js';
import { systemRandom } from '@tessera/crypto';
import { randomFillSync } from 'node:crypto';
import { PsiError } from './errors.js';
import { POINT_BYTES } from './messages.js';

/** Domain separation tag for hash_to_ristretto255 (RFC 9380, expand_message_xmd with SHA-512). */
export const PSI_DST = 'tessera/v1/psi';

export type Point = InstanceType<typeof ristretto255.Point>;
const RistrettoPoint = ristretto255.Point;

/** The order of the ristretto255 group, l = 2^252 + 27742317777372353535851937790883648493. */
export const GROUP_ORDER: bigint = RistrettoPoint.Fn.ORDER;

const encoder = new TextEncoder();

/** H(x): hash_to_ristretto255(utf8(x)) under `dst`. */
export function hashToGroup(id: string, dst: string = PSI_DST): Point {
  return ristretto255_hasher.hashToCurve(encoder.encode(id), { DST: dst });
}

/**
 * A uniform scalar in [1, l) from node:crypto, by rejection sampling on 253-bit strings (no modular bias;
 * about two draws on average). The random bytes are zeroised before returning.
 */
export function randomScalar(): bigint {
  const buf = new Uint8Array(32);
  try {
    for (;;) {
      randomFillSync(buf);
      buf[31] &= 0x1f; // 253 bits, little-endian; l < 2^253
      let s = 0n;
      for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(buf[i]);
      if (s > 0n && s < GROUP_ORDER) return s;
    }
  } finally {
    buf.fill(0);
  }
}

/** A uniformly random permutation of 0..n-1 (Fisher-Yates with node:crypto randomness, no modulo bias). */
export function randomPermutation(n: number): Uint32Array {
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  systemRandom().shuffle(perm);
  return perm;
}

/** The points encoded into one buffer in the order `perm` (output slot i holds points[perm[i]]). */
export function encodePermuted(points: readonly Point[], perm: Uint32Array): Uint8Array {
  const out = new Uint8Array(points.length * POINT_BYTES);
  for (let i = 0; i < perm.length; i++) out.set(points[perm[i]].toBytes(), i * POINT_BYTES);
  return out;
}

/** A key for set membership of the encoding at `index` (base64 of the 32 bytes). */
export function pointKey(buffer: Buffer, index: number): string {
  return buffer.toString('base64', index * POINT_BYTES, (index + 1) * POINT_BYTES);
}

export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Checks that `points` holds `count` distinct canonical ristretto255 encodings, none the identity, and returns
 * their keys (and, when `decode` is set, the decoded points). Throws a `PsiError` otherwise.
 */
export function validatePoints(points: Uint8Array, count: number, decode: boolean, what: string): { keys: Set<string>; decoded: Point[] } {
  if (points.length !== count * POINT_BYTES) {
    throw new PsiError('wrong-length', `${what}: ${points.length} bytes of points for a declared count of ${count} (need ${count * POINT_BYTES})`);
  }
  const buffer = asBuffer(points);
  const keys = new Set<string>();
  const decoded: Point[] = [];
  for (let i = 0; i < count; i++) {
    const key = pointKey(buffer, i);
    if (keys.has(key)) throw new PsiError('duplicate', `${what}: point ${i} repeats an earlier point`);
    keys.add(key);
    let p: Point;
    try {
      p = RistrettoPoint.fromBytes(points.subarray(i * POINT_BYTES, (i + 1) * POINT_BYTES));
    } catch {
      throw new PsiError('bad-point', `${what}: point ${i} is not a canonical ristretto255 encoding`);
    }
    if (p.is0()) throw new PsiError('bad-point', `${what}: point ${i} is the identity`);
    if (decode) decoded.push(p);
  }
  return { keys, decoded };
}
