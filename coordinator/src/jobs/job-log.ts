// A job's progress in the service log: started or resumed, each stage attempt ended (or failed), finished. Ids and
// counts only: a round record's metrics (loss, ...) and the job's spec stay out of it.
import type { Logger } from '@tessera/transport';
import { observedRounds } from '../metrics/observed-rounds.js';
import type { JobRecord, RoundRecord, Store } from '../store/store.js';

/** The store as a job's runner sees it, logging every round record written: one line per stage attempt. */
export function loggedRounds(store: Store, logger: Logger): Store {
  return observedRounds(store, (r) => logRound(logger, r));
}

function logRound(logger: Logger, r: RoundRecord): void {
  const fields = {
    jobId: r.jobId,
    round: r.round,
    stage: r.stage,
    attempt: r.attempt,
    status: r.status,
    contributors: r.contributors,
    dropped: r.dropped.length,
    seconds: Math.round(r.seconds * 1000) / 1000,
  };
  const where = `job ${r.jobId} ${r.round > 0 ? `round ${r.round} ` : ''}${r.stage}`;
  if (r.status !== 'completed')
    logger.warn({ ...fields, reason: r.error || r.status }, `${where} ${r.status}: ${r.error || 'no reason given'}`);
  else
    logger.debug(
      fields,
      `${where} ${r.status} with ${r.contributors} contributors (${r.dropped.length} dropped) in ${fields.seconds} s`,
    );
}

/** Logs a job's run starting here (or resuming after its last completed round), then how it ended. */
export function logJobRun(logger: Logger, store: Store, job: JobRecord, kind: string, done: Promise<void>): void {
  const fields = { jobId: job.id, kind };
  if (job.roundsCompleted > 0)
    logger.info(
      { ...fields, roundsCompleted: job.roundsCompleted, rounds: job.roundsTotal },
      `job ${job.id} (${kind}) resumed after round ${job.roundsCompleted}/${job.roundsTotal}`,
    );
  else logger.info({ ...fields, rounds: job.roundsTotal }, `job ${job.id} (${kind}) started`);
  done
    .then(() => store.getJob(job.id))
    .then((now) => {
      if (!now) return;
      const ended = { ...fields, status: now.status, roundsCompleted: now.roundsCompleted };
      if (now.status === 'failed') logger.warn({ ...ended, reason: now.error }, `job ${job.id} failed: ${now.error}`);
      else if (now.status === 'running' || now.status === 'pending')
        logger.info(ended, `job ${job.id} stopped running on this replica (${now.status})`);
      else logger.info(ended, `job ${job.id} finished: ${now.status}`);
    })
    .catch((e: Error) => logger.warn({ jobId: job.id, reason: e.message }, `job ${job.id}: ${e.message}`));
}
