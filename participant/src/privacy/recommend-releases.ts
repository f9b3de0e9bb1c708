// A recommend job's rounds at this node: each round (and the evaluation) released a few times at most.
import { tessera } from '@tessera/proto';
import type { PrivacyLedger } from './privacy-ledger.js';
import type { Authorisation } from './spec-authorisation.js';
import { PrivacyRefusal } from './task-spec.js';

const pb = tessera.v1;

/** Times this node releases one round of a recommend job: its first attempt and the coordinator's retries. */
export const RECOMMEND_RELEASE_ATTEMPTS = 3;

/**
 * Refuses a recommend step whose round this node already released RECOMMEND_RELEASE_ATTEMPTS times for its job.
 * - Private: every admitted step is charged (privacy-guard.ts), but a data set without a privacy budget has nothing
 *   to exhaust: a coordinator could replay one round with one item model until the noise averages out of the sums,
 *   then difference cohorts. Counted by the ledger's charges, in the admitting transaction.
 * - Exact: each attempt sums one cohort, whole (exact-cohort.ts), but of whatever item model the coordinator sends;
 *   replays would let it probe the data with crafted models (the evaluation's held-out items, say) without end.
 *   Counted by the recorded uses (a step computed here).
 * The job's stated epsilon is for one release a round; this bounds a node's spend at the attempts' multiple.
 */
export function checkRecommendReleases(
  ledger: PrivacyLedger,
  task: tessera.v1.ITask,
  stage: number,
  auth: Authorisation,
): void {
  if (stage !== pb.Stage.RECOMMEND || auth.spec?.kind !== 'recommend') return;
  const jobId = task.ref?.jobId ?? '';
  const round = Number(task.ref?.round ?? 0);
  const dataset = task.dataset ?? '';
  const exact = auth.spec.spec.privacy.mode === 'none';
  const released = exact
    ? ledger.uses(dataset).filter((u) => u.jobId === jobId && u.round === round && u.stage === 'recommend').length
    : ledger.charges(dataset).filter((c) => c.jobId === jobId && c.round === round).length;
  if (released < RECOMMEND_RELEASE_ATTEMPTS) return;
  const why = exact
    ? 'more would let the coordinator probe the data with item models of its choosing'
    : 'replaying it would average its noise away';
  throw new PrivacyRefusal(
    `privacy check: round ${round} of recommend job ${JSON.stringify(jobId)} was already ` +
      `${exact ? 'computed' : 'released'} here ${released} times (at most ${RECOMMEND_RELEASE_ATTEMPTS}: its first ` +
      `attempt and the retries); ${why}; the analyst re-submits the job to run it again; ` +
      'refused before reading any data',
  );
}
