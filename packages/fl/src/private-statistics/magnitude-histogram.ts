/**
 * A histogram of |x| over powers of four, one per feature: the first private release of a
 * differentially private statistics stage, from which public clipping bounds are read.
 * Bucket 0 holds |x| < 4^-12, bucket k (1..22) holds [4^(k-13), 4^(k-12)), the last bucket
 * everything from 4^10 up. Wide buckets keep few of them empty (less noise to wade through)
 * at the cost of a bound up to four times the largest value. Each record adds exactly 1 to
 * one bucket of each feature, so the L2 norm of one record's contribution is sqrt(d), and two
 * records' contributions differ by at most sqrt(2d) (per feature, -1 in one bucket and +1 in another).
 */
export const MAGNITUDE_BUCKETS = 48;
/** One record's norm bound and two records' difference bound, for releaseSensitivity. */
export const magnitudeNorms = (d: number) => ({ unitNorm: Math.sqrt(d), replaceNorm: Math.sqrt(2 * d) });
const OFFSET = 25;

export function magnitudeBucket(v: number): number {
  const a = Math.abs(v);
  if (!(a >= 2 ** -24)) return 0;
  return Math.min(MAGNITUDE_BUCKETS - 1, Math.floor(Math.log2(a)) + OFFSET);
}

/** The upper edge of a bucket (the bound that covers every value in it). */
export function bucketUpperEdge(k: number): number {
  return k === 0 ? 2 ** -24 : 2 ** (k - OFFSET + 1);
}

/** Adds one row's buckets (row-major x, feature j at [j * MAGNITUDE_BUCKETS + bucket]) with the given weight. */
export function addMagnitudes(histogram: Float64Array, x: Float64Array, offset: number, d: number, weight = 1): void {
  checkHistogram(histogram, d);
  if (!(Number.isInteger(offset) && offset >= 0 && offset + d <= x.length)) {
    throw new RangeError(`a record of ${d} features at offset ${offset} runs past the end of x (length ${x.length})`);
  }
  // In range by the checks above; magnitudeBucket returns 0..MAGNITUDE_BUCKETS-1.
  for (let j = 0; j < d; j++) histogram[j * MAGNITUDE_BUCKETS + magnitudeBucket(x[offset + j]!)]! += weight;
}

function checkHistogram(histogram: Float64Array, d: number): void {
  if (histogram.length < d * MAGNITUDE_BUCKETS) {
    const needed = d * MAGNITUDE_BUCKETS;
    throw new RangeError(`a histogram of ${d} features needs ${needed} buckets, got ${histogram.length}`);
  }
}

/**
 * Per-feature clipping bounds from a (noisy) histogram: the upper edge of the highest bucket whose
 * count stands clear of the noise (above `threshold`, a few noise standard deviations) and holds
 * at least `share` of the records. If no single bucket does (little data, much noise), the
 * window of five neighbouring buckets with the largest total is taken as where the data lives,
 * and its upper edge is the bound. The record count is estimated from the whole histogram (every
 * record adds one to each feature), so its noise averages out over all buckets.
 */
export function boundsFromHistogram(histogram: Float64Array, d: number, share = 0.01, threshold = 0): Float64Array {
  checkHistogram(histogram, d);
  // Every index below is under d * MAGNITUDE_BUCKETS <= histogram.length.
  let total = 0;
  for (let i = 0; i < d * MAGNITUDE_BUCKETS; i++) total += histogram[i]!;
  const records = Math.max(0, total / Math.max(1, d));
  const needed = Math.max(threshold, share * records);
  const bounds = new Float64Array(d);
  const at = (j: number, k: number) => (k >= 0 && k < MAGNITUDE_BUCKETS ? histogram[j * MAGNITUDE_BUCKETS + k]! : 0);
  for (let j = 0; j < d; j++) {
    let chosen = -1;
    for (let k = 0; k < MAGNITUDE_BUCKETS; k++) if (at(j, k) > needed) chosen = k;
    if (chosen < 0) {
      let best = -Infinity;
      for (let k = 0; k < MAGNITUDE_BUCKETS; k++) {
        const window = at(j, k - 2) + at(j, k - 1) + at(j, k) + at(j, k + 1) + at(j, k + 2);
        if (window > best) {
          best = window;
          chosen = Math.min(MAGNITUDE_BUCKETS - 1, k + 2);
        }
      }
    }
    bounds[j] = bucketUpperEdge(chosen);
  }
  return bounds;
}
