import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaseLost } from '../src/store/lease-lost.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import type { JobLease } from '../src/store/store.js';
import { type PostgresCluster, startPostgres } from './pg/pg-cluster.js';
import { job, round } from './store-contract.js';

let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await startPostgres();
});
afterAll(async () => {
  await cluster?.stop();
});

const JOBS = 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Replicas on their own pools (as separate processes would be) over one database with JOBS pending jobs. */
async function replicas(count: number) {
  const url = await cluster.createSchema();
  const stores = await Promise.all(Array.from({ length: count }, () => PostgresStore.open(url, { maxConnections: 3 })));
  for (let i = 0; i < JOBS; i++) await stores[0].createJob(job(`job-${String(i).padStart(2, '0')}`, 1000 + i));
  return stores;
}

/** Checks every acquisition (with the `now` it was made at): per job, epochs 1, 2, 3... and terms never overlap. */
function checkNoOverlap(taken: { lease: JobLease; at: number }[]) {
  const byJob = new Map<string, { lease: JobLease; at: number }[]>();
  for (const t of taken) byJob.set(t.lease.jobId, [...(byJob.get(t.lease.jobId) ?? []), t]);
  for (const [, list] of byJob) {
    list.sort((a, b) => a.lease.epoch - b.lease.epoch);
    // Each acquisition has its own epoch, one more than the one before: no two replicas took the same term.
    expect(list.map((t) => t.lease.epoch)).toEqual(list.map((_, i) => i + 1));
    // A job is taken over only once the previous term has ended: never two holders at once.
    for (let i = 1; i < list.length; i++) expect(list[i].at).toBeGreaterThanOrEqual(list[i - 1].lease.expiresAt);
  }
  return byJob;
}

describe('PostgresStore: job leases across replicas', () => {
  it('replicas acquiring at one moment take different jobs, each at epoch 1, and together all of them', async () => {
    const stores = await replicas(5);
    try {
      const taken: { lease: JobLease; at: number }[] = [];
      const now = Date.now();
      for (let burst = 0; burst < 10 && taken.length < JOBS; burst++) {
        const got = await Promise.all(stores.map((s, i) => s.acquireJobLeases(`replica-${i}`, 60_000, 6, now)));
        for (const leases of got) for (const lease of leases) taken.push({ lease, at: now });
      }
      const byJob = checkNoOverlap(taken);
      expect(byJob.size).toBe(JOBS);
      expect(taken.every((t) => t.lease.epoch === 1)).toBe(true);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('in a race of acquisitions with short terms, no job ever has two holders, and expired ones move on', async () => {
    const stores = await replicas(4);
    try {
      const taken: { lease: JobLease; at: number }[] = [];
      const ttl = 40;
      await Promise.all(
        stores.map(async (s, i) => {
          for (let k = 0; k < 40; k++) {
            const at = Date.now();
            for (const lease of await s.acquireJobLeases(`replica-${i}`, ttl, 3, at)) taken.push({ lease, at });
            await sleep((i * 7 + k * 3) % 11);
          }
        }),
      );
      const byJob = checkNoOverlap(taken);
      expect(byJob.size).toBe(JOBS);
      // Terms of 40 ms over the run's hundreds of ms: jobs changed hands, each time with the next epoch.
      expect(taken.length).toBeGreaterThan(2 * JOBS);
      expect(new Set(taken.map((t) => t.lease.holder)).size).toBe(stores.length);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('fences a former holder on another replica: its round is refused while the new holder’s is kept', async () => {
    const stores = await replicas(2);
    try {
      const [a, b] = stores;
      const [old] = await a.acquireJobLeases('replica-a', 50, 1, Date.now() - 100);
      const [current] = await b.acquireJobLeases('replica-b', 60_000, 1);
      expect([old.jobId, old.epoch, current.jobId, current.epoch]).toEqual(['job-00', 1, 'job-00', 2]);
      // Both replicas write round 1 at once; only the holder of epoch 2 gets through.
      const results = await Promise.allSettled([
        a.completeRound(round('job-00', 1), Float64Array.from([1]), 1, undefined, { holder: 'replica-a', epoch: 1 }),
        b.completeRound(round('job-00', 1), Float64Array.from([2]), 1, undefined, { holder: 'replica-b', epoch: 2 }),
      ]);
      expect(results[0].status === 'rejected' && results[0].reason).toBeInstanceOf(LeaseLost);
      expect(results[1].status).toBe('fulfilled');
      expect([...(await a.loadModel('job-00', 1))!]).toEqual([2]);
      expect(await a.renewJobLeases('replica-a', ['job-00'], 60_000)).toEqual(['job-00']);
      expect(await b.renewJobLeases('replica-b', ['job-00'], 60_000)).toEqual([]);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});
