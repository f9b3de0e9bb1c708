// The timed parts of the dp benchmark, at a size that takes milliseconds. They were tests of their
// own (samplers/throughput and accountant/performance in @tessera/dp); the timing itself is the
// benchmark's (npm run bench, part dp): here only that every figure is measured and well-formed.
import { seededRandom } from '@tessera/crypto';
import { RdpAccountant } from '@tessera/dp';
import { describe, expect, it } from 'vitest';
import { measureAccountant, measureSamplers } from '../src/dp/measure.js';

describe('dp benchmark (bench workspace)', () => {
  it('reports every sampler and scale', () => {
    const results = measureSamplers({ minMillis: 5, rng: seededRandom('throughput') });
    expect(results.map((r) => `${r.name} ${r.param}`)).toEqual([
      'discreteGaussian sigma=1',
      'skellam mu=1',
      'discreteGaussian sigma=10',
      'skellam mu=100',
      'discreteGaussian sigma=1000',
      'skellam mu=1000000',
    ]);
    for (const r of results) expect(r.samplesPerSecond).toBeGreaterThan(0);
  });

  it('times the accountant on 10^4 subsampled-Gaussian steps, and every call gives the same epsilon', () => {
    const r = measureAccountant(2);
    expect(r.cold).toBeGreaterThan(0);
    expect(r.warm).toBeGreaterThan(0);
    const direct = new RdpAccountant().spendSubsampledGaussian(1.1, 0.01, 10_000).epsilon(1e-5);
    expect(r.epsilon).toBeGreaterThan(0);
    expect(r).toMatchObject({ epsilon: direct.epsilon, order: direct.order });
  });
});
