import sodium from 'libsodium-wrappers-sumo';
import { systemRandom } from '@tessera/crypto';
import { createHash, randomFillSync, type Hash } from 'node:crypto';
import { PsiError } from './errors.js';
import { POINT_BYTES } from './messages.js';

/**
 * Group arithmetic for ECDH-PSI over ristretto255 (RFC 9496), on libsodium's WebAssembly build
 * (`libsodium-wrappers-sumo`). Points are always handled as their canonical 32-byte encodings and scalars as
 * 32-byte little-endian strings in [1, l). libsodium initialises asynchronously: `await psiReady()` once before
 * using anything here (or `PsiParty`); calls made earlier throw.
 */

/** Domain separation tag for hash_to_ristretto255 (RFC 9380, expand_message_xmd with SHA-512). */
export const PSI_DST = 'tessera/v1/psi';

/** The order of the ristretto255 group, l = 2^252 + 27742317777372353535851937790883648493. */
export const GROUP_ORDER: bigint = 2n ** 252n + 27742317777372353535851937790883648493n;

/** Bytes of a scalar (little-endian). */
export const SCALAR_BYTES = 32;

/** l as 32 little-endian bytes. */
const ORDER_LE: Uint8Array = scalarToBytesUnchecked(GROUP_ORDER);

let readyPromise: Promise<void> | undefined;
let isReady = false;

/**
 * Resolves once libsodium's WebAssembly module is ready. Must be awaited (once per process; later calls resolve
 * at once) before `PsiParty.start`, `psiCardinality` or any group operation.
 */
export function psiReady(): Promise<void> {
  readyPromise ??= sodium.ready.then(() => {
    isReady = true;
  });
  return readyPromise;
}

export function requireReady(): void {
  if (!isReady) throw new Error('@tessera/psi: libsodium is not initialised; call `await psiReady()` first');
}

// ---------------------------------------------------------------------------------------------------------------
// Scalars

function scalarToBytesUnchecked(s: bigint): Uint8Array {
  const out = new Uint8Array(SCALAR_BYTES);
  let v = s;
  for (let i = 0; i < SCALAR_BYTES; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** `s` in [1, l) as 32 little-endian bytes (for tests that fix the scalar). */
export function scalarToBytes(s: bigint): Uint8Array {
  if (s <= 0n || s >= GROUP_ORDER) throw new RangeError('scalar must be in [1, l)');
  return scalarToBytesUnchecked(s);
}

/** The little-endian bytes as a bigint (for tests). */
export function scalarFromBytes(b: Uint8Array): bigint {
  return b.reduceRight((s, byte) => (s << 8n) | BigInt(byte), 0n);
}

/** 1 if the 32-byte little-endian `s` is in [1, l), else 0; no data-dependent branches over the bytes. */
export function scalarBytesInRange(s: Uint8Array): number {
  if (s.length !== SCALAR_BYTES) throw new RangeError(`a scalar must be ${SCALAR_BYTES} bytes, got ${s.length}`);
  let borrow = 0;
  let nonzero = 0;
  for (let i = 0; i < SCALAR_BYTES; i++) {
    // Both arrays hold exactly SCALAR_BYTES bytes (checked above; ORDER_LE by construction).
    borrow = (s[i]! - ORDER_LE[i]! - borrow) >>> 31; // 1 iff the byte subtraction went negative
    nonzero |= s[i]!;
  }
  return borrow & ((nonzero + 0xff) >>> 8); // s < l and s != 0
}

/**
 * A uniform scalar in [1, l) from node:crypto as 32 little-endian bytes, by rejection sampling on 253-bit strings
 * (no modular bias; about two draws on average). The caller owns the result and should zeroise it when done.
 */
export function randomScalarBytes(): Uint8Array {
  const buf = new Uint8Array(SCALAR_BYTES);
  for (;;) {
    randomFillSync(buf);
    buf[31]! &= 0x1f; // 253 bits, little-endian; l < 2^253
    if (scalarBytesInRange(buf) === 1) return buf;
  }
}

/** A uniform scalar in [1, l) as a bigint (for tests; production code keeps scalars as wipeable bytes). */
export function randomScalar(): bigint {
  const bytes = randomScalarBytes();
  try {
    return scalarFromBytes(bytes);
  } finally {
    bytes.fill(0);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Hash to group: RFC 9380 hash_to_ristretto255 = expand_message_xmd(SHA-512, 64 bytes) + RFC 9496 one-way map

const encoder = new TextEncoder();

/** SHA-512 block size (r_in_bytes in RFC 9380 §5.3.1) and output size. */
const SHA512_BLOCK = 128;
const SHA512_OUT = 64;

interface Expander {
  /** DST_prime = DST || I2OSP(len(DST), 1), after the oversize-DST rule (§5.3.3). */
  readonly dstPrime: Buffer;
  /** SHA-512 state after absorbing Z_pad (128 zero bytes); copied for each message. */
  readonly zPadState: Hash;
}

const expanders = new Map<string, Expander>();

function expanderFor(dst: string): Expander {
  let e = expanders.get(dst);
  if (e === undefined) {
    let dstBytes = Buffer.from(encoder.encode(dst));
    if (dstBytes.length > 255) {
      dstBytes = createHash('sha512').update('H2C-OVERSIZE-DST-').update(dstBytes).digest();
    }
    if (dstBytes.length === 0) throw new RangeError('hash_to_ristretto255: the DST must not be empty');
    const dstPrime = Buffer.concat([dstBytes, Buffer.from([dstBytes.length])]);
    const zPadState = createHash('sha512').update(Buffer.alloc(SHA512_BLOCK));
    e = { dstPrime, zPadState };
    if (expanders.size >= 64) expanders.clear(); // a handful of DSTs in practice; bound the cache anyway
    expanders.set(dst, e);
  }
  return e;
}

/** RFC 9380 §5.3.1 expand_message_xmd with SHA-512 for len_in_bytes = 64 (so ell = 1). */
export function expandMessageXmd64(msg: Uint8Array, dst: string): Buffer {
  const { dstPrime, zPadState } = expanderFor(dst);
  // b_0 = H(Z_pad || msg || I2OSP(64, 2) || I2OSP(0, 1) || DST_prime)
  const b0 = zPadState.copy().update(msg).update(LIB_STR_64).update(dstPrime).digest();
  // b_1 = H(b_0 || I2OSP(1, 1) || DST_prime); uniform_bytes = b_1
  return createHash('sha512').update(b0).update(ONE).update(dstPrime).digest();
}
const LIB_STR_64 = Buffer.from([0, SHA512_OUT, 0]); // I2OSP(64, 2) || I2OSP(0, 1)
const ONE = Buffer.from([1]);

/** H(x): hash_to_ristretto255(utf8(x)) under `dst`, as its canonical 32-byte encoding. */
export function hashToGroup(id: string, dst: string = PSI_DST): Uint8Array {
  requireReady();
  return sodium.crypto_core_ristretto255_from_hash(expandMessageXmd64(encoder.encode(id), dst));
}

/**
 * n·P for an encoded point P (already validated) and a scalar in [1, l). libsodium's constant-time ladder;
 * never the identity for a non-identity P since the group has prime order.
 */
export function scalarMult(scalar: Uint8Array, point: Uint8Array): Uint8Array {
  requireReady();
  try {
    return sodium.crypto_scalarmult_ristretto255(scalar, point);
  } catch {
    throw new PsiError('bad-point', 'scalar multiplication refused the point (invalid encoding or identity)');
  }
}

/** True iff `p` is a canonical ristretto255 encoding other than the identity. */
export function isValidNonIdentityPoint(p: Uint8Array): boolean {
  requireReady();
  if (p.length !== POINT_BYTES) return false;
  let acc = 0;
  for (let i = 0; i < POINT_BYTES; i++) acc |= p[i]!; // p.length === POINT_BYTES, checked above
  if (acc === 0) return false; // the identity's only canonical encoding; libsodium's is_valid_point accepts it
  return sodium.crypto_core_ristretto255_is_valid_point(p);
}

// ---------------------------------------------------------------------------------------------------------------
// Messages

/** A uniformly random permutation of 0..n-1 (Fisher-Yates with node:crypto randomness, no modulo bias). */
export function randomPermutation(n: number): Uint32Array {
  const perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  systemRandom().shuffle(perm);
  return perm;
}

/** The encoded points in one buffer in the order `perm` (output slot i holds points[perm[i]]). */
export function encodePermuted(points: readonly Uint8Array[], perm: Uint32Array): Uint8Array {
  if (perm.length !== points.length) {
    throw new RangeError(`encodePermuted: the permutation has ${perm.length} entries for ${points.length} points`);
  }
  const out = new Uint8Array(points.length * POINT_BYTES);
  // perm is a permutation of 0..points.length-1 (randomPermutation), so every index is in range.
  for (let i = 0; i < perm.length; i++) out.set(points[perm[i]!]!, i * POINT_BYTES);
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
 * their keys (and, when `split` is set, the encodings as 32-byte views into `points`). Throws a `PsiError`
 * otherwise.
 */
export function validatePoints(
  points: Uint8Array,
  count: number,
  split: boolean,
  what: string,
): { keys: Set<string>; encodings: Uint8Array[] } {
  requireReady();
  if (points.length !== count * POINT_BYTES) {
    throw new PsiError(
      'wrong-length',
      `${what}: ${points.length} bytes of points for a declared count of ${count} (need ${count * POINT_BYTES})`,
    );
  }
  const buffer = asBuffer(points);
  const keys = new Set<string>();
  const encodings: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const key = pointKey(buffer, i);
    if (keys.has(key)) throw new PsiError('duplicate', `${what}: point ${i} repeats an earlier point`);
    keys.add(key);
    const p = points.subarray(i * POINT_BYTES, (i + 1) * POINT_BYTES);
    if (!isValidNonIdentityPoint(p)) {
      throw new PsiError(
        'bad-point',
        `${what}: point ${i} is not a canonical ristretto255 encoding, or is the identity`,
      );
    }
    if (split) encodings.push(p);
  }
  return { keys, encodings };
}
