import type { LabeledData, LocalTraining, LocalTrainingResult, Random } from '@tessera/ml';
import { batchLoss, type Wrapped } from './batch-loss.js';
import { readParams, writeParams } from './flat-weights.js';
import { featureTensor, labelTensor } from './losses.js';
import { tf } from './tfjs.js';

/** Adam's constants, as trainModel uses them (tfjs's own default epsilon is 1e-7). */
const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

/**
 * Local training with tfjs's optimisers: `epochs` passes of mini-batch tf.train.sgd or tf.train.adam (fresh
 * moments every call) minimising the batch loss plus the layers' regularisation losses, dropout on. The rows are
 * shuffled with `rng` every epoch, so the batches are reproducible; dropout masks come from tfjs's own generator.
 * This is model.fit's training step run synchronously (model.fit returns a promise; the Model interface is
 * synchronous). FedProx's proximal term is not supported.
 */
export function fitLocal(
  w: Wrapped,
  params: Float64Array,
  data: LabeledData,
  cfg: LocalTraining,
  rng: Random,
  epochs: number,
): LocalTrainingResult {
  if ((cfg.proximalMu ?? 0) > 0) {
    throw new RangeError(
      `proximalMu ${cfg.proximalMu}: FedProx is not supported for tfjs models; use the fedavg strategy (proximalMu 0)`,
    );
  }
  const optimiser = cfg.optimiser ?? 'sgd';
  if (optimiser !== 'sgd' && optimiser !== 'adam') {
    throw new RangeError(`optimiser must be 'sgd' or 'adam', got ${JSON.stringify(optimiser)}`);
  }
  const { n } = data;
  writeParams(w.model, w.slots, params);
  const opt =
    optimiser === 'adam' ? tf.train.adam(cfg.learningRate, BETA1, BETA2, EPSILON) : tf.train.sgd(cfg.learningRate);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const variables = w.trainable.map((t) => t.variable);
  let steps = 0;
  let meanLoss = Number.NaN;
  try {
    for (let epoch = 0; epoch < epochs && n > 0; epoch++) {
      rng.shuffle(order);
      let lossSum = 0;
      let batches = 0;
      for (let start = 0; start < n; start += cfg.batchSize) {
        const end = Math.min(n, start + cfg.batchSize);
        lossSum += tf.tidy(() => {
          const x = featureTensor(data, order, start, end);
          const y = labelTensor(w.task, w.outputs, data, order, start, end);
          const loss = opt.minimize(() => batchLoss(w, x, y, true, true), true, variables);
          return loss!.dataSync()[0]!; // minimize(returnCost = true) returns the scalar cost
        });
        steps++;
        batches++;
      }
      meanLoss = lossSum / batches;
    }
    return { params: readParams(w.model, w.slots), meanLoss, steps };
  } finally {
    opt.dispose();
  }
}
