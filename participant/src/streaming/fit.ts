// FIT over a large data set: mini-batch training over the engine's scan, one batch of rows in memory at a time.
import { trainModel, type LocalTraining, type Model, type Random } from '@tessera/ml';
import type { LocalData } from '../local-data.js';
import { labeledBatches, type LabeledScan } from './encoded-batches.js';

export interface StreamedFit {
  params: Float64Array;
  /** Mean mini-batch loss over the last epoch (NaN when no step was taken). */
  meanLoss: number;
  steps: number;
  /** Training rows (each epoch sees every one once). */
  examples: number;
}

/**
 * `cfg.epochs` passes over the scan's training rows. Each batch of the scan (BATCH_ROWS rows) is shuffled with `rng`
 * and cut into mini-batches of `cfg.batchSize` by trainModel, continuing from the parameters the previous batch left:
 * the in-memory fit with the shuffle confined to a batch. Adam's moments restart with each batch of the scan.
 */
export async function streamedFit(
  data: LocalData,
  name: string,
  scan: LabeledScan,
  model: Model,
  global: Float64Array,
  cfg: LocalTraining,
  rng: Random,
): Promise<StreamedFit> {
  let params = global;
  let steps = 0;
  let examples = 0;
  let meanLoss = Number.NaN;
  for (let epoch = 0; epoch < cfg.epochs; epoch++) {
    let lossSum = 0;
    let epochSteps = 0;
    let rows = 0;
    for await (const batch of labeledBatches(data, name, scan, 'train')) {
      const r = trainModel(model, params, batch, { ...cfg, epochs: 1 }, rng);
      params = r.params;
      if (r.steps > 0) lossSum += r.meanLoss * r.steps;
      epochSteps += r.steps;
      rows += batch.n;
    }
    steps += epochSteps;
    examples = rows;
    meanLoss = epochSteps > 0 ? lossSum / epochSteps : Number.NaN;
  }
  if (cfg.epochs === 0) examples = await countTraining(data, name, scan);
  return { params: params === global ? global.slice() : params, meanLoss, steps, examples };
}

async function countTraining(data: LocalData, name: string, scan: LabeledScan): Promise<number> {
  let n = 0;
  for await (const batch of labeledBatches(data, name, scan, 'train')) n += batch.n;
  return n;
}
