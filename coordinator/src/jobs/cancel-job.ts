/**
 * Cancelling a job for its analyst (the gRPC CancelJob call and the web console's Cancel button alike): the runner
 * here, or through the linked replicas the one that runs it, stops it; a job no process runs is marked cancelled.
 */
import { isFinished } from '../service/job-view.js';
import type { Store } from '../store/store.js';

export const CANCELLED_BY_ANALYST = 'cancelled by the analyst';

export async function cancelForAnalyst(
  store: Store,
  cancelRunner: (jobId: string, reason: string) => boolean,
  jobId: string,
  reason = CANCELLED_BY_ANALYST,
): Promise<void> {
  if (cancelRunner(jobId, reason)) return;
  // No runner here: the job is not running in this process, or its runner ended since the caller's read. Read again
  // so that a job that finished meanwhile keeps its outcome (the store has no conditional update).
  const now = await store.getJob(jobId);
  if (now && !isFinished(now.status)) await store.updateJob(jobId, { status: 'cancelled', error: reason });
}
