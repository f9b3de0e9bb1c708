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
  StreamingSum,
  WIDE_DIGITS,
} from '@tessera/fl';
import { addDiscreteGaussianNoise } from '@tessera/dp';
import { systemRandom } from '@tessera/crypto';
import { standardizationFrom } from '@tessera/ml';
import { toConfigEntries, tessera } from '@tessera/proto';
import { VectorCollector, type TaskAnswer } from '../../../rounds/collectors.js';
import { runStage } from '../../../rounds/stage.js';
import type { TrainingRun } from './training-run.js';

const pb = tessera.v1;

/** With noisy statistics, standardised values are clamped to this many (estimated) standard deviations. */
const PRIVATE_STANDARDIZED_CLIP = 6;

/**
 * The statistics stage: the federated standardisation, as a plain sum, a secure sum, two private releases, or decrypted
 * by the analyst (sealed).
 */
export class StatisticsStage {
  constructor(private readonly r: TrainingRun) {}

  async computeStatistics(): Promise<void> {
    if (this.r.secure) return this.computeStatisticsSecurely();
    const key = this.r.taskKey(0, pb.Stage.STATISTICS);
    const d = this.r.context.featureNames!.length;
    const dimension = 2 * d + 1;
    const stats = await this.r.withAttempts('statistics', 0, async (sessions, attempt) => {
      const started = performance.now();
      const sum = new StreamingSum(dimension);
      const outcome = await runStage<TaskAnswer>({
        key,
        sessions,
        deadlineMs: this.r.spec.roundTimeoutSeconds * 1000,
        signal: this.r.signal,
        request: () => ({
          message: { task: { ...this.r.baseTask(key), features: this.r.featureMessages(this.r.context.schema!) } },
        }),
        collector: (s, settle) =>
          new VectorCollector(
            key,
            settle,
            dimension,
            this.r.slots,
            () => s.send({ grant: { task: key } }),
            (v, answer) => {
              if (v[0] !== answer.numExamples)
                return `statistics count ${v[0]} does not match the reported ${answer.numExamples} examples`;
              sum.addChunk(0, v, 1);
              sum.commit(1);
              return undefined;
            },
          ),
      });
      const seconds = (performance.now() - started) / 1000;
      const dropped = [...outcome.failures.keys()];
      const ok = outcome.results.size >= this.r.spec.minParticipants;
      const reason = ok
        ? ''
        : `${outcome.results.size} of ${sessions.length} participants sent statistics, fewer than minParticipants = ${this.r.spec.minParticipants} (${this.r.failureSummary(outcome.failures)})`;
      this.r.store.addRound(
        this.r.recordRound({
          round: 0,
          stage: 'statistics',
          attempt,
          status: ok ? 'completed' : 'failed',
          contributors: outcome.results.size,
          dropped,
          metrics: {},
          seconds,
          error: reason,
        }),
      );
      return ok ? { ok: true as const, value: sum.result().weightedSum } : { ok: false as const, reason };
    });
    this.saveStatistics(stats, d, this.r.registry.serving(this.r.spec.dataset).length);
  }

  private saveStatistics(stats: Float64Array, d: number, contributors: number): void {
    if (stats.length !== 2 * d + 1)
      throw new Error(`the statistics sum has ${stats.length} values, expected ${2 * d + 1}`);
    const moments = { count: stats[0]!, sum: stats.slice(1, d + 1), sumSquares: stats.slice(d + 1) };
    const s = standardizationFrom(moments);
    this.r.saveContext({
      standardization: { mean: [...s.mean], std: [...s.std], count: moments.count, contributors },
      stage: 'training',
    });
    this.r.publish(`statistics computed over ${moments.count} records${this.r.secure ? ' (securely aggregated)' : ''}`);
  }

  private async computeStatisticsSecurely(): Promise<void> {
    if (this.r.spec.privacy.mode !== 'none') return this.computePrivateStatistics();
    const d = this.r.context.featureNames!.length;
    const outcome = await this.r.withAttempts('statistics', 0, async (sessions, attempt) => {
      const key = this.r.taskKey(0, pb.Stage.STATISTICS);
      const started = performance.now();
      const r = await this.r.secureSum(
        'statistics',
        0,
        attempt,
        pb.Stage.STATISTICS,
        sessions,
        (2 * d + 1) * WIDE_DIGITS,
        () => ({ ...this.r.baseTask(key), features: this.r.featureMessages(this.r.context.schema!) }),
      );
      if (!r.ok) return r;
      this.r.store.addRound(
        this.r.recordRound({
          round: 0,
          stage: 'statistics',
          attempt,
          status: 'completed',
          contributors: r.value.survivors.length,
          dropped: [...r.value.failures.keys()],
          metrics: { threshold: r.params.threshold, degree: r.params.degree },
          seconds: (performance.now() - started) / 1000,
          error: '',
        }),
      );
      return { ok: true as const, value: r.value };
    });
    const { sum, survivors } = outcome;
    if (this.r.sealed)
      return this.saveSealedStatistics(
        await this.r.askAnalyst('statistics', 0, outcome, (2 * d + 1) * WIDE_DIGITS, {
          wide: { ...DEFAULT_WIDE, modulus: this.r.ringModulus },
          features: d,
        }),
        d,
        survivors.length,
      );
    this.saveStatistics(
      decodeWideSum(sum, survivors.length, { ...DEFAULT_WIDE, modulus: this.r.ringModulus }),
      d,
      survivors.length,
    );
  }

  /** Sealed mode: the analyst decrypted the statistics and answered with the count, means and standard deviations. */
  private saveSealedStatistics(values: Float64Array, d: number, contributors: number): void {
    if (
      values.length !== 2 * d + 1 ||
      values.some((v) => !Number.isFinite(v)) ||
      values.subarray(d + 1).some((v) => !(v > 0))
    ) {
      throw new Error(
        `the analyst answered the statistics with ${values.length} values; expected [count, ${d} means, ${d} positive standard deviations]`,
      );
    }
    this.r.saveContext({
      standardization: {
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
      const started = performance.now();
      const release = this.r.privacy.release(sessions.length, norms, length);
      const r = await this.r.secureSum(
        'statistics',
        0,
        attempt,
        pb.Stage.STATISTICS,
        sessions,
        length,
        () => {
          const base = this.r.baseTask(key);
          return {
            ...base,
            features: this.r.featureMessages(this.r.context.schema!),
            bounds: [...bounds],
            config: [
              ...(base.config ?? []),
              ...toConfigEntries({
                statsPart: part,
                dpLevel: release.level,
                maxRecords: this.r.spec.privacy.maxRecords,
              }),
            ],
          };
        },
        {
          codec: {
            bits: 0,
            clip: 0,
            weightCap: 0,
            ...(release.shareVariance > 0 ? { noiseVariance: release.shareVariance } : {}),
          },
        },
      );
      if (!r.ok) return r;
      if (this.r.spec.privacy.mode === 'central')
        addDiscreteGaussianNoise(r.value.sum, BigInt(Math.ceil(release.totalVariance)), 2 ** 32, systemRandom());
      this.r.store.addRound(
        this.r.recordRound({
          round: 0,
          stage: 'statistics',
          attempt,
          status: 'completed',
          contributors: r.value.survivors.length,
          dropped: [...r.value.failures.keys()],
          metrics: {
            threshold: r.params.threshold,
            degree: r.params.degree,
            noise_multiplier: this.r.privacy.noiseMultiplier,
          },
          seconds: (performance.now() - started) / 1000,
          error: '',
        }),
      );
      this.statisticsContributors = r.value.survivors.length;
      const noiseStd =
        Math.sqrt(
          this.r.spec.privacy.mode === 'distributed'
            ? release.shareVariance * r.value.survivors.length
            : this.r.spec.privacy.mode === 'local'
              ? release.totalVariance * r.value.survivors.length
              : release.totalVariance,
        ) / release.level;
      return { ok: true as const, value: { values: decodeFixedPoint(r.value.sum, release.level, 2 ** 32), noiseStd } };
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
    const s = standardizationFrom(m);
    this.r.saveContext({
      standardization: {
        mean: [...s.mean],
        std: [...s.std],
        count: m.count,
        contributors: this.statisticsContributors,
        clip: PRIVATE_STANDARDIZED_CLIP,
      },
      stage: 'training',
    });
    this.r.publish(
      `statistics computed with differential privacy (${this.r.spec.privacy.unit === 'record' ? `about ${Math.round(m.count)} records` : `${this.statisticsContributors} participants`})`,
    );
  }
}
