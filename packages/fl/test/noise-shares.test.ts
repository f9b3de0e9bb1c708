import { describe, expect, it } from 'vitest';
import { addDiscreteGaussianNoise } from '@tessera/dp';
import { seededRandom } from '@tessera/ml';
import { fromRing } from '../src/quantise/ring.js';
import {
  noiseShareVariance,
  survivorFloor,
  tolerableColluders,
  type ShareSizing,
} from '../src/privacy/noise-shares.js';

/**
 * Distributed noise must hold against colluders: the coordinator with up to ⌊γn⌋ participants
 * knows their noise shares and can subtract them from the released sum. What remains must still
 * carry the target variance σ², for every round the coordinator is allowed to release (at least m
 * survivors).
 */
describe('distributed noise shares hold against ⌊γn⌋ colluders', () => {
  const target = 1e6;
  const grid: ShareSizing[] = [];
  for (const n of [3, 5, 10, 40, 100, 500, 1000]) {
    for (const corruptFraction of [0, 0.1, 0.2, 1 / 3]) {
      for (const dropoutRate of [0, 0.1, 0.3]) grid.push({ n, corruptFraction, dropoutRate });
      grid.push({
        n,
        corruptFraction,
        dropoutRate: 0.1,
        survivorFloor: Math.max(2, Math.floor(n / 2) + tolerableColluders(n, corruptFraction)),
      });
    }
  }

  it(
    'for every cohort, collusion level and survivor count the round may release, ' +
      "the honest survivors' noise is at least the target",
    () => {
      let checked = 0;
      for (const s of grid) {
        if (s.survivorFloor !== undefined && s.survivorFloor > s.n) continue;
        const m = survivorFloor(s);
        const c = tolerableColluders(s.n, s.corruptFraction);
        if (m <= c) continue;
        const share = noiseShareVariance('distributed', target, s);
        for (let survivors = m; survivors <= s.n; survivors++) {
          // Worst case: every colluder survived, and its share is removed.
          expect((survivors - c) * share).toBeGreaterThanOrEqual(target);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(1000);
    },
  );

  it(
    'measured through the real sampler: n = 10, γ = 0.2, exactly m survivors, ' +
      "colluders' shares removed, variance ≥ target",
    () => {
      const s: ShareSizing = { n: 10, corruptFraction: 0.2, dropoutRate: 0.3 };
      const m = survivorFloor(s),
        c = tolerableColluders(s.n, s.corruptFraction);
      expect([m, c]).toEqual([7, 2]);
      const share = noiseShareVariance('distributed', target, s);
      const length = 20_000;
      const rng = seededRandom('collusion-test');
      // Only the honest survivors' shares remain once the colluders subtract theirs.
      const sum = new Uint32Array(length);
      for (let p = 0; p < m - c; p++) addDiscreteGaussianNoise(sum, BigInt(share), 2 ** 32, rng);
      let sq = 0;
      for (let i = 0; i < length; i++) sq += fromRing(sum[i], 2 ** 32) ** 2;
      const variance = sq / length;
      // 20,000 samples: the variance estimate has a relative standard deviation of 1%.
      expect(variance).toBeGreaterThan(0.96 * target);
    },
  );

  it(
    'the old sizing by the SecAgg threshold fails it: ' +
      'shares of σ²/t at t = 2 leave half the target after one colluder',
    () => {
      const t = 2,
        c = 1;
      expect((t - c) * (target / t)).toBeLessThan(target);
      // and gives n/t times the target with no dropouts, where the survivor floor gives n/(m − c)
      const s: ShareSizing = { n: 10, corruptFraction: 0.1, dropoutRate: 0.1 };
      expect((10 * noiseShareVariance('distributed', target, s)) / target).toBeLessThan(10 / t);
    },
  );

  it('refuses a survivor floor above the cohort, or one the colluders could reach', () => {
    expect(() =>
      noiseShareVariance('distributed', target, { n: 5, corruptFraction: 0, dropoutRate: 0, survivorFloor: 6 }),
    ).toThrow(/survivorFloor = 6 is above the 5 participants/);
    expect(() =>
      noiseShareVariance('distributed', target, { n: 10, corruptFraction: 0.2, dropoutRate: 0, survivorFloor: 2 }),
    ).toThrow(/does not exceed the 2 colluders/);
  });

  it('local mode adds the whole noise at every participant; central mode none', () => {
    expect(noiseShareVariance('local', target, { n: 10, corruptFraction: 0.1, dropoutRate: 0.1 })).toBe(target);
    expect(noiseShareVariance('central', target, { n: 10, corruptFraction: 0.1, dropoutRate: 0.1 })).toBe(0);
  });
});
