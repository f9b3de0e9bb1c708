import { describe, expect, it } from 'vitest';
import { planDropouts, runRound, setup, STAGES } from './harness.js';

describe("SecAgg+ round: the unmasked sum is the exact sum of the survivors' inputs", () => {
  it('n = 3, complete graph, no dropouts', () => {
    const r = runRound(setup({ n: 3, threshold: 2, dimension: 64 }));
    expect(r.survivors).toEqual([0, 1, 2]);
    expect(r.sum).toEqual(r.expected);
  });

  for (const stage of STAGES) {
    it(`n = 3, one participant drops ${stage}`, () => {
      const r = runRound(setup({ n: 3, threshold: 2, dimension: 64 }), { dropouts: { [stage]: [1] } });
      expect(r.sum).toEqual(r.expected);
      expect(r.survivors).toEqual(stage === 'duringUnmask' ? [0, 1, 2] : [0, 2]);
    });
  }

  it('n = 10, no dropouts, modulus 2^32 and 2^31 - 1', () => {
    for (const modulus of [2 ** 32, 2 ** 31 - 1]) {
      const r = runRound(setup({ n: 10, threshold: 4, dimension: 64, modulus }));
      expect(r.survivors.length).toBe(10);
      expect(r.sum).toEqual(r.expected);
    }
  });

  for (const rate of [0.1, 0.3]) {
    it(`n = 10, ${rate * 100}% of the remaining participants drop at each stage`, () => {
      const dropouts = planDropouts(10, rate, 'compounding', `n10/${rate}`);
      // 30% compounding leaves 2 of 10 to answer the unmask request, hence t = 2.
      const r = runRound(setup({ n: 10, threshold: rate === 0.3 ? 2 : 3, dimension: 64 }), { dropouts });
      expect(r.dropped.length + r.survivors.length).toBe(r.u2.length);
      expect(r.responders.length).toBeLessThan(10);
      expect(r.sum).toEqual(r.expected);
    });
    for (const stage of STAGES) {
      it(`n = 10, ${rate * 100}% drop ${stage}, modulus 2^31 - 1`, () => {
        const dropouts = planDropouts(10, rate, stage, `n10/${rate}/${stage}`);
        const r = runRound(setup({ n: 10, threshold: 4, dimension: 32, modulus: 2 ** 31 - 1 }), { dropouts });
        expect(r.sum).toEqual(r.expected);
      });
    }
  }

  it('n = 10, a power-of-two modulus below 2^32 (2^20)', () => {
    const r = runRound(setup({ n: 10, threshold: 4, dimension: 32, modulus: 2 ** 20 }), {
      dropouts: planDropouts(10, 0.3, 'spread', 'n10/2^20'),
    });
    expect(r.sum).toEqual(r.expected);
  });
});
