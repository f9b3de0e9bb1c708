import { describe, expect, it } from 'vitest';
import {
  PrivacyParameterError,
  RdpAccountant,
  analyticGaussianSigma,
  epsilonFor,
  resolveOrders,
  subsampledGaussianRdp,
  zcdpEpsilon,
} from '../../src/accountant/index.js';

function errorOf(fn: () => unknown): PrivacyParameterError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PrivacyParameterError);
    return e as PrivacyParameterError;
  }
  throw new Error('expected a PrivacyParameterError');
}

describe('validation errors name the parameter and the fix', () => {
  it('epsilon must be positive', () => {
    for (const eps of [0, -1, NaN, Infinity]) {
      const e = errorOf(() => analyticGaussianSigma(eps, 1e-5));
      expect(e.parameter).toBe('epsilon');
      expect(e.message).toMatch(/epsilon must be a finite number > 0/);
      expect(e.message).toMatch(/pass a positive privacy budget/);
    }
  });

  it('delta must be in (0, 1)', () => {
    const zero = errorOf(() => analyticGaussianSigma(1, 0));
    expect(zero.parameter).toBe('delta');
    expect(zero.message).toMatch(/delta must be > 0 \(got 0\).*1e-5/);
    const neg = errorOf(() => new RdpAccountant().epsilon(-1e-5));
    expect(neg.parameter).toBe('delta');
    const one = errorOf(() => zcdpEpsilon(0.1, 1));
    expect(one.parameter).toBe('delta');
    expect(one.message).toMatch(/delta must be < 1 \(got 1\)/);
  });

  it('sample rate must be in (0, 1]', () => {
    for (const q of [0, -0.1, 1.5, NaN]) {
      const e = errorOf(() => new RdpAccountant().spendSubsampledGaussian(1, q, 10));
      expect(e.parameter).toBe('sampleRate');
      expect(e.message).toMatch(/batchSize \/ datasetSize/);
    }
  });

  it('steps must be a positive integer', () => {
    for (const s of [0, -3, 2.5, NaN]) {
      const e = errorOf(() => new RdpAccountant().spendSubsampledGaussian(1, 0.1, s));
      expect(e.parameter).toBe('steps');
      expect(e.message).toMatch(/steps must be a positive integer/);
    }
  });

  it('orders must be non-empty and > 1', () => {
    const empty = errorOf(() => resolveOrders([]));
    expect(empty.parameter).toBe('orders');
    expect(empty.message).toMatch(/non-empty.*DEFAULT_ORDERS/);
    const low = errorOf(() => new RdpAccountant([2, 1, 3]));
    expect(low.message).toMatch(/orders\[1\] must be a finite Rényi order > 1 \(got 1\)/);
    const half = errorOf(() => subsampledGaussianRdp(1, 0.1, 0.5));
    expect(half.parameter).toBe('order');
  });

  it('RDP vectors must align with the orders', () => {
    const e = errorOf(() => epsilonFor([1, 2], [2, 3, 4], 1e-5));
    expect(e.parameter).toBe('rdp');
    expect(e.message).toMatch(/one entry per order \(3 orders, got 2\)/);
    const neg = errorOf(() => new RdpAccountant([2]).compose([-1]));
    expect(neg.message).toMatch(/rdpVector\[0\] must be a number >= 0/);
  });

  it('noise scales must be positive', () => {
    expect(() => new RdpAccountant().spendGaussian(0)).toThrow(/sigma must be a finite number > 0/);
    expect(() => new RdpAccountant().spendGaussian(1, -1)).toThrow(/sensitivity must be a finite number >= 0/);
  });
});
