import { describe, expect, test } from 'vitest';
import { seededRandom } from '@tessera/crypto';
import { poissonSampler, sampleMany, samplePoisson, sampleSkellam, skellamSampler } from '@tessera/dp';
import { expectDistribution, poissonPmf, skellamPmf } from './distribution-check.js';

describe('Poisson(lambda)', () => {
  test.each([0.3, 1, 5, 7.75])('lambda = %s (sum of small pieces)', (lambda) => {
    const samples = sampleMany(poissonSampler(lambda, seededRandom(`poisson-${lambda}`)), 100_000);
    expectDistribution(samples, poissonPmf(lambda));
  });

  test.each([8, 20, 40, 1000, '201/4'])('lambda = %s (envelope rejection)', (lambda) => {
    const samples = sampleMany(poissonSampler(lambda, seededRandom(`poisson-${lambda}`)), 100_000);
    expectDistribution(samples, poissonPmf(typeof lambda === 'string' ? 201 / 4 : lambda));
  });

  test('lambda = 500000 (envelope rejection, large) and lambda = 9.3 as a non-dyadic double (BigInt path)', () => {
    const large = sampleMany(poissonSampler(500_000, seededRandom('poisson-500000')), 20_000);
    expectDistribution(large, poissonPmf(500_000));
    const binary = sampleMany(poissonSampler(9.3, seededRandom('poisson-9.3')), 20_000);
    expectDistribution(binary, poissonPmf(9.3));
  });

  test('lambda = 0 and a fraction ("10/3")', () => {
    const rng = seededRandom('poisson-misc');
    expect(samplePoisson(0, rng)).toBe(0);
    expectDistribution(sampleMany(poissonSampler('10/3', rng), 60_000), poissonPmf(10 / 3));
    expect(() => poissonSampler(-1, rng)).toThrow(RangeError);
  });
});

describe('Skellam with variance mu: Poisson(mu/2) - Poisson(mu/2)', () => {
  test.each([1, 10, 100])('mu = %s', (mu) => {
    const samples = sampleMany(skellamSampler(mu, seededRandom(`skellam-${mu}`)), 100_000);
    const result = expectDistribution(samples, skellamPmf(mu), { centre: 0 });
    expect(Math.abs(result.variance / mu - 1)).toBeLessThan(0.05);
  });

  test('one-shot helper', () => {
    expect(Number.isInteger(sampleSkellam(2, seededRandom('skellam-misc')))).toBe(true);
  });
});
