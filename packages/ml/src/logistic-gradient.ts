import { checkLabeled, type LabeledData } from './matrix.js';
import { checkWeights, logitOfRow } from './logistic-model.js';
import { logLossFromLogit, sigmoid } from './sigmoid.js';

/**
 * Writes into `gradient` the gradient at `weights` of the loss of the batch rows[start, end):
 * mean log loss + (l2/2)·||w without bias||². Returns that loss. Allocates nothing.
 */
export function batchLossAndGradient(
  weights: Float64Array,
  data: LabeledData,
  rows: ArrayLike<number>,
  start: number,
  end: number,
  l2: number,
  gradient: Float64Array,
): number {
  const { x, y, d } = data;
  // Callers check the shapes (checkLabeled, checkWeights, a gradient of d + 1) and pass rows of the data with
  // start <= end <= rows.length; no per-element checks here, this is the training inner loop.
  gradient.fill(0);
  let loss = 0;
  for (let k = start; k < end; k++) {
    const row = rows[k]!;
    const z = logitOfRow(weights, x, row, d);
    const label = y[row]!;
    loss += logLossFromLogit(label, z);
    const residual = sigmoid(z) - label;
    const base = row * d;
    for (let j = 0; j < d; j++) gradient[j]! += residual * x[base + j]!;
    gradient[d]! += residual;
  }
  const size = end - start;
  let penalty = 0;
  for (let j = 0; j < d; j++) {
    const w = weights[j]!;
    gradient[j] = gradient[j]! / size + l2 * w;
    penalty += w * w;
  }
  gradient[d]! /= size;
  return loss / size + (l2 / 2) * penalty;
}

/** Loss and gradient of one batch (the given rows); bias gradient last. */
export function logisticGradient(
  weights: Float64Array,
  data: LabeledData,
  rows: ArrayLike<number>,
  l2: number,
): { loss: number; gradient: Float64Array } {
  checkLabeled(data);
  checkWeights(weights, data.d);
  if (rows.length === 0) throw new RangeError('a batch needs at least one row');
  const gradient = new Float64Array(data.d + 1);
  const loss = batchLossAndGradient(weights, data, rows, 0, rows.length, l2, gradient);
  return { loss, gradient };
}
