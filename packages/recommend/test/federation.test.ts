import { describe, expect, it } from 'vitest';
import { alsAlgorithm, compareRecommenders, seededRandom, syntheticRecommendation } from '../src/index.js';

describe('federated ALS on a synthetic federation of 10 merchants', () => {
  it('is within 5% of centralized HR@10 and above the mean local-only model and popularity', () => {
    const synthetic = syntheticRecommendation({ merchants: 10, customers: 1500, items: 200 }, seededRandom('fed'));
    expect(synthetic.tables).toHaveLength(10);
    const sizes = synthetic.tables.map((t) => t.customerIds.length);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(40);
    // merchants share items: every item sold by several merchants on average
    const sellers = new Float64Array(200);
    for (const t of synthetic.tables) for (const i of new Set(t.items)) sellers[i]! += 1;
    expect(sellers.reduce((a, b) => a + b, 0) / 200).toBeGreaterThan(3);

    const result = compareRecommenders(alsAlgorithm({ k: 8 }), synthetic.tables, { rounds: 10, seed: 'fed' });
    expect(result.federated.customers).toBe(result.centralized.customers);
    expect(result.federated.hr10).toBeGreaterThanOrEqual(0.95 * result.centralized.hr10);
    expect(result.federated.hr10).toBeGreaterThan(result.localOnlyMean.hr10);
    expect(result.federated.hr10).toBeGreaterThan(result.popularity.hr10);
    expect(result.localOnly).toHaveLength(10);
  });
});
