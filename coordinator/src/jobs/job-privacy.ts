import { effectiveNoiseMultiplier } from '@tessera/dp';
import {
  calibrateJobNoise,
  noiseShareVariance,
  NoiseShareError,
  survivorFloor,
  type ShareSizing,
  jobEpsilon,
  largestRecordLevel,
  releaseSensitivity,
  type JobPrivacyCost,
  type RecordCodec,
} from '@tessera/fl';
import { accountingSampleRate, PRIVATE_STATISTICS_RELEASES, type JobSpec } from '@tessera/jobs';
import { privacyModes, privacyUnits, type tessera } from '@tessera/proto';

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
    this.noiseMultiplier =
      p.mode === 'none'
        ? 0
        : calibrateJobNoise({
            epsilon: p.epsilon,
            delta: p.delta,
            sampleRate: this.sampleRate,
            rounds: spec.rounds,
            fullReleases: PRIVATE_STATISTICS_RELEASES,
          });
  }

  /** The survivor floor and collusion assumptions of a round of n participants. */
  sizing(n: number): ShareSizing {
    const { survivorFloor } = this.spec.privacy;
    return {
      n,
      dropoutRate: this.spec.secure.dropoutRate,
      corruptFraction: this.spec.secure.corruptFraction,
      ...(survivorFloor !== undefined ? { survivorFloor } : {}),
    };
  }

  /** Survivors a round of n needs before it may release (fewer: no unmasking, no release). */
  minSurvivors(n: number): number {
    return this.spec.privacy.mode === 'distributed' ? survivorFloor(this.sizing(n)) : 0;
  }

  get enabled(): boolean {
    return this.spec.privacy.mode !== 'none';
  }

  cost(): JobPrivacyCost {
    return {
      noiseMultiplier: this.noiseMultiplier,
      sampleRate: this.sampleRate,
      rounds: this.spec.rounds,
      fullReleases: PRIVATE_STATISTICS_RELEASES,
    };
  }

  /** Epsilon spent once the statistics and `round` training rounds are released (the accountant's best order). */
  epsilonAfter(round: number): number {
    return jobEpsilon(this.cost(), this.spec.privacy.delta, {
      rounds: round,
      fullReleases: PRIVATE_STATISTICS_RELEASES,
    });
  }

  /**
   * What the job costs, announced on every task so each participant can check its own budget first (undefined: no
   * differential privacy).
   */
  taskPlan(): tessera.v1.IPrivacyPlan | undefined {
    const p = this.spec.privacy;
    if (p.mode === 'none') return undefined;
    return {
      mode: privacyModes.toProto(p.mode),
      unit: privacyUnits.toProto(p.unit),
      noiseMultiplier: this.noiseMultiplier,
      sampleRate: this.sampleRate,
      rounds: this.spec.rounds,
      fullReleases: PRIVATE_STATISTICS_RELEASES,
      epsilon: p.epsilon,
      delta: p.delta,
    };
  }

  /**
   * Noise for one training round in quantised units, of standard deviation z x sensitivity on the
   * sum: added by the coordinator (central), as shares by the participants so that any m
   * survivors less the tolerated colluders carry at least the full noise (distributed), or whole by every
   * participant (local).
   * The sensitivity is releaseSensitivity's (@tessera/fl), which participants recompute:
   * - unit participant: a participant's vector (its clipped delta at weight 1, and a zero weight
   *   coordinate) has L2 norm below level + sqrt(d), the rounding overshoot included; with adaptive
   *   clipping the count of unclipped updates takes its share of the budget (Andrew et al. 2021,
   *   Section 3), its indicator an even integer scale so that it needs no rounding.
   * - unit record: one record (added, removed or, under the fixed-size selection, swapped for
   *   another) moves the sum by at most 2(level + sqrt(d)); the level is the largest for which
   *   maxRecords records per participant plus 12 standard deviations of noise cannot wrap the
   *   32-bit ring.
   */
  round(bits: number, participants: number, modelLength: number, maxRecords: number): DpRound | undefined {
    const p = this.spec.privacy;
    const mode = p.mode;
    if (mode === 'none') return undefined;
    const z = this.noiseMultiplier;
    const spread = mode === 'local' ? Math.sqrt(participants) : 1;
    const shares = (totalVariance: number) => ({
      totalVariance,
      shareVariance: shareVarianceOf(mode, totalVariance, this.sizing(participants)),
    });
    if (p.unit === 'record') {
      const level = Math.min(
        2 ** 24,
        largestRecordLevel(participants * maxRecords, 2 ** 32, {
          perLevel: spread * z * 2.001,
          fixed: spread * z * 2.001 * Math.sqrt(modelLength),
        }),
      );
      if (level < 16) {
        throw new Error(
          `job spec: privacy.unit record: ${participants} participants x ${maxRecords} records per participant ` +
            'leave no room for the noise in the 32-bit ring; ' +
            'use fewer participants per round (strategy.fractionFit) or a lower privacy.maxRecords',
        );
      }
      const sigma =
        z * releaseSensitivity({ kind: 'record-fit', level, gradientLength: modelLength, countWeight: level });
      return {
        mode,
        unit: 'record',
        z,
        record: { clip: p.clip, level, modulus: 2 ** 32, maxRecords },
        ...shares(sigma * sigma),
      };
    }
    const level = 2 ** (bits - 1) - 1;
    const adaptive = p.adaptiveClip;
    const bitNoiseStd = adaptive ? (adaptive.bitNoiseStd ?? Math.max(participants / 20, z)) : 0;
    const zUpdate = adaptive ? effectiveNoiseMultiplier(z, bitNoiseStd) : z;
    const sigma = zUpdate * releaseSensitivity({ kind: 'participant-fit', level, length: modelLength });
    const indicatorScale = adaptive ? 2 * Math.floor(sigma / bitNoiseStd / 2) : 0;
    if (adaptive && indicatorScale < 2)
      throw new Error(
        `job spec: secure.bits = ${bits} leaves the adaptive clipping indicator no integer scale; raise secure.bits`,
      );
    if (participants * level + 10 * spread * sigma >= 2 ** 31) {
      throw new Error(
        `job spec: secure.bits = ${bits} leaves no room for the privacy noise ` +
          `(about ${sigma.toExponential(2)} per coordinate) in the 32-bit ring; lower secure.bits`,
      );
    }
    return {
      mode,
      unit: 'participant',
      z,
      ...shares(sigma * sigma),
      ...(adaptive ? { indicator: { scale: indicatorScale, bitNoiseStd } } : {}),
    };
  }

  /**
   * Level and noise of one private statistics release whose every record adds a vector of L2 norm
   * at most `unitNorm` with entries in [-1, 1], two records' vectors differing by at most
   * `replaceNorm` (magnitudeNorms, boundedMomentsNorms): the level is the largest for which the
   * units plus 12 standard deviations of noise cannot wrap the 32-bit ring; the sensitivity is
   * releaseSensitivity's (kind statistics).
   */
  release(participants: number, norms: { unitNorm: number; replaceNorm: number }, length: number): DpRelease {
    const p = this.spec.privacy;
    const z = this.noiseMultiplier;
    const spread = p.mode === 'local' ? Math.sqrt(participants) : 1;
    const units = p.unit === 'record' ? participants * p.maxRecords : participants;
    const unitNorm = p.unit === 'record' ? Math.max(norms.unitNorm, norms.replaceNorm) : norms.unitNorm;
    const level = Math.min(
      2 ** 24,
      largestRecordLevel(units, 2 ** 32, {
        perLevel: spread * z * 1.001 * unitNorm,
        fixed: spread * z * 1.001 * Math.sqrt(length),
      }),
    );
    if (level < 1) {
      throw new Error(
        `job spec: privacy.maxRecords = ${p.maxRecords} records from each of ${participants} participants leave ` +
          'no room for the noise in the 32-bit ring; lower privacy.maxRecords',
      );
    }
    const sigma = z * releaseSensitivity({ kind: 'statistics', unit: p.unit, level, length, ...norms });
    const totalVariance = sigma * sigma;
    return {
      level,
      totalVariance,
      shareVariance: p.mode === 'none' ? 0 : shareVarianceOf(p.mode, totalVariance, this.sizing(participants)),
    };
  }
}

/**
 * The variance each participant adds (see noiseShareVariance): for a query or a job whose survivor
 * floor and collusion assumptions are `sizing`.
 */
export function shareVarianceOf(
  mode: 'distributed' | 'local' | 'central',
  totalVariance: number,
  sizing: ShareSizing,
): number {
  try {
    return noiseShareVariance(mode, totalVariance, sizing);
  } catch (e) {
    if (e instanceof NoiseShareError)
      throw new Error(e.message.startsWith('job spec') ? e.message : `job spec: ${e.message}`);
    throw e;
  }
}
