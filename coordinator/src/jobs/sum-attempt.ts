// One attempt of a multi-round job's secure sum (recommend, catalogue): its SecAgg+ parameters, and its failure.
import { chooseParameters } from '@tessera/secagg';
import { refusalReasons } from '../rounds/refusals.js';
import type { SecureSumOutcome } from '../rounds/secure-sum.js';
import type { RoundStage, Store } from '../store/store.js';

/** SecAgg+ parameters for a round of `n` participants under the spec's secure settings and minParticipants. */
export function sumParameters(
  n: number,
  spec: { minParticipants: number; secure: { dropoutRate: number; corruptFraction: number } },
): ReturnType<typeof chooseParameters> {
  return chooseParameters({
    n,
    dropoutRate: spec.secure.dropoutRate,
    corruptFraction: spec.secure.corruptFraction,
    minThreshold: Math.max(2, Math.min(spec.minParticipants, n)),
  });
}

/**
 * The failure of an attempt started at `started` (performance.now()): it stores the attempt as a failed round with
 * `reason` and returns the outcome the caller retries on, with the refusals among the outcome's failures.
 */
export function attemptFailure(
  store: Pick<Store, 'addRound'>,
  a: { jobId: string; round: number; stage: RoundStage; attempt: number; started: number },
) {
  return async (reason: string, outcome?: SecureSumOutcome, metrics: Record<string, number> = {}) => {
    await store.addRound({
      jobId: a.jobId,
      round: a.round,
      stage: a.stage,
      attempt: a.attempt,
      status: 'failed',
      contributors: outcome?.survivors.length ?? 0,
      dropped: outcome ? [...outcome.failures.keys()] : [],
      metrics,
      seconds: (performance.now() - a.started) / 1000,
      error: reason,
      finishedAt: Date.now(),
    });
    return { ok: false as const, reason, refusals: outcome ? refusalReasons(outcome) : new Map<string, string>() };
  };
}

/**
 * Why a sum of `n` participants cannot be released: no sum (`summed` false), or fewer survivors than
 * min(minParticipants, n); undefined when it can.
 */
export function sumShortfall(
  outcome: SecureSumOutcome,
  summed: boolean,
  minParticipants: number,
  n: number,
): string | undefined {
  const survivors = outcome.survivors.length;
  if (summed && survivors >= Math.min(minParticipants, n)) return undefined;
  const why = outcome.reason ?? `${survivors} survivors, fewer than minParticipants = ${minParticipants}`;
  const detail = outcome.failures.size ? ` (${[...outcome.failures].map(([id, w]) => `${id}: ${w}`).join('; ')})` : '';
  return `secure aggregation failed: ${why}${detail}`;
}
