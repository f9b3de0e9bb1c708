import { checkSameLength } from './check-pairs.js';

/** Fraction of rows where (p >= threshold) matches the label; NaN for no examples. */
export function accuracy(y: Float64Array, p: Float64Array, threshold = 0.5): number {
  checkSameLength(y, p);
  let correct = 0;
  for (let i = 0; i < y.length; i++) {
    if ((p[i]! >= threshold ? 1 : 0) === (y[i]! > 0.5 ? 1 : 0)) correct++; // same lengths, checked above
  }
  return correct / y.length;
}
