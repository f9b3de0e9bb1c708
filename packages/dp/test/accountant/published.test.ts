import { describe, expect, it } from 'vitest';
import {
  RdpAccountant,
  analyticGaussianSigma,
  epsilonFor,
  subsampledGaussianRdpVector,
  zcdpDelta,
} from '../../src/accountant/index.js';

const tfOrders = (): number[] => {
  const o = [1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5];
  for (let a = 5; a <= 63; a++) o.push(a);
  o.push(128, 256, 512);
  return o;
};

describe('published values', () => {
  it('DP-SGD MNIST: n=60000, batch 150, sigma 1.3, 15 epochs, delta 1e-5 -> eps 0.7242234026109595 at order 19', () => {
    const q = 150 / 60000;
    const steps = Math.ceil((15 * 60000) / 150);
    expect(steps).toBe(6000);
    const acc = new RdpAccountant(tfOrders()).spendSubsampledGaussian(1.3, q, steps);
    const { epsilon, order } = acc.epsilon(1e-5);
    expect(order).toBe(19);
    expect(Math.abs(epsilon - 0.7242234026109595)).toBeLessThan(1e-9);
  });

  it('fractional orders: sigma 1.5, q 0.04, 2250 steps, delta 1e-5 -> eps 7.32911117143 at order 3.9', () => {
    const orders: number[] = [];
    for (let x = 1; x < 100; x++) orders.push(1 + x / 10);
    for (let a = 12; a < 64; a++) orders.push(a);
    const rdp = subsampledGaussianRdpVector(1.5, 0.04, 2250, orders);
    const { epsilon, order } = epsilonFor(rdp, orders, 1e-5);
    expect(order).toBeCloseTo(3.9, 12);
    expect(Math.abs(epsilon - 7.32911117143) / 7.32911117143).toBeLessThan(1e-6);
  });

  it('analytic Gaussian (Balle & Wang 2018): eps 0.1, delta 1e-6 -> sigma 36.30469042619629', () => {
    const sigma = analyticGaussianSigma(0.1, 1e-6, 1);
    expect(Math.abs(sigma - 36.30469042619629) / 36.30469042619629).toBeLessThan(1e-7);
    expect(Math.abs(sigma - 36.3046904) / 36.3046904).toBeLessThan(1e-7);
  });

  it('CKS zCDP -> (eps, delta): rho 0.05, eps 0.25 -> delta 0.0817727531036956', () => {
    const delta = zcdpDelta(0.05, 0.25);
    expect(Math.abs(delta - 0.0817727531036956) / 0.0817727531036956).toBeLessThan(1e-12);
  });
});
