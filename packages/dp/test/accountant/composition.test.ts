import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ORDERS,
  PrivacyParameterError,
  RdpAccountant,
  gaussianRdpVector,
  subsampledGaussianRdpVector,
} from '../../src/accountant/index.js';

describe('RdpAccountant', () => {
  it('starts empty with epsilon 0', () => {
    const acc = new RdpAccountant();
    expect(acc.orders).toEqual(DEFAULT_ORDERS);
    expect(acc.epsilon(1e-5).epsilon).toBe(0);
  });

  it('composition is additive across rounds: spending in pieces equals spending at once', () => {
    const once = new RdpAccountant().spendSubsampledGaussian(1.1, 0.01, 3000);
    const pieces = new RdpAccountant();
    for (let round = 0; round < 30; round++) pieces.spendSubsampledGaussian(1.1, 0.01, 100);
    once.rdp.forEach((r, k) => expect(Math.abs(pieces.rdp[k] - r) / r).toBeLessThan(1e-13));
    expect(pieces.epsilon(1e-5).epsilon).toBeCloseTo(once.epsilon(1e-5).epsilon, 10);
  });

  it('compose(vector, count) equals count repeated composes', () => {
    const v = gaussianRdpVector(10, 1, DEFAULT_ORDERS);
    const a = new RdpAccountant().compose(v, 7);
    const b = new RdpAccountant();
    for (let i = 0; i < 7; i++) b.compose(v);
    a.rdp.forEach((r, k) => expect(b.rdp[k]).toBeCloseTo(r, 12));
    expect(new RdpAccountant().compose(v, 0).epsilon(1e-5).epsilon).toBe(0);
  });

  it('spendGaussian matches the plain Gaussian RDP and epsilon grows with every spend', () => {
    const acc = new RdpAccountant();
    let prev = 0;
    for (let i = 0; i < 5; i++) {
      acc.spendGaussian(20, 1);
      const e = acc.epsilon(1e-5).epsilon;
      expect(e).toBeGreaterThan(prev);
      prev = e;
    }
    acc.rdp.forEach((r, k) => expect(r).toBeCloseTo((5 * DEFAULT_ORDERS[k]) / 800, 12));
  });

  it('composes across jobs that share data', () => {
    const job1 = new RdpAccountant().spendSubsampledGaussian(1.0, 0.02, 500);
    const job2 = new RdpAccountant().spendGaussian(50, 1, 3);
    const total = job1.clone().composeAccountant(job2);
    expect(total.epsilon(1e-5).epsilon).toBeGreaterThan(job1.epsilon(1e-5).epsilon);
    // clone left job1 untouched
    expect(job1.rdp).toEqual(new RdpAccountant().spendSubsampledGaussian(1.0, 0.02, 500).rdp);
    expect(() => total.composeAccountant(new RdpAccountant([2, 3]))).toThrow(/same orders/);
  });

  it('round-trips through JSON (durable budgets), including infinite RDP', () => {
    const acc = new RdpAccountant().spendSubsampledGaussian(1.3, 150 / 60000, 6000).spendGaussian(30);
    const text = JSON.stringify(acc);
    const back = RdpAccountant.fromJSON(text);
    expect(back.rdp).toEqual(acc.rdp);
    expect(back.orders).toEqual(acc.orders);
    expect(back.epsilon(1e-5)).toEqual(acc.epsilon(1e-5));
    // continue spending after restore
    back.spendSubsampledGaussian(1.3, 150 / 60000, 10);
    expect(back.epsilon(1e-5).epsilon).toBeGreaterThan(acc.epsilon(1e-5).epsilon);

    const inf = new RdpAccountant([2, 4]).compose([Infinity, 1]);
    const infBack = RdpAccountant.fromJSON(JSON.parse(JSON.stringify(inf)));
    expect(infBack.rdp).toEqual([Infinity, 1]);
  });

  it('rejects malformed JSON with a named error', () => {
    expect(() => RdpAccountant.fromJSON('{')).toThrow(PrivacyParameterError);
    expect(() => RdpAccountant.fromJSON('{"kind":"other"}')).toThrow(/json is not a serialised RdpAccountant/);
    expect(() =>
      RdpAccountant.fromJSON({ kind: 'tessera.rdp-accountant', version: 1, orders: [2, 3], rdp: [1] }),
    ).toThrow(/json.rdp must have one entry per order/);
  });

  it('fits() checks a spend against a budget without mutating', () => {
    const acc = new RdpAccountant().spendSubsampledGaussian(1.1, 0.01, 1000);
    const before = acc.rdp;
    const step = subsampledGaussianRdpVector(1.1, 0.01, 1);
    expect(acc.fits(step, 100, 1e-5, 10)).toBe(true);
    expect(acc.fits(step, 0.01, 1e-5, 10)).toBe(false);
    expect(acc.rdp).toEqual(before);
  });
});
