import type { Random } from '@tessera/crypto';
import { sampleBinomialHalf } from './binomial-half.js';
import { nonNegativeRational, type RationalLike } from './rational.js';
import { poissonSampler } from './poisson.js';

/** Up to this variance one Poisson(mu) and n fair bits beat two Poisson(mu/2) draws. */
const SPLIT_BELOW = 512n;

/**
 * A sampler of the symmetric Skellam distribution parameterised by its VARIANCE mu (Agarwal, Kairouz, Liu 2021):
 * X = P1 - P2 with P1, P2 independent Poisson(mu/2), so E[X] = 0 and Var[X] = mu. Exact for rational mu
 * (see poissonSampler). For mu < 512 it draws N = P1 + P2 ~ Poisson(mu) and, given N, P1 ~ Binomial(N, 1/2)
 * (the conditional law of one of two i.i.d. Poisson summands), X = 2·P1 - N, with the binomial as a count of fair bits;
 * otherwise it draws P1 and P2 directly.
 */
export function skellamSampler(mu: RationalLike, rng: Random): () => number {
  const { num, den } = nonNegativeRational(mu, 'Skellam variance mu');
  if (num < SPLIT_BELOW * den) {
    const total = poissonSampler({ num, den }, rng);
    return () => {
      const n = total();
      return 2 * sampleBinomialHalf(n, rng) - n;
    };
  }
  const half = poissonSampler({ num, den: 2n * den }, rng);
  return () => half() - half();
}

/** One draw from the symmetric Skellam distribution with variance mu. */
export function sampleSkellam(mu: RationalLike, rng: Random): number {
  return skellamSampler(mu, rng)();
}
