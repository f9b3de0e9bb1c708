/**
 * Turns the logits z[offset, offset + k) into probabilities in place (max-shifted, so no overflow) and returns
 * log Σ exp(z), the log-partition: the log loss of class c is logPartition - z_c (taken before the call).
 */
export function softmaxInPlace(z: Float64Array, offset: number, k: number): number {
  // Callers pass offset + k <= z.length.
  let max = -Infinity;
  for (let c = 0; c < k; c++) if (z[offset + c]! > max) max = z[offset + c]!;
  let sum = 0;
  for (let c = 0; c < k; c++) {
    const e = Math.exp(z[offset + c]! - max);
    z[offset + c] = e;
    sum += e;
  }
  for (let c = 0; c < k; c++) z[offset + c]! /= sum;
  return max + Math.log(sum);
}
