import { describe, expect, it } from 'vitest';
import { seededRandom } from '@tessera/crypto';
import { addDiscreteGaussianNoise, centredResidue } from '@tessera/dp';
import { planDropouts, runRound, setup } from './harness.js';

/**
 * Distributed DP under secure aggregation: each participant adds a discrete Gaussian share of
 * variance sigma^2 / t to its input before masking. Whoever of them survive (at least t), the
 * unmasked sum carries at least the target variance sigma^2: here, survivors * sigma^2 / t.
 */
describe('distributed noise through SecAgg+ with 30% dropouts', () => {
  it('the decoded sum carries the target noise (empirical variance over repeated rounds)', () => {
    const n = 10,
      t = 5,
      d = 4000,
      sigma2 = 10_000,
      rounds = 5;
    const share = BigInt(Math.ceil(sigma2 / t));
    const rng = seededRandom('dp-noise');
    let sumSq = 0,
      count = 0,
      expected = 0;
    for (let r = 0; r < rounds; r++) {
      const s = setup({ n, threshold: t, dimension: d });
      const inputs = Array.from({ length: n }, () =>
        addDiscreteGaussianNoise(new Uint32Array(d), share, s.modulus, rng),
      );
      const result = runRound(s, { inputs, dropouts: planDropouts(n, 0.3, 'spread', `dp-${r}`) });
      expect(result.survivors.length).toBeGreaterThanOrEqual(t);
      for (let j = 0; j < d; j++) {
        const v = centredResidue(result.sum[j], s.modulus);
        sumSq += v * v;
        count++;
      }
      expected += result.survivors.length * Number(share) * d;
    }
    const variance = sumSq / count;
    expect(variance).toBeGreaterThanOrEqual(0.95 * sigma2);
    expect(Math.abs(variance / (expected / count) - 1)).toBeLessThan(0.05);
  });
});
