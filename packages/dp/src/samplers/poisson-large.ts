import type { Random } from '@tessera/crypto';
import { bernoulliExp } from './bernoulli.js';
import { integerLaplaceSampler } from './integer-laplace.js';
import { expBounds } from './exp-bounds.js';
import { LazyUniform } from './lazy-uniform.js';
import { integerSquareRoot, MAX_SAFE } from './rational.js';

const TWO_32 = 4294967296;
const TWO_32_BIG = 4294967296n;
const SAFE = BigInt(MAX_SAFE);

/** Optional counters of the rare exact paths (for tests and diagnostics). */
export interface PoissonPathCounters {
  /** Proposals whose squeeze was inconclusive, decided by the exact comparison. */
  exactComparisons: number;
  /** Proposals outside the fast ranges (far tails), decided by the exact comparison. */
  tailProposals: number;
}

/**
 * Poisson(lambda), lambda = p/q >= 16, exactly, in O(1) expected operations (on integers of O(log lambda) bits).
 *
 * Notation: m = floor(lambda), r0 = p - m·q (so lambda - m = r0/q), t = isqrt(m) >= 4, and the target relative to the
 * mode, L(y) = log(P(m + y)/P(m)):
 *   y > 0:  L(y) = -sum_{i=1}^{y} log(1 + x_i),       x_i = (q·i - r0)/p  in (0, 1) for i <= m;
 *   y = -u: L(y) =  sum_{i=0}^{u-1} log(1 + z_i),      z_i = -(q·i + r0)/p in (-1/2, 0] for i < u <= floor(m/2).
 *
 * Proposal: Y ~ discrete Laplace(t), P(Y = y) ∝ exp(-|y|/t) (exact, CKS 2020 Algorithm 2), k = m + Y (k < 0 rejected).
 * Accept with probability a(y) = exp(L(y) + |y|/t - mu) for a rational mu >= sup_y (L(y) + |y|/t); then P(k) ∝ e^{L}.
 *
 * Elementary bounds (each proved by differentiating the difference, which vanishes at 0):
 *   x >= 0:     x - x²/2 <= log(1 + x) <= x - x²/2 + x³/3;
 *   -1/2 < z <= 0: z - z²/2 - (2/3)|z|³ <= log(1 + z) <= z - z²/2   (the series tail sum_{n>=3} |z|^n/n <=
 * |z|³/(3(1-|z|))).
 * Summed in closed form with power sums they give rational polynomials in y:
 *   right (1 <= y <= m):       G(y) = -sum (x_i - x_i²/2) >= L(y) >= G(y) - delta,  delta = sum x_i³/3;
 *   left  (1 <= u <= m/2):     G(y) =  sum (z_i - z_i²/2) >= L(y) >= G(y) - delta,  delta = (2/3) sum |z_i|³;
 * so a(y) = r · exp(-gamma) with gamma = mu - G(y) - |y|/t >= 0 (rational) and r = exp(L(y) - G(y)) in [e^{-delta}, 1].
 * exp(-gamma) is an exact Bernoulli (bernoulliExp); r is decided by a uniform U revealed 32 bits at a time: U < 1 -
 * delta
 * (<= e^{-delta} <= r) accepts at once, which fails only with probability <= delta = O(y⁴/lambda³); otherwise U is
 * compared exactly with r = R(y)·e^{-G(y)} (R(y) = P(m + y)/P(m) as an exact big rational, e^{c} bracketed by Taylor
 * bounds that shrink until the comparison is decided).
 *
 * mu: G + |y|/t has increments -(x - x²/2) + 1/t (right) and (z - z²/2) + 1/t (left) that decrease with |y| (x - x²/2
 * is
 * increasing on (-1, 1)), so it is discretely concave on each fast range and its maximum is found exactly by bisection
 * on
 * the sign of the increment. Outside the fast ranges (y > m, or u > m/2) L(y) + |y|/t keeps decreasing, because there
 * log(1 + x_i) >= log(31/16) > 1/t and log(1 + z_i) <= log(17/32) < -1/t (lambda >= 16, t >= 4), so it stays below its
 * value at the end of the fast range, itself below mu. Proposals there (probability <= e^{-sqrt(lambda)/2}-ish) are
 * accepted by comparing U exactly with a(y) = R(y)·e^{|y|/t - mu}.
 * All quantities are exact rationals over D = 2·p²·t; no floating point is used in any decision.
 */
export function largePoissonSampler(p: bigint, q: bigint, rng: Random, counters?: PoissonPathCounters): () => number {
  const m = p / q;
  if (m < 16n) throw new RangeError('largePoissonSampler needs lambda >= 16');
  if (m > SAFE / 4n) throw new RangeError('Poisson lambda too large');
  const r0 = p - m * q;
  const t = integerSquareRoot(m);
  const p2 = p * p;
  const twoP = 2n * p;
  const twoP2 = 2n * p2;
  const D = twoP2 * t;
  const threeP3 = 3n * p2 * p;
  const mNumber = Number(m);
  const leftEnd = mNumber >> 1; // u0 = floor(m/2)

  // Power sums over the right range i = 1..y of a_i = q·i - r0 and over the left range i = 0..u-1 of b_i = q·i + r0.
  const rightSums = (y: bigint): [bigint, bigint, bigint] => {
    const t1 = (y * (y + 1n)) / 2n;
    const t2 = (y * (y + 1n) * (2n * y + 1n)) / 6n;
    const t3 = t1 * t1;
    const s1 = q * t1 - r0 * y;
    const s2 = q * q * t2 - 2n * q * r0 * t1 + r0 * r0 * y;
    const s3 = q * q * q * t3 - 3n * q * q * r0 * t2 + 3n * q * r0 * r0 * t1 - r0 * r0 * r0 * y;
    return [s1, s2, s3];
  };
  const leftSums = (u: bigint): [bigint, bigint, bigint] => {
    const n = u - 1n; // sum over i = 0..n
    const t1 = (n * (n + 1n)) / 2n;
    const t2 = (n * (n + 1n) * (2n * n + 1n)) / 6n;
    const t3 = t1 * t1;
    const b1 = q * t1 + r0 * u;
    const b2 = q * q * t2 + 2n * q * r0 * t1 + r0 * r0 * u;
    const b3 = q * q * q * t3 + 3n * q * q * r0 * t2 + 3n * q * r0 * r0 * t1 + r0 * r0 * r0 * u;
    return [b1, b2, b3];
  };
  // D·(G(y) + |y|/t): right G = (-2p·S1 + S2)/(2p²), left G = -(2p·B1 + B2)/(2p²)
  const rightScore = (y: bigint): bigint => {
    const [s1, s2] = rightSums(y);
    return t * (s2 - twoP * s1) + twoP2 * y;
  };
  const leftScore = (u: bigint): bigint => {
    if (u === 0n) return 0n;
    const [b1, b2] = leftSums(u);
    return twoP2 * u - t * (twoP * b1 + b2);
  };
  // max of a discretely concave score on [0, end]: the first point whose increment is <= 0 (bisection)
  const concaveMax = (score: (v: bigint) => bigint, end: bigint): bigint => {
    let lo = 0n,
      hi = end; // answer in [lo, hi]
    while (lo < hi) {
      const mid = (lo + hi) / 2n;
      if (score(mid + 1n) - score(mid) <= 0n) hi = mid;
      else lo = mid + 1n;
    }
    return score(lo);
  };
  let muNum = concaveMax(rightScore, m);
  const leftMax = concaveMax(leftScore, BigInt(leftEnd));
  if (leftMax > muNum) muNum = leftMax;
  if (muNum < 0n) muNum = 0n;

  // Double-precision fast path: for |y| <= ySafe every integer below (power sums, scores, squeeze bounds) is < 2^53, so
  // the same formulas are exact in doubles. ySafe is found by bisection on exact BigInt bounds of the largest terms.
  const qN = Number(q),
    r0N = Number(r0),
    tN = Number(t),
    twoPN = Number(twoP),
    twoP2N = Number(twoP2);
  const fits = (y: bigint): boolean => {
    // bounds on the absolute value of every intermediate of acceptFast for |y| <= Y (the left sums, over i <= u - 1
    // with u <= Y, are termwise below the right ones; partial sums are below the sums of absolute values)
    const t1 = (y * (y + 1n)) / 2n,
      t2 = (y * (y + 1n) * (2n * y + 1n)) / 6n;
    const sA = q * t1 + r0 * y;
    const sB = q * q * t2 + 2n * q * r0 * t1 + r0 * r0 * y;
    const sC = 2n * (q * q * q * t1 * t1 + 3n * q * q * r0 * t2 + 3n * q * r0 * r0 * t1 + r0 * r0 * r0 * y);
    const score = t * (sB + twoP * sA) + twoP2 * y;
    const bounds = [y * (y + 1n) * (2n * y + 1n), sC, score + muNum, twoP * sA + sB, D];
    return bounds.every((v) => v <= SAFE);
  };
  let safeLo = 0n,
    safeHi = m;
  while (safeLo < safeHi) {
    const mid = (safeLo + safeHi + 1n) / 2n;
    if (fits(mid)) safeLo = mid;
    else safeHi = mid - 1n;
  }
  const ySafe = Number(safeLo);
  const muNumber = Number(muNum);
  // squeeze in doubles: E >= delta·2^32 as an integer (E = ceil(s3/K) with K = floor(3p³/2^32), or s3·A with A =
  // ceil(2^32/(3p³)))
  const squeezeK = threeP3 >= TWO_32_BIG ? threeP3 / TWO_32_BIG : 0n;
  const squeezeKN = squeezeK <= SAFE ? Number(squeezeK) : 0;
  const squeezeAN = squeezeK === 0n ? Number((TWO_32_BIG + threeP3 - 1n) / threeP3) : 0;
  /** An integer E >= (deltaNum/(3p³))·2^32, or -1 if it cannot be formed exactly in doubles. */
  const squeezeBound = (deltaNum: number): number => {
    if (squeezeKN > 0) {
      const rest = deltaNum % squeezeKN;
      return (deltaNum - rest) / squeezeKN + (rest > 0 ? 1 : 0);
    }
    if (squeezeAN > 0) {
      const e = deltaNum * squeezeAN;
      return e <= MAX_SAFE ? e : -1;
    }
    return -1;
  };

  const laplace = integerLaplaceSampler(Number(t), rng);
  const dSafe = D <= SAFE;
  const dNumber = Number(D);
  const expTest = (gammaNum: bigint): boolean =>
    dSafe && gammaNum <= SAFE ? bernoulliExp(Number(gammaNum), dNumber, rng) : bernoulliExp(gammaNum, D, rng);

  // U < f·e^{c}, c = cNum/cDen of either sign, deciding exactly with ever tighter Taylor bounds.
  const below = (u: LazyUniform, fNum: bigint, fDen: bigint, cNum: bigint, cDen: bigint): boolean => {
    const negative = cNum < 0n;
    const magnitude = negative ? -cNum : cNum;
    for (let terms = 12; ; terms += 12) {
      const b = expBounds(magnitude, cDen, terms);
      const verdict = negative
        ? u.decide(fNum, fDen, b.hiDen, b.hiNum, b.loDen, b.loNum) // e^{-|c|} in [1/hi, 1/lo]
        : u.decide(fNum, fDen, b.loNum, b.loDen, b.hiNum, b.hiDen);
      if (verdict !== undefined) return verdict;
      u.refine();
    }
  };
  // R(y) = P(m + y)/P(m) as an exact fraction
  const ratio = (y: number): [bigint, bigint] => {
    let num = 1n,
      den = 1n;
    if (y > 0) {
      for (let i = 1; i <= y; i++) {
        num *= p;
        den *= q * (m + BigInt(i));
      }
    } else {
      for (let i = 0; i < -y; i++) {
        num *= q * (m - BigInt(i));
        den *= p;
      }
    }
    return [num, den];
  };
  // Accept r = R(y)·e^{c} (c = cNum/(2p²) > 0) given delta = deltaNum/deltaDen: cheap squeeze, then the exact
  // comparison.
  const acceptRemainder = (y: number, deltaNum: bigint, deltaDen: bigint, cNum: bigint): boolean => {
    const w = rng.int(TWO_32);
    // U < (w + 1)/2^32 <= 1 - delta  <=>  (2^32 - 1 - w)·deltaDen >= deltaNum·2^32
    if (BigInt(TWO_32 - 1 - w) * deltaDen >= deltaNum * TWO_32_BIG) return true;
    if (counters) counters.exactComparisons++;
    const [rNum, rDen] = ratio(y);
    return below(new LazyUniform(rng, w), rNum, rDen, cNum, twoP2);
  };

  // The fast range in doubles: returns the verdict for y (1 <= |y| <= min(ySafe, range end)).
  const acceptFast = (y: number): boolean => {
    let sA: number, sB: number, sC: number, score: number, cNum: number;
    if (y > 0) {
      const t1 = (y * (y + 1)) / 2,
        t2 = (y * (y + 1) * (2 * y + 1)) / 6;
      sA = qN * t1 - r0N * y;
      sB = qN * qN * t2 - 2 * qN * r0N * t1 + r0N * r0N * y;
      sC = qN * qN * qN * t1 * t1 - 3 * qN * qN * r0N * t2 + 3 * qN * r0N * r0N * t1 - r0N * r0N * r0N * y;
      score = tN * (sB - twoPN * sA) + twoP2N * y;
      cNum = twoPN * sA - sB;
    } else {
      const u = -y,
        n = u - 1;
      const t1 = (n * (n + 1)) / 2,
        t2 = (n * (n + 1) * (2 * n + 1)) / 6;
      sA = qN * t1 + r0N * u;
      sB = qN * qN * t2 + 2 * qN * r0N * t1 + r0N * r0N * u;
      sC = 2 * (qN * qN * qN * t1 * t1 + 3 * qN * qN * r0N * t2 + 3 * qN * r0N * r0N * t1 + r0N * r0N * r0N * u);
      score = twoP2N * u - tN * (twoPN * sA + sB);
      cNum = twoPN * sA + sB;
    }
    if (!bernoulliExp(muNumber - score, dNumber, rng)) return false;
    const w = rng.int(TWO_32);
    const e = squeezeBound(sC);
    if (e >= 0 && w + 1 + e <= TWO_32) return true;
    if (BigInt(TWO_32 - 1 - w) * threeP3 >= BigInt(sC) * TWO_32_BIG) return true;
    if (counters) counters.exactComparisons++;
    const [rNum, rDen] = ratio(y);
    return below(new LazyUniform(rng, w), rNum, rDen, BigInt(cNum), twoP2);
  };

  return () => {
    for (;;) {
      const y = laplace();
      if (y === 0) {
        if (expTest(muNum)) return mNumber;
        continue;
      }
      if (y < -mNumber) continue;
      if (y <= ySafe && y >= -ySafe && (y > 0 || -y <= leftEnd)) {
        if (acceptFast(y)) return mNumber + y;
        continue;
      }
      if (y > 0 && y <= mNumber) {
        const yb = BigInt(y);
        const [s1, s2, s3] = rightSums(yb);
        const score = t * (s2 - twoP * s1) + twoP2 * yb;
        if (!expTest(muNum - score)) continue;
        if (acceptRemainder(y, s3, threeP3, twoP * s1 - s2)) return mNumber + y;
        continue;
      }
      if (y < 0 && -y <= leftEnd) {
        const ub = BigInt(-y);
        const [b1, b2, b3] = leftSums(ub);
        const score = twoP2 * ub - t * (twoP * b1 + b2);
        if (!expTest(muNum - score)) continue;
        if (acceptRemainder(y, 2n * b3, threeP3, twoP * b1 + b2)) return mNumber + y;
        continue;
      }
      // far tails: a(y) = R(y)·e^{|y|/t - mu}
      if (counters) counters.tailProposals++;
      const [rNum, rDen] = ratio(y);
      const magnitude = BigInt(y < 0 ? -y : y);
      if (below(new LazyUniform(rng), rNum, rDen, twoP2 * magnitude - muNum, D)) return mNumber + y;
    }
  };
}
