import type { Random } from '@tessera/ml';

/** Unbiased stochastic rounding: floor(x) + 1 with probability frac(x), so E[round(x)] = x. */
export function stochasticRound(x: number, rng: Random): number {
  const f = Math.floor(x);
  return rng.float() < x - f ? f + 1 : f;
}
