import { checkMatrix, type Matrix } from './matrix.js';
import { checkMoments, type FeatureMoments } from './moments.js';

export interface Standardisation {
  mean: Float64Array;
  /** Population standard deviation; 1 for a (numerically) constant column. */
  std: Float64Array;
  /** Clamp standardised values to [-clip, clip] (winsorising), when the mean and std are noisy estimates. */
  clip?: number;
}

/**
 * A column counts as constant when its variance is below this fraction of mean², the level of rounding
 * error in sumSquares/count - mean² (and 0 absolute for a zero column).
 */
const RELATIVE_VARIANCE_FLOOR = 1e-9;

export function standardisationFrom(m: FeatureMoments): Standardisation {
  if (!(m.count > 0)) throw new RangeError(`standardisation needs at least one row, got count ${m.count}`);
  checkMoments(m);
  const d = m.sum.length;
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const mu = m.sum[j]! / m.count;
    const variance = m.sumSquares[j]! / m.count - mu * mu;
    mean[j] = mu;
    std[j] = variance > RELATIVE_VARIANCE_FLOOR * mu * mu && variance > 0 ? Math.sqrt(variance) : 1;
  }
  return { mean, std };
}

/** (x - mean) / std column by column, into a new matrix. */
export function standardise(data: Matrix, s: Standardisation): Matrix {
  checkMatrix(data);
  const { x, n, d } = data;
  if (s.mean.length !== d || s.std.length !== d) {
    throw new RangeError(`standardisation has ${s.mean.length} features, data has ${d}`);
  }
  const out = new Float64Array(x.length);
  const c = s.clip && s.clip > 0 ? s.clip : Infinity;
  for (let i = 0; i < n; i++) {
    const base = i * d;
    // checkMatrix and the check above: x and out hold n * d values, mean and std d each.
    for (let j = 0; j < d; j++) out[base + j] = Math.max(-c, Math.min(c, (x[base + j]! - s.mean[j]!) / s.std[j]!));
  }
  return { x: out, n, d };
}
