import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ORDERS,
  gaussianRdp,
  subsampledGaussianRdp,
  subsampledGaussianRdpVector,
} from '../../src/accountant/index.js';

describe('subsampledGaussianRdp', () => {
  it('q = 1 equals the plain Gaussian alpha / (2 sigma^2) at every order', () => {
    for (const sigma of [0.5, 1, 1.3, 4]) {
      for (const a of DEFAULT_ORDERS) {
        expect(subsampledGaussianRdp(sigma, 1, a)).toBe(gaussianRdp(sigma, a));
      }
    }
  });

  it('q close to 1 approaches the plain Gaussian from below (integer and fractional orders)', () => {
    for (const a of [1.5, 2, 3.5, 8]) {
      const full = gaussianRdp(1.2, a);
      const near = subsampledGaussianRdp(1.2, 1 - 1e-9, a);
      expect(near).toBeLessThanOrEqual(full * (1 + 1e-12));
      expect(Math.abs(near - full) / full).toBeLessThan(1e-6);
    }
  });

  it('q = 0 gives 0 and sigma = 0 gives Infinity', () => {
    expect(subsampledGaussianRdp(1, 0, 2.5)).toBe(0);
    expect(subsampledGaussianRdp(1, 0, 4)).toBe(0);
    expect(subsampledGaussianRdp(0, 0.1, 4)).toBe(Infinity);
  });

  it('matches high-precision numerical integration of E[(mu/mu0)^alpha] (mpmath, 30 digits)', () => {
    // [sigma, q, alpha, reference RDP]
    const refs: [number, number, number, number][] = [
      [1.0, 0.01, 1.5, 0.00012725374332744983],
      [0.8, 0.1, 2.5, 0.058087571083751344],
      [2.0, 0.3, 3.7, 0.05198462689927251],
      [0.6, 0.5, 1.25, 0.6335136633188111],
      [5.0, 0.001, 12.3, 2.510931435508768e-7],
      [1.3, 0.0025, 19, 5.037726614862881e-5],
      [0.5, 0.2, 7, 12.122322435669723],
      [1.1, 0.9, 2.2, 0.7922160178486258],
      [3.0, 0.05, 64.5, 0.5580660812257782],
    ];
    for (const [sigma, q, a, ref] of refs) {
      const got = subsampledGaussianRdp(sigma, q, a);
      expect(Math.abs(got - ref) / ref).toBeLessThan(1e-9);
    }
  });

  it('is monotone: increasing in q and alpha, decreasing in sigma', () => {
    const orders = [1.25, 1.5, 2, 2.5, 3, 4.5, 8, 16, 32.5, 64];
    for (const a of orders) {
      let prev = 0;
      for (const q of [1e-4, 1e-3, 0.01, 0.05, 0.2, 0.5, 0.9, 1]) {
        const r = subsampledGaussianRdp(1.1, q, a);
        expect(r).toBeGreaterThan(prev);
        prev = r;
      }
      prev = Infinity;
      for (const sigma of [0.5, 0.8, 1, 1.5, 3, 10]) {
        const r = subsampledGaussianRdp(sigma, 0.02, a);
        expect(r).toBeLessThan(prev);
        prev = r;
      }
    }
    let prev = 0;
    for (let a = 1.05; a < 80; a += 0.35) {
      const r = subsampledGaussianRdp(1.0, 0.01, a);
      expect(r).toBeGreaterThanOrEqual(prev * (1 - 1e-12));
      prev = r;
    }
  });

  it('fractional series is continuous with the integer binomial expansion', () => {
    for (const a of [2, 3, 5, 10]) {
      const exact = subsampledGaussianRdp(1.3, 0.01, a);
      const below = subsampledGaussianRdp(1.3, 0.01, a - 1e-7);
      const above = subsampledGaussianRdp(1.3, 0.01, a + 1e-7);
      expect(below).toBeLessThanOrEqual(exact);
      expect(above).toBeGreaterThanOrEqual(exact);
      expect(Math.abs(above - below) / exact).toBeLessThan(1e-5);
    }
  });

  it('vector form composes steps linearly', () => {
    const one = subsampledGaussianRdpVector(1.3, 0.01, 1);
    const many = subsampledGaussianRdpVector(1.3, 0.01, 250);
    one.forEach((r, k) => expect(many[k]).toBeCloseTo(250 * r, 12));
  });
});

describe('subsampledGaussianRdp: slowly converging fractional series', () => {
  it('falls back to the conservative integer order ceil(alpha) for huge sigma with large q', () => {
    const r = subsampledGaussianRdp(1000, 0.5, 1.25);
    const upper = subsampledGaussianRdp(1000, 0.5, 2);
    expect(r).toBeGreaterThan(0);
    expect(r).toBeLessThanOrEqual(upper);
  });
});
