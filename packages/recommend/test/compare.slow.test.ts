import { describe, expect, it } from 'vitest';
import {
  initItemFactors,
  alsAlgorithm,
  bprAlgorithm,
  compareRecommenders,
  type RecommendAlgorithm,
  seededRandom,
  syntheticRecommendation,
} from '../src/index.js';

// The measurement behind the default algorithm (README "Choosing the algorithm"): both algorithms on the
// synthetic federation, against the baselines. Prints the figures; asserts the issue's ordering for each.
const K = 8;
const setups: [string, RecommendAlgorithm, number][] = [
  ['als', alsAlgorithm({ k: K }), 10],
  ['bpr', bprAlgorithm({ k: K }), 100],
];

describe('ALS against BPR on the synthetic federation', () => {
  const { tables } = syntheticRecommendation({}, seededRandom('recommend-compare'));
  for (const [name, algorithm, rounds] of setups) {
    it(`${name}: federated within 5% of centralized, above local-only and popularity`, () => {
      const result = compareRecommenders(algorithm, tables, { rounds, seed: 'compare' });
      const row = (label: string, m: { hr10: number; ndcg10: number; coverage: number; seconds?: number }) =>
        `${name} ${label.padEnd(12)} HR@10 ${m.hr10.toFixed(4)} NDCG@10 ${m.ndcg10.toFixed(4)} ` +
        `coverage ${m.coverage.toFixed(3)}${m.seconds === undefined ? '' : ` ${m.seconds.toFixed(2)} s`}`;
      console.log(
        [
          row('federated', result.federated),
          row('centralized', result.centralized),
          row('local mean', {
            ...result.localOnlyMean,
            seconds: result.localOnly.reduce((s, m) => s + m.seconds, 0),
          }),
          row('popularity', result.popularity),
        ].join('\n'),
      );
      expect(result.federated.hr10).toBeGreaterThanOrEqual(0.95 * result.centralized.hr10);
      expect(result.federated.hr10).toBeGreaterThan(result.localOnlyMean.hr10);
      expect(result.federated.hr10).toBeGreaterThan(result.popularity.hr10);
    });
  }
});

describe('local throughput at k = 32', () => {
  it('reports interactions per second per core of a merchant round (customer step and item update)', () => {
    const { tables } = syntheticRecommendation(
      { merchants: 1, customers: 20_000, items: 2000, interactionsPerCustomer: 20, minCustomers: 1 },
      seededRandom('throughput'),
    );
    const data = tables[0]!;
    const items = initItemFactors(2000, 32, seededRandom('throughput/items'));
    for (const algorithm of [alsAlgorithm({ k: 32 }), bprAlgorithm({ k: 32 })]) {
      const rng = seededRandom('throughput/rng');
      const started = performance.now();
      const customers = algorithm.localCustomerStep(items, data, undefined, rng);
      const stepped = performance.now();
      const update = algorithm.localItemUpdate(items, customers, data, rng);
      const done = performance.now();
      const applied = algorithm.applyItemUpdate(items, update);
      const applyMs = performance.now() - done;
      const perSecond = data.items.length / ((done - started) / 1000);
      console.log(
        `${algorithm.name} k=32: ${data.items.length} interactions, ${data.customerIds.length} customers, ` +
          `customer step ${(stepped - started).toFixed(0)} ms, item update ${(done - stepped).toFixed(0)} ms ` +
          `(${Math.round(perSecond)} interactions/s), update length ${update.length}, ` +
          `coordinator step ${applyMs.toFixed(0)} ms`,
      );
      expect(perSecond).toBeGreaterThan(1000);
      expect(applied.factors.length).toBe(2000 * 32);
    }
  });
});
