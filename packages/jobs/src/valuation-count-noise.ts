// The noise of a DP training job's VALUATION_COUNT release: one count per contributor, a single row's sensitivity,
// calibrated to (payout.epsilon, the job's delta); computed alike by the coordinator and by every participant.
import { NoiseShareError, noiseShareVariance, survivorFloor, type ShareSizing } from '@tessera/fl';
import { JobSpecError } from './job-spec-fields.js';
import type { JobSpec } from './job-spec-types.js';
import { DEFAULT_VALUATION_EPSILON } from './payout-spec.js';
import { queryNoiseCalibration } from './query-noise.js';

/** At most this many slots (contributors) in one VALUATION_COUNT sum. */
export const VALUATION_COUNT_MAX_SLOTS = 10_000;
/** The largest fixed-point level a count is scaled to (each row is `level` ring steps). */
const MAX_LEVEL = 2 ** 12;

/** The release's noise, in ring steps unless said otherwise. */
export interface ValuationCountNoise {
  mode: 'distributed' | 'central' | 'local';
  epsilon: number;
  delta: number;
  /** z for one release of sensitivity 1 at (epsilon, delta). */
  noiseMultiplier: number;
  /** Ring steps per row: 1 unless the round's noise shares would be finer than 2 steps (then the next power of 2). */
  level: number;
  /** The discrete Gaussian variance the sum needs, (z x level)^2. */
  totalVariance: number;
  /** The variance each participant adds: a share (distributed), the whole (local), none (central). */
  shareVariance: number;
  /** Distributed: the survivors an unmask needs (the shares are sized for them); else 0. */
  minSurvivors: number;
}

/** The noise of the VALUATION_COUNT sum of a DP training job `spec` over `participants` contributors. */
export function valuationCountNoise(spec: JobSpec, participants: number): ValuationCountNoise {
  const p = spec.privacy;
  if (p.mode === 'none')
    throw new JobSpecError('privacy.mode', 'a VALUATION_COUNT release belongs to a job with differential privacy');
  if (!(Number.isInteger(participants) && participants >= 1 && participants <= VALUATION_COUNT_MAX_SLOTS))
    throw new RangeError(
      `a valuation count has 1..${VALUATION_COUNT_MAX_SLOTS} contributors, got ${participants} participants`,
    );
  const epsilon = spec.payout?.epsilon ?? DEFAULT_VALUATION_EPSILON;
  const z = queryNoiseCalibration({ epsilon, delta: p.delta }).noiseMultiplier;
  const sizing: ShareSizing = {
    n: participants,
    dropoutRate: spec.secure.dropoutRate,
    corruptFraction: spec.secure.corruptFraction,
    ...(p.survivorFloor !== undefined ? { survivorFloor: Math.min(p.survivorFloor, participants) } : {}),
  };
  let last: Error | undefined;
  for (let level = 1; level <= MAX_LEVEL; level *= 2) {
    const totalVariance = (z * level) ** 2;
    try {
      const shareVariance = noiseShareVariance(p.mode, totalVariance, sizing);
      return {
        mode: p.mode,
        epsilon,
        delta: p.delta,
        noiseMultiplier: z,
        level,
        totalVariance,
        shareVariance,
        minSurvivors: p.mode === 'distributed' ? survivorFloor(sizing) : 0,
      };
    } catch (e) {
      if (!(e instanceof NoiseShareError)) throw e;
      last = e;
    }
  }
  throw new JobSpecError('secure.corruptFraction', last?.message ?? 'no noise share fits the valuation count');
}

/** The standard deviation, in rows, of each count the sum of `survivors` releases (central: the coordinator's). */
export function valuationCountStd(noise: ValuationCountNoise, survivors: number): number {
  const variance = noise.mode === 'central' ? noise.totalVariance : noise.shareVariance * survivors;
  return Math.sqrt(variance) / noise.level;
}
