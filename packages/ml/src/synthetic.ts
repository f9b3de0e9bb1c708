import type { Random } from '@tessera/crypto';
import type { LabeledData } from './matrix.js';

export interface SeparableData {
  data: LabeledData;
  /** The hyperplane that separates the classes; bias last, like the model's weights. */
  truth: Float64Array;
}

/**
 * Gaussian features labelled by a random hyperplane through the origin (y = 1 when truth·x > 0), so the
 * classes are linearly separable. Reusing `truth` draws more rows from the same problem (e.g. a test set).
 */
export function separableData(n: number, d: number, rng: Random, truth?: Float64Array): SeparableData {
  const w = truth ?? randomHyperplane(d, rng);
  if (w.length !== d + 1) throw new RangeError(`truth has length ${w.length}, expected d+1 = ${d + 1}`);
  const x = new Float64Array(n * d);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let z = w[d]!; // w.length = d + 1, checked above
    for (let j = 0; j < d; j++) {
      const v = rng.gaussian();
      x[i * d + j] = v;
      z += w[j]! * v;
    }
    y[i] = z > 0 ? 1 : 0;
  }
  return { data: { x, y, n, d }, truth: w };
}

function randomHyperplane(d: number, rng: Random): Float64Array {
  const w = new Float64Array(d + 1);
  for (let j = 0; j < d; j++) w[j] = rng.gaussian();
  return w;
}
