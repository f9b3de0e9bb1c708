import { describe, expect, it } from 'vitest';
import {
  interactionsFrom,
  itemCatalogue,
  itemPopularity,
  leaveLastOut,
  popularityScorer,
  rankHeldOut,
  rankingMetrics,
} from '../src/index.js';

const catalogue = itemCatalogue(Array.from({ length: 15 }, (_, i) => `i${i}`));

describe('leave-last-out evaluation', () => {
  const data = interactionsFrom(
    [
      { customer: 'x', item: 'i3', timestamp: 10 },
      { customer: 'x', item: 'i0', timestamp: 30 },
      { customer: 'x', item: 'i5', timestamp: 20 },
      { customer: 'y', item: 'i1', timestamp: 1 },
      { customer: 'z', item: 'i2', timestamp: 4 },
      { customer: 'z', item: 'i2', timestamp: 8 },
      { customer: 'z', item: 'i7', timestamp: 6 },
    ],
    catalogue,
  );

  it('holds out each customer latest pair and skips customers with one item', () => {
    const { train, heldOut } = leaveLastOut(data);
    expect([...heldOut]).toEqual([0, -1, 2]);
    expect([...train.items]).toEqual([3, 5, 1, 7]);
    expect([...train.offsets]).toEqual([0, 2, 3, 4]);
  });

  it('ranks unseen items only, counts hits, NDCG by position and coverage', () => {
    const split = leaveLastOut(data);
    // Scores descending with the item index, except item 0 which ranks last: x's held-out 0 misses, z's 2 hits.
    const scorer = (_c: number, out: Float64Array) => {
      for (let i = 0; i < 15; i++) out[i] = i === 0 ? -100 : 15 - i;
    };
    const tally = rankHeldOut(scorer, split);
    expect(tally.customers).toBe(2);
    expect(tally.hits).toBe(1);
    // z has seen item 7; its list is 1, 2, ...: item 2 at position 1 (0-based) scores 1 / log2(3)
    expect(tally.ndcg).toBeCloseTo(1 / Math.log2(3), 12);
    const metrics = rankingMetrics([tally]);
    expect(metrics.hr10).toBe(0.5);
    // x's top ten: 1, 2, 4, 6, ..., 12 (3 and 5 seen); z's: 1, ..., 11 but 7: items 1 to 12 appear
    expect(metrics.coverage).toBe(12 / 15);
    const short = rankingMetrics([rankHeldOut(scorer, split, 2)]);
    expect(short.coverage).toBe(2 / 15);
  });

  it('popularity counts customers per item over the tables', () => {
    const { train } = leaveLastOut(data);
    const popularity = itemPopularity([train, train]);
    expect(popularity[3]).toBe(2);
    expect(popularity[0]).toBe(0);
    const out = new Float64Array(15);
    popularityScorer(popularity)(0, out);
    expect([...out]).toEqual([...popularity]);
  });
});
