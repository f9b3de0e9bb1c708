import { createCipheriv, type Cipher } from 'node:crypto';
import { hkdfSha256 } from './hkdf.js';

/**
 * The pseudorandom generator that expands a 32-byte seed into a SecAgg mask.
 *
 * Keystream: AES-128-CTR under key = the first 16 bytes of hkdfSha256(seed, empty salt, 'tessera/prg', 32),
 * with an all-zero initial counter block (IV) that increments as a 128-bit big-endian integer. Every seed
 * gives its own key, so no (key, counter) pair repeats across seeds; but one seed must mask only one
 * vector (derive per-round seeds, e.g. with hkdfSha256 over the round number).
 *
 * Words: the keystream is read as consecutive 32-bit unsigned LITTLE-ENDIAN words (keystream bytes
 * b0 b1 b2 b3 give b0 + 2^8 b1 + 2^16 b2 + 2^24 b3), on every platform.
 *
 * Reduction to [0, modulus), without bias: a power-of-two modulus keeps the low bits of each word; any
 * other modulus rejects words v >= floor(2^32 / modulus) * modulus, skipping them, and maps the rest to
 * v mod modulus. All arithmetic is on integers below 2^53.
 */
const SEED_BYTES = 32;
const BLOCK_BYTES = 64 * 1024;
const BLOCK_WORDS = BLOCK_BYTES / 4;
const TWO_32 = 2 ** 32;
const ZEROS = new Uint8Array(BLOCK_BYTES);
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** `count` words uniform in [0, modulus), for an integer 2 <= modulus <= 2^32. */
export function prgWords(seed: Uint8Array, count: number, modulus: number): Uint32Array {
  if (!Number.isSafeInteger(count) || count < 0)
    throw new RangeError(`prgWords: count must be a non-negative integer, got ${count}`);
  const out = new Uint32Array(count);
  addPrgWords(out, seed, modulus, 1);
  return out;
}

/**
 * target[i] = (target[i] + sign * prgWords(seed, target.length, modulus)[i]) mod modulus, in place,
 * generating the keystream 64 KiB at a time. Entries of `target` not below `modulus` are first reduced.
 */
export function addPrgWords(target: Uint32Array, seed: Uint8Array, modulus: number, sign: 1 | -1): void {
  if (!(target instanceof Uint32Array)) throw new TypeError('addPrgWords: target must be a Uint32Array');
  checkModulus(modulus);
  if (sign !== 1 && sign !== -1) throw new RangeError(`addPrgWords: sign must be 1 or -1, got ${String(sign)}`);
  const stream = new Keystream(seed);
  if (modulus === TWO_32) addWrapping(target, stream, sign);
  else if ((modulus & (modulus - 1)) === 0) addMasked(target, stream, modulus - 1, sign);
  else addRejecting(target, stream, modulus, sign);
}

/**
 * target = target + sum over j of signs[j] * prgWords(seeds[j], target.length, modulus), mod modulus, in place: the
 * same result as one `addPrgWords` per seed. With a power-of-two modulus the keystreams of the same sign are added four
 * at a time, in one pass over the target: about twice the throughput of the add, which is half the cost of a mask
 * (a SecAgg+ client adds k + 1 masks; a server removes one per dropped participant and surviving neighbour). Any other
 * modulus (rejection sampling) takes them one by one.
 */
export function addPrgWordsMany(
  target: Uint32Array,
  seeds: readonly Uint8Array[],
  modulus: number,
  signs: readonly (1 | -1)[],
): void {
  if (!(target instanceof Uint32Array)) throw new TypeError('addPrgWordsMany: target must be a Uint32Array');
  checkModulus(modulus);
  if (seeds.length !== signs.length)
    throw new RangeError(`addPrgWordsMany: ${seeds.length} seeds but ${signs.length} signs`);
  for (const sign of signs)
    if (sign !== 1 && sign !== -1) throw new RangeError(`addPrgWordsMany: a sign is 1 or -1, got ${String(sign)}`);
  if (modulus !== TWO_32 && (modulus & (modulus - 1)) !== 0) {
    for (let j = 0; j < seeds.length; j++) addPrgWords(target, seeds[j]!, modulus, signs[j]!); // same lengths
    return;
  }
  const mask = modulus === TWO_32 ? 0 : modulus - 1; // 0: wrap at 2^32
  for (const sign of [1, -1] as const) {
    const group = seeds.filter((_, j) => signs[j] === sign);
    for (let g = 0; g < group.length; g += 4) {
      const streams = group.slice(g, g + 4).map((seed) => new Keystream(seed));
      for (let offset = 0; offset < target.length; offset += BLOCK_WORDS) {
        const n = Math.min(BLOCK_WORDS, target.length - offset);
        // Each stream's words are its own buffer, valid together; a missing stream adds zeros.
        const [a, b, c, d] = [0, 1, 2, 3].map((k) => streams[k]?.next(n) ?? ZERO_WORDS) as [
          Uint32Array,
          Uint32Array,
          Uint32Array,
          Uint32Array,
        ];
        const t = target.subarray(offset, offset + n);
        if (mask === 0) (sign === 1 ? addFour : subtractFour)(t, a, b, c, d, n);
        else (sign === 1 ? addFourMasked : subtractFourMasked)(t, a, b, c, d, n, mask);
      }
    }
  }
}

const ZERO_WORDS = new Uint32Array(BLOCK_WORDS);

// One loop per sign and reduction, each with fixed operations, so that each JIT-compiles tight: a sum of five terms
// below 2^32 in absolute value is exact in a double, and >>> 0 (or & mask) reduces it, negative or not.
function addFour(t: Uint32Array, a: Uint32Array, b: Uint32Array, c: Uint32Array, d: Uint32Array, n: number): void {
  for (let i = 0; i < n; i++) t[i] = (t[i]! + a[i]! + b[i]! + c[i]! + d[i]!) >>> 0;
}
function subtractFour(t: Uint32Array, a: Uint32Array, b: Uint32Array, c: Uint32Array, d: Uint32Array, n: number) {
  for (let i = 0; i < n; i++) t[i] = (t[i]! - a[i]! - b[i]! - c[i]! - d[i]!) >>> 0;
}
function addFourMasked(
  t: Uint32Array,
  a: Uint32Array,
  b: Uint32Array,
  c: Uint32Array,
  d: Uint32Array,
  n: number,
  mask: number,
): void {
  for (let i = 0; i < n; i++) t[i] = (t[i]! + a[i]! + b[i]! + c[i]! + d[i]!) & mask;
}
function subtractFourMasked(
  t: Uint32Array,
  a: Uint32Array,
  b: Uint32Array,
  c: Uint32Array,
  d: Uint32Array,
  n: number,
  mask: number,
): void {
  for (let i = 0; i < n; i++) t[i] = (t[i]! - a[i]! - b[i]! - c[i]! - d[i]!) & mask;
}

function checkModulus(modulus: number): void {
  if (!Number.isInteger(modulus) || modulus < 2 || modulus > TWO_32) {
    throw new RangeError(`PRG modulus must be an integer in [2, 2^32], got ${modulus}`);
  }
}

/** modulus 2^32: wrap-around 32-bit addition. */
function addWrapping(target: Uint32Array, stream: Keystream, sign: 1 | -1): void {
  for (let offset = 0; offset < target.length; offset += BLOCK_WORDS) {
    const n = Math.min(BLOCK_WORDS, target.length - offset);
    const words = stream.next(n);
    const t = target.subarray(offset, offset + n);
    // t and words both hold n words.
    if (sign === 1) for (let i = 0; i < n; i++) t[i] = (t[i]! + words[i]!) >>> 0;
    else for (let i = 0; i < n; i++) t[i] = (t[i]! - words[i]!) >>> 0;
  }
}

/** modulus 2^k, k < 32: reduce mod 2^32 then keep the low k bits (mask = 2^k - 1 <= 2^31 - 1). */
function addMasked(target: Uint32Array, stream: Keystream, mask: number, sign: 1 | -1): void {
  for (let offset = 0; offset < target.length; offset += BLOCK_WORDS) {
    const n = Math.min(BLOCK_WORDS, target.length - offset);
    const words = stream.next(n);
    const t = target.subarray(offset, offset + n);
    // t and words both hold n words.
    if (sign === 1) for (let i = 0; i < n; i++) t[i] = (t[i]! + words[i]!) & mask;
    else for (let i = 0; i < n; i++) t[i] = (t[i]! - words[i]!) & mask;
  }
}

/**
 * Any other modulus: rejection sampling, keeping words v < limit = floor(2^32 / modulus) * modulus
 * (limit > 2^31, so at most half the words are rejected). Sums stay below 2^33.
 */
function addRejecting(target: Uint32Array, stream: Keystream, modulus: number, sign: 1 | -1): void {
  const limit = Math.floor(TWO_32 / modulus) * modulus;
  // Two loops so that each JIT-compiles with one number representation: a double `%` is several times slower.
  if (modulus > 2 ** 30) addRejectingLarge(target, stream, modulus, limit, sign === -1);
  else addRejectingSmall(target, stream, modulus, limit, sign === -1);
}

/** 2^30 < modulus < 2^32: an accepted v is < 3 * modulus, so v mod modulus takes at most two subtractions. */
function addRejectingLarge(
  target: Uint32Array,
  stream: Keystream,
  modulus: number,
  limit: number,
  negate: boolean,
): void {
  const n = target.length;
  let j = 0;
  while (j < n) {
    const words = stream.next(wordsToRequest(n - j));
    // i < words.length, and j < n = target.length (the loop stops when j reaches n).
    for (let i = 0; i < words.length; i++) {
      let w = words[i]!;
      if (w >= limit) continue;
      if (w >= modulus) w -= modulus;
      if (w >= modulus) w -= modulus;
      if (negate && w !== 0) w = modulus - w;
      const a = target[j]!;
      const s = (a < modulus ? a : a % modulus) + w;
      target[j] = s >= modulus ? s - modulus : s;
      if (++j === n) break;
    }
  }
}

/** modulus < 2^30: v mod m = (2 * ((v >>> 1) mod m) + (v & 1)) mod m, with every operand an int32. */
function addRejectingSmall(target: Uint32Array, stream: Keystream, m: number, limit: number, negate: boolean): void {
  const modulus = m | 0; // an int32 even if the caller boxed it as a double, so the JIT keeps integer `%`
  const n = target.length;
  let j = 0;
  while (j < n) {
    const words = stream.next(wordsToRequest(n - j));
    // i < words.length, and j < n = target.length (the loop stops when j reaches n).
    for (let i = 0; i < words.length; i++) {
      const v = words[i]!;
      if (v >= limit) continue;
      let w = ((((v >>> 1) % modulus) << 1) | (v & 1)) % modulus;
      if (negate && w !== 0) w = modulus - w;
      const a = target[j]!;
      const s = (a < modulus ? a : a % modulus) + w;
      target[j] = s >= modulus ? s - modulus : s;
      if (++j === n) break;
    }
  }
}

/** Keystream words to draw for `remaining` outputs: a little over, since some words are rejected. */
function wordsToRequest(remaining: number): number {
  return Math.min(BLOCK_WORDS, remaining + (remaining >>> 3) + 16);
}

/** The AES-128-CTR keystream of a seed, as little-endian 32-bit words. */
class Keystream {
  private readonly cipher: Cipher;

  constructor(seed: Uint8Array) {
    if (!(seed instanceof Uint8Array) || seed.length !== SEED_BYTES) {
      throw new RangeError(
        `a PRG seed is ${SEED_BYTES} bytes, got ${seed instanceof Uint8Array ? seed.length : typeof seed}`,
      );
    }
    const okm = hkdfSha256(seed, new Uint8Array(0), 'tessera/prg', 32);
    this.cipher = createCipheriv('aes-128-ctr', okm.subarray(0, 16), new Uint8Array(16));
    okm.fill(0);
  }

  /** The next `n` (<= 16384) words; the array is only valid until the next call. */
  next(n: number): Uint32Array {
    const bytes = this.cipher.update(ZEROS.subarray(0, 4 * n));
    if (bytes.length !== 4 * n) throw new Error('AES-CTR returned a short keystream block');
    if (LITTLE_ENDIAN && bytes.byteOffset % 4 === 0) return new Uint32Array(bytes.buffer, bytes.byteOffset, n);
    const words = new Uint32Array(n);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < n; i++) words[i] = view.getUint32(4 * i, true);
    return words;
  }
}
