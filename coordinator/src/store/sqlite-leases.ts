/** The SQLite side of job leases: which replica drives each job, until when, at which epoch. */
import type Database from 'better-sqlite3';
import { checkLeaseTerms, LEASED_STATUSES } from './lease-terms.js';
import type { JobLease } from './store.js';
import { leaseFromRow, type LeaseRow } from './store-rows.js';

const STATUSES = LEASED_STATUSES.map((s) => `'${s}'`).join(', ');

/**
 * Job leases in one SQLite database (the store delegates to it). Each call is one immediate transaction: processes
 * sharing the file take turns, so a lease has one holder at a time.
 */
export class SqliteLeases {
  constructor(private readonly db: Database.Database) {}

  acquire(holder: string, ttlMs: number, limit: number, now = Date.now()): JobLease[] {
    checkLeaseTerms(holder, ttlMs, limit);
    if (limit === 0) return [];
    return this.db
      .transaction((): JobLease[] => {
        const free = this.db
          .prepare(
            `SELECT j.id FROM jobs j LEFT JOIN job_leases l ON l.job_id = j.id
          WHERE j.status IN (${STATUSES}) AND (l.job_id IS NULL OR l.expires_at <= ?)
          ORDER BY j.created_at, j.id LIMIT ?`,
          )
          .all(now, limit) as { id: string }[];
        const take = this.db.prepare(
          `INSERT INTO job_leases (job_id, holder, epoch, expires_at) VALUES (?, ?, 1, ?)
        ON CONFLICT (job_id) DO UPDATE SET holder = excluded.holder, epoch = job_leases.epoch + 1,
          expires_at = excluded.expires_at
        RETURNING job_id, holder, epoch, expires_at`,
        );
        return free.map((j) => leaseFromRow(take.get(j.id, holder, now + ttlMs) as LeaseRow));
      })
      .immediate();
  }

  renew(holder: string, jobIds: readonly string[], ttlMs: number, now = Date.now()): string[] {
    checkLeaseTerms(holder, ttlMs);
    const extend = this.db.prepare(
      'UPDATE job_leases SET expires_at = ? WHERE job_id = ? AND holder = ? AND expires_at > ?',
    );
    return this.db.transaction(() => jobIds.filter((id) => extend.run(now + ttlMs, id, holder, now).changes === 0))();
  }

  release(jobId: string, holder: string): void {
    this.db.prepare('UPDATE job_leases SET expires_at = 0 WHERE job_id = ? AND holder = ?').run(jobId, holder);
  }

  get(jobId: string): JobLease | undefined {
    const r = this.db.prepare('SELECT * FROM job_leases WHERE job_id = ?').get(jobId) as LeaseRow | undefined;
    return r && leaseFromRow(r);
  }

  /** Whether `holder` holds the job's lease at `epoch`, unexpired at `now` (run it inside the writing transaction). */
  holds(jobId: string, lease: { holder: string; epoch: number }, now: number): boolean {
    const r = this.db
      .prepare('SELECT 1 FROM job_leases WHERE job_id = ? AND holder = ? AND epoch = ? AND expires_at > ?')
      .get(jobId, lease.holder, lease.epoch, now);
    return r !== undefined;
  }
}
