import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ORDERS,
  deltaFor,
  epsilonFor,
  gaussianRdpVector,
  subsampledGaussianRdpVector,
  zcdpDelta,
  zcdpEpsilon,
  zcdpToRdpVector,
} from '../../src/accountant/index.js';

describe('RDP -> (epsilon, delta)', () => {
  it('uses the improved conversion eps = r + log((a-1)/a) - (log delta + log a)/(a-1)', () => {
    const orders = [2, 4, 8];
    const rdp = [0.5, 1.0, 2.5];
    const delta = 1e-6;
    const expected = orders.map((a, k) => rdp[k] + Math.log((a - 1) / a) - (Math.log(delta) + Math.log(a)) / (a - 1));
    const best = Math.min(...expected);
    const { epsilon, order } = epsilonFor(rdp, orders, delta);
    expect(epsilon).toBeCloseTo(best, 12);
    expect(order).toBe(orders[expected.indexOf(best)]);
  });

  it('is no worse than the classic conversion r - log(delta)/(a-1)', () => {
    const rdp = subsampledGaussianRdpVector(1.1, 0.01, 5000);
    const classic = Math.min(...DEFAULT_ORDERS.map((a, k) => rdp[k] - Math.log(1e-5) / (a - 1)));
    expect(epsilonFor(rdp, DEFAULT_ORDERS, 1e-5).epsilon).toBeLessThan(classic);
  });

  it('constant RDP (pure DP) picks the largest order', () => {
    const orders = Array.from({ length: 31 }, (_, i) => i + 2);
    expect(
      epsilonFor(
        orders.map(() => 1.1),
        orders,
        1e-5,
      ).order,
    ).toBe(32);
  });

  it('tiny RDP gives epsilon 0 through the KL bound', () => {
    expect(epsilonFor([1e-14, 1e-14], [2, 3], 1e-5).epsilon).toBe(0);
  });

  it('deltaFor inverts epsilonFor', () => {
    for (const [sigma, q, steps] of [
      [1.3, 0.0025, 6000],
      [0.9, 0.01, 1000],
      [4, 0.1, 100],
    ] as const) {
      const rdp = subsampledGaussianRdpVector(sigma, q, steps);
      for (const delta of [1e-3, 1e-5, 1e-8]) {
        const { epsilon, order } = epsilonFor(rdp, DEFAULT_ORDERS, delta);
        const back = deltaFor(rdp, DEFAULT_ORDERS, epsilon);
        expect(back.order).toBe(order);
        expect(Math.abs(back.delta - delta) / delta).toBeLessThan(1e-9);
      }
    }
  });

  it('epsilon is decreasing in delta and increasing in the RDP curve', () => {
    const rdp = subsampledGaussianRdpVector(1.0, 0.02, 2000);
    let prev = Infinity;
    for (const delta of [1e-10, 1e-8, 1e-6, 1e-4, 1e-2]) {
      const e = epsilonFor(rdp, DEFAULT_ORDERS, delta).epsilon;
      expect(e).toBeLessThan(prev);
      prev = e;
    }
    const bigger = rdp.map((r) => r * 1.5);
    expect(epsilonFor(bigger, DEFAULT_ORDERS, 1e-5).epsilon).toBeGreaterThan(
      epsilonFor(rdp, DEFAULT_ORDERS, 1e-5).epsilon,
    );
  });
});

describe('zCDP -> (epsilon, delta) (Canonne, Kamath, Steinke 2020)', () => {
  const bruteForce = (rho: number, eps: number): number => {
    let best = Infinity;
    for (let t = 1e-4; t < 2000; t *= 1.0005) {
      const a = 1 + t;
      const v = (Math.exp((a - 1) * (a * rho - eps)) / (a - 1)) * (1 - 1 / a) ** a;
      if (v < best) best = v;
    }
    return Math.min(1, best);
  };

  it('equals the infimum over alpha of the CKS bound', () => {
    for (const [rho, eps] of [
      [0.05, 0.25],
      [0.5, 2],
      [0.01, 1],
      [1, 10],
      [0.001, 0.1],
    ] as const) {
      const d = zcdpDelta(rho, eps);
      const b = bruteForce(rho, eps);
      expect(d).toBeLessThanOrEqual(b * (1 + 1e-12));
      expect(Math.abs(d - b) / b).toBeLessThan(1e-5); // grid is coarse; d is the true infimum
    }
  });

  it('zcdpEpsilon inverts zcdpDelta', () => {
    for (const rho of [0.001, 0.05, 0.5, 3]) {
      for (const delta of [1e-3, 1e-6, 1e-10]) {
        const eps = zcdpEpsilon(rho, delta);
        expect(zcdpDelta(rho, eps)).toBeLessThanOrEqual(delta);
        expect(Math.abs(zcdpDelta(rho, eps) - delta) / delta).toBeLessThan(1e-9);
        // never worse than the classic rho + 2 sqrt(rho log(1/delta))
        expect(eps).toBeLessThanOrEqual(rho + 2 * Math.sqrt(rho * Math.log(1 / delta)));
      }
    }
  });

  it('agrees with converting the RDP curve alpha*rho over a fine grid', () => {
    const orders = Array.from({ length: 2000 }, (_, i) => 1.02 + i * 0.01);
    const rho = 0.05;
    const viaRdp = epsilonFor(zcdpToRdpVector(rho, orders), orders, 1e-5).epsilon;
    const direct = zcdpEpsilon(rho, 1e-5);
    expect(direct).toBeLessThanOrEqual(viaRdp + 1e-12);
    expect(Math.abs(direct - viaRdp)).toBeLessThan(1e-4);
  });

  it('Gaussian: zCDP and RDP views agree', () => {
    const rho = 1 / (2 * 3 * 3);
    const rdp = gaussianRdpVector(3, 1, DEFAULT_ORDERS);
    expect(epsilonFor(rdp, DEFAULT_ORDERS, 1e-5).epsilon).toBeGreaterThanOrEqual(zcdpEpsilon(rho, 1e-5) - 1e-12);
  });

  it('rho = 0 gives delta 0 and epsilon 0', () => {
    expect(zcdpDelta(0, 0.5)).toBe(0);
    expect(zcdpEpsilon(0, 1e-5)).toBe(0);
  });
});
