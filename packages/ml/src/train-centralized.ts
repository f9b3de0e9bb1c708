import type { Random } from '@tessera/crypto';
import type { LabeledData } from './matrix.js';
import { logisticInit } from './logistic-model.js';
import type { LogisticConfig } from './logistic-config.js';
import { trainLogistic } from './train-logistic.js';

/** The pooled-data baseline: from zero weights, epochs × rounds epochs of SGD on all the data. */
export function trainCentralized(
  data: LabeledData,
  cfg: LogisticConfig & { rounds?: number },
  rng: Random,
): Float64Array {
  const rounds = cfg.rounds ?? 1;
  if (!(Number.isInteger(rounds) && rounds >= 0)) throw new RangeError(`rounds must be an integer >= 0, got ${rounds}`);
  const { l2, learningRate, batchSize, epochs } = cfg;
  return trainLogistic(logisticInit(data.d), data, { l2, learningRate, batchSize, epochs: epochs * rounds }, rng)
    .weights;
}
