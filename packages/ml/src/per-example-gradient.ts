import { checkLabeled, type LabeledData } from './matrix.js';
import { checkWeights, logitOfRow } from './logistic-model.js';
import { logLossFromLogit, sigmoid } from './sigmoid.js';

/**
 * Calls `visit` with the log-loss gradient of each row on its own (bias last), without the L2
 * penalty, which does not depend on the data. The gradient buffer is reused between calls.
 * Returns the mean loss over the rows.
 */
export function forEachExampleGradient(
  weights: Float64Array,
  data: LabeledData,
  visit: (gradient: Float64Array, row: number) => void,
): number {
  checkLabeled(data);
  checkWeights(weights, data.d);
  const { x, y, d } = data;
  const gradient = new Float64Array(d + 1);
  let loss = 0;
  // checkLabeled and checkWeights above: every index below is in range.
  for (let row = 0; row < data.n; row++) {
    const z = logitOfRow(weights, x, row, d);
    const label = y[row]!;
    loss += logLossFromLogit(label, z);
    const residual = sigmoid(z) - label;
    const base = row * d;
    for (let j = 0; j < d; j++) gradient[j] = residual * x[base + j]!;
    gradient[d] = residual;
    visit(gradient, row);
  }
  return data.n > 0 ? loss / data.n : Number.NaN;
}
