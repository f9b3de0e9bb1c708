import { describe, expect, it } from 'vitest';
import {
  PrivacyParameterError,
  RdpAccountant,
  analyticGaussianSigma,
  gaussianDelta,
  noiseMultiplierFor,
} from '../../src/accountant/index.js';

describe('analyticGaussianSigma (Balle & Wang 2018)', () => {
  it('solves the exact CDF condition', () => {
    for (const [eps, delta] of [
      [0.1, 1e-6],
      [1, 1e-5],
      [5, 1e-9],
      [0.01, 0.1],
      [20, 1e-12],
    ] as const) {
      const sigma = analyticGaussianSigma(eps, delta);
      const d = gaussianDelta(sigma, eps);
      expect(d).toBeLessThanOrEqual(delta * (1 + 1e-12));
      expect(Math.abs(d - delta) / delta).toBeLessThan(1e-9);
    }
  });

  it('scales linearly with the sensitivity and beats the classic sqrt(2 ln(1.25/delta))/eps', () => {
    const s1 = analyticGaussianSigma(0.5, 1e-5, 1);
    expect(analyticGaussianSigma(0.5, 1e-5, 3)).toBeCloseTo(3 * s1, 9);
    expect(s1).toBeLessThan(Math.sqrt(2 * Math.log(1.25 / 1e-5)) / 0.5);
  });

  it('is decreasing in epsilon and in delta', () => {
    let prev = Infinity;
    for (const eps of [0.05, 0.1, 0.5, 1, 2, 8]) {
      const s = analyticGaussianSigma(eps, 1e-6);
      expect(s).toBeLessThan(prev);
      prev = s;
    }
    prev = Infinity;
    for (const delta of [1e-12, 1e-9, 1e-6, 1e-3]) {
      const s = analyticGaussianSigma(1, delta);
      expect(s).toBeLessThan(prev);
      prev = s;
    }
  });
});

describe('noiseMultiplierFor', () => {
  it('round-trips: epsilon(noiseMultiplierFor(e)) <= e and close to e', () => {
    for (const [epsilon, sampleRate, steps] of [
      [1, 0.01, 10000],
      [0.7242234026109595, 150 / 60000, 6000],
      [8, 0.04, 2250],
      [3, 1, 10],
    ] as const) {
      const sigma = noiseMultiplierFor({ epsilon, delta: 1e-5, sampleRate, steps });
      const got = new RdpAccountant().spendSubsampledGaussian(sigma, sampleRate, steps).epsilon(1e-5).epsilon;
      expect(got).toBeLessThanOrEqual(epsilon);
      expect(epsilon - got).toBeLessThan(1e-6 * epsilon);
      // slightly less noise would overshoot
      const less = new RdpAccountant()
        .spendSubsampledGaussian(sigma * (1 - 1e-6), sampleRate, steps)
        .epsilon(1e-5).epsilon;
      expect(less).toBeGreaterThan(epsilon);
    }
  });

  it('recovers the published MNIST noise multiplier 1.3', () => {
    const sigma = noiseMultiplierFor({
      epsilon: 0.7242234026109595,
      delta: 1e-5,
      sampleRate: 150 / 60000,
      steps: 6000,
    });
    expect(sigma).toBeCloseTo(1.3, 6);
  });

  it('throws a clear error when epsilon is unreachable, naming what to change', () => {
    const call = () => noiseMultiplierFor({ epsilon: 1e-4, delta: 1e-5, sampleRate: 0.5, steps: 1000 });
    expect(call).toThrow(PrivacyParameterError);
    expect(call).toThrow(/epsilon=0\.0001 cannot be reached.*Increase epsilon.*maxNoiseMultiplier/);
  });

  it('validates its options', () => {
    expect(() => noiseMultiplierFor({ epsilon: 1, delta: 1e-5, sampleRate: 0, steps: 10 })).toThrow(/sampleRate/);
    expect(() => noiseMultiplierFor({ epsilon: 1, delta: 1e-5, sampleRate: 0.1, steps: 1.5 })).toThrow(/steps/);
    expect(() => noiseMultiplierFor({ epsilon: 1, delta: 1e-5, sampleRate: 0.1, steps: 10, orders: [] })).toThrow(
      /orders/,
    );
  });
});
