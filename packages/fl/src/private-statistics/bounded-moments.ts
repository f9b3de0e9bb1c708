import type { FeatureMoments } from '@tessera/ml';

/**
 * Moments of features clamped to public bounds, in units of the bound: one record adds
 * (1, c_1..c_d, c_1²..c_d²) with c_j = clamp(x_j / B_j, -1, 1), so its contribution has L2 norm
 * at most sqrt(2d + 1): the second private release of a differentially private statistics stage.
 * Two records' contributions differ by at most 2·sqrt(d): per feature (c − c')² + (c² − c'²)²
 * = (c − c')²(1 + (c + c')²), whose maximum over |c|, |c'| ≤ 1 is 4 (at c = −c' = ±1), and the
 * counts cancel.
 *
 * c and c² are rounded to the nearest multiple of 2^-24 (which keeps them in [-1, 1] and [0, 1]),
 * so sums over fewer than 2^28 records are exact in floating point: the sensitivity bound holds
 * for the computed sum, not only for the real one.
 */
export const boundedMomentsLength = (d: number) => 2 * d + 1;
export const boundedMomentsSensitivity = (d: number) => Math.sqrt(2 * d + 1);
/** One record's norm bound and two records' difference bound, for releaseSensitivity. */
export const boundedMomentsNorms = (d: number) => ({ unitNorm: Math.sqrt(2 * d + 1), replaceNorm: 2 * Math.sqrt(d) });

const GRID = 2 ** 24;
const onGrid = (v: number) => Math.round(v * GRID) / GRID;

export function addBoundedMoments(
  acc: Float64Array,
  x: Float64Array,
  offset: number,
  bounds: Float64Array,
  weight = 1,
): void {
  const d = bounds.length;
  if (acc.length !== boundedMomentsLength(d)) {
    throw new RangeError(`bounded moments of ${d} features need ${boundedMomentsLength(d)} sums, got ${acc.length}`);
  }
  if (!(Number.isInteger(offset) && offset >= 0 && offset + d <= x.length)) {
    throw new RangeError(`a record of ${d} features at offset ${offset} runs past the end of x (length ${x.length})`);
  }
  acc[0]! += weight;
  // Every index below is in range by the two checks above.
  for (let j = 0; j < d; j++) {
    const c = onGrid(Math.max(-1, Math.min(1, x[offset + j]! / bounds[j]!)));
    acc[1 + j]! += weight * c;
    acc[1 + d + j]! += weight * onGrid(c * c);
  }
}

/**
 * Moments in the data's own units from a (noisy) bounded-moment sum whose coordinates carry noise
 * of standard deviation `noiseStd`. The count is the first coordinate (at least 1). A variance
 * is used only when it stands clear of its own noise (three standard deviations); otherwise the
 * feature's spread is taken as a quarter of its bound, which keeps standardised values of order
 * one without trusting a variance the noise has swamped (post-processing: no privacy cost).
 */
export function momentsFromBounded(sum: Float64Array, bounds: Float64Array, noiseStd = 0): FeatureMoments {
  const d = bounds.length;
  if (sum.length !== boundedMomentsLength(d)) {
    throw new RangeError(`bounded moments of ${d} features have ${boundedMomentsLength(d)} sums, got ${sum.length}`);
  }
  const count = Math.max(1, sum[0]!);
  const total = new Float64Array(d);
  const sumSquares = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    // sum has 2d + 1 entries (checked above) and bounds d.
    const c = Math.max(-1, Math.min(1, sum[1 + j]! / count));
    const second = Math.max(0, Math.min(1, sum[1 + d + j]! / count));
    const variance = second - c * c;
    const varianceNoise = ((1 + 2 * Math.abs(c)) * noiseStd) / count;
    const spread = variance > 3 * varianceNoise ? variance : 1 / 16;
    const bound = bounds[j]!;
    total[j] = c * bound * count;
    sumSquares[j] = (c * c + spread) * bound ** 2 * count;
  }
  return { count, sum: total, sumSquares };
}
