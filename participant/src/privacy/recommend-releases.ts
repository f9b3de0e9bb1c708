// A private recommend job's releases at this node: each round (and the evaluation) a few times at most.
import { tessera } from '@tessera/proto';
import type { PrivacyLedger } from './privacy-ledger.js';
import type { Authorisation } from './spec-authorisation.js';
import { PrivacyRefusal } from './task-spec.js';

const pb = tessera.v1;

/** Times this node releases one round of a private recommend job: its first attempt and the coordinator's retries. */
export const RECOMMEND_RELEASE_ATTEMPTS = 3;

/**
 * Refuses a private recommend step once its round was charged RECOMMEND_RELEASE_ATTEMPTS times here for its job. Every
 * admitted step is charged (privacy-guard.ts), but a data set without a privacy budget has nothing to exhaust: a
 * coordinator could replay one round with one item model until the noise averages out of the sums, and difference
 * cohorts. The job's stated epsilon is for one release a round; this bounds a node's spend at the attempts' multiple.
 * An exact job sums one cohort, whole, instead (exact-cohort.ts).
 */
export function checkRecommendReleases(
  ledger: PrivacyLedger,
  task: tessera.v1.ITask,
  stage: number,
  auth: Authorisation,
): void {
  if (stage !== pb.Stage.RECOMMEND || auth.spec?.kind !== 'recommend') return;
  if (auth.spec.spec.privacy.mode === 'none') return;
  const jobId = task.ref?.jobId ?? '';
  const round = Number(task.ref?.round ?? 0);
  const released = ledger.charges(task.dataset ?? '').filter((c) => c.jobId === jobId && c.round === round).length;
  if (released >= RECOMMEND_RELEASE_ATTEMPTS)
    throw new PrivacyRefusal(
      `privacy check: round ${round} of private recommend job ${JSON.stringify(jobId)} was already released here ` +
        `${released} times (at most ${RECOMMEND_RELEASE_ATTEMPTS}: its first attempt and the retries); replaying it ` +
        'would average its noise away; the analyst re-submits the job to run it again; refused before reading any data',
    );
}
