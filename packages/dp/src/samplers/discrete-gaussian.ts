import type { Random } from '@tessera/crypto';
import { bernoulliExp } from './bernoulli.js';
import { discreteLaplaceSampler } from './discrete-laplace.js';
import {
  integerSquareRoot,
  MAX_SAFE,
  multiplyRationals,
  positiveRational,
  type Rational,
  type RationalLike,
} from './rational.js';

/**
 * The exact variance parameter sigma^2 for a given sigma, as a rational: the exact square of sigma's rational value
 * (a number is taken at its exact binary value, so sigma = 3 gives 9 and sigma = 0.5 gives 1/4, while sigma = 0.1 gives
 * the square of the double nearest 0.1; pass the string "0.1" to mean exactly 1/10, so sigma^2 = 1/100).
 */
export function varianceFromSigma(sigma: RationalLike): Rational {
  const s = positiveRational(sigma, 'sigma');
  return multiplyRationals(s, s);
}

/**
 * A sampler of the discrete Gaussian N_Z(0, sigma^2): P(x) ∝ exp(-x^2 / (2 sigma^2)) on the integers
 * (CKS 2020, Algorithm 3). sigma2 is the rational sigma^2 = a/b, taken exactly (see RationalLike; a number is its exact
 * binary value, so pass integers, dyadic values or strings such as "1.21" to stay on the fast path).
 * Exact: t = floor(sigma) + 1 = isqrt(floor(a/b)) + 1; Y ~ discrete Laplace(t); accept Y with
 * Bernoulli(exp(-gamma)), gamma = (|Y| - sigma^2/t)^2 / (2 sigma^2) = (|Y|·b·t - a)^2 / (2·a·b·t^2), an exact rational.
 * Doubles hold the integers while they are below 2^53, BigInt beyond.
 */
export function discreteGaussianSampler(sigma2: RationalLike, rng: Random): () => number {
  const { num: a, den: b } = positiveRational(sigma2, 'sigma^2');
  const tBig = integerSquareRoot(a / b) + 1n;
  if (tBig > 4294967296n) throw new RangeError('discrete Gaussian sigma must be below 2^32');
  const laplace = discreteLaplaceSampler(tBig, rng);
  const gammaDenBig = 2n * a * b * tBig * tBig;
  const fast = gammaDenBig <= BigInt(MAX_SAFE);
  const an = Number(a),
    bt = Number(b * tBig),
    gammaDen = Number(gammaDenBig);
  const btBig = b * tBig;
  return () => {
    for (;;) {
      const y = laplace();
      const magnitude = y < 0 ? -y : y;
      if (fast) {
        const scaled = magnitude * bt;
        if (scaled <= MAX_SAFE) {
          const diff = scaled - an;
          const gammaNum = diff * diff;
          if (gammaNum <= MAX_SAFE) {
            if (bernoulliExp(gammaNum, gammaDen, rng)) return y;
            continue;
          }
        }
      }
      const diff = BigInt(magnitude) * btBig - a;
      if (bernoulliExp(diff * diff, gammaDenBig, rng)) return y;
    }
  };
}

/** One draw from N_Z(0, sigma^2) for the rational variance parameter sigma2. */
export function sampleDiscreteGaussian(sigma2: RationalLike, rng: Random): number {
  return discreteGaussianSampler(sigma2, rng)();
}
