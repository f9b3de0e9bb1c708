import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ORDERS,
  PrivacyParameterError,
  RdpAccountant,
  distributedDiscreteGaussianRdp,
  distributedDiscreteGaussianRdpVector,
  distributedDiscreteGaussianTau,
  distributedDiscreteGaussianZcdp,
  gaussianZcdp,
} from '../../src/index.js';

describe('distributed discrete Gaussian (Kairouz-Liu-Steinke 2021)', () => {
  it('tau is negligible for sigma >= 2 and the bound is the continuous Gaussian rho = Δ²/(2 n sigma²)', () => {
    expect(distributedDiscreteGaussianTau(1000, 2)).toBeLessThan(1e-12);
    expect(distributedDiscreteGaussianTau(1, 0.5)).toBe(0); // a single discrete Gaussian: no extra term
    for (const [n, sigma, d, l2] of [
      [100, 2, 1000, 5],
      [10, 20, 1 << 20, 100],
      [1000, 3, 10_000, 1],
    ] as const) {
      const { rho } = distributedDiscreteGaussianZcdp({ participants: n, sigma, dimension: d, l2Sensitivity: l2 });
      const continuous = gaussianZcdp(Math.sqrt(n) * sigma, l2);
      expect(rho).toBeCloseTo(l2 ** 2 / (2 * n * sigma ** 2), 12);
      expect(Math.abs(rho / continuous - 1)).toBeLessThan(1e-9);
    }
  });

  it('small sigma, computed by hand: n = 3, sigma = 1/2, d = 10, Δ2 = 2', () => {
    // tau = 10 (e^{-2π²·¼·½} + e^{-2π²·¼·⅔}) = 10 (e^{-π²/4} + e^{-π²/3}) ≈ 10 (0.0848 + 0.03726) ≈ 1.2206
    const tau = 10 * (Math.exp(-(Math.PI ** 2) / 4) + Math.exp(-(Math.PI ** 2) / 3));
    expect(tau).toBeCloseTo(1.2206, 3);
    expect(distributedDiscreteGaussianTau(3, 0.5)).toBeCloseTo(tau, 14);
    // bound 1: Δ²/(2nσ²) + τd = 8/3 + 12.206 ≈ 14.87; bound 3: ½(2/(√3·½) + τ√10)² ≈ ½(2.3094 + 3.8599)² ≈ 19.03
    const params = { participants: 3, sigma: 0.5, dimension: 10, l2Sensitivity: 2 };
    const { rho, epsilon } = distributedDiscreteGaussianZcdp(params);
    expect(rho).toBeCloseTo(8 / 3 + 10 * tau, 12);
    expect(rho).toBeCloseTo(14.873, 2);
    expect(epsilon).toBeCloseTo(Math.sqrt(2 * rho), 12);
    // RDP: alpha·a + b at small orders, switching to alpha·c when it is smaller (never above alpha·rho)
    expect(distributedDiscreteGaussianRdp(params, 2)).toBeCloseTo(16 / 3 + 10 * tau, 10);
    const c = 0.5 * (2 / (Math.sqrt(3) * 0.5) + tau * Math.sqrt(10)) ** 2;
    expect(c).toBeCloseTo(19.03, 1);
    expect(distributedDiscreteGaussianRdp(params, 1.25)).toBeCloseTo(Math.min(1.25 * (8 / 3) + 10 * tau, 1.25 * c), 10);
    // With the L1 sensitivity (Δ1 = 2 here: one coordinate changes by 2) the middle bound applies
    const withL1 = distributedDiscreteGaussianZcdp({ ...params, l1Sensitivity: 2 });
    const middle = 0.5 * (16 / 3 + (2 * 2 * tau) / (Math.sqrt(3) * 0.5) + tau * tau * 10);
    expect(withL1.rho).toBeCloseTo(Math.min(8 / 3 + 10 * tau, middle, c), 12);
  });

  it('the RDP vector composes in the accountant and is at most alpha·rho', () => {
    const params = { participants: 50, sigma: 0.8, dimension: 1000, l2Sensitivity: 30 };
    const { rho } = distributedDiscreteGaussianZcdp(params);
    const rdp = distributedDiscreteGaussianRdpVector(params);
    rdp.forEach((r, k) => expect(r).toBeLessThanOrEqual(DEFAULT_ORDERS[k] * rho * (1 + 1e-12)));
    const viaRdp = new RdpAccountant().compose(rdp, 100).epsilon(1e-5).epsilon;
    const viaZcdp = new RdpAccountant().spendZcdp(rho, 100).epsilon(1e-5).epsilon;
    expect(viaRdp).toBeLessThanOrEqual(viaZcdp + 1e-9);
    expect(viaRdp).toBeGreaterThan(0);
  });

  it('rejects sigma < 1/2 and bad counts', () => {
    const base = { participants: 10, sigma: 1, dimension: 10, l2Sensitivity: 1 };
    expect(() => distributedDiscreteGaussianZcdp({ ...base, sigma: 0.4 })).toThrow(PrivacyParameterError);
    expect(() => distributedDiscreteGaussianZcdp({ ...base, participants: 0 })).toThrow(PrivacyParameterError);
    expect(() => distributedDiscreteGaussianZcdp({ ...base, dimension: 1.5 })).toThrow(PrivacyParameterError);
    expect(() => distributedDiscreteGaussianRdp(base, 1)).toThrow(PrivacyParameterError);
  });
});
