import { describe, expect, it } from 'vitest';
import { seededRandom } from '@tessera/ml';
import { chunksOf, createStrategy, FedAvg, knownStrategies, StreamingSum } from '../src/index.js';

function randomVector(d: number, seed: string): Float64Array {
  const rng = seededRandom(seed);
  return Float64Array.from({ length: d }, () => rng.gaussian());
}

describe('FedAvg.aggregateFit over a StreamingSum', () => {
  const d = 37;
  const global = randomVector(d, 'global');
  const locals = [randomVector(d, 'a'), randomVector(d, 'b'), randomVector(d, 'c'), randomVector(d, 'd')];
  const examples = [120, 30, 0, 850];

  function streamed(strategy: FedAvg, chunkSize: number) {
    const sum = new StreamingSum(d);
    locals.forEach((local, i) => {
      const delta = local.map((v, j) => v - global[j]);
      const weight = strategy.contributionWeight(examples[i]);
      const chunks = [...chunksOf(delta, chunkSize)].reverse(); // order of arrival must not matter
      for (const c of chunks) sum.addChunk(c.offset, c.values, weight);
      sum.commit(weight);
    });
    return sum.result();
  }

  // Independently: the example-weighted mean of the local models themselves.
  const total = examples.reduce((a, b) => a + b, 0);
  const mean = new Float64Array(d).map((_, j) => locals.reduce((s, w, i) => s + examples[i] * w[j], 0) / total);

  it('equals the example-weighted mean of the local models', () => {
    const strategy = new FedAvg();
    const summed = streamed(strategy, 5);
    expect(summed.contributors).toBe(4);
    expect(summed.totalWeight).toBe(total);
    const next = strategy.aggregateFit(1, global, summed);
    for (let j = 0; j < d; j++) expect(next[j]).toBeCloseTo(mean[j], 12);
  });

  it('scales the step by serverLearningRate', () => {
    const strategy = new FedAvg({ serverLearningRate: 0.25 });
    const next = strategy.aggregateFit(1, global, streamed(strategy, 8));
    for (let j = 0; j < d; j++) expect(next[j]).toBeCloseTo(global[j] + 0.25 * (mean[j] - global[j]), 12);
  });

  it('keeps the global model, as a copy, when nothing was contributed', () => {
    const next = new FedAvg().aggregateFit(1, global, new StreamingSum(d).result());
    expect(next).toEqual(global);
    expect(next).not.toBe(global);
  });

  it('rejects a sum of the wrong length', () => {
    expect(() => new FedAvg().aggregateFit(1, global, new StreamingSum(d + 1).result())).toThrow(RangeError);
  });
});

describe('StreamingSum', () => {
  it('rejects chunks out of bounds or non-finite, naming offset and length, without adding anything', () => {
    const sum = new StreamingSum(10);
    expect(() => sum.addChunk(8, [1, 2, 3], 1)).toThrow(/offset 8 with length 3/);
    expect(() => sum.addChunk(-1, [1], 1)).toThrow(/offset -1/);
    expect(() => sum.addChunk(2, [1, NaN], 1)).toThrow(/offset 2/);
    sum.addChunk(0, [1, 2], 3);
    expect(Array.from(sum.result().weightedSum.subarray(0, 3))).toEqual([3, 6, 0]);
  });
});

describe('FedAvg.aggregateEvaluate', () => {
  it('weights each metric by examples and skips NaN per metric', () => {
    const metrics = new FedAvg().aggregateEvaluate(2, [
      { participant: 'a', numExamples: 100, metrics: { accuracy: 0.9, auc: 0.8 } },
      { participant: 'b', numExamples: 300, metrics: { accuracy: 0.7, auc: NaN } },
      { participant: 'c', numExamples: 100, metrics: { accuracy: 0.5, auc: 0.6 } },
    ]);
    expect(metrics.accuracy).toBeCloseTo((90 + 210 + 50) / 500, 14);
    expect(metrics.auc).toBeCloseTo((80 + 60) / 200, 14);
  });

  it('gives NaN for a metric nobody could compute', () => {
    const metrics = new FedAvg().aggregateEvaluate(1, [{ participant: 'a', numExamples: 5, metrics: { auc: NaN } }]);
    expect(metrics.auc).toBeNaN();
  });
});

describe('FedAvg.configureFit', () => {
  const ids = Array.from({ length: 10 }, (_, i) => `p${i}`);

  it('samples reproducibly from a seed, whatever order participants are listed in', () => {
    const a = new FedAvg({ fractionFit: 0.3, seed: 42 });
    const b = new FedAvg({ fractionFit: 0.3, seed: 42 });
    const picks = [1, 2, 3, 4, 5].map((r) => a.configureFit(r, ids).participants);
    expect([1, 2, 3, 4, 5].map((r) => b.configureFit(r, [...ids].reverse()).participants)).toEqual(picks);
    for (const p of picks) {
      expect(p).toHaveLength(3);
      expect(new Set(p).size).toBe(3);
      for (const id of p) expect(ids).toContain(id);
    }
    expect(new Set(picks.map((p) => p.join())).size).toBeGreaterThan(1); // rounds differ
    expect(new FedAvg({ fractionFit: 0.3, seed: 43 }).configureFit(1, ids).participants).not.toEqual(picks[0]);
  });

  it('samples each participant about equally often', () => {
    const strategy = new FedAvg({ fractionFit: 0.3, seed: 'uniform' });
    const counts = new Map(ids.map((id) => [id, 0]));
    for (let r = 1; r <= 300; r++)
      for (const id of strategy.configureFit(r, ids).participants) counts.set(id, counts.get(id)! + 1);
    for (const c of counts.values()) expect(c).toBeGreaterThan(60); // expected 90, sd ≈ 8
    for (const c of counts.values()) expect(c).toBeLessThan(120);
  });

  it('respects minFitParticipants', () => {
    expect(
      new FedAvg({ fractionFit: 0.1, minFitParticipants: 4, seed: 1 }).configureFit(1, ids).participants,
    ).toHaveLength(4);
    expect(() => new FedAvg({ minFitParticipants: 11 }).configureFit(1, ids)).toThrow(
      /at least 11 participants but only 10/,
    );
  });

  it('takes everyone by default and passes local settings in the config', () => {
    const plan = new FedAvg({ localEpochs: 2, batchSize: 16, learningRate: 0.05 }).configureFit(3, ids);
    expect(plan.participants).toEqual([...ids].sort());
    expect(plan.config).toEqual({ round: 3, epochs: 2, batchSize: 16, learningRate: 0.05 });
  });

  it('validates its options', () => {
    expect(() => new FedAvg({ fractionFit: 0 })).toThrow(/fractionFit/);
    expect(() => new FedAvg({ minFitParticipants: 0 })).toThrow(/minFitParticipants/);
    expect(() => new FedAvg({ serverLearningRate: NaN })).toThrow(/serverLearningRate/);
  });
});

describe('createStrategy', () => {
  it('builds FedAvg by name with options', () => {
    const s = createStrategy({ name: 'FedAvg', fractionFit: 0.5, seed: 'x' });
    expect(s).toBeInstanceOf(FedAvg);
    expect(s.name).toBe('fedavg');
    expect(s.configureFit(1, ['a', 'b', 'c', 'd']).participants).toHaveLength(2);
    expect(knownStrategies()).toContain('fedavg');
  });

  it('names the known strategies for an unknown name, and rejects unknown or mistyped options', () => {
    expect(() => createStrategy({ name: 'scaffold' })).toThrow(/unknown strategy 'scaffold'.*fedavg/);
    expect(() => createStrategy({ name: 'fedavg', fraction: 0.5 })).toThrow(/unknown option 'fraction'/);
    expect(() => createStrategy({ name: 'fedavg', fractionFit: '0.5' })).toThrow(TypeError);
  });
});
