import { decodeEvaluationSum, DEFAULT_WIDE, EVALUATION_VALUES, WIDE_DIGITS } from '@tessera/fl';
import { tessera } from '@tessera/proto';
import { MetricsCollector, type TaskAnswer } from '../../../rounds/collectors.js';
import { runStage, type StageOutcome } from '../../../rounds/stage.js';
import type { TrainingRun } from './training-run.js';

const pb = tessera.v1;

/**
 * Federated evaluation of a round's model: example-weighted loss, accuracy and AUC, plain or through secure aggregation
 * (not run under DP or sealed mode).
 */
export class EvaluateRound {
  constructor(private readonly r: TrainingRun) {}

  /** Federated evaluation through secure aggregation: only the example-weighted sums of the metrics are revealed. */
  async evaluateSecurely(round: number, model: Float64Array): Promise<Record<string, number>> {
    // Sealed: only the analyst may read aggregates, evaluation metrics included; they are not computed here.
    if (this.r.aggregator.mode === 'sealed') return {};
    // Under differential privacy every release is accounted; federated evaluation would be one more, so it is not run.
    if (this.r.spec.privacy.mode !== 'none') return {};
    const sessions = this.r.willing();
    if (sessions.length < 2) return {};
    const key = this.r.taskKey(round, pb.Stage.EVALUATE);
    const r = await this.r.aggregator.sum<Record<string, number>>({
      stage: 'evaluate',
      round,
      attempt: 1,
      computation: pb.Stage.EVALUATE,
      sessions,
      dimension: EVALUATION_VALUES * WIDE_DIGITS,
      task: (s) => this.r.trainingTask(key, model, {}, s),
      model,
      decoding: { ring: (words, n) => decodeEvaluationSum(words, n, DEFAULT_WIDE) },
    });
    return r.ok ? r.value.value : {};
  }

  async evaluate(round: number, model: Float64Array): Promise<Record<string, number>> {
    const key = this.r.taskKey(round, pb.Stage.EVALUATE);
    const sessions = this.r.willing();
    const outcome: StageOutcome<TaskAnswer> = await runStage<TaskAnswer>({
      key,
      sessions,
      deadlineMs: this.r.spec.roundTimeoutSeconds * 1000,
      signal: this.r.signal,
      request: (s) => ({ message: { task: this.r.trainingTask(key, model, {}, s) }, model }),
      collector: (_s, settle) => new MetricsCollector(key, settle),
    });
    const reports = [...outcome.results].map(([participant, a]) => ({
      participant,
      numExamples: a.numExamples,
      metrics: a.metrics,
    }));
    return {
      ...this.r.strategy.aggregateEvaluate(round, reports),
      evaluated_examples: reports.reduce((s, r) => s + r.numExamples, 0),
    };
  }
}
