import { StreamingSum } from '@tessera/fl';
import { VectorCollector, type TaskAnswer } from '../../../../rounds/collectors.js';
import { uploadLink } from '../../../../rounds/upload-link.js';
import { runStage } from '../../../../rounds/stage.js';
import { stageLabel, stageProgress } from '../../../../rounds/stage-progress.js';
import {
  MissingDecoding,
  type Aggregator,
  type SumRequest,
  type SumResult,
  type AggregationHost,
} from './aggregator.js';

/**
 * Plaintext aggregation (secure.mode none): each participant uploads its float vector, which the
 * coordinator checks and adds, weighted, to a streaming sum (memory O(d)); the coordinator sees
 * every vector.
 */
export class PlainAggregator implements Aggregator {
  readonly mode = 'plain';

  constructor(private readonly r: AggregationHost) {}

  async sum<T>(q: SumRequest<T>): Promise<SumResult<T>> {
    const plain = q.decoding.plain;
    if (!plain) throw new MissingDecoding('plaintext', q.stage);
    const key = this.r.taskKey(q.round, q.computation);
    const started = performance.now();
    const sum = new StreamingSum(q.dimension);
    const outcome = await runStage<TaskAnswer>({
      key,
      sessions: q.sessions,
      deadlineMs: this.r.spec.roundTimeoutSeconds * 1000,
      signal: this.r.signal,
      onProgress: stageProgress((m) => this.r.publish(m), stageLabel(q.stage, q.round, this.r.spec.rounds), 'uploads'),
      request: (s) => ({ message: { task: q.task(s) }, ...(q.model ? { model: q.model } : {}) }),
      collector: (s, settle) =>
        new VectorCollector(key, settle, q.dimension, this.r.slots, uploadLink(s, key), (vector, answer) => {
          const rejected = plain.check?.(vector, answer);
          if (rejected) return rejected;
          const w = plain.weight(answer);
          sum.addChunk(0, vector, w);
          sum.commit(w);
          return undefined;
        }),
    });
    const seconds = (performance.now() - started) / 1000;
    // Refusals on the owners' terms (e.g. a node whose data set requires secure aggregation) reach job.refusals.
    await this.r.noteRefusals(q.stage, q.round, outcome);
    if (outcome.results.size < this.r.spec.minParticipants) {
      const reason =
        `${outcome.results.size} of ${q.sessions.length} participants ${plain.verb}, fewer than minParticipants = ` +
        `${this.r.spec.minParticipants} (${this.r.failureSummary(outcome.failures)})`;
      await this.r.store.addRound(
        this.r.recordRound({
          round: q.round,
          stage: q.stage,
          attempt: q.attempt,
          status: 'failed',
          contributors: outcome.results.size,
          dropped: [...outcome.failures.keys()],
          metrics: {},
          seconds,
          error: reason,
        }),
      );
      return { ok: false, reason };
    }
    return {
      ok: true,
      value: {
        value: plain.value(sum.result()),
        contributors: [...outcome.results.keys()],
        failures: outcome.failures,
        refusals: outcome.refusals,
        answers: outcome.results,
        seconds,
      },
    };
  }
}
