import { PrimeField, bytesToBigInt } from './prime-field.js';
import { evaluatePolynomial, interpolateAtZero, randomPolynomial } from './polynomial.js';

/**
 * Shamir t-of-k secret sharing (Shamir 1979) of 32-byte secrets, as SecAgg uses it for the seeds and
 * key-agreement secrets of participants who may drop out (Bonawitz et al. 2017; Bell et al. 2020).
 *
 * The field is GF(p) with p = 2^256 + 297, the smallest prime above 2^256 (the tests check both facts), so
 * every 32-byte secret is a field element and each share value is 33 bytes. Any `threshold` shares
 * determine the secret; fewer reveal nothing about it.
 */
export const SHAMIR_PRIME = 2n ** 256n + 297n;

const field = new PrimeField(SHAMIR_PRIME);
const SECRET_BYTES = 32;
const TWO_256 = 2n ** 256n;
const MAX_X = 0xffff;

/** Bytes of an encoded share: 2 (x) + 33 (y). */
export const SHARE_BYTES = 2 + field.byteLength;

/** The point (x, f(x)) of the sharing polynomial f, with f(0) the secret. */
export interface Share {
  /** Evaluation point: an integer in 1..65535, distinct among the shares of one secret. */
  readonly x: number;
  /** f(x) as a 33-byte big-endian field element. */
  readonly y: Uint8Array;
}

/** One share of the 32-byte `secret` for every x in `xs`; any `threshold` of them recover it. */
export function shamirSplit(secret: Uint8Array, threshold: number, xs: readonly number[]): Share[] {
  if (!(secret instanceof Uint8Array) || secret.length !== SECRET_BYTES) {
    throw new RangeError(
      `Shamir: the secret must be ${SECRET_BYTES} bytes, ` +
        `got ${secret instanceof Uint8Array ? secret.length : typeof secret}`,
    );
  }
  if (!Number.isInteger(threshold) || threshold < 1)
    throw new RangeError(`Shamir: threshold must be an integer >= 1, got ${threshold}`);
  if (threshold > xs.length)
    throw new RangeError(`Shamir: threshold ${threshold} exceeds the number of shares ${xs.length}`);
  checkDistinctXs(xs);
  const coefficients = randomPolynomial(field, bytesToBigInt(secret), threshold);
  return xs.map((x) => ({ x, y: field.toBytes(evaluatePolynomial(field, coefficients, BigInt(x))) }));
}

/**
 * The secret from the first `threshold` of `shares` (later ones are ignored and not inspected).
 * Throws if there are fewer than `threshold` shares, or if a used share is malformed (x not in 1..65535,
 * x repeated, y not 33 bytes or not < p), or if the shares interpolate to a value above 2^256 - 1 (so they
 * cannot come from one sharing of a 32-byte secret). Wrong-but-wellformed shares give a wrong secret:
 * authenticate shares (sign or AEAD them) before combining.
 */
export function shamirCombine(shares: readonly Share[], threshold: number): Uint8Array {
  if (!Number.isInteger(threshold) || threshold < 1)
    throw new RangeError(`Shamir: threshold must be an integer >= 1, got ${threshold}`);
  if (shares.length < threshold)
    throw new Error(`Shamir: need at least ${threshold} shares to recover the secret, got ${shares.length}`);
  const used = shares.slice(0, threshold);
  checkDistinctXs(used.map((s) => s.x));
  const ys = used.map((s, i) => {
    if (!(s.y instanceof Uint8Array) || s.y.length !== field.byteLength) {
      throw new RangeError(
        `Shamir: share ${i} (x = ${s.x}) has a y of ${s.y instanceof Uint8Array ? s.y.length : typeof s.y} ` +
          `bytes, expected ${field.byteLength}`,
      );
    }
    const y = bytesToBigInt(s.y);
    if (y >= SHAMIR_PRIME) throw new RangeError(`Shamir: share ${i} (x = ${s.x}) has a y that is not < p`);
    return y;
  });
  const secret = interpolateAtZero(
    field,
    used.map((s) => BigInt(s.x)),
    ys,
  );
  if (secret >= TWO_256)
    throw new Error('Shamir: the shares are inconsistent (they interpolate to a value that is not a 32-byte secret)');
  return field.toBytes(secret).subarray(1);
}

/** `x` as 2 big-endian bytes followed by the 33-byte `y`. */
export function encodeShare(share: Share): Uint8Array {
  checkX(share.x, 'share');
  if (share.y.length !== field.byteLength)
    throw new RangeError(`Shamir: a share's y is ${field.byteLength} bytes, got ${share.y.length}`);
  const out = new Uint8Array(SHARE_BYTES);
  out[0] = share.x >>> 8;
  out[1] = share.x & 0xff;
  out.set(share.y, 2);
  return out;
}

/** Inverse of `encodeShare`; throws unless `bytes` is 35 bytes with x in 1..65535 and y < p. */
export function decodeShare(bytes: Uint8Array): Share {
  if (bytes.length !== SHARE_BYTES)
    throw new RangeError(`Shamir: an encoded share is ${SHARE_BYTES} bytes, got ${bytes.length}`);
  const x = (bytes[0]! << 8) | bytes[1]!; // the length is SHARE_BYTES, checked above
  checkX(x, 'encoded share');
  const y = bytes.slice(2);
  if (bytesToBigInt(y) >= SHAMIR_PRIME) throw new RangeError('Shamir: encoded share has a y that is not < p');
  return { x, y };
}

function checkX(x: number, what: string): void {
  if (x === 0) throw new RangeError(`Shamir: ${what} has x = 0, the point that holds the secret itself`);
  if (!Number.isInteger(x) || x < 1 || x > MAX_X)
    throw new RangeError(`Shamir: ${what} has x = ${x}; x must be an integer in 1..${MAX_X}`);
}

function checkDistinctXs(xs: readonly number[]): void {
  const seen = new Set<number>();
  for (const x of xs) {
    checkX(x, 'a share');
    if (seen.has(x)) throw new RangeError(`Shamir: duplicate x = ${x}; the x of every share must be distinct`);
    seen.add(x);
  }
}
