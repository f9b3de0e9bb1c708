import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import {
  SHAMIR_PRIME,
  SHARE_BYTES,
  decodeShare,
  encodeShare,
  shamirCombine,
  shamirSplit,
  toHex,
  type Share,
} from '../src/index.js';
import { PrimeField } from '../src/prime-field.js';
import { evaluatePolynomial, interpolateAtZero } from '../src/polynomial.js';
import { chiSquareCritical, chiSquareUniform } from './stats.js';

const P = SHAMIR_PRIME;
const big = new PrimeField(P);
const secret32 = () => new Uint8Array(randomBytes(32));

function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  let result = 1n;
  base %= m;
  while (exp > 0n) {
    if (exp & 1n) result = (result * base) % m;
    base = (base * base) % m;
    exp >>= 1n;
  }
  return result;
}

/** Miller-Rabin: false means n is certainly composite; true for all bases means n is prime with error < 4^-bases. */
function millerRabin(n: bigint, bases: readonly bigint[]): boolean {
  if (n < 4n) return n === 2n || n === 3n;
  if (n % 2n === 0n) return false;
  let d = n - 1n,
    s = 0;
  while (d % 2n === 0n) {
    d /= 2n;
    s++;
  }
  witness: for (const b of bases) {
    const a = b >= 2n && b <= n - 2n ? b : 2n + (b % (n - 3n));
    let x = modPow(a, d, n);
    if (x === 1n || x === n - 1n) continue;
    for (let r = 1; r < s; r++) {
      x = (x * x) % n;
      if (x === n - 1n) continue witness;
    }
    return false;
  }
  return true;
}

const SMALL_PRIMES = [
  2n,
  3n,
  5n,
  7n,
  11n,
  13n,
  17n,
  19n,
  23n,
  29n,
  31n,
  37n,
  41n,
  43n,
  47n,
  53n,
  59n,
  61n,
  67n,
  71n,
  73n,
  79n,
  83n,
  89n,
  97n,
];

/** The k-element subsets of items, in order. */
function subsets<T>(items: readonly T[], k: number): T[][] {
  if (k === 0) return [[]];
  if (items.length < k) return [];
  const [first, ...rest] = items;
  return [...subsets(rest, k - 1).map((s) => [first, ...s]), ...subsets(rest, k)];
}

/** f(x) for the unique polynomial of degree < n through the n points (Lagrange), evaluated at any x. */
function lagrangeAt(field: PrimeField, xs: bigint[], ys: bigint[], x: bigint): bigint {
  let acc = 0n;
  for (let i = 0; i < xs.length; i++) {
    let num = 1n,
      den = 1n;
    for (let j = 0; j < xs.length; j++) {
      if (j === i) continue;
      num = field.mul(num, field.sub(x, xs[j]));
      den = field.mul(den, field.sub(xs[i], xs[j]));
    }
    acc = field.add(acc, field.mul(ys[i], field.mul(num, field.inv(den))));
  }
  return acc;
}

/** Coefficients (constant first) of the polynomial of degree < n through n points: solves the Vandermonde system. */
function interpolateCoefficients(field: PrimeField, xs: bigint[], ys: bigint[]): bigint[] {
  const n = xs.length;
  const rows = xs.map((x, i) => [...Array.from({ length: n }, (_, k) => modPow(x, BigInt(k), field.p)), ys[i]]);
  for (let col = 0; col < n; col++) {
    const pivot = rows.findIndex((r, i) => i >= col && r[col] !== 0n);
    [rows[col], rows[pivot]] = [rows[pivot], rows[col]];
    const inv = field.inv(rows[col][col]);
    rows[col] = rows[col].map((v) => field.mul(v, inv));
    for (let r = 0; r < n; r++) {
      if (r === col || rows[r][col] === 0n) continue;
      const f = rows[r][col];
      rows[r] = rows[r].map((v, k) => field.sub(v, field.mul(f, rows[col][k])));
    }
  }
  return rows.map((r) => r[n]);
}

describe('the Shamir field', () => {
  it('has a working Miller-Rabin test (known primes, composites and Carmichael numbers)', () => {
    for (const prime of [3n, 97n, 2n ** 61n - 1n, 2n ** 127n - 1n, 2n ** 255n - 19n])
      expect(millerRabin(prime, SMALL_PRIMES)).toBe(true);
    for (const composite of [561n, 1105n, 8911n, 3215031751n, (2n ** 61n - 1n) * (2n ** 31n - 1n), 2n ** 256n + 1n]) {
      expect(millerRabin(composite, SMALL_PRIMES)).toBe(false);
    }
  });

  it('uses p = 2^256 + 297, a prime (Miller-Rabin over many bases)', () => {
    expect(P).toBe(2n ** 256n + 297n);
    const randomBases = Array.from({ length: 40 }, () => BigInt(`0x${randomBytes(40).toString('hex')}`));
    expect(millerRabin(P, [...SMALL_PRIMES, ...randomBases])).toBe(true);
  });

  it('p is the smallest prime above 2^256 (every 2^256 + k, 0 <= k < 297, has a Miller-Rabin witness)', () => {
    for (let k = 0n; k < 297n; k++) expect(millerRabin(2n ** 256n + k, SMALL_PRIMES), `2^256 + ${k}`).toBe(false);
  });

  it('inverts, encodes and samples field elements', () => {
    for (let i = 0; i < 20; i++) {
      const a = big.random();
      expect(a < P).toBe(true);
      if (a !== 0n) expect(big.mul(a, big.inv(a))).toBe(1n);
      expect(big.fromBytes(big.toBytes(a))).toBe(a);
    }
    expect(big.byteLength).toBe(33);
    expect(big.inv(P - 1n)).toBe(P - 1n);
    expect(() => big.inv(0n)).toThrow(/inverse/);
    expect(() => big.inv(P)).toThrow(/inverse/);
    expect(() => big.fromBytes(big.toBytes(P - 1n).map((b, i) => (i === 32 ? b + 1 : b)))).toThrow(/not < p/);
  });

  it('samples uniformly by rejection (chi-square over the toy field GF(257), whose top bit rejects ~half)', () => {
    const toy = new PrimeField(257n);
    expect(toy.byteLength).toBe(2);
    const counts = new Array<number>(257).fill(0);
    for (let i = 0; i < 257 * 200; i++) counts[Number(toy.random())]++;
    expect(chiSquareUniform(counts)).toBeLessThan(chiSquareCritical(256, 6));
  });
});

describe('Shamir secret sharing', () => {
  it('reconstructs from every t-subset of k = 5 shares, for t = 1..5, in any order', () => {
    const xs = [1, 2, 3, 4, 5];
    for (let t = 1; t <= 5; t++) {
      const secret = secret32();
      const shares = shamirSplit(secret, t, xs);
      expect(shares.map((s) => s.x)).toEqual(xs);
      for (const s of shares) {
        expect(s.y.length).toBe(33);
        expect(big.fromBytes(s.y) < P).toBe(true);
      }
      for (const subset of subsets(shares, t)) {
        expect(toHex(shamirCombine(subset, t))).toBe(toHex(secret));
        expect(toHex(shamirCombine([...subset].reverse(), t))).toBe(toHex(secret));
      }
    }
  });

  it('handles edge secrets and large, sparse x values', () => {
    for (const secret of [new Uint8Array(32), new Uint8Array(32).fill(0xff)]) {
      const shares = shamirSplit(secret, 3, [65535, 7, 40000, 1]);
      expect(toHex(shamirCombine(shares, 3))).toBe(toHex(secret));
      expect(toHex(shamirCombine(shares.slice(1), 3))).toBe(toHex(secret));
    }
  });

  it('uses exactly the first `threshold` shares and ignores the rest', () => {
    const secret = secret32();
    const shares = shamirSplit(secret, 3, [1, 2, 3, 4]);
    const junk: Share = { x: 1, y: new Uint8Array(5) }; // duplicate x and a malformed y, never looked at
    expect(toHex(shamirCombine([...shares.slice(0, 3), junk], 3))).toBe(toHex(secret));
    // A wrong share among the first t changes the result (shares must be authenticated).
    const wrong = { x: shares[0].x, y: big.toBytes(big.add(big.fromBytes(shares[0].y), 1n)) };
    expect(toHex(shamirCombine([wrong, shares[1], shares[2], shares[3]], 3))).not.toBe(toHex(secret));
  });

  it('shares are fresh randomness: splitting twice gives different shares', () => {
    const secret = secret32();
    const a = shamirSplit(secret, 2, [1, 2]),
      b = shamirSplit(secret, 2, [1, 2]);
    expect(toHex(a[0].y)).not.toBe(toHex(b[0].y));
    // with threshold 1 the polynomial is constant: every share is the secret itself
    expect(shamirSplit(secret, 1, [9])[0].y.subarray(1)).toEqual(secret);
  });

  it('t - 1 shares are consistent with every secret (real field)', () => {
    // Fix t - 1 real shares. For any target secret, the polynomial g through (0, target) and those shares
    // has degree < t, so it is a possible sharing polynomial: since the non-constant coefficients are
    // uniform, each target is exactly as likely given the t - 1 shares. Adding g's value at a fresh x as
    // a t-th share makes shamirCombine return the target.
    const t = 4;
    const shares = shamirSplit(secret32(), t, [3, 5, 8, 13, 21]).slice(0, t - 1);
    const xs = shares.map((s) => BigInt(s.x)),
      ys = shares.map((s) => big.fromBytes(s.y));
    for (const target of [new Uint8Array(32), new Uint8Array(32).fill(0xff), secret32(), secret32()]) {
      const s = BigInt(`0x${toHex(target)}`);
      const g = interpolateCoefficients(big, [0n, ...xs], [s, ...ys]);
      expect(g.length).toBeLessThanOrEqual(t);
      expect(g[0]).toBe(s);
      xs.forEach((x, i) => expect(evaluatePolynomial(big, g, x)).toBe(ys[i]));
      const forged: Share = { x: 99, y: big.toBytes(lagrangeAt(big, [0n, ...xs], [s, ...ys], 99n)) };
      expect(evaluatePolynomial(big, g, 99n)).toBe(big.fromBytes(forged.y));
      expect(toHex(shamirCombine([...shares, forged], t))).toBe(toHex(target));
    }
  });

  it('t - 1 shares are independent of the secret (exhaustive over the toy field GF(31), t = 3)', () => {
    // For each secret s, the map (a1, a2) -> (f(x1), f(x2)) with f = s + a1 x + a2 x^2 is a bijection onto
    // GF(31)^2, so with uniform a1, a2 the two shares are uniform whatever s is.
    const toy = new PrimeField(31n);
    for (const [x1, x2] of [
      [1n, 2n],
      [5n, 17n],
      [30n, 4n],
    ]) {
      for (let s = 0n; s < 31n; s++) {
        const seen = new Set<string>();
        for (let a1 = 0n; a1 < 31n; a1++) {
          for (let a2 = 0n; a2 < 31n; a2++) {
            seen.add(`${evaluatePolynomial(toy, [s, a1, a2], x1)},${evaluatePolynomial(toy, [s, a1, a2], x2)}`);
          }
        }
        expect(seen.size).toBe(31 * 31);
      }
    }
    // and any 3 shares interpolate back to s
    expect(
      interpolateAtZero(
        toy,
        [1n, 2n, 3n],
        [1n, 2n, 3n].map((x) => evaluatePolynomial(toy, [7n, 11n, 13n], x)),
      ),
    ).toBe(7n);
  });

  it('interpolates the same with the small-point path and the general one, and refuses a repeated point', () => {
    const f = [big.random(), big.random(), big.random(), big.random()];
    const at = (xs: bigint[]) =>
      interpolateAtZero(
        big,
        xs,
        xs.map((x) => evaluatePolynomial(big, f, x)),
      );
    expect(at([1n, 2n, 65_535n, 40_000n])).toBe(f[0]);
    expect(at([70_000n, 1n, 2n ** 200n, 5n])).toBe(f[0]); // points of 2^16 and above take the BigInt path
    // Cached weights (the same points again) give the same answer.
    expect(at([1n, 2n, 65_535n, 40_000n])).toBe(f[0]);
    expect(() => at([3n, 7n, 3n, 9n])).toThrow('zero has no inverse');
  });

  it('encodes a share as 2-byte big-endian x || 33-byte y and decodes it back', () => {
    const [share] = shamirSplit(secret32(), 2, [0x1234, 1]);
    const bytes = encodeShare(share);
    expect(bytes.length).toBe(SHARE_BYTES);
    expect(SHARE_BYTES).toBe(35);
    expect(toHex(bytes.subarray(0, 2))).toBe('1234');
    expect(toHex(bytes.subarray(2))).toBe(toHex(share.y));
    const back = decodeShare(bytes);
    expect(back.x).toBe(0x1234);
    expect(toHex(back.y)).toBe(toHex(share.y));
  });

  it('rejects malformed encoded shares', () => {
    const good = encodeShare(shamirSplit(secret32(), 1, [1])[0]);
    expect(() => decodeShare(good.subarray(0, 34))).toThrow(/35 bytes/);
    expect(() => decodeShare(new Uint8Array([...good, 0]))).toThrow(/35 bytes/);
    const zeroX = good.slice();
    zeroX[0] = 0;
    zeroX[1] = 0;
    expect(() => decodeShare(zeroX)).toThrow(/x = 0/);
    const bigY = good.slice();
    bigY.set(new Uint8Array(33).fill(0xff), 2);
    expect(() => decodeShare(bigY)).toThrow(/not < p/);
    expect(() => encodeShare({ x: 0, y: new Uint8Array(33) })).toThrow(/x = 0/);
    expect(() => encodeShare({ x: 65536, y: new Uint8Array(33) })).toThrow(/1\.\.65535/);
    expect(() => encodeShare({ x: 1, y: new Uint8Array(32) })).toThrow(/33 bytes/);
  });

  it('names the problem when splitting is misused', () => {
    const s = secret32();
    expect(() => shamirSplit(new Uint8Array(31), 2, [1, 2])).toThrow(/secret must be 32 bytes/);
    expect(() => shamirSplit(s, 0, [1, 2])).toThrow(/threshold must be an integer >= 1/);
    expect(() => shamirSplit(s, 1.5, [1, 2])).toThrow(/threshold must be an integer >= 1/);
    expect(() => shamirSplit(s, 3, [1, 2])).toThrow(/threshold 3 exceeds the number of shares 2/);
    expect(() => shamirSplit(s, 2, [1, 2, 1])).toThrow(/duplicate x = 1/);
    expect(() => shamirSplit(s, 2, [0, 1])).toThrow(/x = 0/);
    expect(() => shamirSplit(s, 2, [1, 65536])).toThrow(/1\.\.65535/);
    expect(() => shamirSplit(s, 2, [1, 2.5])).toThrow(/1\.\.65535/);
  });

  it('names the problem when combining is misused', () => {
    const shares = shamirSplit(secret32(), 3, [1, 2, 3, 4]);
    expect(() => shamirCombine(shares.slice(0, 2), 3)).toThrow(/need at least 3 shares.*got 2/);
    expect(() => shamirCombine([], 1)).toThrow(/need at least 1 shares.*got 0/);
    expect(() => shamirCombine(shares, 0)).toThrow(/threshold must be an integer >= 1/);
    expect(() => shamirCombine([shares[0], shares[1], shares[0]], 3)).toThrow(/duplicate x = 1/);
    expect(() => shamirCombine([{ x: 0, y: shares[0].y }, shares[1], shares[2]], 3)).toThrow(/x = 0/);
    expect(() => shamirCombine([{ x: 1, y: new Uint8Array(33).fill(0xff) }, shares[1], shares[2]], 3)).toThrow(
      /not < p/,
    );
    expect(() =>
      shamirCombine([{ x: 1, y: big.toBytes(P - 1n).map((b, i) => (i === 32 ? b + 1 : b)) }, shares[1], shares[2]], 3),
    ).toThrow(/not < p/);
    expect(() => shamirCombine([{ x: 1, y: new Uint8Array(32) }, shares[1], shares[2]], 3)).toThrow(
      /32 bytes, expected 33/,
    );
    // values that interpolate above 2^256 - 1 cannot be a sharing of a 32-byte secret
    expect(() => shamirCombine([{ x: 1, y: big.toBytes(P - 1n) }], 1)).toThrow(/inconsistent/);
  });
});
