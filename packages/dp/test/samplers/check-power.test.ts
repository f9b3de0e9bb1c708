import { describe, expect, test } from 'vitest';
import { seededRandom } from '@tessera/crypto';
import { discreteGaussianSampler, poissonSampler, sampleMany } from '@tessera/dp';
import { discreteGaussianPmf, expectDistribution, poissonPmf } from './distribution-check.js';

// The statistical checks must be able to fail: slightly wrong distributions are rejected.
describe('the distribution check rejects near misses', () => {
  test('discrete Gaussian sigma^2 = 25 is not sigma^2 = 26', () => {
    const samples = sampleMany(discreteGaussianSampler(25, seededRandom('power-gaussian')), 100_000);
    expect(() => expectDistribution(samples, discreteGaussianPmf(26), { centre: 0 })).toThrow();
  });

  test('Poisson(40) is not Poisson(40.5), and a shift by one is caught', () => {
    const samples = sampleMany(poissonSampler(40, seededRandom('power-poisson')), 100_000);
    expect(() => expectDistribution(samples, poissonPmf(40.5))).toThrow();
    expect(() =>
      expectDistribution(
        samples.map((x) => x + 1),
        poissonPmf(40),
      ),
    ).toThrow();
  });
});
