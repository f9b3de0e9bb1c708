import { encodeTable, type AgreedSchema, type RawTable } from '@tessera/data';
import {
  momentsOf,
  seededRandom,
  standardisationFrom,
  standardise,
  trainCentralizedModel,
  type LocalOptimiser,
  type ModelSpec,
} from '@tessera/ml';
import { demoModel, qualityOn, trainingLabels } from './demo-model.js';
import type { DemoTarget } from './demo-task.js';
import type { Quality } from './quality.js';

export { qualityOf, type Quality } from './quality.js';

/** The local settings of the federation, and its rounds: a baseline trains epochs × rounds epochs. */
export interface BaselineTraining {
  learningRate: number;
  batchSize: number;
  epochs: number;
  rounds: number;
  optimiser: LocalOptimiser;
}

/**
 * Trains a model on one table alone (the pooled data for the centralized ceiling, one shard for a local-only model),
 * standardised by that table's own statistics, and evaluates it on the held-out test table. Same model (the spec),
 * local settings and total epochs as the federation; a regression's labels are scaled as the federation scales them.
 */
export function trainAlone(
  train: RawTable,
  test: RawTable,
  schema: AgreedSchema,
  spec: ModelSpec,
  target: DemoTarget,
  cfg: BaselineTraining,
  seed: string,
): Quality {
  const enc = encodeTable(train, schema);
  const s = standardisationFrom(momentsOf(enc));
  const model = demoModel(spec, target, enc.d);
  const data = { ...standardise(enc, s), y: trainingLabels(enc.y, target) };
  const params = trainCentralizedModel(model, data, cfg, seededRandom(seed));
  const testEnc = encodeTable(test, schema);
  return qualityOn(model, params, standardise(testEnc, s), testEnc.y, target);
}
