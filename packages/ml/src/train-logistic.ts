import type { Random } from '@tessera/crypto';
import { checkLabeled, type LabeledData } from './matrix.js';
import { checkWeights } from './logistic-model.js';
import { checkLogisticConfig, type LogisticConfig } from './logistic-config.js';
import { batchLossAndGradient } from './logistic-gradient.js';

export interface TrainResult {
  weights: Float64Array;
  /** Mean batch loss over the last epoch (NaN when no step was taken). */
  meanLoss: number;
  steps: number;
}

/** Mini-batch SGD, reshuffling the rows every epoch; returns new weights and leaves the input untouched. */
export function trainLogistic(weights: Float64Array, data: LabeledData, cfg: LogisticConfig, rng: Random): TrainResult {
  checkLabeled(data);
  checkWeights(weights, data.d);
  checkLogisticConfig(cfg);
  const { n } = data;
  const w = weights.slice();
  const gradient = new Float64Array(w.length);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let steps = 0;
  let meanLoss = NaN;
  for (let epoch = 0; epoch < cfg.epochs && n > 0; epoch++) {
    rng.shuffle(order);
    let lossSum = 0;
    let batches = 0;
    for (let start = 0; start < n; start += cfg.batchSize) {
      const end = Math.min(n, start + cfg.batchSize);
      lossSum += batchLossAndGradient(w, data, order, start, end, cfg.l2, gradient);
      for (let j = 0; j < w.length; j++) w[j]! -= cfg.learningRate * gradient[j]!; // same length
      batches++;
      steps++;
    }
    meanLoss = lossSum / batches;
  }
  return { weights: w, meanLoss, steps };
}
