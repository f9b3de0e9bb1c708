// The noise pieces a job of full Gaussian releases under customer-level DP shares (recommend, catalogue): the
// multiplier for its whole budget, the sizing of a round's noise shares, and their variance.
import {
  calibrateJobNoise,
  jobEpsilon,
  NoiseShareError,
  noiseShareVariance,
  survivorFloor,
  tolerableColluders,
  type ShareSizing,
} from '@tessera/fl';
import { JobSpecError } from './job-spec-fields.js';

const calibrated = new Map<string, { z: number; epsilon: number }>();

/** z for `releases` full Gaussian releases at (epsilon, delta), and the epsilon the accountant gives at that z. */
export function releaseMultiplier(epsilon: number, delta: number, releases: number): { z: number; epsilon: number } {
  const key = `${epsilon}/${delta}/${releases}`;
  let c = calibrated.get(key);
  if (c === undefined) {
    const z = calibrateJobNoise({ epsilon, delta, sampleRate: 1, rounds: 0, fullReleases: releases });
    const spent = jobEpsilon({ noiseMultiplier: z, sampleRate: 1, rounds: 0, fullReleases: releases }, delta);
    c = { z, epsilon: spent };
    if (calibrated.size > 256) calibrated.clear();
    calibrated.set(key, c);
  }
  return c;
}

/**
 * How a round of `participants` shares its noise: the sizing noiseShareVariance takes, the survivor floor m, and
 * `spread` = sqrt(n / (m - c)) (c the colluders tolerated): the standard deviation of the noise the sum carries when
 * none drops out (every participant's share in), over the target's.
 */
export function shareSizing(
  participants: number,
  secure: { dropoutRate: number; corruptFraction: number },
): { sizing: ShareSizing; minSurvivors: number; spread: number } {
  const sizing = { n: participants, dropoutRate: secure.dropoutRate, corruptFraction: secure.corruptFraction };
  const minSurvivors = survivorFloor(sizing);
  const honest = minSurvivors - tolerableColluders(participants, secure.corruptFraction);
  const spread = honest >= 1 ? Math.sqrt(participants / honest) : 1;
  return { sizing, minSurvivors, spread };
}

/** Each participant's share of `totalVariance` (distributed DP); a JobSpecError on secure.corruptFraction if none. */
export function releaseShareVariance(totalVariance: number, sizing: ShareSizing): number {
  try {
    return noiseShareVariance('distributed', totalVariance, sizing);
  } catch (e) {
    if (e instanceof NoiseShareError) throw new JobSpecError('secure.corruptFraction', e.message);
    throw e;
  }
}
