import { chooseParameters } from '@tessera/secagg';
import { tessera } from '@tessera/proto';
import { runSecureSum, type SecureSumOutcome } from '../../../../rounds/secure-sum.js';
import { stageLabel, stageProgress } from '../../../../rounds/stage-progress.js';
import type { SealedRound } from '../../../sealed-round.js';
import { identityKeysOf } from '../../../identity-keys.js';
import {
  MissingDecoding,
  type Aggregate,
  type Aggregator,
  type SumRequest,
  type SumResult,
  type AggregationHost,
} from './aggregator.js';

const pb = tessera.v1;

/** SecAgg+ threshold and graph degree for one round. */
export interface SecureParameters {
  threshold: number;
  degree: number;
  complete: boolean;
}

/**
 * Secure aggregation (secure.mode masked): one SecAgg+ round (Bell et al. 2020) over the chosen
 * participants; the coordinator learns only the ring sum of the survivors' words, which the
 * stage's decoding turns into its value.
 */
export class SecAggAggregator implements Aggregator {
  readonly mode: 'masked' | 'sealed' = 'masked';

  constructor(protected readonly r: AggregationHost) {}

  async sum<T>(q: SumRequest<T>): Promise<SumResult<T>> {
    const ring = q.decoding.ring;
    if (!ring) throw new MissingDecoding('ring', q.stage);
    const r = await this.secureSum(q, undefined);
    if (!r.ok) return r;
    return { ok: true, value: { ...r.value, value: ring(r.sum, r.value.contributors.length) } };
  }

  /**
   * SecAgg+ threshold and graph for n participants, from the job's dropout and corruption assumptions: t for a
   * malicious coordinator (2t - 1 > k + colluding neighbours, so no split of a participant's share holders reaches t
   * twice), raised to minParticipants so that a round never completes with fewer contributors.
   */
  parameters(n: number): SecureParameters {
    let params = this.parametersByN.get(n);
    if (!params) {
      const spec = this.r.spec;
      const p = chooseParameters({
        n,
        dropoutRate: spec.secure.dropoutRate,
        corruptFraction: spec.secure.corruptFraction,
        minThreshold: Math.max(2, Math.min(spec.minParticipants, n)),
      });
      params = { threshold: p.threshold, degree: p.degree, complete: p.complete };
      this.parametersByN.set(n, params);
    }
    return params;
  }

  /** The parameter search depends only on n and the job's assumptions: computed once per n. */
  private readonly parametersByN = new Map<number, SecureParameters>();

  /**
   * Runs one secure sum (under the analyst's key when `sealed` is given), notes refusals and
   * privacy spend, and records a failed round when it fails.
   */
  protected async secureSum<T>(
    q: SumRequest<T>,
    sealed: SealedRound | undefined,
  ): Promise<
    | { ok: true; value: Omit<Aggregate<T>, 'value'>; sum: Uint32Array; outcome: SecureSumOutcome }
    | { ok: false; reason: string }
  > {
    const started = performance.now();
    if (q.sessions.length < 2) {
      const reason =
        `secure aggregation needs at least 2 participants in a round, and ${q.sessions.length} is available; ` +
        'connect more participants, or set secure: {mode: none} to aggregate in plaintext ' +
        "(which the participants' data sets must allow: datasets.NAME.secure: none in their config)";
      await this.recordFailure(q, { contributors: 0, dropped: [], metrics: {}, seconds: 0, error: reason });
      return { ok: false, reason };
    }
    const params = this.parameters(q.sessions.length);
    const minSurvivors = this.r.privacy.minSurvivors(q.sessions.length);
    const keys = await identityKeysOf(
      this.r.store,
      q.sessions.map((x) => x.participantId),
    );
    const outcome = await runSecureSum({
      jobId: this.r.jobId,
      round: q.round,
      attempt: q.attempt,
      computation: q.computation,
      sessions: q.sessions,
      dimension: q.dimension,
      ...params,
      modulus: this.r.ringModulus,
      task: q.task,
      ...(sealed ? { sealed } : {}),
      ...(minSurvivors > 0 && q.computation !== pb.Stage.EVALUATE ? { minSurvivors } : {}),
      identityKey: (id) => keys.get(id)!,
      deadlineMs: this.r.spec.roundTimeoutSeconds * 1000,
      signal: this.r.signal,
      progress: (step) =>
        stageProgress(
          (m) => this.r.publish(m),
          `${stageLabel(q.stage, q.round, this.r.spec.rounds)}, ${step}`,
          'answered',
        ),
      slots: this.r.slots,
      ...(q.model ? { model: q.model } : {}),
      ...(q.codec ? { codec: q.codec } : {}),
    });
    const seconds = (performance.now() - started) / 1000;
    const rejected = Object.values(outcome.rejected).reduce((a, b) => a + b, 0);
    await this.r.noteRefusals(q.stage, q.round, outcome);
    if (q.stage === 'fit') await this.r.notePrivacySpend('rounds', q.sessions, outcome);
    if (q.stage === 'statistics' && this.r.spec.privacy.mode !== 'none')
      await this.r.notePrivacySpend('statistics', q.sessions, outcome);
    if (
      (!outcome.sum && !outcome.sealedSum) ||
      outcome.survivors.length < Math.min(this.r.spec.minParticipants, q.sessions.length)
    ) {
      const why =
        outcome.reason ??
        `${outcome.survivors.length} survivors, fewer than minParticipants = ${this.r.spec.minParticipants}`;
      const detail = outcome.failures.size ? ` (${this.r.failureSummary(outcome.failures)})` : '';
      const reason = `secure aggregation failed: ${why}${detail}`;
      await this.recordFailure(q, {
        contributors: outcome.survivors.length,
        dropped: [...outcome.failures.keys()],
        metrics: { threshold: params.threshold, degree: params.degree, rejected },
        seconds,
        error: reason,
      });
      return { ok: false, reason };
    }
    return {
      ok: true,
      sum: outcome.sum ?? new Uint32Array(0),
      outcome,
      value: {
        contributors: outcome.survivors,
        failures: outcome.failures,
        refusals: outcome.refusals,
        answers: new Map(),
        secure: { threshold: params.threshold, degree: params.degree, rejected, stageSeconds: outcome.stageSeconds },
        seconds,
      },
    };
  }

  private async recordFailure<T>(
    q: SumRequest<T>,
    r: { contributors: number; dropped: string[]; metrics: Record<string, number>; seconds: number; error: string },
  ): Promise<void> {
    await this.r.store.addRound(
      this.r.recordRound({ round: q.round, stage: q.stage, attempt: q.attempt, status: 'failed', ...r }),
    );
  }
}
