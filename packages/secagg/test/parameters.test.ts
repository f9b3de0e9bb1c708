import { describe, expect, it } from 'vitest';
import { chooseParameters, log2BinomialAtLeast, log2BinomialBelow, SPARSE_MINIMUM_PARTICIPANTS } from '@tessera/secagg';

function directTail(k: number, p: number, from: number, to: number): number {
  let c = 1; // C(k, 0)
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    if (i > 0) c = (c * (k - i + 1)) / i;
    if (i >= from && i <= to) sum += c * p ** i * (1 - p) ** (k - i);
  }
  return Math.log2(sum);
}

/**
 * Recomputes the bounds of a sparse choice from the binomial tails (README, "The bound"): a leak needs 2t - 1 - k
 * corrupt neighbours of one participant (a split of its k + 1 share holders), or a disconnected honest subgraph.
 */
function sparseBounds(n: number, delta: number, gamma: number, k: number, t: number) {
  const leakShares = Math.log2(n) + log2BinomialAtLeast(k, gamma, 2 * t - k - 1);
  const disconnect = Math.log2(n) + (k / 2) * Math.log2(delta + gamma);
  const leak = Math.min(0, Math.log2(2 ** leakShares + 2 ** disconnect));
  const fail = Math.min(0, Math.log2(n) + log2BinomialBelow(k, 1 - delta, t));
  return { leak, fail };
}

describe('binomial tails in log space', () => {
  it('match a direct sum where that is accurate', () => {
    for (const [k, p, t] of [
      [10, 0.3, 4],
      [40, 0.1, 9],
      [64, 0.9, 50],
      [20, 0.5, 0],
      [20, 0.5, 20],
    ] as const) {
      expect(log2BinomialAtLeast(k, p, t)).toBeCloseTo(directTail(k, p, t, k), 9);
      expect(log2BinomialBelow(k, p, t)).toBeCloseTo(t === 0 ? -Infinity : directTail(k, p, 0, t - 1), 9);
    }
  });

  it('do not underflow in the far tails', () => {
    expect(log2BinomialAtLeast(1000, 0.5, 1000)).toBeCloseTo(-1000, 9);
    expect(log2BinomialBelow(2000, 0.99, 1)).toBeCloseTo(2000 * Math.log2(0.01), 6);
    const far = log2BinomialAtLeast(5000, 0.01, 4000);
    expect(Number.isFinite(far)).toBe(true);
    expect(far).toBeLessThan(-20000);
    expect(log2BinomialAtLeast(10, 0, 1)).toBe(-Infinity);
    expect(log2BinomialBelow(10, 1, 10)).toBe(-Infinity);
    expect(log2BinomialAtLeast(10, 0.2, 11)).toBe(-Infinity);
  });
});

describe('chooseParameters', () => {
  it('uses the complete graph for small n, with 2t - 1 just above n - 1 plus the colluders', () => {
    for (const n of [3, 10, 20, SPARSE_MINIMUM_PARTICIPANTS - 1]) {
      const p = chooseParameters({ n, dropoutRate: 0.1, corruptFraction: 0.2 });
      expect(p.complete).toBe(true);
      expect(p.degree).toBe(n - 1);
      const colluders = Math.floor(n * 0.2);
      expect(p.threshold).toBe(Math.max(2, Math.floor((n + colluders) / 2) + 1));
      expect(2 * p.threshold - 1).toBeGreaterThan(n - 1 + colluders);
      expect(2 * (p.threshold - 1) - 1).toBeLessThanOrEqual(n - 1 + colluders);
      expect(p.leakProbabilityLog2).toBe(-Infinity);
      expect(p.failureProbabilityLog2).toBeCloseTo(
        Math.min(0, Math.log2(n) + log2BinomialBelow(n - 1, 0.9, p.threshold)),
        9,
      );
    }
  });

  it('reports the achieved failure probability when the complete graph cannot meet the target', () => {
    const p = chooseParameters({ n: 10, dropoutRate: 0.3, corruptFraction: 0.1 });
    expect(p.complete).toBe(true);
    expect(p.threshold).toBe(6); // 2t - 1 > 9 neighbours + 1 colluder
    expect(p.failureProbabilityLog2).toBeGreaterThan(-40);
    expect(p.failureProbabilityLog2).toBeLessThanOrEqual(0);
  });

  it('picks a sparse graph with k << n for n = 1000, meeting both bounds', () => {
    const p = chooseParameters({ n: 1000, dropoutRate: 0.1, corruptFraction: 0.1 });
    expect(p.complete).toBe(false);
    expect(p.degree % 2).toBe(0);
    expect(p.degree).toBeLessThan(1000 / 6);
    // A split of one participant's k + 1 share holders needs colluders: 2t - 1 > k, with room for 10% of them.
    expect(2 * p.threshold - 1).toBeGreaterThan(1.1 * p.degree);
    expect(p.threshold).toBeGreaterThan(0.1 * p.degree);
    expect(p.threshold).toBeLessThan(0.9 * p.degree);
    expect(p.leakProbabilityLog2).toBeLessThanOrEqual(-40);
    expect(p.failureProbabilityLog2).toBeLessThanOrEqual(-40);
    const b = sparseBounds(1000, 0.1, 0.1, p.degree, p.threshold);
    expect(p.leakProbabilityLog2).toBeCloseTo(b.leak, 6);
    expect(p.failureProbabilityLog2).toBeCloseTo(b.fail, 6);
    // It is the smallest such degree: no threshold works for k - 2.
    const k = p.degree - 2;
    for (let t = 2; t <= k; t++) {
      const c = sparseBounds(1000, 0.1, 0.1, k, t);
      expect(c.leak > -40 || c.fail > -40).toBe(true);
    }
  });

  it('respects the bounds it is given, for many inputs', () => {
    for (const n of [30, 100, 1000, 10000]) {
      for (const delta of [0, 0.05, 0.2]) {
        for (const gamma of [0.01, 0.1, 0.3]) {
          for (const bits of [20, 40]) {
            const p = chooseParameters({
              n,
              dropoutRate: delta,
              corruptFraction: gamma,
              securityBits: bits,
              correctnessBits: bits,
            });
            expect(p.threshold).toBeGreaterThanOrEqual(2);
            expect(p.threshold).toBeLessThanOrEqual(p.degree + 1);
            if (p.complete) {
              expect(p.degree).toBe(n - 1);
              expect(p.threshold).toBeGreaterThan(Math.floor(n * gamma));
              expect(2 * p.threshold - 1).toBeGreaterThan(n - 1 + Math.floor(n * gamma));
            } else {
              expect(2 * p.threshold - 1).toBeGreaterThan(p.degree);
              expect(p.degree).toBeLessThan(n - 1);
              expect(p.leakProbabilityLog2).toBeLessThanOrEqual(-bits);
              expect(p.failureProbabilityLog2).toBeLessThanOrEqual(-bits);
              const b = sparseBounds(n, delta, gamma, p.degree, p.threshold);
              expect(p.leakProbabilityLog2).toBeCloseTo(b.leak, 6);
              expect(p.failureProbabilityLog2).toBeCloseTo(b.fail, 6);
            }
          }
        }
      }
    }
  });

  it('needs more neighbours for more dropouts, colluders, security bits and (slowly) participants', () => {
    const degree = (
      o: Partial<{
        n: number;
        dropoutRate: number;
        corruptFraction: number;
        securityBits: number;
        correctnessBits: number;
      }>,
    ) => chooseParameters({ n: 2000, dropoutRate: 0.1, corruptFraction: 0.1, ...o }).degree;
    const nondecreasing = (xs: number[]) => xs.every((x, i) => i === 0 || x >= xs[i - 1]);
    const byDropout = [0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4].map((dropoutRate) => degree({ dropoutRate }));
    const byCorrupt = [0.001, 0.01, 0.05, 0.1, 0.2, 0.3].map((corruptFraction) => degree({ corruptFraction }));
    const byBits = [10, 20, 30, 40, 60, 80].map((securityBits) => degree({ securityBits }));
    const byCorrectness = [10, 20, 30, 40, 60, 80].map((correctnessBits) => degree({ correctnessBits }));
    const byN = [100, 300, 1000, 3000, 10000, 30000, 60000].map((n) => degree({ n }));
    for (const xs of [byDropout, byCorrupt, byBits, byCorrectness, byN]) {
      expect(nondecreasing(xs)).toBe(true);
      expect(xs[xs.length - 1]).toBeGreaterThan(xs[0]);
    }
    // O(log n): 600 times the participants, well under twice the neighbours.
    expect(byN[byN.length - 1]).toBeLessThan(2 * byN[0]);
  });

  it('raises t to minThreshold (at most to k + 1) and reports the bounds of the raised t', () => {
    const small = chooseParameters({ n: 5, dropoutRate: 0.1, corruptFraction: 0.1, minThreshold: 4 });
    expect(small).toMatchObject({ complete: true, degree: 4, threshold: 4 });
    expect(small.failureProbabilityLog2).toBeCloseTo(Math.min(0, Math.log2(5) + log2BinomialBelow(4, 0.9, 4)), 9);
    expect(chooseParameters({ n: 5, dropoutRate: 0.1, corruptFraction: 0.1, minThreshold: 9 }).threshold).toBe(5);
    const base = chooseParameters({ n: 1000, dropoutRate: 0.1, corruptFraction: 0.1 });
    const raised = chooseParameters({ n: 1000, dropoutRate: 0.1, corruptFraction: 0.1, minThreshold: 150 });
    expect(raised).toMatchObject({ complete: false, degree: base.degree, threshold: 150 });
    const b = sparseBounds(1000, 0.1, 0.1, base.degree, 150);
    expect(raised.leakProbabilityLog2).toBeCloseTo(b.leak, 6);
    expect(raised.leakProbabilityLog2).toBeLessThanOrEqual(base.leakProbabilityLog2);
    expect(raised.failureProbabilityLog2).toBeCloseTo(b.fail, 6);
    // Below the threshold chosen it changes nothing.
    expect(chooseParameters({ n: 1000, dropoutRate: 0.1, corruptFraction: 0.1, minThreshold: 3 })).toEqual(base);
    expect(() => chooseParameters({ n: 5, dropoutRate: 0.1, corruptFraction: 0.1, minThreshold: 1 })).toThrow(
      RangeError,
    );
  });

  it('rejects nonsense', () => {
    expect(() => chooseParameters({ n: 1, dropoutRate: 0.1, corruptFraction: 0.1 })).toThrow(RangeError);
    expect(() => chooseParameters({ n: 100, dropoutRate: 1, corruptFraction: 0.1 })).toThrow(RangeError);
    expect(() => chooseParameters({ n: 100, dropoutRate: 0.1, corruptFraction: -0.1 })).toThrow(RangeError);
  });
});
