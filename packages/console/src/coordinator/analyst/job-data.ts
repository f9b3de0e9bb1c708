/** What the analyst's pages show of a job: its record, its wire view (jobMessage) and its rounds, read once. */
import { jobMessage, type Coordinator, type JobRecord } from '@tessera/coordinator';
import type { tessera } from '@tessera/proto';
import { kindOf } from './own-job.js';

/** One round (or setup stage) of a job as the history records it; metrics keyed by name. */
export interface RoundRow {
  round: number;
  stage: string;
  status: string;
  attempt: number;
  contributors: number;
  dropped: string[];
  metrics: Record<string, number>;
  seconds: number;
  error: string;
}

export interface JobData {
  job: JobRecord;
  kind: string;
  /** The wire view the analyst's CLI gets: privacy spend, refusals, payouts, result JSON. */
  message: tessera.v1.Job;
  history: RoundRow[];
}

export async function jobDataOf(coordinator: Coordinator, job: JobRecord): Promise<JobData> {
  const message = await jobMessage(coordinator.store, job);
  const history = (message.history ?? []).map((r) => ({
    round: r.round ?? 0,
    stage: r.stage ?? '',
    status: r.status ?? '',
    attempt: r.attempt ?? 1,
    contributors: r.contributors ?? 0,
    dropped: [...(r.dropped ?? [])],
    metrics: Object.fromEntries((r.metrics ?? []).map((m) => [m.name ?? '', Number(m.value)])),
    seconds: r.seconds ?? 0,
    error: r.error ?? '',
  }));
  return { job, kind: kindOf(job), message, history };
}
