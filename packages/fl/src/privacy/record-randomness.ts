import { systemRandom, type Random } from '@tessera/ml';

/**
 * The secret randomness of one differentially private release, drawn per record in record
 * order: what `releaseSensitivity` relies on. In production every draw comes fresh from
 * node:crypto (`secretRecordRandomness`), so nothing the coordinator knows or chooses (a job
 * seed, the participant's id) decides which records are used or how they are rounded. A test
 * may derive each record's draws from (its own seed, record index) instead, so that the records
 * D and D ∪ {x} share get identical draws: the coupling under which sensitivity is measured.
 */
export interface RecordRandomness {
  /** Record `index`'s selection key, uniform in [0, 1): a release over at most m records uses the m smallest. */
  key(index: number): number;
  /** The stream that rounds record `index`'s own contribution. */
  rounding(index: number): Random;
  /** The stream for draws of the whole release (rounding of a sum, mini-batch order). */
  shared(): Random;
}

/** Fresh draws from the operating system's CSPRNG for every record and the release. */
export function secretRecordRandomness(): RecordRandomness {
  const rng = systemRandom();
  return { key: () => rng.float(), rounding: () => rng, shared: () => rng };
}

/**
 * The records a release uses, ascending: all `n` when n ≤ `max`, otherwise the `max` with the
 * smallest secret keys (ties, which have probability 2^-53, go to the lower index). A fixed-size
 * subset: adding a record can swap it for one used before, which `releaseSensitivity` counts.
 */
export function selectRecords(n: number, max: number, randomness: RecordRandomness): number[] {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`record selection: the record count must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(max) || max < 1)
    throw new RangeError(`record selection: maxRecords must be an integer >= 1, got ${max}`);
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = randomness.key(i);
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => keys[a]! - keys[b]! || a - b); // a, b in 0..n-1 = keys' indices
  return order.slice(0, max).sort((a, b) => a - b);
}
