import type { Random } from '@tessera/ml';

/** `count` distinct ids drawn uniformly without replacement, returned sorted. */
export function sampleWithoutReplacement(ids: readonly string[], count: number, rng: Random): string[] {
  const pool = [...ids];
  if (count < pool.length) rng.shuffle(pool);
  return pool.slice(0, count).sort();
}

/**
 * Poisson sampling: each id independently with probability `rate`, from `rng` (the CSPRNG when
 * privacy amplification depends on it). The sample's size is random and may be empty; resampling
 * until it is large enough would change the rate the accountant assumes, so callers must not.
 */
export function poissonSample<T>(items: readonly T[], rate: number, rng: Random): T[] {
  if (!(rate > 0 && rate <= 1)) throw new RangeError(`sampling rate must be in (0, 1], got ${rate}`);
  return rate === 1 ? [...items] : items.filter(() => rng.float() < rate);
}
