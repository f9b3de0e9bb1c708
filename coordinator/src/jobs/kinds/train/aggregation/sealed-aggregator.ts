import type { SecureSumOutcome } from '../../../../rounds/secure-sum.js';
import type { SealedRound } from '../../../sealed-round.js';
import { MissingDecoding, type SumRequest, type SumResult, type AggregationHost } from './aggregator.js';
import { SecAggAggregator } from './secagg-aggregator.js';

/**
 * Sealed aggregation (secure.mode sealed): SecAgg+ whose masked vectors travel encrypted under
 * the analyst's BFV key. The coordinator adds ciphertexts and removes masks, but only the analyst
 * can decrypt the sum: it is handed to the analyst, whose decoded answer is the stage's value.
 */
export class SealedAggregator extends SecAggAggregator {
  override readonly mode = 'sealed';

  constructor(r: AggregationHost) {
    super(r);
  }

  override async sum<T>(q: SumRequest<T>): Promise<SumResult<T>> {
    const sealed = q.decoding.sealed;
    if (!sealed) throw new MissingDecoding('sealed', q.stage);
    const r = await this.secureSum(q, this.round());
    if (!r.ok) return r;
    const values = await this.askAnalyst(q.stage, q.round, r.outcome, sealed);
    return { ok: true, value: { ...r.value, value: sealed.value(values, r.value.contributors.length) } };
  }

  private round(): SealedRound {
    const sealed = this.r.sealed;
    if (!sealed) throw new Error('sealed mode: the analyst has not published a key for this job yet');
    return sealed;
  }

  /** Hands the encrypted sum to the job's analyst and waits for its answer. */
  private askAnalyst(
    stage: string,
    round: number,
    outcome: SecureSumOutcome,
    how: { length: number; decode: object; model?: Float64Array },
  ): Promise<Float64Array> {
    if (stage !== 'statistics' && stage !== 'fit') throw new Error(`sealed mode does not decrypt ${stage} sums`);
    const r = this.r;
    return r.sealedExchange.request(
      {
        jobId: r.jobId,
        round,
        stage,
        length: how.length,
        chunks: outcome.sealedSum!,
        survivors: outcome.survivors.length,
        decodeJson: JSON.stringify(how.decode),
        ...(how.model ? { model: [...how.model] } : {}),
      },
      r.signal,
      { what: `the ${stage} aggregate${round ? ` of round ${round}` : ''}`, publish: (m) => r.publish(m) },
    );
  }
}
