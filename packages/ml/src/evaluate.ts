import type { LabeledData } from './matrix.js';
import { predictProba } from './logistic-model.js';
import { logLoss } from './log-loss.js';
import { accuracy } from './accuracy.js';
import { auc } from './auc.js';

export interface BinaryMetrics {
  /** Mean log loss, without the L2 penalty. */
  loss: number;
  accuracy: number;
  /** NaN when the data holds only one class. */
  auc: number;
  n: number;
}

export function evaluateBinary(weights: Float64Array, data: LabeledData): BinaryMetrics {
  const p = predictProba(weights, data);
  return { loss: logLoss(data.y, p), accuracy: accuracy(data.y, p), auc: auc(data.y, p), n: data.n };
}
