import type { Random } from '@tessera/crypto';
import { bernoulli, bernoulliLazy } from './bernoulli.js';
import { uniformBelow } from './uniform.js';
import { largePoissonSampler } from './poisson-large.js';
import { integerSquareRoot, MAX_SAFE, nonNegativeRational, type RationalLike } from './rational.js';

/** Below this lambda the sum of small pieces is cheaper than the envelope rejection. */
const MEDIUM_LAMBDA = 8n;
/** From this lambda on the O(1) Laplace-envelope sampler (poisson-large.ts) is the fastest. */
const LARGE_LAMBDA = 48n;

/**
 * A sampler of Poisson(lambda) for rational lambda = p/q >= 0, exact, with no floating point in any decision.
 * Every acceptance test is a Bernoulli of an exact rational (uniform integers compared, or a lazy binary comparison).
 * - lambda < 8: the sum of n = ceil(2·lambda) independent Poisson(r), r = lambda/n <= 1/2, each by rejection:
 *   propose K with P(K = k) = (1 - r)·r^k (Bernoulli(r) successes before the first failure) and accept with
 *   probability 1/k! (Bernoulli(1/i) for i = 2..k), so P(accepted k) ∝ r^k/k!; acceptance (1 - r)·e^r >= 0.82.
 * - 8 <= lambda < 48: rejection from a two-sided geometric envelope around the mode m = floor(lambda), cost
 *   O(sqrt(lambda)) per draw, see envelopePoissonSampler;
 * - lambda >= 48: rejection from a discrete Laplace envelope with an exact squeeze, O(1) expected, see
 * largePoissonSampler.
 */
export function poissonSampler(lambda: RationalLike, rng: Random): () => number {
  const { num: p, den: q } = nonNegativeRational(lambda, 'Poisson lambda');
  if (p === 0n) return () => 0;
  if (p >= LARGE_LAMBDA * q) return largePoissonSampler(p, q, rng);
  if (p >= MEDIUM_LAMBDA * q) return envelopePoissonSampler(p, q, rng);
  const pieces = Number((2n * p + q - 1n) / q);
  const pieceDenBig = q * BigInt(pieces);
  const fast = pieceDenBig <= BigInt(MAX_SAFE);
  const pieceNum: number | bigint = fast ? Number(p) : p;
  const pieceDen: number | bigint = fast ? Number(pieceDenBig) : pieceDenBig;

  const samplePiece = (): number => {
    for (;;) {
      let k = 0;
      while (bernoulli(pieceNum, pieceDen, rng)) k++;
      let accepted = true;
      for (let i = 2; i <= k; i++) {
        if (rng.int(i) !== 0) {
          accepted = false;
          break;
        }
      }
      if (accepted) return k;
    }
  };

  return () => {
    let total = 0;
    for (let i = 0; i < pieces; i++) total += samplePiece();
    return total;
  };
}

/** Bernoulli(factor·i / (den·j)), exactly: doubles while they hold the integers, BigInt beyond. */
function ratioBernoulli(
  factor: bigint,
  factorNumber: number,
  i: number,
  den: bigint,
  denNumber: number,
  j: number,
  rng: Random,
): boolean {
  const num = factorNumber * i;
  const scaledDen = denNumber * j;
  if (num <= MAX_SAFE && scaledDen <= MAX_SAFE) return uniformBelow(scaledDen, rng) < num;
  return bernoulli(factor * BigInt(i), den * BigInt(j), rng);
}

/**
 * Poisson(p/q) for lambda = p/q >= 8 by exact rejection (used for 8 <= lambda < 48). Target weights R(k) = P(k)/P(m)
 * are rational:
 * R(m + d) = prod_{i=m+1}^{m+d} lambda/i and R(m - 1 - d) = prod_{i=m-d}^{m} i/lambda.
 * Envelope: with s = isqrt(floor(lambda)) + 2 and rho = (s - 1)/s, the right side k = m + d and the left side
 * k = m - 1 - d (d >= 0 geometric: P(d) = (1 - rho)·rho^d) are chosen with probabilities proportional to
 * M_right = max_d R(m + d)/rho^d and M_left = max_d R(m - 1 - d)/rho^d (exact big rationals computed once).
 * The acceptance R(k)/(rho^d·M_side) <= 1 then factors into a product of per-index rationals each <= 1:
 *   right, a_i = lambda/(i·rho) = p·s/(q·(s-1)·i), >= 1 exactly for i <= I = floor(p·s/(q·(s-1))):
 *     m + d <= I: prod_{i=m+d+1}^{I} 1/a_i;  m + d > I: prod_{i=I+1}^{m+d} a_i;
 *   left, b_i = i/(lambda·rho) = q·s·i/(p·(s-1)), >= 1 exactly for i >= J = ceil(p·(s-1)/(q·s)):
 *     m - d >= J: prod_{i=J}^{m-d-1} 1/b_i;  m - d < J: prod_{i=m-d}^{J-1} b_i;
 * each evaluated as independent Bernoulli trials that must all succeed. Cost O(sqrt(lambda)) per draw.
 * Why this is exact: a proposal k on side S with geometric offset d has probability W_S/(W_R + W_L)·(1 - rho)·rho^d and
 * is accepted with R(k)/(rho^d·M_S), which is <= 1 because M_S is the maximum of R/rho^d over that side (a_i decreases
 * and b_i increases in i, so the maximising product takes exactly the factors >= 1: i <= I on the right, i >= J on the
 * left); the product over (proposal, acceptance) is (1 - rho)·R(k)/(M_R + M_L) ∝ P(k), and k < 0 is rejected. Each
 * acceptance factor is a rational in [0, 1] tested by an independent uniform-integer comparison, and the digits of d
 * are independent uniform base-s digits (P(digit = 0) = 1/s = 1 - rho). Reviewed: correct, but O(sqrt(lambda)).
 */
function envelopePoissonSampler(p: bigint, q: bigint, rng: Random): () => number {
  const mBig = p / q;
  if (mBig > BigInt(MAX_SAFE) / 4n) throw new RangeError('Poisson lambda too large');
  const m = Number(mBig);
  const sBig = integerSquareRoot(mBig) + 2n;
  const s = Number(sBig);
  const ps = p * sBig; // a_i = ps / (q(s-1)·i),  b_i = qs·i / (p(s-1))
  const qs1 = q * (sBig - 1n);
  const qs = q * sBig;
  const ps1 = p * (sBig - 1n);
  const rightPeak = Math.max(m, Number(ps / qs1)); // I (always > m for lambda >= 8; clamped for safety)
  const leftPeak = Math.min(m, Number((ps1 + qs - 1n) / qs)); // J (always < m for lambda >= 8)
  // Infinity forces the BigInt path
  const asNumber = (x: bigint): number => (x <= BigInt(MAX_SAFE) ? Number(x) : Infinity);
  const psN = asNumber(ps),
    qs1N = asNumber(qs1),
    qsN = asNumber(qs),
    ps1N = asNumber(ps1);

  // M_right = prod_{i=m+1}^{I} a_i ; M_left = (m/lambda)·prod_{i=J}^{m-1} b_i, as exact fractions
  let rightNum = 1n,
    rightDen = 1n;
  for (let i = m + 1; i <= rightPeak; i++) {
    rightNum *= ps;
    rightDen *= qs1 * BigInt(i);
  }
  let leftNum = mBig * q,
    leftDen = p;
  for (let i = leftPeak; i <= m - 1; i++) {
    leftNum *= qs * BigInt(i);
    leftDen *= ps1;
  }
  // P(right) = M_right / (M_right + M_left)
  const rightWeight = rightNum * leftDen;
  const totalWeight = rightWeight + leftNum * rightDen;

  // d = number of nonzero uniform digits in [0, s) before the first zero, i.e. P(d) = (1 - rho)·rho^d; each
  // rng.int(s^digits) supplies `digits` independent uniform base-s digits at once.
  let digits = 1;
  while (s ** (digits + 1) <= 4294967296) digits++;
  const digitsRange = s ** digits;
  const geometric = (): number => {
    let d = 0;
    for (;;) {
      let word = rng.int(digitsRange);
      for (let i = 0; i < digits; i++) {
        if (word % s === 0) return d;
        d++;
        word = (word - (word % s)) / s;
      }
    }
  };

  const acceptRight = (k: number): boolean => {
    if (k <= rightPeak) {
      for (let i = k + 1; i <= rightPeak; i++) if (!ratioBernoulli(qs1, qs1N, i, ps, psN, 1, rng)) return false;
    } else {
      for (let i = rightPeak + 1; i <= k; i++) if (!ratioBernoulli(ps, psN, 1, qs1, qs1N, i, rng)) return false;
    }
    return true;
  };
  const acceptLeft = (top: number): boolean => {
    // top = m - d, the proposal is k = top - 1
    if (top >= leftPeak) {
      for (let i = leftPeak; i <= top - 1; i++) if (!ratioBernoulli(ps1, ps1N, 1, qs, qsN, i, rng)) return false;
    } else {
      for (let i = top; i <= leftPeak - 1; i++) if (!ratioBernoulli(qs, qsN, i, ps1, ps1N, 1, rng)) return false;
    }
    return true;
  };

  return () => {
    for (;;) {
      const right = bernoulliLazy(rightWeight, totalWeight, rng);
      const d = geometric();
      if (right) {
        if (acceptRight(m + d)) return m + d;
      } else {
        const k = m - 1 - d;
        if (k >= 0 && acceptLeft(m - d)) return k;
      }
    }
  };
}

/** One draw from Poisson(lambda) for rational lambda. */
export function samplePoisson(lambda: RationalLike, rng: Random): number {
  return poissonSampler(lambda, rng)();
}
