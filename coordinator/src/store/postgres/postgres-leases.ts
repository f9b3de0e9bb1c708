/** The PostgreSQL side of job leases: which replica drives each job, until when, at which epoch. */
import type pg from 'pg';
import { checkLeaseTerms, LEASED_STATUSES } from '../lease-terms.js';
import type { JobLease } from '../store.js';
import type { Queryable } from './postgres-transaction.js';
import { leaseFromRow, type LeaseRow } from '../store-rows.js';

/**
 * The time leases are reckoned in: the `now` a caller gives (tests), else the database's clock in milliseconds, so
 * replicas whose clocks disagree still agree on when a lease expires. `$n` is the parameter holding the given `now`.
 */
const clock = (n: number) => `COALESCE($${n}::bigint, (extract(epoch from clock_timestamp()) * 1000)::bigint)`;

/**
 * Takes the free jobs in one statement. Candidates are locked with FOR UPDATE SKIP LOCKED, so replicas acquiring at
 * once take different jobs instead of queueing; the upsert re-checks the expiry on the newest lease row (a replica
 * whose snapshot predates another's commit takes nothing), so a lease never has two unexpired holders.
 */
const ACQUIRE = `
  WITH clock AS (SELECT ${clock(2)} AS now), free AS (
    SELECT j.id, j.created_at FROM jobs j LEFT JOIN job_leases l ON l.job_id = j.id
    WHERE j.status = ANY($4::text[]) AND (l.job_id IS NULL OR l.expires_at <= (SELECT now FROM clock))
    ORDER BY j.created_at, j.id
    LIMIT $5
    FOR UPDATE OF j SKIP LOCKED
  ), taken AS (
    INSERT INTO job_leases (job_id, holder, epoch, expires_at)
    SELECT id, $1, 1, (SELECT now FROM clock) + $3 FROM free
    ON CONFLICT (job_id) DO UPDATE
      SET holder = EXCLUDED.holder, epoch = job_leases.epoch + 1, expires_at = EXCLUDED.expires_at
      WHERE job_leases.expires_at <= (SELECT now FROM clock)
    RETURNING job_id, holder, epoch, expires_at
  )
  SELECT taken.* FROM taken JOIN free ON free.id = taken.job_id ORDER BY free.created_at, free.id`;

/**
 * Job leases in a PostgreSQL database shared by replicas (the store delegates to it). Without an explicit `now`, every
 * expiry is reckoned on the database's clock, not the calling replica's.
 */
export class PostgresLeases {
  constructor(private readonly pool: pg.Pool) {}

  async acquire(holder: string, ttlMs: number, limit: number, now?: number): Promise<JobLease[]> {
    checkLeaseTerms(holder, ttlMs, limit);
    if (limit === 0) return [];
    const r = await this.pool.query<LeaseRow>(ACQUIRE, [holder, now ?? null, ttlMs, [...LEASED_STATUSES], limit]);
    return r.rows.map(leaseFromRow);
  }

  async renew(holder: string, jobIds: readonly string[], ttlMs: number, now?: number): Promise<string[]> {
    checkLeaseTerms(holder, ttlMs);
    if (jobIds.length === 0) return [];
    const r = await this.pool.query<{ job_id: string }>(
      `UPDATE job_leases SET expires_at = clock.now + $1 FROM (SELECT ${clock(4)} AS now) clock
      WHERE job_id = ANY($2::text[]) AND holder = $3 AND expires_at > clock.now RETURNING job_id`,
      [ttlMs, [...jobIds], holder, now ?? null],
    );
    const kept = new Set(r.rows.map((row) => row.job_id));
    return jobIds.filter((id) => !kept.has(id));
  }

  async release(jobId: string, holder: string): Promise<void> {
    await this.pool.query('UPDATE job_leases SET expires_at = 0 WHERE job_id = $1 AND holder = $2', [jobId, holder]);
  }

  async get(jobId: string): Promise<JobLease | undefined> {
    const r = await this.pool.query<LeaseRow>('SELECT * FROM job_leases WHERE job_id = $1', [jobId]);
    return r.rows[0] && leaseFromRow(r.rows[0]);
  }

  /**
   * Whether `holder` holds the job's lease at `epoch`, unexpired at `now` (default: the database's clock). Run inside
   * the writing transaction: the row stays locked until it commits, so no replica takes the job over in between.
   */
  async holds(db: Queryable, jobId: string, lease: { holder: string; epoch: number }, now?: number) {
    const r = await db.query(
      `SELECT 1 FROM job_leases WHERE job_id = $1 AND holder = $2 AND epoch = $3 AND expires_at > ${clock(4)}
      FOR UPDATE`,
      [jobId, lease.holder, lease.epoch, now ?? null],
    );
    return r.rows.length > 0;
  }
}
