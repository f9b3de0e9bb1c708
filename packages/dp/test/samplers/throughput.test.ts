import { expect, test } from 'vitest';
import { seededRandom } from '@tessera/crypto';
import { samplerThroughput } from '@tessera/dp';

test('samplerThroughput reports every sampler and scale (shape only, no timing assertion)', () => {
  const results = samplerThroughput({ minMillis: 5, rng: seededRandom('throughput') });
  expect(results.map((r) => `${r.name} ${r.param}`)).toEqual([
    'discreteGaussian sigma=1', 'skellam mu=1', 'discreteGaussian sigma=10', 'skellam mu=100',
    'discreteGaussian sigma=1000', 'skellam mu=1000000',
  ]);
  for (const r of results) expect(r.samplesPerSecond).toBeGreaterThan(0);
});
