import {
  checkUpdateCodec,
  fromRing,
  poissonSample,
  QuantizationError,
  StreamingSum,
  summedUpdatesFrom,
  type SumDecoding,
} from '@tessera/fl';
import { addDiscreteGaussianNoise, updateClipState } from '@tessera/dp';
import { systemRandom } from '@tessera/crypto';
import { participantSampling } from '@tessera/jobs';
import { tessera } from '@tessera/proto';
import { VectorCollector, type TaskAnswer } from '../../../rounds/collectors.js';
import type { SecureSumOutcome } from '../../../rounds/secure-sum.js';
import { runStage } from '../../../rounds/stage.js';
import type { DpRound } from '../../job-privacy.js';
import type { EvaluateRound } from './evaluate-round.js';
import { fmt, type TrainingRun } from './training-run.js';

const pb = tessera.v1;

/** One completed secure training round, before it is recorded. */
interface SecureRoundResult {
  model: Float64Array;
  outcome: SecureSumOutcome & { sum: Uint32Array };
  params: { threshold: number; degree: number };
  attempt: number;
  seconds: number;
  clip: number;
  nextClip?: number;
}

const weightedMean = (answers: Iterable<TaskAnswer>, metric: string): number => {
  let s = 0,
    w = 0;
  for (const a of answers) {
    const v = a.metrics[metric];
    if (v !== undefined && Number.isFinite(v)) {
      s += v * a.numExamples;
      w += a.numExamples;
    }
  }
  return w > 0 ? s / w : Number.NaN;
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
    if (this.r.secure) return this.trainRoundSecurely(round, global);
    const fitKey = this.r.taskKey(round, pb.Stage.FIT);
    const { model, fit, seconds, attempt, participants } = await this.r.withAttempts(
      'fit',
      round,
      async (sessions, attempt) => {
        const started = performance.now();
        const plan = this.r.strategy.configureFit(
          round,
          sessions.map((s) => s.participantId),
        );
        const chosen = sessions.filter((s) => plan.participants.includes(s.participantId));
        const config = {
          epochs: this.r.spec.local.epochs,
          batchSize: this.r.spec.local.batchSize,
          learningRate: this.r.spec.local.learningRate,
          l2: this.r.spec.model.l2,
          ...plan.config,
        };
        const sum = new StreamingSum(global.length);
        const fit = await runStage<TaskAnswer>({
          key: fitKey,
          sessions: chosen,
          deadlineMs: this.r.spec.roundTimeoutSeconds * 1000,
          signal: this.r.signal,
          request: (s) => ({ message: { task: this.r.trainingTask(fitKey, global, config, s) }, model: global }),
          collector: (s, settle) =>
            new VectorCollector(
              fitKey,
              settle,
              global.length,
              this.r.slots,
              () => s.send({ grant: { task: fitKey } }),
              (delta, answer) => {
                const w = this.r.strategy.contributionWeight(answer.numExamples);
                sum.addChunk(0, delta, w);
                sum.commit(w);
                return undefined;
              },
            ),
        });
        const seconds = (performance.now() - started) / 1000;
        if (fit.results.size < this.r.spec.minParticipants) {
          const reason = `${fit.results.size} of ${chosen.length} participants contributed, fewer than minParticipants = ${this.r.spec.minParticipants} (${this.r.failureSummary(fit.failures)})`;
          this.r.store.addRound(
            this.r.recordRound({
              round,
              stage: 'fit',
              attempt,
              status: 'failed',
              contributors: fit.results.size,
              dropped: [...fit.failures.keys()],
              metrics: {},
              seconds,
              error: reason,
            }),
          );
          return { ok: false as const, reason };
        }
        const model = this.r.strategy.aggregateFit(round, global, sum.result());
        return { ok: true as const, value: { model, fit, seconds, attempt, participants: chosen.length } };
      },
    );
    this.r.checkNotCancelled();
    const evaluation = await this.evaluation.evaluate(round, model);
    const metrics: Record<string, number> = {
      train_loss: weightedMean(fit.results.values(), 'train_loss'),
      ...evaluation,
      participants,
    };
    const record = this.r.recordRound({
      round,
      stage: 'fit',
      attempt,
      status: 'completed',
      contributors: fit.results.size,
      dropped: [...fit.failures.keys()],
      metrics,
      seconds,
      error: '',
    });
    this.r.store.completeRound(record, model, round);
    this.r.noteContributors(fit.results.keys());
    const dropped = fit.failures.size ? `; dropped ${this.r.failureSummary(fit.failures)}` : '';
    this.r.publish(
      `round ${round}/${this.r.spec.rounds} completed: loss ${fmt(metrics.loss)}, AUC ${fmt(metrics.auc)}${dropped}`,
    );
    return model;
  }

  private async trainRoundSecurely(round: number, global: Float64Array): Promise<Float64Array> {
    // Central mode, fractionFit < 1: one Poisson sample per round (from the CSPRNG), kept across attempts.
    let sample: string[] | undefined;
    let skipped = false;
    const result = await this.r.withAttempts<SecureRoundResult | undefined>('fit', round, async (sessions, attempt) => {
      const started = performance.now();
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
        this.skippedRound(round, attempt, sample.length, global);
        return { ok: true as const, value: undefined };
      }
      const privacy = this.r.spec.privacy;
      const clip =
        privacy.mode !== 'none' && privacy.unit === 'participant'
          ? privacy.adaptiveClip
            ? (this.r.context.adaptiveClip?.clip ?? privacy.clip)
            : privacy.clip
          : this.r.spec.secure.clip;
      const codec = { bits: this.r.spec.secure.bits, clip, modulus: this.r.ringModulus };
      const dp = this.r.privacy.round(
        codec.bits,
        chosen.length,
        global.length,
        Math.min(this.r.weightCap(), this.r.spec.privacy.maxRecords),
      );
      if (dp?.unit !== 'record') {
        try {
          checkUpdateCodec(codec, chosen.length);
        } catch (e) {
          if (e instanceof QuantizationError) throw new Error(`job spec: ${e.message}`);
          throw e;
        }
      }
      const fitKey = this.r.taskKey(round, pb.Stage.FIT);
      const config = {
        epochs: this.r.spec.local.epochs,
        batchSize: this.r.spec.local.batchSize,
        learningRate: this.r.spec.local.learningRate,
        l2: this.r.spec.model.l2,
        ...plan.config,
        ...(dp?.record
          ? {
              dpUnit: 'record',
              recordClip: dp.record.clip,
              recordLevel: dp.record.level,
              maxRecords: dp.record.maxRecords,
            }
          : {}),
        ...(dp?.indicator ? { clipIndicatorScale: dp.indicator.scale } : {}),
      };
      const r = await this.r.secureSum(
        'fit',
        round,
        attempt,
        pb.Stage.FIT,
        chosen,
        global.length + 1 + (dp?.indicator ? 1 : 0),
        (s) => this.r.trainingTask(fitKey, global, config, s),
        {
          model: global,
          codec: {
            bits: codec.bits,
            clip: codec.clip,
            weightCap: dp ? 0 : this.r.weightCap(),
            ...(dp && dp.shareVariance > 0 ? { noiseVariance: dp.shareVariance } : {}),
          },
        },
      );
      if (!r.ok) return r;
      if (dp?.mode === 'central')
        addDiscreteGaussianNoise(r.value.sum, BigInt(Math.ceil(dp.totalVariance)), 2 ** 32, systemRandom());
      const n = r.value.survivors.length;
      let sum = r.value.sum;
      let nextClip: number | undefined;
      if (dp?.indicator && privacy.adaptiveClip) {
        const unclipped = fromRing(sum[sum.length - 1]!, 2 ** 32) / dp.indicator.scale + n / 2; // the indicator is the last word
        nextClip = updateClipState(
          { clip, ...privacy.adaptiveClip, bitNoiseStd: dp.indicator.bitNoiseStd },
          unclipped,
          n,
        ).clip;
        sum = sum.subarray(0, sum.length - 1);
      }
      const model = this.r.sealed
        ? this.checkedModel(
            await this.r.askAnalyst(
              'fit',
              round,
              r.value,
              global.length + 1,
              { decoding: this.sumDecoding(codec, dp) },
              global,
            ),
            global.length,
          )
        : this.r.strategy.aggregateFit(round, global, summedUpdatesFrom(sum, this.sumDecoding(codec, dp), global, n));
      return {
        ok: true as const,
        value: {
          model,
          outcome: r.value,
          params: r.params,
          attempt,
          seconds: (performance.now() - started) / 1000,
          clip,
          nextClip,
        },
      };
    });
    this.r.checkNotCancelled();
    if (skipped || !result) return global;
    const evaluation = await this.evaluation.evaluateSecurely(round, result.model);
    const rejected = Object.values(result.outcome.rejected).reduce((a, b) => a + b, 0);
    const metrics: Record<string, number> = {
      ...evaluation,
      participants: result.outcome.survivors.length + result.outcome.failures.size,
      threshold: result.params.threshold,
      degree: result.params.degree,
      rejected,
      ...(this.r.spec.privacy.mode !== 'none'
        ? { epsilon: this.r.spentEpsilon(), noise_multiplier: this.r.privacy.noiseMultiplier, clip: result.clip }
        : {}),
    };
    if (result.nextClip !== undefined) this.r.saveContext({ adaptiveClip: { clip: result.nextClip, round } });
    const record = this.r.recordRound({
      round,
      stage: 'fit',
      attempt: result.attempt,
      status: 'completed',
      contributors: result.outcome.survivors.length,
      dropped: [...result.outcome.failures.keys()],
      metrics,
      seconds: result.seconds,
      error: '',
    });
    this.r.store.completeRound(record, result.model, round);
    this.r.noteContributors(result.outcome.survivors);
    const dropped = result.outcome.failures.size ? `; dropped ${this.r.failureSummary(result.outcome.failures)}` : '';
    const privacy = metrics.epsilon !== undefined ? `, epsilon spent ${fmt(metrics.epsilon)}` : '';
    this.r.publish(
      `round ${round}/${this.r.spec.rounds} completed (secure aggregation, threshold ${result.params.threshold}${privacy}): loss ${fmt(metrics.loss)}, AUC ${fmt(metrics.auc)}${dropped}`,
    );
    return result.model;
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
  private skippedRound(round: number, attempt: number, sampled: number, global: Float64Array) {
    const reason = `Poisson sample of ${sampled} participant(s) is below what a round needs (minParticipants = ${this.r.spec.minParticipants}); nothing released, model unchanged`;
    this.r.store.completeRound(
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
    );
    this.r.publish(`round ${round}/${this.r.spec.rounds} skipped: ${reason}`);
  }

  private checkedModel(values: Float64Array, length: number): Float64Array {
    if (values.length !== length || values.some((v) => !Number.isFinite(v)))
      throw new Error(`the analyst answered with ${values.length} model values (finite values expected: ${length})`);
    return values;
  }

  /** How this round's ring sum decodes into the strategy's input (the analyst applies it in sealed mode). */
  private sumDecoding(codec: { bits: number; clip: number; modulus: number }, dp: DpRound | undefined): SumDecoding {
    if (dp?.record)
      return {
        kind: 'record',
        codec: { clip: dp.record.clip, level: dp.record.level, modulus: dp.record.modulus },
        learningRate: this.r.spec.local.learningRate,
        l2: this.r.spec.model.l2,
      };
    return { kind: 'update', codec, uniformWeights: dp !== undefined };
  }
}
