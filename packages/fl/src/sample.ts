import type { Random } from '@tessera/ml';

/** `count` distinct ids drawn uniformly without replacement, returned sorted. */
export function sampleWithoutReplacement(ids: readonly string[], count: number, rng: Random): string[] {
  const pool = [...ids];
  if (count < pool.length) rng.shuffle(pool);
  return pool.slice(0, count).sort();
}
