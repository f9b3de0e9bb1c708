import {
  checkUpdateCodec,
  fromRing,
  poissonSample,
  QuantisationError,
  summedUpdatesFrom,
  weightedMean,
  type SumDecoding,
} from '@tessera/fl';
import { updateClipState } from '@tessera/dp';
import { regressionMetricsInLabelUnits } from '@tessera/ml';
import { systemRandom } from '@tessera/crypto';
import { participantSampling, scheduledLearningRate, type TrainingTask } from '@tessera/jobs';
import { tessera, toStrategyConfig } from '@tessera/proto';
import type { DpRound } from '../../job-privacy.js';
import type { Aggregate } from './aggregation/aggregator.js';
import { DpAggregator, releaseNoise } from './aggregation/dp-aggregator.js';
import type { EvaluateRound } from './evaluate-round.js';
import { fmt, type TrainingRun } from './training-run.js';

const pb = tessera.v1;

/** One completed training round, before it is recorded. */
type FitResult = Aggregate<unknown> & {
  model: Float64Array;
  nextClip?: number | undefined;
  attempt: number;
  clip: number;
  /** How many participants were asked. */
  participants: number;
};

/**
 * One training round: the strategy picks participants, they train from the global model and
 * upload deltas (plain, masked with DP noise shares, or sealed for the analyst to decode), the
 * next model is aggregated, evaluated and stored with the round.
 */
export class FitRound {
  constructor(
    private readonly r: TrainingRun,
    private readonly evaluation: EvaluateRound,
  ) {}

  async trainRound(round: number, global: Float64Array): Promise<Float64Array> {
    const secure = this.r.aggregator.mode !== 'plain';
    // Central mode, fractionFit < 1: one Poisson sample per round (from the CSPRNG), kept across attempts.
    let sample: string[] | undefined;
    let skipped = false;
    const result = await this.r.withAttempts<FitResult | undefined>('fit', round, async (sessions, attempt) => {
      const plan = this.r.strategy.configureFit(
        round,
        sessions.map((s) => s.participantId),
      );
      if (this.poisson)
        sample ??= poissonSample(
          sessions.map((s) => s.participantId),
          this.r.spec.strategy.fractionFit,
          systemRandom(),
        );
      const chosen = sessions.filter((s) => (sample ?? plan.participants).includes(s.participantId));
      if (sample && sample.length < Math.max(2, this.r.spec.minParticipants)) {
        skipped = true;
        await this.skippedRound(round, attempt, sample.length, global);
        return { ok: true as const, value: undefined };
      }
      const clip = this.clip();
      const codec = { bits: this.r.spec.secure.bits, clip, modulus: this.r.ringModulus };
      const dp = secure
        ? this.r.privacy.round(
            codec.bits,
            chosen.length,
            global.length,
            Math.min(this.r.weightCap(), this.r.spec.privacy.maxRecords),
          )
        : undefined;
      if (secure && dp?.unit !== 'record') {
        try {
          checkUpdateCodec(codec, chosen.length);
        } catch (e) {
          if (e instanceof QuantisationError) throw new Error(`job spec: ${e.message}`);
          throw e;
        }
      }
      const fitKey = this.r.taskKey(round, pb.Stage.FIT);
      const config: tessera.v1.ITrainingConfig = {
        epochs: this.r.spec.local.epochs,
        batchSize: this.r.spec.local.batchSize,
        learningRate: scheduledLearningRate(this.r.spec.local, round, this.r.spec.rounds),
        l2: this.r.spec.model.l2,
        strategyConfig: toStrategyConfig(plan.config),
        ...(dp?.record
          ? { recordDp: { clip: dp.record.clip, level: dp.record.level, maxRecords: dp.record.maxRecords } }
          : {}),
        ...(dp?.indicator ? { clipIndicatorScale: dp.indicator.scale } : {}),
      };
      const aggregator = dp ? new DpAggregator(this.r.aggregator, releaseNoise(dp.mode, dp)) : this.r.aggregator;
      const decoding = this.sumDecoding(codec, dp, round);
      const r = await aggregator.sum<{ model: Float64Array; nextClip?: number }>({
        stage: 'fit',
        round,
        attempt,
        computation: pb.Stage.FIT,
        sessions: chosen,
        dimension: secure ? global.length + 1 + (dp?.indicator ? 1 : 0) : global.length,
        task: (s) => this.r.trainingTask(fitKey, global, config, s),
        model: global,
        codec: { bits: codec.bits, clip: codec.clip, weightCap: dp ? 0 : this.r.weightCap() },
        decoding: {
          plain: {
            verb: 'contributed',
            weight: (answer) => this.r.strategy.contributionWeight(answer.numExamples),
            value: (sum) => ({ model: this.r.strategy.aggregateFit(round, global, sum) }),
          },
          ring: (words, n) => {
            let sum = words;
            let nextClip: number | undefined;
            const adaptive = this.r.spec.privacy.mode !== 'none' ? this.r.spec.privacy.adaptiveClip : undefined;
            if (dp?.indicator && adaptive) {
              // The indicator is the last word.
              const unclipped = fromRing(sum[sum.length - 1]!, 2 ** 32) / dp.indicator.scale + n / 2;
              nextClip = updateClipState(
                { clip, ...adaptive, bitNoiseStd: dp.indicator.bitNoiseStd },
                unclipped,
                n,
              ).clip;
              sum = sum.subarray(0, sum.length - 1);
            }
            const updates = summedUpdatesFrom(sum, decoding, global, n);
            return { model: this.r.strategy.aggregateFit(round, global, updates), nextClip };
          },
          sealed: {
            length: global.length + 1,
            decode: { decoding },
            model: global,
            value: (values) => ({ model: this.checkedModel(values, global.length) }),
          },
        },
      });
      if (!r.ok) return r;
      return { ok: true as const, value: { ...r.value, ...r.value.value, attempt, clip, participants: chosen.length } };
    });
    this.r.checkNotCancelled();
    if (skipped || !result) return global;
    if (result.nextClip !== undefined) await this.r.saveContext({ adaptiveClip: { clip: result.nextClip, round } });
    const metrics = await this.roundMetrics(round, result);
    const record = this.r.recordRound({
      round,
      stage: 'fit',
      attempt: result.attempt,
      status: 'completed',
      contributors: result.contributors.length,
      dropped: [...result.failures.keys()],
      metrics,
      seconds: result.seconds,
      error: '',
    });
    // A stateful strategy's optimiser state is stored with the round's model, in one transaction: a restart
    // resumes either before the round (old state, round redone) or after it (new state), never between.
    const state = this.r.strategy.state?.();
    if (state) this.r.context = { ...this.r.context, strategyState: state };
    await this.r.store.completeRound(
      record,
      result.model,
      round,
      state ? JSON.stringify(this.r.context) : undefined,
      this.r.lease,
    );
    await this.r.noteContributors(result.contributors);
    await this.earlyStopping(round, metrics.loss);
    const dropped = result.failures.size ? `; dropped ${this.r.failureSummary(result.failures)}` : '';
    const privacy = metrics.epsilon !== undefined ? `, epsilon spent ${fmt(metrics.epsilon)}` : '';
    const how = result.secure ? ` (secure aggregation, threshold ${result.secure.threshold}${privacy})` : '';
    this.r.publish(
      `round ${round}/${this.r.spec.rounds} completed${how}: ` +
        `loss ${fmt(metrics.loss)}, ${headline(this.r.spec.model.task, metrics)}${dropped}`,
    );
    return result.model;
  }

  /**
   * Keeps the round with the lowest federated validation loss (the job's result) and, with earlyStopping, ends
   * training after `patience` rounds without an improvement of at least minDelta on the last such improvement.
   * Rounds without a validation loss (DP, sealed) change nothing.
   */
  private async earlyStopping(round: number, loss: number | undefined): Promise<void> {
    if (loss === undefined || !Number.isFinite(loss)) return;
    const { best, improved } = this.r.context;
    if (!best || loss < best.loss) await this.r.saveContext({ best: { round, loss } });
    const stop = this.r.spec.earlyStopping;
    if (!improved || loss < improved.loss - (stop?.minDelta ?? 0))
      await this.r.saveContext({ improved: { round, loss } });
    else if (stop && round - improved.round >= stop.patience) {
      const why =
        `early stopping after round ${round}: the validation loss has not gone below ${fmt(improved.loss)} ` +
        `(round ${improved.round}) by ${stop.minDelta} for ${stop.patience} round(s); the result is round ` +
        `${this.r.context.best!.round}'s model`;
      await this.r.saveContext({ stoppedEarly: why });
      this.r.publish(why);
    }
  }

  /** A completed round's metrics: federated evaluation, and training loss (plaintext) or the secure round's figures. */
  private async roundMetrics(round: number, result: FitResult): Promise<Record<string, number>> {
    // Participants measure a regression on the label scaled to [-1, 1]; the round reports it in label units.
    const range = this.r.spec.model.labelRange;
    const metrics = await this.measuredMetrics(round, result);
    return range ? regressionMetricsInLabelUnits(metrics, (range[1] - range[0]) / 2) : metrics;
  }

  private async measuredMetrics(round: number, result: FitResult): Promise<Record<string, number>> {
    if (!result.secure)
      return {
        train_loss: weightedMean(result.answers.values(), 'train_loss'),
        ...(await this.evaluation.evaluate(round, result.model)),
        participants: result.participants,
      };
    return {
      ...(await this.evaluation.evaluateSecurely(round, result.model)),
      participants: result.contributors.length + result.failures.size,
      threshold: result.secure.threshold,
      degree: result.secure.degree,
      rejected: result.secure.rejected,
      ...result.secure.stageSeconds,
      ...(this.r.spec.privacy.mode !== 'none'
        ? { epsilon: this.r.spentEpsilon(), noise_multiplier: this.r.privacy.noiseMultiplier, clip: result.clip }
        : {}),
    };
  }

  /** The clip of this round's updates: the DP clip (adaptive or fixed) per participant, else the codec's. */
  private clip(): number {
    const privacy = this.r.spec.privacy;
    if (privacy.mode !== 'none' && privacy.unit === 'participant')
      return privacy.adaptiveClip ? (this.r.context.adaptiveClip?.clip ?? privacy.clip) : privacy.clip;
    return this.r.spec.secure.clip;
  }

  /**
   * Central mode with fractionFit < 1: participants are drawn by Poisson sampling from the CSPRNG, the rate the
   * accountant amplifies with.
   */
  private get poisson(): boolean {
    return participantSampling(this.r.spec) === 'poisson';
  }

  /**
   * A Poisson sample too small to aggregate: the round releases nothing and the model stays. It
   * is not retried with a new sample (resampling until enough would raise the real sampling rate
   * above the one the accountant assumes); it still counts as one of the job's rounds.
   */
  private async skippedRound(round: number, attempt: number, sampled: number, global: Float64Array) {
    const reason =
      `Poisson sample of ${sampled} participant(s) is below what a round needs ` +
      `(minParticipants = ${this.r.spec.minParticipants}); nothing released, model unchanged`;
    await this.r.store.completeRound(
      this.r.recordRound({
        round,
        stage: 'fit',
        attempt,
        status: 'completed',
        contributors: 0,
        dropped: [],
        metrics: { participants: sampled, skipped: 1 },
        seconds: 0,
        error: reason,
      }),
      global,
      round,
      undefined,
      this.r.lease,
    );
    this.r.publish(`round ${round}/${this.r.spec.rounds} skipped: ${reason}`);
  }

  private checkedModel(values: Float64Array, length: number): Float64Array {
    if (values.length !== length || values.some((v) => !Number.isFinite(v)))
      throw new Error(`the analyst answered with ${values.length} model values (finite values expected: ${length})`);
    return values;
  }

  /** How this round's ring sum decodes into the strategy's input (the analyst applies it in sealed mode). */
  private sumDecoding(
    codec: { bits: number; clip: number; modulus: number },
    dp: DpRound | undefined,
    round: number,
  ): SumDecoding {
    if (dp?.record) {
      const biasIndices = this.r.model?.biasIndices?.();
      return {
        kind: 'record',
        codec: { clip: dp.record.clip, level: dp.record.level, modulus: dp.record.modulus },
        learningRate: scheduledLearningRate(this.r.spec.local, round, this.r.spec.rounds),
        l2: this.r.spec.model.l2,
        ...(biasIndices ? { biasIndices } : {}),
      };
    }
    return { kind: 'update', codec, uniformWeights: dp !== undefined };
  }
}

/** The round line's headline metric for the task: AUC (binary), accuracy (multiclass) or R² (regression). */
function headline(task: TrainingTask, m: Record<string, number>): string {
  if (task === 'multiclass') return `accuracy ${fmt(m.accuracy)}`;
  if (task === 'regression') return `R² ${fmt(m.r2)}`;
  return `AUC ${fmt(m.auc)}`;
}
