import type { Random } from '@tessera/crypto';
import { nonNegativeRational, type RationalLike } from './rational.js';
import { poissonSampler } from './poisson.js';

/**
 * A sampler of the symmetric Skellam distribution parameterised by its VARIANCE mu (Agarwal, Kairouz, Liu 2021):
 * X = P1 - P2 with P1, P2 independent Poisson(mu/2), so E[X] = 0 and Var[X] = mu. Exact for rational mu
 * (see poissonSampler).
 */
export function skellamSampler(mu: RationalLike, rng: Random): () => number {
  const { num, den } = nonNegativeRational(mu, 'Skellam variance mu');
  const half = poissonSampler({ num, den: 2n * den }, rng);
  return () => half() - half();
}

/** One draw from the symmetric Skellam distribution with variance mu. */
export function sampleSkellam(mu: RationalLike, rng: Random): number {
  return skellamSampler(mu, rng)();
}
