// The overlap count's noise: discrete Laplace of scale 1/epsilon, its empirical spread, and its ledger charge.
import { describe, expect, it } from 'vitest';
import { DEFAULT_ORDERS } from '@tessera/dp';
import {
  noisyOverlap,
  overlapCharge,
  overlapNoiseScale,
  overlapNoiseVariance,
} from '../src/privacy/overlap-release.js';

describe('the noisy overlap count', () => {
  it('has the stated spread: mean 0, variance 2p/(1-p)^2 and P(0) = (1-p)/(1+p) with p = exp(-epsilon)', () => {
    for (const epsilon of [0.5, 2]) {
      const n = 20_000;
      const noise = Array.from({ length: n }, () => noisyOverlap(1000, epsilon) - 1000);
      const mean = noise.reduce((a, x) => a + x, 0) / n;
      const variance = noise.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1);
      const p = Math.exp(-epsilon);
      const stated = (2 * p) / (1 - p) ** 2;
      expect(overlapNoiseVariance(epsilon)).toBeCloseTo(stated, 9);
      // Standard errors: sqrt(var/n) for the mean, var * sqrt(5/n) for the variance (kurtosis about 6); 5 of each.
      expect(Math.abs(mean)).toBeLessThan(5 * Math.sqrt(stated / n));
      expect(Math.abs(variance / stated - 1)).toBeLessThan(5 * Math.sqrt(5 / n));
      const zeros = noise.filter((x) => x === 0).length / n;
      const p0 = (1 - p) / (1 + p);
      expect(Math.abs(zeros - p0)).toBeLessThan(5 * Math.sqrt((p0 * (1 - p0)) / n));
      expect(noise.every((x) => Number.isInteger(x))).toBe(true);
    }
  });

  it('is never below 0, and the scale is never smaller than 1/epsilon', () => {
    expect(Array.from({ length: 2000 }, () => noisyOverlap(0, 1)).every((x) => x >= 0)).toBe(true);
    for (const epsilon of [0.001, 0.3, 1, 1 / 3, 7.77])
      expect(Number(overlapNoiseScale(epsilon).num) / Number(overlapNoiseScale(epsilon).den)).toBeGreaterThanOrEqual(
        1 / epsilon,
      );
    expect(() => overlapNoiseScale(0)).toThrow(/at least 1e-6/);
  });

  it('is charged as one pure epsilon-DP release: (epsilon, 0), and RDP min(epsilon, alpha epsilon^2 / 2)', () => {
    const { rdp, approx } = overlapCharge(0.5);
    expect(approx).toEqual({ epsilon: 0.5, delta: 0 });
    expect(rdp).toHaveLength(DEFAULT_ORDERS.length);
    DEFAULT_ORDERS.forEach((alpha, i) => expect(rdp[i]).toBeCloseTo(Math.min(0.5, alpha * 0.125), 12));
  });
});
