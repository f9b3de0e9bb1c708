/**
 * Job leases on PostgreSQL are reckoned on the database's clock: a replica whose own clock is an hour behind still
 * takes and renews leases that last their TTL, and its fenced writes stop when the database says the lease expired.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { LeaseLost } from '../src/store/lease-lost.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { type PostgresCluster, startPostgres } from './pg/pg-cluster.js';
import { job, round } from './store-contract.js';

let cluster: PostgresCluster;
beforeAll(async () => {
  cluster = await startPostgres();
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
});
afterEach(() => {
  vi.useRealTimers();
});

const HOUR = 3_600_000;
const TTL = 60_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function databaseNow(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ now: string }>(
      'SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint AS now',
    );
    return Number(r.rows[0]!.now);
  } finally {
    await client.end();
  }
}

/** From now on this process's Date is `offsetMs` off the real time (timers stay real). */
function skewClock(offsetMs: number): void {
  const real = Date.now();
  vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
  vi.setSystemTime(real + offsetMs);
}

describe('PostgresLeases: the database clock', () => {
  it('a replica an hour behind takes and renews leases that last their TTL on the database clock', async () => {
    const url = await cluster.createSchema();
    const store = await PostgresStore.open(url, { maxConnections: 2 });
    try {
      await store.createJob(job('j1', 1));
      skewClock(-HOUR);
      const before = await databaseNow(url);
      const [lease] = await store.acquireJobLeases('replica-a', TTL, 1);
      const after = await databaseNow(url);
      expect(lease!.expiresAt).toBeGreaterThanOrEqual(before + TTL);
      expect(lease!.expiresAt).toBeLessThanOrEqual(after + TTL);
      await sleep(20);
      expect(await store.renewJobLeases('replica-a', ['j1'], TTL)).toEqual([]);
      const renewed = await store.jobLease('j1');
      expect(renewed!.expiresAt).toBeGreaterThan(lease!.expiresAt);
      expect(renewed!.expiresAt).toBeLessThanOrEqual((await databaseNow(url)) + TTL);
      // Nobody else takes it: on the database's clock it has not expired.
      expect(await store.acquireJobLeases('replica-b', TTL, 1)).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it("refuses a fenced write once the lease expired on the database's clock, whatever the replica's", async () => {
    const url = await cluster.createSchema();
    const store = await PostgresStore.open(url, { maxConnections: 2 });
    try {
      await store.createJob(job('j1', 1, { status: 'running' }));
      const [lease] = await store.acquireJobLeases('replica-a', 300, 1, await databaseNow(url));
      await sleep(500);
      skewClock(-HOUR); // by this replica's clock the lease would still have an hour to go
      const write = store.completeRound(round('j1', 1), new Float64Array([1]), 1, undefined, {
        holder: 'replica-a',
        epoch: lease!.epoch,
      });
      await expect(write).rejects.toBeInstanceOf(LeaseLost);
      expect((await store.getJob('j1'))?.roundsCompleted).toBe(0);
    } finally {
      await store.close();
    }
  });
});
