// The timed parts of the dp benchmark (`npm run bench` part "dp"): exact-sampler throughput and the
// accountant's cost. Kept apart from the utility curve, which runs whole demo federations.
import type { Random } from '@tessera/crypto';
import { RdpAccountant, samplerThroughput, type SamplerThroughput } from '@tessera/dp';

/**
 * Samples per second of the discrete Gaussian (sigma 1, 10, 1000) and Skellam at the same variance, each timed for at
 * least `minMillis`.
 */
export function measureSamplers(o: { minMillis: number; rng?: Random }): SamplerThroughput[] {
  return samplerThroughput({ minMillis: o.minMillis, ...(o.rng ? { rng: o.rng } : {}) });
}

export interface AccountantTiming {
  /** Milliseconds of the first call, then the mean of `warmCalls` further calls. */
  cold: number;
  warm: number;
  /** What each call computed: epsilon at delta 1e-5 and the best Renyi order. */
  epsilon: number;
  order: number;
}

/**
 * Accounts 10^4 Poisson-subsampled Gaussian steps (sigma 1.1, q 0.01) and converts to epsilon at delta 1e-5 over the
 * default order grid.
 */
export function measureAccountant(warmCalls = 20): AccountantTiming {
  let last = { epsilon: NaN, order: NaN };
  const once = () => {
    const t = performance.now();
    last = new RdpAccountant().spendSubsampledGaussian(1.1, 0.01, 10_000).epsilon(1e-5);
    return performance.now() - t;
  };
  const cold = once();
  let warm = 0;
  for (let i = 0; i < warmCalls; i++) warm += once();
  return { cold, warm: warm / warmCalls, epsilon: last.epsilon, order: last.order };
}
