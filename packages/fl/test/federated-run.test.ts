import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LOGISTIC,
  evaluateBinary,
  logisticInit,
  seededRandom,
  separableData,
  takeRows,
  trainCentralized,
  trainLogistic,
  type LabeledData,
} from '@tessera/ml';
import { chunksOf, deltaOf, FedAvg, logisticConfigFrom, StreamingSum, type EvaluationReport } from '../src/index.js';

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe('a mini federated run in-process', () => {
  const d = 10;
  const rng = seededRandom('federated-run');
  const { data: pooled, truth } = separableData(3000, d, rng);
  const { data: test } = separableData(2000, d, rng, truth);
  const shards: Record<string, LabeledData> = {
    alpha: takeRows(pooled, range(0, 500)),
    beta: takeRows(pooled, range(500, 1400)),
    gamma: takeRows(pooled, range(1400, 3000)),
  };
  const rounds = 5;
  const local = { ...DEFAULT_LOGISTIC, epochs: 1, batchSize: 32, learningRate: 0.1 };

  it('reaches the accuracy of pooled training within 0.03', () => {
    const strategy = new FedAvg({
      localEpochs: local.epochs,
      batchSize: local.batchSize,
      learningRate: local.learningRate,
      seed: 'run',
    });
    let global = logisticInit(d);
    let evaluation: Record<string, number> = {};
    for (let round = 1; round <= rounds; round++) {
      const plan = strategy.configureFit(round, Object.keys(shards));
      expect(plan.participants).toEqual(['alpha', 'beta', 'gamma']);
      const sum = new StreamingSum(d + 1);
      for (const id of plan.participants) {
        const shard = shards[id];
        const trained = trainLogistic(global, shard, logisticConfigFrom(plan.config), seededRandom(`${id}/${round}`));
        const weight = strategy.contributionWeight(shard.n);
        for (const c of chunksOf(deltaOf(trained.weights, global), 4)) sum.addChunk(c.offset, c.values, weight);
        sum.commit(weight);
      }
      global = strategy.aggregateFit(round, global, sum.result());
      const reports: EvaluationReport[] = Object.entries(shards).map(([participant, shard]) => {
        const m = evaluateBinary(global, shard);
        return { participant, numExamples: m.n, metrics: { loss: m.loss, accuracy: m.accuracy, auc: m.auc } };
      });
      evaluation = strategy.aggregateEvaluate(round, reports);
    }

    // Accuracy and loss are means over examples, so their example-weighted mean is the pooled value.
    const onPooled = evaluateBinary(global, pooled);
    expect(evaluation.accuracy).toBeCloseTo(onPooled.accuracy, 12);
    expect(evaluation.loss).toBeCloseTo(onPooled.loss, 12);

    const federated = evaluateBinary(global, test).accuracy;
    const centralized = evaluateBinary(
      trainCentralized(pooled, { ...local, rounds }, seededRandom('central')),
      test,
    ).accuracy;
    expect(centralized).toBeGreaterThan(0.95);
    expect(Math.abs(federated - centralized)).toBeLessThanOrEqual(0.03);
  });
});
