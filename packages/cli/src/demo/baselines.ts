import { encodeTable, type AgreedSchema, type RawTable } from '@tessera/data';
import {
  evaluateBinary,
  momentsOf,
  seededRandom,
  standardisationFrom,
  standardise,
  trainCentralized,
  type BinaryMetrics,
  type LogisticConfig,
} from '@tessera/ml';

export interface Quality {
  auc: number;
  accuracy: number;
  logLoss: number;
}

export const qualityOf = (m: BinaryMetrics): Quality => ({ auc: m.auc, accuracy: m.accuracy, logLoss: m.loss });

/**
 * Trains a model on one table alone (the pooled data for the centralized ceiling, one shard
 * for a local-only model), standardised by that table's own statistics, and evaluates it on
 * the held-out test table. Same model, hyperparameters and total epochs as the federation.
 */
export function trainAlone(
  train: RawTable,
  test: RawTable,
  schema: AgreedSchema,
  cfg: LogisticConfig & { rounds: number },
  seed: string,
): Quality {
  const enc = encodeTable(train, schema);
  const s = standardisationFrom(momentsOf(enc));
  const z = { ...standardise(enc, s), y: enc.y };
  const weights = trainCentralized(z, cfg, seededRandom(seed));
  const testEnc = encodeTable(test, schema);
  return qualityOf(evaluateBinary(weights, { ...standardise(testEnc, s), y: testEnc.y }));
}
