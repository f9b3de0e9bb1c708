import { analyticGaussianSigma } from '@tessera/dp';
import { calibrateJobNoise } from '@tessera/fl';

/**
 * How the noise of one private query release was calibrated: the smaller of two noise multipliers
 * (standard deviation over the L2 sensitivity), each of which makes the Gaussian mechanism
 * (epsilon, delta)-DP on its own:
 * - `analytic-gaussian`: the exact condition of Balle and Wang 2018 (one release, no composition);
 * - `rdp`: the RDP accountant's conversion, as for every other release (composes with them).
 * The analytic one is 6-14% smaller for the usual (epsilon, delta). Participants' ledgers still
 * record the release as the RDP curve of a Gaussian at this multiplier, a true bound that composes;
 * its conversion at the same delta can read a little above epsilon.
 */
export interface QueryCalibration {
  noiseMultiplier: number;
  method: 'analytic-gaussian' | 'rdp';
  analyticNoiseMultiplier: number;
  rdpNoiseMultiplier: number;
}

const calibrated = new Map<string, QueryCalibration>();

/** The calibration of one private query release at (epsilon, delta); see QueryCalibration. */
export function queryNoiseCalibration(privacy: { epsilon: number; delta: number }): QueryCalibration {
  const key = `${privacy.epsilon}/${privacy.delta}`;
  let c = calibrated.get(key);
  if (c === undefined) {
    const analytic = analyticGaussianSigma(privacy.epsilon, privacy.delta, 1);
    const rdp = calibrateJobNoise({
      epsilon: privacy.epsilon,
      delta: privacy.delta,
      sampleRate: 1,
      rounds: 0,
      fullReleases: 1,
    });
    c =
      analytic <= rdp
        ? {
            noiseMultiplier: analytic,
            method: 'analytic-gaussian',
            analyticNoiseMultiplier: analytic,
            rdpNoiseMultiplier: rdp,
          }
        : { noiseMultiplier: rdp, method: 'rdp', analyticNoiseMultiplier: analytic, rdpNoiseMultiplier: rdp };
    if (calibrated.size > 256) calibrated.clear();
    calibrated.set(key, c);
  }
  return c;
}

/**
 * The noise multiplier of one private query release at (epsilon, delta): what the coordinator
 * calibrates and what a participant recomputes from the signed spec to check the task's noise
 * (a task at or above it is private enough).
 */
export function queryNoiseMultiplier(privacy: { epsilon: number; delta: number }): number {
  return queryNoiseCalibration(privacy).noiseMultiplier;
}
