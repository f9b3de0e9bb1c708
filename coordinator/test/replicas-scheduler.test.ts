/**
 * The job scheduler when its leases fail: a replica that cannot renew stops its jobs once their leases expire, a
 * runner fenced off by a lost lease leaves the job to the new holder, and a job taken back while its old runner is
 * still stopping starts afresh under the new epoch.
 */
import { lineLogger, silentLogger } from '@tessera/transport';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JobEvents } from '../src/jobs/job-events.js';
import { JobLifecycle } from '../src/jobs/job-lifecycle.js';
import { JobScheduler, type LeasedRun } from '../src/replicas/job-scheduler.js';
import { SqliteStore } from '../src/store/sqlite-store.js';
import type { JobLease, JobRecord, Store } from '../src/store/store.js';
import { tempDir } from './helpers.js';
import { job, round } from './store-contract.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function sqlite(): SqliteStore {
  const tmp = tempDir();
  const store = new SqliteStore(join(tmp.dir, 'coordinator.sqlite'));
  cleanups.push(() => tmp.cleanup());
  cleanups.push(() => store.close());
  return store;
}

/** A run that lasts until suspended or cancelled, noting when and how it stopped. */
function idleRun(job: JobRecord, lease: JobLease) {
  let end: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    end = resolve;
  });
  const run = {
    job,
    lease,
    stopped: undefined as { how: string; at: number } | undefined,
    done,
    suspend() {
      run.stopped ??= { how: 'suspended', at: Date.now() };
      end();
    },
    cancel() {
      run.stopped ??= { how: 'cancelled', at: Date.now() };
      end();
    },
  };
  return run;
}

describe('JobScheduler: leases it cannot renew', () => {
  it('suspends a run once its lease expires without a renewal (the database unreachable)', async () => {
    const real = sqlite();
    await real.createJob(job('j1', 1));
    let unreachable = false;
    let lastRenewal = 0;
    // The real store, except that renewals fail as they would with the database out of reach.
    const store = new Proxy(real, {
      get(target, prop, receiver) {
        if (prop === 'renewJobLeases')
          return async (...args: Parameters<Store['renewJobLeases']>) => {
            if (unreachable) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
            const at = Date.now();
            const lost = await target.renewJobLeases(...args);
            lastRenewal = at;
            return lost;
          };
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    }) as Store;
    const ttl = 600;
    const runs: ReturnType<typeof idleRun>[] = [];
    const log: string[] = [];
    const scheduler = new JobScheduler({
      store,
      replicaId: 'replica-a',
      leaseTtlMs: ttl,
      intervalMs: 100,
      run: (j, lease) => {
        const r = idleRun(j, lease);
        runs.push(r);
        return r;
      },
      logger: lineLogger((l) => log.push(l)),
    });
    cleanups.push(() => scheduler.stop());
    await scheduler.start();
    expect(runs).toHaveLength(1);
    // Renewals keep it going well past one TTL.
    await sleep(ttl * 1.5);
    expect(runs[0]!.stopped).toBeUndefined();
    expect(lastRenewal).toBeGreaterThan(0);
    unreachable = true;
    const failedFrom = Date.now();
    await Promise.race([runs[0]!.done, sleep(ttl * 4)]);
    const stopped = runs[0]!.stopped;
    expect(stopped?.how).toBe('suspended');
    // Not before the lease, as last renewed, expired; and soon after it did.
    const renewedAt = lastRenewal;
    expect(stopped!.at).toBeGreaterThanOrEqual(renewedAt + ttl - 5);
    expect(stopped!.at - failedFrom).toBeLessThan(ttl + 300);
    expect(scheduler.leaseOf('j1')).toBeUndefined();
    expect(log.some((l) => /j1: lease expired without a renewal/.test(l))).toBe(true);
  });

  it('does not take a job back while its runner here is still stopping; it starts afresh once that ended', async () => {
    const store = sqlite();
    await store.createJob(job('j1', 1));
    const runs: { lease: JobLease; finish: () => void; done: Promise<void> }[] = [];
    const scheduler = new JobScheduler({
      store,
      replicaId: 'replica-a',
      leaseTtlMs: 60_000,
      intervalMs: 50,
      run: (_j, lease) => {
        let finish: () => void = () => undefined;
        const done = new Promise<void>((resolve) => {
          finish = resolve;
        });
        const r = { lease, finish, done };
        runs.push(r);
        // Suspending does not end it at once: it ends when the test says (a runner winding down).
        return { done, suspend: () => undefined, cancel: () => finish() } satisfies LeasedRun;
      },
      logger: silentLogger,
    });
    cleanups.push(async () => {
      for (const r of runs) r.finish();
      await scheduler.stop();
    });
    await scheduler.start();
    expect(runs.map((r) => r.lease.epoch)).toEqual([1]);
    // Another replica takes the job over (its lease expired there), then gives it up: this one may take it again.
    await store.releaseJobLease('j1', 'replica-a');
    const [other] = await store.acquireJobLeases('replica-b', 60_000, 1);
    expect(other?.epoch).toBe(2);
    await sleep(200); // renewals see the loss: the run here is told to suspend, and is still stopping
    await store.releaseJobLease('j1', 'replica-b');
    await sleep(300);
    expect(runs).toHaveLength(1);
    runs[0]!.finish();
    await sleep(300);
    expect(runs).toHaveLength(2);
    expect(runs[1]!.lease.epoch).toBeGreaterThan(2);
    expect(scheduler.leaseOf('j1')?.epoch).toBe(runs[1]!.lease.epoch);
  });

  it('a run whose done rejects is released without an unhandled rejection', async () => {
    const store = sqlite();
    await store.createJob(job('j1', 1));
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    cleanups.push(() => {
      process.off('unhandledRejection', onUnhandled);
    });
    const scheduler = new JobScheduler({
      store,
      replicaId: 'replica-a',
      leaseTtlMs: 60_000,
      run: () => ({
        done: Promise.reject(new Error('runner broke')),
        suspend: () => undefined,
        cancel: () => undefined,
      }),
      logger: silentLogger,
    });
    cleanups.push(() => scheduler.stop());
    await scheduler.start();
    await sleep(50);
    expect(unhandled).toEqual([]);
    expect((await store.jobLease('j1'))?.expiresAt).toBe(0);
  });
});

/** A runner whose one round is recorded under a lease it may no longer hold. */
class OneRound extends JobLifecycle {
  constructor(
    id: string,
    store: Store,
    private readonly lease: { holder: string; epoch: number },
  ) {
    super(id, store, new JobEvents());
  }
  protected async work(): Promise<void> {
    await this.store.completeRound(round(this.jobId, 1), new Float64Array([1, 2]), 1, undefined, this.lease);
    await this.store.updateJob(this.jobId, { status: 'completed' });
  }
}

describe('JobLifecycle: a fenced write refused (LeaseLost)', () => {
  it('leaves the job as it was (running) for its new holder, not failed', async () => {
    const store = sqlite();
    await store.createJob(job('j1', 1, { status: 'running' }));
    const [mine] = await store.acquireJobLeases('replica-a', 60_000, 1);
    await store.releaseJobLease('j1', 'replica-a');
    const [theirs] = await store.acquireJobLeases('replica-b', 60_000, 1);
    expect(theirs!.epoch).toBe(mine!.epoch + 1);
    await new OneRound('j1', store, { holder: 'replica-a', epoch: mine!.epoch }).run();
    const after = await store.getJob('j1');
    expect(after?.status).toBe('running');
    expect(after?.error).toBe('');
    expect(after?.roundsCompleted).toBe(0);
    // The holder's own write goes through.
    await new OneRound('j1', store, { holder: 'replica-b', epoch: theirs!.epoch }).run();
    expect((await store.getJob('j1'))?.status).toBe('completed');
  });
});
