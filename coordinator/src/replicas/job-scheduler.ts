import type { Logger } from '@tessera/transport';
import type { LeaseChange } from '../metrics/metric-labels.js';
import type { JobLease, JobRecord, Store } from '../store/store.js';

/** A job this replica runs: stopped without ending the job when its lease is lost (another replica resumes it). */
export interface LeasedRun {
  readonly done: Promise<void>;
  suspend(): void;
  /** Ends the job as cancelled (an analyst cancelled it through another replica). */
  cancel(reason: string): void;
}

export interface SchedulerOptions {
  store: Store;
  /** This replica's lease holder name. */
  replicaId: string;
  /** How long a lease lasts without renewal: the failover time after a replica dies. */
  leaseTtlMs: number;
  /** How often leases are renewed and new jobs looked for (a third of the TTL by default). */
  intervalMs?: number;
  /** Jobs one replica runs at once. */
  maxJobs?: number;
  /** Starts the runner of a job whose lease this replica took. */
  run: (job: JobRecord, lease: JobLease) => LeasedRun;
  logger: Logger;
  /** Told of each lease change here, with how many jobs it concerns (tessera_lease_changes_total). */
  onLease?: (change: LeaseChange, jobs: number) => void;
}

/** A run here with the lease it holds, and the timer that stops it when the lease expires unrenewed. */
interface Held {
  run: LeasedRun;
  lease: JobLease;
  expiry?: NodeJS.Timeout;
}

/**
 * Which jobs this replica drives, decided through the database (Janus's model): it takes the lease of pending or
 * running jobs nobody holds (FOR UPDATE SKIP LOCKED on PostgreSQL), renews its leases at every tick, and suspends a
 * job whose lease it lost. A replica that dies stops renewing; once its leases expire another replica takes them and
 * resumes the jobs from their last completed round. Two replicas never drive one job at once: a lease has one holder,
 * and a runner that lost its lease can no longer record a round (the store fences the write on the lease's epoch).
 * A replica that cannot reach the database to renew a lease suspends the job once the lease, as last renewed, has
 * expired: by then another replica may hold it.
 */
export class JobScheduler {
  private readonly running = new Map<string, Held>();
  /** Runs suspended here that have not ended yet: their jobs are not taken again until they have. */
  private readonly stopping = new Map<string, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly o: SchedulerOptions) {}

  get intervalMs(): number {
    return this.o.intervalMs ?? Math.max(100, Math.floor(this.o.leaseTtlMs / 3));
  }

  /** Resumes the jobs whose leases it still holds (a restart under the same name), takes what it can, keeps ticking. */
  async start(): Promise<void> {
    await this.adoptOwn();
    await this.tick();
    this.schedule();
  }

  private async adoptOwn(): Promise<void> {
    const { store, replicaId, leaseTtlMs } = this.o;
    const open = await store.jobsWithStatus(['pending', 'running']);
    if (!open.length) return;
    const at = Date.now();
    const lost = new Set(
      await store.renewJobLeases(
        replicaId,
        open.map((j) => j.id),
        leaseTtlMs,
      ),
    );
    for (const job of open) {
      if (lost.has(job.id)) continue;
      const lease = await store.jobLease(job.id);
      if (!lease) continue;
      this.o.onLease?.('acquired', 1);
      this.begin(job, lease, at);
    }
  }

  /** A job was submitted or cancelled here: look now instead of at the next tick. */
  poke(): Promise<void> {
    return this.tick();
  }

  /** The lease of a job this replica runs (for fenced writes). */
  leaseOf(jobId: string): JobLease | undefined {
    return this.running.get(jobId)?.lease;
  }

  /** Resolves when the job's runner here ends (at once when it does not run here). */
  async waitFor(jobId: string): Promise<void> {
    await (this.running.get(jobId)?.run.done ?? this.stopping.get(jobId))?.catch(() => undefined);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.tick().finally(() => this.schedule());
    }, this.intervalMs);
    this.timer.unref?.();
  }

  /** One pass; passes never overlap (a pass asked for during one runs right after it). */
  private tick(): Promise<void> {
    if (this.ticking) {
      this.again = true;
      return this.ticking;
    }
    this.ticking = (async () => {
      do {
        this.again = false;
        try {
          await this.pass();
        } catch (e) {
          this.o.logger.warn(
            { replicaId: this.o.replicaId, reason: (e as Error).message },
            `job leases: ${(e as Error).message} (retrying in ${this.intervalMs} ms)`,
          );
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.ticking = undefined;
    });
    return this.ticking;
  }

  private async pass(): Promise<void> {
    if (this.stopped) return;
    const { store, replicaId, leaseTtlMs } = this.o;
    const held = [...this.running];
    if (held.length) {
      // Taken before the call: the database's expiry is at least this much later than the renewal it records.
      const at = Date.now();
      const lost = new Set(
        await store.renewJobLeases(
          replicaId,
          held.map(([id]) => id),
          leaseTtlMs,
        ),
      );
      for (const [id, h] of held) {
        if (this.running.get(id) !== h) continue;
        if (lost.has(id)) this.suspend(id, h, 'lease lost to another replica; stopping here (it resumes there)');
        else this.expireAt(id, h, at + leaseTtlMs);
      }
      this.o.onLease?.('renewed', held.length - lost.size);
      this.o.onLease?.('lost', lost.size);
    }
    // A job cancelled through another replica whose word did not reach this one (its link was down) ends here too.
    for (const [id, r] of [...this.running]) {
      const job = await store.getJob(id);
      if (job?.status === 'cancelled') r.run.cancel(job.error || 'cancelled');
    }
    const room = (this.o.maxJobs ?? 64) - this.running.size;
    if (room <= 0 || this.stopped) return;
    const at = Date.now();
    const taken = await store.acquireJobLeases(replicaId, leaseTtlMs, room);
    this.o.onLease?.('acquired', taken.length);
    for (const lease of taken) {
      if (this.stopped) {
        await this.release(lease.jobId);
        continue;
      }
      if (this.stopping.has(lease.jobId) || this.running.has(lease.jobId)) {
        // Its runner here is still stopping: a new one under this epoch starts once it has ended, at a later tick.
        await this.release(lease.jobId);
        continue;
      }
      const job = await store.getJob(lease.jobId);
      if (!job || (job.status !== 'pending' && job.status !== 'running')) {
        await this.release(lease.jobId);
        continue;
      }
      this.begin(job, lease, at);
    }
  }

  /** Starts a job's runner under `lease`, taken or renewed at `at` (this replica's clock). */
  private begin(job: JobRecord, lease: JobLease, at: number): void {
    const { leaseTtlMs } = this.o;
    this.o.logger.info(
      { jobId: job.id, replicaId: this.o.replicaId, epoch: lease.epoch },
      `job ${job.id}: lease taken (epoch ${lease.epoch})` +
        (job.roundsCompleted > 0 ? `, resuming after round ${job.roundsCompleted}` : ''),
    );
    const run = this.o.run(job, lease);
    const h: Held = { run, lease };
    this.running.set(job.id, h);
    this.expireAt(job.id, h, at + leaseTtlMs);
    void run.done
      .catch(() => undefined)
      .then(() => {
        clearTimeout(h.expiry);
        if (this.stopping.get(job.id) === run.done) this.stopping.delete(job.id);
        if (this.running.get(job.id) !== h) return;
        this.running.delete(job.id);
        return this.release(job.id);
      })
      .catch(() => undefined);
  }

  /** Suspends the job at `expiresAt` unless a renewal moves it on first (the database may be out of reach). */
  private expireAt(id: string, h: Held, expiresAt: number): void {
    clearTimeout(h.expiry);
    h.expiry = setTimeout(
      () => {
        if (this.running.get(id) !== h) return;
        this.o.onLease?.('expired', 1);
        this.suspend(id, h, 'lease expired without a renewal (is the database reachable?); stopping here');
        this.release(id).catch(() => undefined);
      },
      Math.max(0, expiresAt - Date.now()),
    );
    h.expiry.unref?.();
  }

  private suspend(id: string, h: Held, why: string): void {
    this.o.logger.warn({ jobId: id, replicaId: this.o.replicaId }, `job ${id}: ${why}`);
    clearTimeout(h.expiry);
    this.running.delete(id);
    this.stopping.set(id, h.run.done);
    h.run.suspend();
  }

  /** Suspends every job here and gives up their leases, so another replica takes them at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    const runs = [...this.running.entries()];
    this.running.clear();
    for (const [, h] of runs) {
      clearTimeout(h.expiry);
      h.run.suspend();
    }
    await Promise.all(runs.map(([, h]) => h.run.done.catch(() => undefined)));
    await Promise.all([...this.stopping.values()].map((done) => done.catch(() => undefined)));
    await Promise.all(runs.map(([id]) => this.release(id).catch(() => undefined)));
  }

  /** Gives up this replica's lease of a job. */
  private async release(jobId: string): Promise<void> {
    await this.o.store.releaseJobLease(jobId, this.o.replicaId);
    this.o.onLease?.('released', 1);
  }
}
