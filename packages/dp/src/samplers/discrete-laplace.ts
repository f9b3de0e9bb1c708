import type { Random } from '@tessera/crypto';
import { bernoulliExp, bernoulliExpMinusOne } from './bernoulli.js';
import { asSafeIntegers, positiveRational, type RationalLike } from './rational.js';
import { uniformBelow } from './uniform.js';

const TWO_32 = 4294967296;

/**
 * A sampler of the discrete Laplace distribution with scale t = num/den: P(x) ∝ exp(-|x|/t) on the integers
 * (CKS 2020, Algorithm 2, with their integers t := num and s := den). Exact: U uniform in [0, num),
 * accepted with Bernoulli(exp(-U/num)); V = number of Bernoulli(exp(-1)) successes before the first failure;
 * X = U + num·V; Y = floor(X/den); a fair sign with (negative, 0) rejected.
 * The reduced num must be <= 2^32 and den <= 2^53 - 1.
 */
export function discreteLaplaceSampler(scale: RationalLike, rng: Random): () => number {
  const safe = asSafeIntegers(positiveRational(scale, 'discrete Laplace scale'));
  if (!safe || safe.num > TWO_32)
    throw new RangeError('discrete Laplace scale needs a numerator <= 2^32 and a denominator < 2^53 (reduced)');
  const { num: t, den: s } = safe;
  return () => {
    for (;;) {
      const u = t === 1 ? 0 : uniformBelow(t, rng);
      if (u !== 0 && !bernoulliExp(u, t, rng)) continue;
      let v = 0;
      while (bernoulliExpMinusOne(rng)) v++;
      const x = u + t * v; // v is geometric, so this stays far below 2^53
      // exact integer division: % is exact on integers below 2^53, and s divides x - x % s
      const y = s === 1 ? x : (x - (x % s)) / s;
      const negative = rng.int(2) === 1;
      if (negative && y === 0) continue;
      return negative ? -y : y;
    }
  };
}

/** One draw from the discrete Laplace distribution with scale t: P(x) ∝ exp(-|x|/t). */
export function sampleDiscreteLaplace(scale: RationalLike, rng: Random): number {
  return discreteLaplaceSampler(scale, rng)();
}
