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
  log: (line: string) => void;
}

/**
 * Which jobs this replica drives, decided through the database (Janus's model): it takes the lease of pending or
 * running jobs nobody holds (FOR UPDATE SKIP LOCKED on PostgreSQL), renews its leases at every tick, and suspends a
 * job whose lease it lost. A replica that dies stops renewing; once its leases expire another replica takes them and
 * resumes the jobs from their last completed round. Two replicas never drive one job at once: a lease has one holder,
 * and a runner that lost its lease can no longer record a round (the store fences the write on the lease's epoch).
 */
export class JobScheduler {
  private readonly running = new Map<string, { run: LeasedRun; lease: JobLease }>();
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
      if (lease) this.begin(job, lease);
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
    await this.running.get(jobId)?.run.done;
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
          this.o.log(`job leases: ${(e as Error).message} (retrying in ${this.intervalMs} ms)`);
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
    const held = [...this.running.keys()];
    if (held.length) {
      const lost = await store.renewJobLeases(replicaId, held, leaseTtlMs);
      for (const id of lost) {
        const r = this.running.get(id);
        if (!r) continue;
        this.o.log(`job ${id}: lease lost to another replica; stopping here (it resumes there)`);
        this.running.delete(id);
        r.run.suspend();
      }
    }
    // A job cancelled through another replica whose word did not reach this one (its link was down) ends here too.
    for (const [id, r] of [...this.running]) {
      const job = await store.getJob(id);
      if (job?.status === 'cancelled') r.run.cancel(job.error || 'cancelled');
    }
    const room = (this.o.maxJobs ?? 64) - this.running.size;
    if (room <= 0 || this.stopped) return;
    for (const lease of await store.acquireJobLeases(replicaId, leaseTtlMs, room)) {
      if (this.stopped) {
        await store.releaseJobLease(lease.jobId, replicaId);
        continue;
      }
      const job = await store.getJob(lease.jobId);
      if (!job || (job.status !== 'pending' && job.status !== 'running')) {
        await store.releaseJobLease(lease.jobId, replicaId);
        continue;
      }
      this.begin(job, lease);
    }
  }

  private begin(job: JobRecord, lease: JobLease): void {
    const { store, replicaId } = this.o;
    this.o.log(
      `job ${job.id}: lease taken (epoch ${lease.epoch})` +
        (job.roundsCompleted > 0 ? `, resuming after round ${job.roundsCompleted}` : ''),
    );
    const run = this.o.run(job, lease);
    this.running.set(job.id, { run, lease });
    void run.done.finally(() => {
      if (this.running.get(job.id)?.run !== run) return;
      this.running.delete(job.id);
      store.releaseJobLease(job.id, replicaId).catch(() => undefined);
    });
  }

  /** Suspends every job here and gives up their leases, so another replica takes them at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    const runs = [...this.running.entries()];
    this.running.clear();
    for (const [, r] of runs) r.run.suspend();
    await Promise.all(runs.map(([, r]) => r.run.done.catch(() => undefined)));
    await Promise.all(runs.map(([id]) => this.o.store.releaseJobLease(id, this.o.replicaId).catch(() => undefined)));
  }
}
