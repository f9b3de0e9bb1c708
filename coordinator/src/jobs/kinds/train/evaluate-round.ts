import { decodeEvaluationSum, evaluationCodec, evaluationValues, WIDE_DIGITS, type EvaluationShape } from '@tessera/fl';
import { metricSumsLength, metricsFromSums } from '@tessera/ml';
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
      dimension: evaluationValues(this.shape) * WIDE_DIGITS,
      task: (s) => this.r.trainingTask(key, model, {}, s),
      model,
      decoding: { ring: (words, n) => decodeEvaluationSum(words, n, evaluationCodec(this.shape), this.shape) },
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
      ...Object.fromEntries(
        Object.entries(this.r.strategy.aggregateEvaluate(round, reports)).filter(([k]) => !k.startsWith('sum.')),
      ),
      ...this.pooled(reports.map((r) => r.metrics)),
      evaluated_examples: reports.reduce((s, r) => s + r.numExamples, 0),
    };
  }

  /** The task's metrics and output count, for the evaluation vector's layout. */
  private get shape(): EvaluationShape {
    const model = this.r.model;
    return model ? { task: model.task, outputs: model.outputs } : { task: 'binary', outputs: 1 };
  }

  /**
   * In the clear each participant also reports its metric sums (`sum.0`, ...): added up they give the metrics of
   * all the evaluated rows (R² and macro-F1 are not means of the participants' values). Absent when any report
   * lacks them.
   */
  private pooled(reports: readonly Record<string, number>[]): Record<string, number> {
    const length = metricSumsLength(this.shape.task, this.shape.outputs);
    if (reports.length === 0) return {};
    const sums = new Float64Array(length);
    for (const m of reports)
      for (let i = 0; i < length; i++) {
        const v = m[`sum.${i}`];
        if (v === undefined || !Number.isFinite(v)) return {};
        sums[i]! += v;
      }
    const { n, ...metrics } = metricsFromSums(this.shape.task, this.shape.outputs, sums);
    return metrics;
  }
}
