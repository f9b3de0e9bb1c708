import { checkSameLength } from './check-pairs.js';

const EPS = 1e-12;

/**
 * Mean binary cross-entropy with p clamped to [1e-12, 1-1e-12]; NaN for no examples. The upper clamp is applied
 * as 1-p >= 1e-12, because 1-1e-12 is not exactly representable and the two tails should cost the same.
 */
export function logLoss(y: Float64Array, p: Float64Array): number {
  checkSameLength(y, p);
  let sum = 0;
  for (let i = 0; i < y.length; i++) {
    const yi = y[i]!,
      pi = p[i]!; // same lengths, checked above
    sum -= yi * Math.log(Math.max(EPS, pi)) + (1 - yi) * Math.log(Math.max(EPS, 1 - pi));
  }
  return sum / y.length;
}
