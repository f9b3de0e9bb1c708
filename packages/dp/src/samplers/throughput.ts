import { systemRandom, type Random } from '@tessera/crypto';
import { discreteGaussianSampler } from './discrete-gaussian.js';
import { skellamSampler } from './skellam.js';

export interface SamplerThroughput {
  name: string;
  param: string;
  samplesPerSecond: number;
}

function measure(sampler: () => number, minMillis: number): number {
  let count = 0;
  let sink = 0;
  let batch = 1;
  const start = performance.now();
  let elapsed = 0;
  do {
    for (let i = 0; i < batch; i++) sink += sampler();
    count += batch;
    if (batch < 4096) batch *= 2;
    elapsed = performance.now() - start;
  } while (elapsed < minMillis);
  if (sink === Number.MAX_VALUE) console.log(sink); // keeps the results observable
  return count / (elapsed / 1000);
}

/** Samples per second on one core for the discrete Gaussian (sigma 1, 10, 1000) and Skellam at the same variance. */
export function samplerThroughput(
  options: { minMillis?: number; rng?: Random; sigmas?: number[] } = {},
): SamplerThroughput[] {
  const rng = options.rng ?? systemRandom();
  const minMillis = options.minMillis ?? 500;
  const results: SamplerThroughput[] = [];
  for (const sigma of options.sigmas ?? [1, 10, 1000]) {
    const variance = BigInt(sigma) * BigInt(sigma);
    const gaussian = discreteGaussianSampler(variance, rng);
    measure(gaussian, minMillis / 5); // warm-up
    results.push({ name: 'discreteGaussian', param: `sigma=${sigma}`, samplesPerSecond: measure(gaussian, minMillis) });
    const skellam = skellamSampler(variance, rng);
    measure(skellam, minMillis / 5);
    results.push({ name: 'skellam', param: `mu=${variance}`, samplesPerSecond: measure(skellam, minMillis) });
  }
  return results;
}
