import { checkMatrix, type Matrix } from './matrix.js';
import { sigmoid } from './sigmoid.js';

/** Zero weights for d features plus the bias, which is stored LAST (index d). */
export function logisticInit(d: number): Float64Array {
  if (!Number.isInteger(d) || d < 0) throw new RangeError(`feature count must be a non-negative integer, got ${d}`);
  return new Float64Array(d + 1);
}

export function checkWeights(weights: Float64Array, d: number): void {
  if (weights.length !== d + 1)
    throw new RangeError(`weights have length ${weights.length}, expected d+1 = ${d + 1} (bias last)`);
}

/** w·x_row + bias. */
export function logitOfRow(weights: Float64Array, x: Float64Array, row: number, d: number): number {
  // Callers check weights (d + 1 entries) and the matrix shape; this is the inner loop of training and scoring.
  let z = weights[d]!;
  const base = row * d;
  for (let j = 0; j < d; j++) z += weights[j]! * x[base + j]!;
  return z;
}

export function predictProba(weights: Float64Array, data: Matrix): Float64Array {
  checkMatrix(data);
  checkWeights(weights, data.d);
  const p = new Float64Array(data.n);
  for (let i = 0; i < data.n; i++) p[i] = sigmoid(logitOfRow(weights, data.x, i, data.d));
  return p;
}
