/** Rows as both stores read them (SQLite and PostgreSQL use the same column names), turned into records. */
import {
  JOB_STATUSES,
  type JobLease,
  type JobRecord,
  type JobStatus,
  type ReplicaRecord,
  type RoundRecord,
} from './store.js';

export type Row = Record<string, unknown>;

export const jobFromRow = (r: Row): JobRecord => ({
  id: r.id as string,
  name: r.name as string,
  specJson: r.spec_json as string,
  status: r.status as JobStatus,
  roundsCompleted: r.rounds_completed as number,
  roundsTotal: r.rounds_total as number,
  createdAt: r.created_at as number,
  updatedAt: r.updated_at as number,
  error: r.error as string,
  contextJson: r.context_json as string,
  ...(r.owner ? { owner: r.owner as string } : {}),
});

/** Metrics are stored as JSON, where a non-finite number becomes null and comes back as NaN. */
export const roundFromRow = (r: Row): RoundRecord => ({
  jobId: r.job_id as string,
  round: r.round as number,
  stage: r.stage as RoundRecord['stage'],
  attempt: r.attempt as number,
  status: r.status as RoundRecord['status'],
  contributors: r.contributors as number,
  dropped: JSON.parse(r.dropped_json as string) as string[],
  metrics: JSON.parse(r.metrics_json as string, (_k, v) => (v === null ? Number.NaN : v)) as Record<string, number>,
  seconds: r.seconds as number,
  error: r.error as string,
  finishedAt: r.finished_at as number,
});

export type LeaseRow = { job_id: string; holder: string; epoch: number; expires_at: number };

export const leaseFromRow = (r: LeaseRow): JobLease => ({
  jobId: r.job_id,
  holder: r.holder,
  epoch: r.epoch,
  expiresAt: r.expires_at,
});

export type ReplicaRow = { id: string; address: string; started_at: number; heartbeat_at: number };

export const replicaFromRow = (r: ReplicaRow): ReplicaRecord => ({
  id: r.id,
  address: r.address,
  startedAt: r.started_at,
  heartbeatAt: r.heartbeat_at,
});

/** `SELECT status, COUNT(*) AS n ... GROUP BY status` rows as a count for every status (0 when it has no rows). */
export function countsByStatus(rows: readonly { status: string; n: number | string }[]): Record<JobStatus, number> {
  const counts = Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number>;
  for (const r of rows) if (r.status in counts) counts[r.status as JobStatus] = Number(r.n);
  return counts;
}
