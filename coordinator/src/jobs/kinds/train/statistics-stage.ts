import {
  boundedMomentsLength,
  boundedMomentsNorms,
  boundsFromHistogram,
  decodeFixedPoint,
  decodeWideSum,
  DEFAULT_WIDE,
  magnitudeNorms,
  MAGNITUDE_BUCKETS,
  momentsFromBounded,
  WIDE_DIGITS,
} from '@tessera/fl';
import { standardisationFrom } from '@tessera/ml';
import { statisticsParts, tessera } from '@tessera/proto';
import { DpAggregator, releaseNoise } from './aggregation/dp-aggregator.js';
import type { TrainingRun } from './training-run.js';

const pb = tessera.v1;

/** With noisy statistics, standardised values are clamped to this many (estimated) standard deviations. */
const PRIVATE_STANDARDISED_CLIP = 6;

/**
 * The statistics stage: the federated standardisation, summed by the job's aggregator (plaintext, SecAgg+, or
 * decrypted by the analyst in sealed mode), or as two private releases through a DP-wrapped aggregator.
 */
export class StatisticsStage {
  constructor(private readonly r: TrainingRun) {}

  async computeStatistics(): Promise<void> {
    if (this.r.spec.privacy.mode !== 'none') return this.computePrivateStatistics();
    const d = this.r.context.featureNames!.length;
    const plainLength = 2 * d + 1;
    const ringLength = plainLength * WIDE_DIGITS;
    const key = this.r.taskKey(0, pb.Stage.STATISTICS);
    const wide = { ...DEFAULT_WIDE, modulus: this.r.ringModulus };
    const stats = await this.r.withAttempts('statistics', 0, async (sessions, attempt) => {
      const r = await this.r.aggregator.sum<Float64Array>({
        stage: 'statistics',
        round: 0,
        attempt,
        computation: pb.Stage.STATISTICS,
        sessions,
        dimension: this.r.aggregator.mode === 'plain' ? plainLength : ringLength,
        task: () => ({ ...this.r.baseTask(key), features: this.r.featureMessages(this.r.context.schema!) }),
        decoding: {
          plain: {
            verb: 'sent statistics',
            weight: () => 1,
            check: (v, answer) =>
              v[0] !== answer.numExamples
                ? `statistics count ${v[0]} does not match the reported ${answer.numExamples} examples`
                : undefined,
            value: (sum) => sum.weightedSum,
          },
          ring: (words, survivors) => decodeWideSum(words, survivors, wide),
          sealed: { length: ringLength, decode: { wide, features: d }, value: (values) => values },
        },
      });
      if (!r.ok) return r;
      await this.r.store.addRound(
        this.r.recordRound({
          round: 0,
          stage: 'statistics',
          attempt,
          status: 'completed',
          contributors: r.value.contributors.length,
          dropped: [...r.value.failures.keys()],
          metrics: r.value.secure ? { threshold: r.value.secure.threshold, degree: r.value.secure.degree } : {},
          seconds: r.value.seconds,
          error: '',
        }),
      );
      return { ok: true as const, value: r.value };
    });
    if (this.r.aggregator.mode === 'sealed')
      return await this.saveSealedStatistics(stats.value, d, stats.contributors.length);
    // Plaintext statistics count every serving participant, as before the aggregators (the weight cap uses it).
    const contributors =
      this.r.aggregator.mode === 'plain'
        ? this.r.registry.serving(this.r.spec.dataset).length
        : stats.contributors.length;
    await this.saveStatistics(stats.value, d, contributors);
  }

  private async saveStatistics(stats: Float64Array, d: number, contributors: number): Promise<void> {
    if (stats.length !== 2 * d + 1)
      throw new Error(`the statistics sum has ${stats.length} values, expected ${2 * d + 1}`);
    const moments = { count: stats[0]!, sum: stats.slice(1, d + 1), sumSquares: stats.slice(d + 1) };
    const s = standardisationFrom(moments);
    await this.r.saveContext({
      standardisation: { mean: [...s.mean], std: [...s.std], count: moments.count, contributors },
      stage: 'training',
    });
    this.r.publish(`statistics computed over ${moments.count} records${this.r.secure ? ' (securely aggregated)' : ''}`);
  }

  /** Sealed mode: the analyst decrypted the statistics and answered with the count, means and standard deviations. */
  private async saveSealedStatistics(values: Float64Array, d: number, contributors: number): Promise<void> {
    if (
      values.length !== 2 * d + 1 ||
      values.some((v) => !Number.isFinite(v)) ||
      values.subarray(d + 1).some((v) => !(v > 0))
    ) {
      throw new Error(
        `the analyst answered the statistics with ${values.length} values; ` +
          `expected [count, ${d} means, ${d} positive standard deviations]`,
      );
    }
    await this.r.saveContext({
      standardisation: {
        mean: [...values.subarray(1, d + 1)],
        std: [...values.subarray(d + 1)],
        count: values[0]!, // the length was checked above
        contributors,
      },
      stage: 'training',
    });
    this.r.publish(`statistics computed over ${contributors} participants (sealed: decrypted by the analyst)`);
  }

  /**
   * One release of the private statistics stage: a secure sum of fixed-point vectors with discrete Gaussian noise,
   * decoded.
   */
  private async privateStatisticsRelease(
    part: 'magnitudes' | 'moments',
    length: number,
    norms: { unitNorm: number; replaceNorm: number },
    bounds: Float64Array,
  ): Promise<{ values: Float64Array; noiseStd: number }> {
    return this.r.withAttempts('statistics', 0, async (sessions, attempt) => {
      const key = this.r.taskKey(0, pb.Stage.STATISTICS);
      const release = this.r.privacy.release(sessions.length, norms, length);
      const mode = this.r.spec.privacy.mode as 'central' | 'distributed' | 'local';
      const aggregator = new DpAggregator(this.r.aggregator, releaseNoise(mode, release));
      const r = await aggregator.sum({
        stage: 'statistics',
        round: 0,
        attempt,
        computation: pb.Stage.STATISTICS,
        sessions,
        dimension: length,
        task: () => {
          return {
            ...this.r.baseTask(key),
            features: this.r.featureMessages(this.r.context.schema!),
            bounds: [...bounds],
            statistics: {
              part: statisticsParts.toProto(part),
              level: release.level,
              maxRecords: this.r.spec.privacy.maxRecords,
            },
          };
        },
        codec: { bits: 0, clip: 0, weightCap: 0 },
        decoding: { ring: (words) => decodeFixedPoint(words, release.level, 2 ** 32) },
      });
      if (!r.ok) return r;
      await this.r.store.addRound(
        this.r.recordRound({
          round: 0,
          stage: 'statistics',
          attempt,
          status: 'completed',
          contributors: r.value.contributors.length,
          dropped: [...r.value.failures.keys()],
          metrics: {
            threshold: r.value.secure!.threshold,
            degree: r.value.secure!.degree,
            noise_multiplier: this.r.privacy.noiseMultiplier,
          },
          seconds: r.value.seconds,
          error: '',
        }),
      );
      this.statisticsContributors = r.value.contributors.length;
      const n = r.value.contributors.length;
      const noiseStd =
        Math.sqrt(
          mode === 'distributed'
            ? release.shareVariance * n
            : mode === 'local'
              ? release.totalVariance * n
              : release.totalVariance,
        ) / release.level;
      return { ok: true as const, value: { values: r.value.value, noiseStd } };
    });
  }

  private statisticsContributors = 0;

  /**
   * Differentially private standardisation, in two releases: a power-of-two histogram of |x| per
   * feature gives public clipping bounds (its 99th percentile), then the moments of the features
   * clamped to those bounds. Nothing of the raw data's range is revealed except through noise.
   */
  private async computePrivateStatistics(): Promise<void> {
    const d = this.r.context.featureNames!.length;
    const histogram = await this.privateStatisticsRelease(
      'magnitudes',
      d * MAGNITUDE_BUCKETS,
      magnitudeNorms(d),
      new Float64Array(0),
    );
    const bounds = boundsFromHistogram(histogram.values, d, 0.01, 3 * histogram.noiseStd);
    const sums = await this.privateStatisticsRelease(
      'moments',
      boundedMomentsLength(d),
      boundedMomentsNorms(d),
      bounds,
    );
    const m = momentsFromBounded(sums.values, bounds, sums.noiseStd);
    const s = standardisationFrom(m);
    await this.r.saveContext({
      standardisation: {
        mean: [...s.mean],
        std: [...s.std],
        count: m.count,
        contributors: this.statisticsContributors,
        clip: PRIVATE_STANDARDISED_CLIP,
      },
      stage: 'training',
    });
    const over =
      this.r.spec.privacy.unit === 'record'
        ? `about ${Math.round(m.count)} records`
        : `${this.statisticsContributors} participants`;
    this.r.publish(`statistics computed with differential privacy (${over})`);
  }
}
