// Exact cohorts: an exact single release of a signed spec is released at this node over one cohort only.
import { tessera } from '@tessera/proto';
import type { PrivacyLedger } from './privacy-ledger.js';
import type { Authorisation } from './spec-authorisation.js';
import { signedSpecHash } from './spec-replay.js';
import { PrivacyRefusal } from './task-spec.js';

const pb = tessera.v1;

/**
 * The cohort of an exact (not differentially private) single release, or undefined when the task is not one: a QUERY
 * whose signed spec has no privacy (nor a DP level announced), the sorted participant ids of its secure round; a SCORE
 * whose signed spec has no privacy, its attempt (the coordinator sums the ciphertexts, so this node cannot see the
 * cohort: it encrypts its exact totals for one attempt only); a round of an exact recommend job (each round sums the
 * merchants' exact item updates once), its participant ids. A private release is charged each time instead, and the
 * multi-round train stages are not single releases.
 */
export function exactCohort(task: tessera.v1.ITask, stage: number, auth: Authorisation): string | undefined {
  const spec = auth.spec;
  if (stage === pb.Stage.QUERY && spec?.kind === 'query') {
    if (spec.spec.privacy.mode !== 'none' || Number(task.query?.dpLevel ?? 0) > 0) return undefined;
    return JSON.stringify([...(task.secure?.participantIds ?? [])].sort());
  }
  if (stage === pb.Stage.SCORE && spec?.kind === 'score' && !spec.spec.privacy)
    return `attempt ${Number(task.ref?.attempt ?? 0)}`;
  // An exact recommend round (or evaluation) sums the merchants' exact updates: one cohort for the whole job.
  if (stage === pb.Stage.RECOMMEND && spec?.kind === 'recommend' && spec.spec.privacy.mode === 'none')
    return JSON.stringify([...(task.secure?.participantIds ?? [])].sort());
  return undefined;
}

/**
 * The round a cohort is bound to: the task's, except for a recommend job, whose every round and evaluation is bound to
 * its first cohort (round 0). The coordinator chooses each round's item model, so it could send round 2 the model of
 * round 1 over the cohort less one node; ALS's update is a function of the model, and the difference of the two sums
 * would be that node's update.
 */
const cohortRound = (task: tessera.v1.ITask, stage: number): number =>
  stage === pb.Stage.RECOMMEND ? 0 : Number(task.ref?.round ?? 0);

/**
 * Refuses an exact single release of a signed spec over another cohort than the one this node first released it
 * over: inside one job id, a coordinator could otherwise run the same exact query as a second attempt over the cohort
 * minus one node and subtract the two sums to learn that node's value. The same cohort again releases the same sum.
 */
export function checkExactCohort(
  ledger: PrivacyLedger,
  task: tessera.v1.ITask,
  stage: number,
  auth: Authorisation,
): void {
  const hash = signedSpecHash(task, auth);
  const cohort = exactCohort(task, stage, auth);
  if (!hash || cohort === undefined) return;
  const first = ledger.specCohort(hash, stage, cohortRound(task, stage));
  if (first === undefined || first.cohort === cohort) return;
  const what = stage === pb.Stage.SCORE ? 'score' : stage === pb.Stage.RECOMMEND ? 'recommend' : 'query';
  throw new PrivacyRefusal(
    `privacy check: the analyst's signed ${what} spec (hash ${hash.slice(0, 16)}…) was already released here ` +
      `exactly (without differential privacy) over cohort ${first.cohort} in job ${JSON.stringify(first.jobId)}; ` +
      `the coordinator cannot release it again over cohort ${cohort} (the difference of two exact sums over ` +
      'cohorts that differ by one node is that node’s value); the analyst re-submits the job to run it over ' +
      'another cohort, or asks for differential privacy; refused before reading any data',
  );
}

/** Records the cohort of the first exact single release of a signed spec (in the admitting ledger transaction). */
export function bindExactCohort(
  ledger: PrivacyLedger,
  task: tessera.v1.ITask,
  stage: number,
  auth: Authorisation,
): void {
  const hash = signedSpecHash(task, auth);
  const cohort = exactCohort(task, stage, auth);
  if (!hash || cohort === undefined) return;
  ledger.bindSpecCohort({
    specHash: hash,
    stage,
    round: cohortRound(task, stage),
    cohort,
    jobId: task.ref?.jobId ?? '',
    at: Date.now(),
  });
}
