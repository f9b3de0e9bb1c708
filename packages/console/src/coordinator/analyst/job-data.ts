/** What the analyst's pages show of a job: its record, its wire view (jobMessage) and its rounds, read once. */
import { jobMessage, type Coordinator, type JobRecord } from '@tessera/coordinator';
import type { tessera } from '@tessera/proto';
import { jobView, type RoundView } from '@tessera/client';
import { kindOf } from './own-job.js';

/** One round (or setup stage) of a job as the history records it; metrics keyed by name. */
export type RoundRow = RoundView;

export interface JobData {
  job: JobRecord;
  kind: string;
  /** The wire view the analyst's CLI gets: privacy spend, refusals, payouts, result JSON. */
  message: tessera.v1.Job;
  history: RoundRow[];
}

export async function jobDataOf(coordinator: Coordinator, job: JobRecord): Promise<JobData> {
  const message = await jobMessage(coordinator.store, job);
  const { history } = jobView(message);
  return { job, kind: kindOf(job), message, history };
}
