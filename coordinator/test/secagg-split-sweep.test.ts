import { describe, expect, it } from 'vitest';
import { parseJobSpec } from '@tessera/jobs';
import { log2BinomialAtLeast } from '@tessera/secagg';
import type { AggregationHost } from '../src/jobs/kinds/train/aggregation/aggregator.js';
import { SecAggAggregator } from '../src/jobs/kinds/train/aggregation/secagg-aggregator.js';

// The split-unmask attack of issue 15 at the coordinator's default parameters, for every federation of 3 to 400.
// A victim's secrets are shared among its k neighbours and itself. The coordinator tells `a` of those holders (the
// victim among them: it refuses any other story) that the victim survived and the rest that it dropped; each honest
// holder then reveals one kind of share, each colluding holder both. It recovers the victim's input when both kinds
// reach t. Real clients agree with this count (packages/secagg/test/split-unmask.test.ts); the consistency check
// cannot lower it (an honest round with t survivors looks, to them, like one side of a split).

/** The fewest colluding holders with which some split reaches t shares of both kinds (Infinity: none does). */
function colludersNeeded(holders: number, t: number): number {
  for (let colluders = 0; colluders < holders; colluders++) {
    const honest = holders - colluders;
    for (let a = 1; a <= honest; a++) {
      if (a + colluders >= t && honest - a + colluders >= t) return colluders;
    }
  }
  return Number.POSITIVE_INFINITY;
}

describe('the split-unmask attack at default parameters (n = 3..400)', () => {
  const spec = parseJobSpec({ dataset: 'd', label: 'y' });
  // parameters(n) reads only the spec: the coordinator's own choice, minParticipants adjustment included.
  const aggregator = new SecAggAggregator({ spec } as unknown as AggregationHost);

  it('finds no n where it succeeds without colluders, nor (complete graph) with the assumed colluders', () => {
    const { dropoutRate, corruptFraction } = spec.secure;
    expect({ dropoutRate, corruptFraction, minParticipants: spec.minParticipants }).toEqual({
      dropoutRate: 0.1,
      corruptFraction: 0.1,
      minParticipants: 2,
    });
    const started = performance.now();
    const rows: { n: number; k: number; t: number; needed: number }[] = [];
    for (let n = 3; n <= 400; n++) {
      const { threshold: t, degree: k, complete } = aggregator.parameters(n);
      const needed = colludersNeeded(k + 1, t);
      rows.push({ n, k, t, needed });
      expect({ n, needed: needed >= 1 }).toEqual({ n, needed: true });
      if (complete) {
        // Every colluder is every participant's neighbour: the assumed floor(n * gamma) must not be enough.
        expect({ n, needed: needed > Math.floor(n * corruptFraction) }).toEqual({ n, needed: true });
      } else {
        // Colluding neighbours are Binomial(k, gamma): enough of them at some participant has probability <= 2^-40.
        expect(Math.log2(n) + log2BinomialAtLeast(k, corruptFraction, needed)).toBeLessThanOrEqual(-40);
      }
    }
    // The federations issue 15 found open (4 to 61 members, t = 2 at n = 5) now need colluders.
    expect(rows.find((r) => r.n === 5)).toEqual({ n: 5, k: 4, t: 3, needed: 1 });
    expect(rows.filter((r) => r.n >= 4 && r.n <= 61).every((r) => r.needed >= 1)).toBe(true);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('has teeth: the thresholds before issue 15 (t = max(2, floor(n * gamma) + 1), complete graph) fail it', () => {
    for (let n = 4; n < 30; n++) expect(colludersNeeded(n, Math.max(2, Math.floor(n * 0.1) + 1))).toBe(0);
    expect(colludersNeeded(3, 2)).toBe(1); // three members: a split of two holders each needs four
  });
});
