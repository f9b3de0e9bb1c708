import { DEFAULT_ORDERS, epsilonFor, PrivacyParameterError, subsampledGaussianRdpVector } from '@tessera/dp';

/**
 * What a differentially private job releases, all with Gaussian noise of multiplier z: `fullReleases`
 * releases over every unit (the private statistics stage) and `rounds` training rounds at Poisson
 * sampling rate `sampleRate`. Coordinator and participants compute the same cost from these numbers.
 */
export interface JobPrivacyCost {
  noiseMultiplier: number;
  sampleRate: number;
  rounds: number;
  fullReleases: number;
}

/** The RDP curve (over DEFAULT_ORDERS) after `fullReleases` full releases and `rounds` sampled rounds. */
export function jobRdp(z: number, sampleRate: number, rounds: number, fullReleases: number): number[] {
  const full =
    fullReleases > 0 ? subsampledGaussianRdpVector(z, 1, fullReleases, DEFAULT_ORDERS) : DEFAULT_ORDERS.map(() => 0);
  const sampled =
    rounds > 0 ? subsampledGaussianRdpVector(z, sampleRate, rounds, DEFAULT_ORDERS) : DEFAULT_ORDERS.map(() => 0);
  return full.map((v, i) => v + sampled[i]!); // both curves have one value per order of DEFAULT_ORDERS
}

export function epsilonOfRdp(rdp: readonly number[], delta: number): number {
  return rdp.every((v) => v === 0) ? 0 : epsilonFor(rdp, DEFAULT_ORDERS, delta).epsilon;
}

/** Epsilon at `delta` after part (or all) of a job. */
export function jobEpsilon(
  cost: JobPrivacyCost,
  delta: number,
  done: { rounds: number; fullReleases: number } = cost,
): number {
  return epsilonOfRdp(jobRdp(cost.noiseMultiplier, cost.sampleRate, done.rounds, done.fullReleases), delta);
}

/** The smallest noise multiplier (to 1e-9 relative, rounded up) whose whole job stays within (epsilon, delta). */
export function calibrateJobNoise(o: {
  epsilon: number;
  delta: number;
  sampleRate: number;
  rounds: number;
  fullReleases: number;
}): number {
  const eps = (z: number) => epsilonOfRdp(jobRdp(z, o.sampleRate, o.rounds, o.fullReleases), o.delta);
  let hi = 1000;
  if (eps(hi) > o.epsilon) {
    throw new PrivacyParameterError(
      'epsilon',
      `epsilon=${o.epsilon} cannot be reached by this job even with noise multiplier ${hi} ` +
        `(${o.rounds} rounds, ${o.fullReleases} statistics releases, delta ${o.delta}); ` +
        'raise privacy.epsilon or lower rounds',
    );
  }
  let lo = hi;
  do {
    hi = lo;
    lo /= 2;
    if (lo < 1e-6) return hi;
  } while (eps(lo) <= o.epsilon);
  while ((hi - lo) / hi > 1e-9) {
    const mid = Math.sqrt(lo * hi);
    if (eps(mid) <= o.epsilon) hi = mid;
    else lo = mid;
  }
  return hi;
}
