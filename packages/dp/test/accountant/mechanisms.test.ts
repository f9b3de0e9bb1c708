import { describe, expect, it } from 'vitest';
import {
  discreteGaussianRdp,
  discreteGaussianZcdp,
  gaussianRdp,
  gaussianRdpVector,
  gaussianZcdp,
  skellamRdp,
  skellamRdpVector,
} from '../../src/accountant/index.js';

describe('mechanisms', () => {
  it('Gaussian RDP is alpha * sensitivity^2 / (2 sigma^2) and zCDP rho = sensitivity^2 / (2 sigma^2)', () => {
    expect(gaussianRdp(2, 3, 1)).toBeCloseTo(3 / 8, 15);
    expect(gaussianRdp(2, 3, 4)).toBeCloseTo((3 * 16) / 8, 15);
    expect(gaussianZcdp(2, 4)).toBeCloseTo(2, 15);
    expect(gaussianRdpVector(1, 1, [2, 4])).toEqual([1, 2]);
  });

  it('discrete Gaussian uses the same bound as the continuous Gaussian (CKS 2020)', () => {
    expect(discreteGaussianRdp(5, 7, 3)).toBe(gaussianRdp(5, 7, 3));
    expect(discreteGaussianZcdp(5, 3)).toBe(gaussianZcdp(5, 3));
  });

  it('Skellam RDP (Agarwal, Kairouz, Liu 2021)', () => {
    // alpha Δ2²/(4 mu) + min(((2 alpha - 1) Δ2² + 6 Δ1)/(16 mu²), 3 Δ1/(4 mu))
    // mu = 100, alpha = 2, Δ1 = 3, Δ2 = 2: 0.02 + min(30/160000, 0.0225)
    expect(skellamRdp(100, 2, 3, 2)).toBeCloseTo(0.02 + 30 / 160000, 15);
    // small mu: the 3 Δ1 / (4 mu) branch is the minimum
    expect(skellamRdp(0.5, 10, 4, 2)).toBeCloseTo((10 * 4) / 2 + 6, 12);
  });

  it('Skellam with large mu approaches the Gaussian with the same variance 2 mu', () => {
    const mu = 1e6;
    for (const a of [2, 8, 32]) {
      const sk = skellamRdp(mu, a, 10, 3);
      const g = gaussianRdp(Math.sqrt(2 * mu), a, 3);
      expect(sk).toBeGreaterThan(g);
      expect((sk - g) / g).toBeLessThan(1e-5);
    }
  });

  it('Skellam RDP is monotone in alpha and decreasing in mu', () => {
    const v = skellamRdpVector(50, 4, 2, [2, 3, 4, 8]);
    for (let k = 1; k < v.length; k++) expect(v[k]).toBeGreaterThan(v[k - 1]);
    expect(skellamRdp(80, 4, 4, 2)).toBeLessThan(skellamRdp(50, 4, 4, 2));
  });
});
