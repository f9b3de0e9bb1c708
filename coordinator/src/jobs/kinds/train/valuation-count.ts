// VALUATION_COUNT: a DP training job's one secure sum of its contributors' row counts, each in its own slot, with the
// noise of (payout.epsilon, the job's delta) at a single row's sensitivity; the valuation `records` under DP.
import { addDiscreteGaussianNoise } from '@tessera/dp';
import { systemRandom } from '@tessera/crypto';
import { decodeFixedPoint } from '@tessera/fl';
import { valuationCountNoise, valuationCountStd, type ValuationCountNoise } from '@tessera/jobs';
import { tessera } from '@tessera/proto';
import { refusalReasons } from '../../../rounds/refusals.js';
import { runSecureSum } from '../../../rounds/secure-sum.js';
import { identityKeysOf } from '../../identity-keys.js';
import { attemptFailure, sumParameters, sumShortfall } from '../../sum-attempt.js';
import type { TrainingRun } from './training-run.js';

const pb = tessera.v1;

/** Attempts of the count sum: a node releases one job's counts this many times at most (and charges each). */
export const VALUATION_COUNT_ATTEMPTS = 3;

/** The released counts, in the contributors' order, with their noise. */
export interface ValuationCounts {
  counts: number[];
  noise: ValuationCountNoise;
  /** Standard deviation of each count, in rows. */
  noiseStd: number;
  survivors: number;
  attempt: number;
}

/** Why no counts were released: a contributor refused on its owner's terms, or the sum failed. */
export interface ValuationCountFailure {
  status: 'refused' | 'failed';
  reason: string;
  /** Attempts whose tasks went out: each may have been charged by the members that computed it. */
  attempts: number;
}

/**
 * What a member was charged for the count at most: (epsilon, delta) for each of `attempts` attempts whose tasks went
 * out (a node charges every release it computes, a failed attempt's too), composed basically. The job's valuation and
 * privacy view show it, so that they match the members' charges when a retry was needed.
 */
export function chargedRelease(
  noise: Pick<ValuationCountNoise, 'epsilon' | 'delta'>,
  attempts: number,
): { epsilon: number; delta: number } {
  return { epsilon: noise.epsilon * attempts, delta: noise.delta * attempts };
}

/**
 * Runs the VALUATION_COUNT sum over every contributor (each puts the rows it trained on in its own slot and adds its
 * noise share) and decodes the noisy counts. Every contributor must be in the sum: a refusal ends it at once (paying
 * the others would shift the pool to them); a failure without refusals is retried up to VALUATION_COUNT_ATTEMPTS.
 */
export async function runValuationCount(
  r: TrainingRun,
  contributors: readonly string[],
): Promise<ValuationCounts | ValuationCountFailure> {
  const n = contributors.length;
  if (n < 2)
    return {
      status: 'failed',
      reason: `the valuation count is a secure sum and needs at least 2 contributors, and the job has ${n}`,
      attempts: 0,
    };
  const noise = valuationCountNoise(r.spec, n);
  const keys = await identityKeysOf(r.store, contributors);
  const p = sumParameters(n, r.spec);
  // The round after the last training round: the node counts its releases of the job by it.
  const round = r.spec.rounds + 1;
  let last = '';
  for (let attempt = 1; attempt <= VALUATION_COUNT_ATTEMPTS; attempt++) {
    r.checkNotCancelled();
    const byId = new Map(r.registry.serving(r.spec.dataset).map((s) => [s.participantId, s]));
    const missing = contributors.filter((id) => !byId.has(id));
    if (missing.length)
      return {
        status: 'failed',
        reason: `contributors ${missing.join(', ')} are not connected`,
        attempts: attempt - 1,
      };
    const started = performance.now();
    const failed = attemptFailure(r.store, { jobId: r.jobId, round, stage: 'valuate', attempt, started });
    const base = r.baseTask({ jobId: r.jobId, round, stage: pb.Stage.VALUATION_COUNT });
    const { ref: _ref, ...task } = base;
    const outcome = await runSecureSum({
      jobId: r.jobId,
      round,
      attempt,
      computation: pb.Stage.VALUATION_COUNT,
      sessions: contributors.map((id) => byId.get(id)!),
      dimension: n,
      threshold: p.threshold,
      degree: p.degree,
      complete: p.complete,
      modulus: 2 ** 32,
      ...(noise.mode === 'distributed' ? { minSurvivors: noise.minSurvivors } : {}),
      task: () => ({
        ...task,
        deadlineUnixMs: Date.now() + r.spec.roundTimeoutSeconds * 1000,
        valuationCount: { slots: [...contributors], dpLevel: noise.level },
      }),
      identityKey: (id) => keys.get(id)!,
      codec: {
        bits: 0,
        clip: 0,
        weightCap: 0,
        ...(noise.shareVariance > 0 ? { noiseVariance: noise.shareVariance } : {}),
      },
      deadlineMs: r.spec.roundTimeoutSeconds * 1000,
      signal: r.signal,
      slots: r.slots,
    });
    r.checkNotCancelled();
    await r.noteRefusals('valuate', round, outcome);
    const refusals = refusalReasons(outcome);
    const metrics = {
      participants: n,
      epsilon: noise.epsilon,
      noise_multiplier: noise.noiseMultiplier,
      dp_level: noise.level,
    };
    if (refusals.size) {
      const named = [...refusals].map(([id, w]) => `${id}: ${w}`).join('; ');
      const reason = `every contributor's count is needed, and ${named}`;
      await failed(reason, outcome, metrics);
      return { status: 'refused', reason, attempts: attempt };
    }
    const shortfall =
      sumShortfall(outcome, !!outcome.sum, n, n) ??
      (outcome.survivors.length < n ? `${n - outcome.survivors.length} contributor(s) dropped out` : undefined);
    if (shortfall !== undefined) {
      await failed(shortfall, outcome, metrics);
      last = shortfall;
      r.publish(`valuation count attempt ${attempt} failed: ${shortfall}`);
      continue;
    }
    const sum = outcome.sum!;
    if (noise.mode === 'central')
      addDiscreteGaussianNoise(sum, BigInt(Math.ceil(noise.totalVariance)), 2 ** 32, systemRandom());
    const counts = [...decodeFixedPoint(sum, noise.level, 2 ** 32)];
    const seconds = (performance.now() - started) / 1000;
    await r.store.addRound(
      r.recordRound({
        round,
        stage: 'valuate',
        attempt,
        status: 'completed',
        contributors: outcome.survivors.length,
        dropped: [],
        metrics: { ...metrics, threshold: p.threshold, degree: p.degree },
        seconds,
        error: '',
      }),
    );
    return { counts, noise, noiseStd: valuationCountStd(noise, outcome.survivors.length), survivors: n, attempt };
  }
  return {
    status: 'failed',
    reason: `the valuation count failed ${VALUATION_COUNT_ATTEMPTS} time(s); last: ${last}`,
    attempts: VALUATION_COUNT_ATTEMPTS,
  };
}
