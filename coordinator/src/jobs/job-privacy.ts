import { effectiveNoiseMultiplier } from '@tessera/dp';
import { calibrateJobNoise, fixedPointSensitivity, jobEpsilon, largestRecordLevel, recordSensitivity, type JobPrivacyCost, type RecordCodec } from '@tessera/fl';
import { accountingSampleRate, PRIVATE_STATISTICS_RELEASES, type JobSpec } from '@tessera/jobs';

/** One round's differential privacy: who adds how much discrete Gaussian noise, in quantised units. */
export interface DpRound {
  mode: 'central' | 'distributed' | 'local';
  unit: 'participant' | 'record';
  z: number;
  totalVariance: number;
  /** Added by each participant before masking (0: the coordinator adds the noise). */
  shareVariance: number;
  record?: RecordCodec & { maxRecords: number };
  /** Adaptive clipping: each participant appends (b - 1/2) x scale, b = 1 if its update was not clipped. */
  indicator?: { scale: number; bitNoiseStd: number };
}

/** Level and noise of one private statistics release. */
export interface DpRelease {
  level: number;
  totalVariance: number;
  shareVariance: number;
}

/**
 * A job's differential privacy: the noise multiplier for its whole budget, the epsilon spent so
 * far, the plan announced to participants, and the size of the noise (and the fixed-point scale
 * that leaves it room in the 32-bit ring) for each release.
 */
export class JobPrivacy {
  readonly noiseMultiplier: number;
  readonly sampleRate: number;

  constructor(private readonly spec: JobSpec) {
    const p = spec.privacy;
    this.sampleRate = accountingSampleRate(spec);
    this.noiseMultiplier = p.mode === 'none' ? 0
      : calibrateJobNoise({ epsilon: p.epsilon, delta: p.delta, sampleRate: this.sampleRate, rounds: spec.rounds, fullReleases: PRIVATE_STATISTICS_RELEASES });
  }

  get enabled(): boolean {
    return this.spec.privacy.mode !== 'none';
  }

  cost(): JobPrivacyCost {
    return { noiseMultiplier: this.noiseMultiplier, sampleRate: this.sampleRate, rounds: this.spec.rounds, fullReleases: PRIVATE_STATISTICS_RELEASES };
  }

  /** Epsilon spent once the statistics and `round` training rounds are released (the accountant's best order). */
  epsilonAfter(round: number): number {
    return jobEpsilon(this.cost(), this.spec.privacy.delta, { rounds: round, fullReleases: PRIVATE_STATISTICS_RELEASES });
  }

  /** What the job costs, announced on every task so each participant can check its own budget first. */
  taskPlan(): Record<string, string | number> {
    const p = this.spec.privacy;
    if (p.mode === 'none') return {};
    return {
      dpMode: p.mode, dpUnit: p.unit, dpNoiseMultiplier: this.noiseMultiplier, dpSampleRate: this.sampleRate, dpRounds: this.spec.rounds,
      dpFullReleases: PRIVATE_STATISTICS_RELEASES, dpEpsilon: p.epsilon, dpDelta: p.delta,
    };
  }

  /**
   * Noise for one training round in quantised units, of standard deviation z x sensitivity on the
   * sum: added by the coordinator (central), as `threshold` shares by the participants so that any
   * threshold of survivors carry at least the full noise (distributed), or whole by every
   * participant (local).
   * - unit participant: a participant's vector (its clipped delta at weight 1, plus the weight
   *   coordinate) has L2 norm at most sqrt(2) x level; with adaptive clipping the count of
   *   unclipped updates takes its share of the budget (Andrew et al. 2021, Section 3).
   * - unit record: one record moves the sum by at most sqrt(2) x level + sqrt(d) (recordSensitivity);
   *   the level is the largest for which maxRecords records per participant plus 12 standard
   *   deviations of noise cannot wrap the 32-bit ring.
   */
  round(bits: number, participants: number, modelLength: number, threshold: number, maxRecords: number): DpRound | undefined {
    const p = this.spec.privacy;
    const mode = p.mode;
    if (mode === 'none') return undefined;
    const z = this.noiseMultiplier;
    const spread = mode === 'local' ? Math.sqrt(participants) : 1;
    const shares = (totalVariance: number) => ({ totalVariance, shareVariance: shareVarianceOf(mode, totalVariance, threshold) });
    if (p.unit === 'record') {
      const level = Math.min(2 ** 24, largestRecordLevel(participants * maxRecords, 2 ** 32, { perLevel: spread * z * Math.SQRT2, fixed: spread * z * Math.sqrt(modelLength) }));
      if (level < 16) {
        throw new Error(`job spec: privacy.unit record: ${participants} participants x ${maxRecords} records per participant leave no room for the noise in the 32-bit ring; ` +
          'use fewer participants per round (strategy.fractionFit) or a lower privacy.maxRecords');
      }
      const sigma = z * recordSensitivity({ level }, modelLength);
      return { mode, unit: 'record', z, record: { clip: p.clip, level, modulus: 2 ** 32, maxRecords }, ...shares(sigma * sigma) };
    }
    const level = 2 ** (bits - 1) - 1;
    const adaptive = p.adaptiveClip;
    const bitNoiseStd = adaptive ? adaptive.bitNoiseStd ?? Math.max(participants / 20, z) : 0;
    const zUpdate = adaptive ? effectiveNoiseMultiplier(z, bitNoiseStd) : z;
    const sigma = zUpdate * Math.SQRT2 * level;
    if (participants * level + 10 * spread * sigma >= 2 ** 31) {
      throw new Error(`job spec: secure.bits = ${bits} leaves no room for the privacy noise (about ${sigma.toExponential(2)} per coordinate) in the 32-bit ring; lower secure.bits`);
    }
    return { mode, unit: 'participant', z, ...shares(sigma * sigma), ...(adaptive ? { indicator: { scale: sigma / bitNoiseStd, bitNoiseStd } } : {}) };
  }

  /**
   * Level and noise of one private statistics release whose every unit (record or participant)
   * adds a vector of L2 norm at most `unitNorm` with entries in [-1, 1]: the level is the largest
   * for which the units plus 12 standard deviations of noise cannot wrap the 32-bit ring.
   */
  release(participants: number, unitNorm: number, length: number, threshold: number): DpRelease {
    const p = this.spec.privacy;
    const z = this.noiseMultiplier;
    const spread = p.mode === 'local' ? Math.sqrt(participants) : 1;
    const units = p.unit === 'record' ? participants * p.maxRecords : participants;
    const level = Math.min(2 ** 24, largestRecordLevel(units, 2 ** 32, { perLevel: spread * z * unitNorm, fixed: spread * z * Math.sqrt(length) }));
    if (level < 1) {
      throw new Error(`job spec: privacy.maxRecords = ${p.maxRecords} records from each of ${participants} participants leave no room for the noise in the 32-bit ring; lower privacy.maxRecords`);
    }
    const sigma = z * fixedPointSensitivity(level, unitNorm, length);
    const totalVariance = sigma * sigma;
    return { level, totalVariance, shareVariance: p.mode === 'none' ? 0 : shareVarianceOf(p.mode, totalVariance, threshold) };
  }
}

/**
 * The variance each participant adds: a threshold share (distributed), the whole (local), none
 * (central). Shares of standard deviation below 2 quantisation steps would make the
 * Kairouz-Liu-Steinke term of their sum matter, which the accounting leaves out: refused.
 */
export function shareVarianceOf(mode: 'distributed' | 'local' | 'central', totalVariance: number, threshold: number): number {
  const share = mode === 'distributed' ? Math.ceil(totalVariance / threshold) : mode === 'local' ? Math.ceil(totalVariance) : 0;
  if (mode !== 'central' && share < 4) {
    throw new Error('job spec: the noise share of each participant would be below 2 quantisation steps; raise secure.bits (or privacy.epsilon is too large to need noise)');
  }
  return share;
}
