import { describe, expect, test } from 'vitest';
import { seededRandom } from '@tessera/crypto';
import { discreteGaussianSampler, sampleDiscreteGaussian, sampleMany, varianceFromSigma } from '@tessera/dp';
import { discreteGaussianPmf, expectDistribution } from './distribution-check.js';

describe('discrete Gaussian N_Z(0, sigma^2)', () => {
  test.each([0.5, 1, 3, 10])('sigma = %s (sigma^2 from the exact double)', (sigma) => {
    const samples = sampleMany(
      discreteGaussianSampler(varianceFromSigma(sigma), seededRandom(`gaussian-${sigma}`)),
      100_000,
    );
    expectDistribution(samples, discreteGaussianPmf(sigma * sigma), { centre: 0 });
  });

  test('sigma^2 as a decimal string ("1.21" = 121/100) and as a non-dyadic double (0.7, BigInt path)', () => {
    const decimal = sampleMany(discreteGaussianSampler('1.21', seededRandom('gaussian-decimal')), 60_000);
    expectDistribution(decimal, discreteGaussianPmf(1.21), { centre: 0 });
    const binary = sampleMany(discreteGaussianSampler(0.7, seededRandom('gaussian-binary')), 30_000);
    expectDistribution(binary, discreteGaussianPmf(0.7), { centre: 0 });
  });

  test('large sigma (1000): bulk fit and tails', () => {
    const samples = sampleMany(discreteGaussianSampler(1_000_000n, seededRandom('gaussian-1000')), 100_000);
    expectDistribution(samples, discreteGaussianPmf(1e6), { centre: 0 });
  });

  test('varianceFromSigma is exact', () => {
    expect(varianceFromSigma(0.5)).toEqual({ num: 1n, den: 4n });
    expect(varianceFromSigma('0.1')).toEqual({ num: 1n, den: 100n });
    expect(varianceFromSigma(3)).toEqual({ num: 9n, den: 1n });
  });

  test('one-shot helper and invalid parameters', () => {
    const rng = seededRandom('gaussian-misc');
    expect(Number.isInteger(sampleDiscreteGaussian(4, rng))).toBe(true);
    expect(() => discreteGaussianSampler(0, rng)).toThrow(RangeError);
    expect(() => discreteGaussianSampler(Number.NaN, rng)).toThrow(RangeError);
  });
});
