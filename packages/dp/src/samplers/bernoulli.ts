import type { Random } from '@tessera/crypto';
import { MAX_SAFE } from './rational.js';
import { uniformBelow, uniformBelowBig } from './uniform.js';

type Integer = number | bigint;

function checkFraction(num: Integer, den: Integer): void {
  if (typeof num === 'number' && !Number.isSafeInteger(num))
    throw new RangeError(`numerator must be a safe integer, got ${num}`);
  if (typeof den === 'number' && !Number.isSafeInteger(den))
    throw new RangeError(`denominator must be a safe integer, got ${den}`);
  if (den <= 0 || num < 0) throw new RangeError(`need num >= 0 and den > 0, got ${num}/${den}`);
}

/** true with probability min(1, num/den), exactly: a uniform integer below den compared with num. */
export function bernoulli(num: Integer, den: Integer, rng: Random): boolean {
  checkFraction(num, den);
  if (typeof num === 'number' && typeof den === 'number') return uniformBelow(den, rng) < num;
  return uniformBelowBig(BigInt(den), rng) < BigInt(num);
}

/**
 * CKS Algorithm 1, gamma = num/den in [0, 1]: K = index of the first failure of Bernoulli(gamma/k), k = 1, 2, ...; true
 * iff K is odd.
 */
function bernoulliExpAtMostOne(num: number, den: number, rng: Random): boolean {
  for (let k = 1; ; k++) {
    const scaledDen = den * k;
    const success =
      scaledDen <= MAX_SAFE
        ? uniformBelow(scaledDen, rng) < num
        : uniformBelowBig(BigInt(den) * BigInt(k), rng) < BigInt(num);
    if (!success) return (k & 1) === 1;
  }
}

function bernoulliExpAtMostOneBig(num: bigint, den: bigint, rng: Random): boolean {
  for (let k = 1n; ; k++) {
    if (uniformBelowBig(den * k, rng) >= num) return (k & 1n) === 1n;
  }
}

/** Bernoulli(exp(-1)), the unit step of the gamma > 1 decomposition. */
export function bernoulliExpMinusOne(rng: Random): boolean {
  return bernoulliExpAtMostOne(1, 1, rng);
}

/**
 * true with probability exp(-num/den) exactly, for rational gamma = num/den >= 0 (CKS 2020, Algorithm 1).
 * gamma <= 1: the alternating-series method. gamma > 1: floor(gamma) independent Bernoulli(exp(-1)) trials,
 * then Bernoulli(exp(-(gamma - floor(gamma)))); all must succeed. Only integer comparisons of uniform draws.
 */
export function bernoulliExp(num: Integer, den: Integer, rng: Random): boolean {
  checkFraction(num, den);
  if (typeof num === 'number' && typeof den === 'number') {
    let rest = num;
    while (rest > den) {
      if (!bernoulliExpMinusOne(rng)) return false;
      rest -= den;
    }
    return bernoulliExpAtMostOne(rest, den, rng);
  }
  let rest = BigInt(num);
  const d = BigInt(den);
  while (rest > d) {
    if (!bernoulliExpMinusOne(rng)) return false;
    rest -= d;
  }
  return bernoulliExpAtMostOneBig(rest, d, rng);
}

/**
 * true with probability num/den for bigints of any size, comparing a lazily drawn uniform binary fraction with the
 * binary expansion of num/den (two random bits expected), so a huge den costs no huge uniform draw.
 */
export function bernoulliLazy(num: bigint, den: bigint, rng: Random): boolean {
  if (den <= 0n || num < 0n) throw new RangeError(`need num >= 0 and den > 0, got ${num}/${den}`);
  if (num >= den) return true;
  let remainder = num;
  for (;;) {
    remainder *= 2n;
    const digit = remainder >= den ? 1 : 0;
    if (digit === 1) remainder -= den;
    const bit = rng.int(2);
    if (bit !== digit) return bit < digit;
  }
}
