/**
 * What every Store does with job leases (part of the Store contract, store-contract.ts): which replica drives each
 * job, until when, with an epoch that grows at each new holder and fences off the writes of a former one.
 */
import { describe, expect, it } from 'vitest';
import { LeaseLost } from '../src/store/lease-lost.js';
import type { JobRecord, RoundRecord, Store } from '../src/store/store.js';

const T = 1_900_000_000_000;
const TTL = 30_000;

const job = (id: string, createdAt: number, status: JobRecord['status'] = 'pending'): JobRecord => ({
  id,
  name: id,
  specJson: '{}',
  status,
  roundsCompleted: 0,
  roundsTotal: 3,
  createdAt,
  updatedAt: createdAt,
  error: '',
  contextJson: '',
});

const round = (jobId: string, r: number): RoundRecord => ({
  jobId,
  round: r,
  stage: 'fit',
  attempt: 1,
  status: 'completed',
  contributors: 2,
  dropped: [],
  metrics: {},
  seconds: 0.1,
  error: '',
  finishedAt: T,
});

/** Registers the lease tests on the store `current()` returns (a fresh one per test). */
export function leaseContract(current: () => Store): void {
  describe('job leases', () => {
    it('takes pending and running jobs without a lease, oldest first, up to the limit, at epoch 1', async () => {
      const store = current();
      await store.createJob(job('j-3', 3, 'running'));
      await store.createJob(job('j-1', 1));
      await store.createJob(job('j-done', 0, 'completed'));
      await store.createJob(job('j-failed', 0, 'failed'));
      await store.createJob(job('j-cancelled', 0, 'cancelled'));
      await store.createJob(job('j-2', 2));
      expect(await store.jobLease('j-1')).toBeUndefined();
      const first = await store.acquireJobLeases('replica-a', TTL, 2, T);
      expect(first).toEqual([
        { jobId: 'j-1', holder: 'replica-a', epoch: 1, expiresAt: T + TTL },
        { jobId: 'j-2', holder: 'replica-a', epoch: 1, expiresAt: T + TTL },
      ]);
      expect(await store.jobLease('j-2')).toEqual(first[1]);
      // Held leases are not taken again, by another replica or the same one.
      expect(await store.acquireJobLeases('replica-b', TTL, 10, T + 1)).toEqual([
        { jobId: 'j-3', holder: 'replica-b', epoch: 1, expiresAt: T + 1 + TTL },
      ]);
      expect(await store.acquireJobLeases('replica-a', TTL, 10, T + 2)).toEqual([]);
      expect(await store.acquireJobLeases('replica-a', TTL, 0, T + 2)).toEqual([]);
      expect(await store.jobLease('j-done')).toBeUndefined();
    });

    it('takes an expired lease over with the next epoch; until then it stays with its holder', async () => {
      const store = current();
      await store.createJob(job('j', 1));
      await store.acquireJobLeases('replica-a', TTL, 5, T);
      expect(await store.acquireJobLeases('replica-b', TTL, 5, T + TTL - 1)).toEqual([]);
      expect(await store.acquireJobLeases('replica-b', TTL, 5, T + TTL)).toEqual([
        { jobId: 'j', holder: 'replica-b', epoch: 2, expiresAt: T + 2 * TTL },
      ]);
      // A replica taking back its own expired lease gets a new epoch too.
      const again = await store.acquireJobLeases('replica-b', TTL, 5, T + 2 * TTL);
      expect(again.map((l) => [l.holder, l.epoch])).toEqual([['replica-b', 3]]);
      // Finished jobs are no longer taken, even with an expired lease.
      await store.updateJob('j', { status: 'completed' });
      expect(await store.acquireJobLeases('replica-a', TTL, 5, T + 10 * TTL)).toEqual([]);
    });

    it('renews the leases a holder still holds and names those it lost', async () => {
      const store = current();
      for (const [i, id] of ['j-1', 'j-2', 'j-3'].entries()) await store.createJob(job(id, i));
      await store.acquireJobLeases('replica-a', TTL, 2, T); // j-1, j-2
      await store.acquireJobLeases('replica-b', TTL, 1, T); // j-3
      const lost = await store.renewJobLeases('replica-a', ['j-1', 'j-2', 'j-3', 'j-unknown'], TTL, T + 10);
      expect(lost).toEqual(['j-3', 'j-unknown']);
      expect((await store.jobLease('j-1'))?.expiresAt).toBe(T + 10 + TTL);
      expect(await store.jobLease('j-3')).toEqual({ jobId: 'j-3', holder: 'replica-b', epoch: 1, expiresAt: T + TTL });
      // Renewed in time, a lease is not taken over when the original term ends; one not renewed is.
      expect(await store.acquireJobLeases('replica-c', TTL, 5, T + TTL)).toEqual([
        { jobId: 'j-3', holder: 'replica-c', epoch: 2, expiresAt: T + 2 * TTL },
      ]);
      // Once expired, it is lost: renewing does not bring it back (another replica may be taking it over).
      expect(await store.renewJobLeases('replica-a', ['j-1'], TTL, T + 10 + TTL)).toEqual(['j-1']);
      expect((await store.jobLease('j-1'))?.expiresAt).toBe(T + 10 + TTL);
      expect(await store.renewJobLeases('replica-a', [], TTL, T)).toEqual([]);
    });

    it('releases only the holder’s own lease; the next holder gets the next epoch', async () => {
      const store = current();
      await store.createJob(job('j', 1));
      await store.acquireJobLeases('replica-a', TTL, 1, T);
      await store.releaseJobLease('j', 'replica-b');
      expect(await store.jobLease('j')).toEqual({ jobId: 'j', holder: 'replica-a', epoch: 1, expiresAt: T + TTL });
      await store.releaseJobLease('j', 'replica-a');
      expect((await store.jobLease('j'))?.expiresAt).toBe(0);
      expect(await store.renewJobLeases('replica-a', ['j'], TTL, T + 1)).toEqual(['j']);
      expect(await store.acquireJobLeases('replica-b', TTL, 1, T + 1)).toEqual([
        { jobId: 'j', holder: 'replica-b', epoch: 2, expiresAt: T + 1 + TTL },
      ]);
      await store.releaseJobLease('j-unknown', 'replica-b');
    });

    it('fences completeRound: a former holder writes nothing and gets LeaseLost; the holder writes', async () => {
      const store = current();
      await store.createJob(job('j', 1, 'running'));
      const now = Date.now();
      // replica-a took the job long ago; its lease expired and replica-b took the job over.
      const [old] = await store.acquireJobLeases('replica-a', TTL, 1, now - 10 * TTL);
      const [current_] = await store.acquireJobLeases('replica-b', TTL, 1, now);
      expect([old.epoch, current_.epoch]).toEqual([1, 2]);
      const stale = store.completeRound(round('j', 1), Float64Array.from([1]), 1, '{"a":1}', {
        holder: 'replica-a',
        epoch: 1,
      });
      await expect(stale).rejects.toBeInstanceOf(LeaseLost);
      await expect(stale).rejects.toMatchObject({ jobId: 'j', holder: 'replica-a', epoch: 1 });
      await expect(stale).rejects.toThrow(/replica replica-a no longer holds the lease of job j at epoch 1/);
      // The right holder at the wrong epoch is refused too.
      const wrongEpoch = { holder: 'replica-b', epoch: 1 };
      await expect(
        store.completeRound(round('j', 1), Float64Array.from([1]), 1, undefined, wrongEpoch),
      ).rejects.toThrow(LeaseLost);
      expect(await store.listRounds('j')).toEqual([]);
      expect(await store.latestModel('j')).toBeUndefined();
      expect(await store.getJob('j')).toMatchObject({ roundsCompleted: 0, contextJson: '' });

      await store.completeRound(round('j', 1), Float64Array.from([2]), 1, '{"b":1}', { holder: 'replica-b', epoch: 2 });
      expect([...(await store.loadModel('j', 1))!]).toEqual([2]);
      expect(await store.getJob('j')).toMatchObject({ roundsCompleted: 1, contextJson: '{"b":1}' });
    });

    it('fences completeRound once the holder’s own lease expired or was released', async () => {
      const store = current();
      await store.createJob(job('j', 1, 'running'));
      const [expired] = await store.acquireJobLeases('replica-a', TTL, 1, Date.now() - 2 * TTL);
      const lease = { holder: 'replica-a', epoch: expired.epoch };
      await expect(store.completeRound(round('j', 1), Float64Array.from([1]), 1, undefined, lease)).rejects.toThrow(
        LeaseLost,
      );
      const [fresh] = await store.acquireJobLeases('replica-a', TTL, 1);
      await store.releaseJobLease('j', 'replica-a');
      const released = { holder: 'replica-a', epoch: fresh.epoch };
      await expect(store.completeRound(round('j', 1), Float64Array.from([1]), 1, undefined, released)).rejects.toThrow(
        LeaseLost,
      );
      expect(await store.listRounds('j')).toEqual([]);
      // Without a lease the write is not fenced (a single coordinator, as before leases).
      await store.completeRound(round('j', 1), Float64Array.from([3]), 1);
      expect((await store.getJob('j'))?.roundsCompleted).toBe(1);
    });

    it('refuses lease terms that make no sense, naming them', async () => {
      const store = current();
      await expect(store.acquireJobLeases('replica-a', 0, 1)).rejects.toThrow(/positive whole number.*ttlMs.*got 0/);
      await expect(store.acquireJobLeases('replica-a', TTL, -1)).rejects.toThrow(/limit.*got -1/);
      await expect(store.acquireJobLeases('', TTL, 1)).rejects.toThrow(/needs a holder/);
      await expect(store.renewJobLeases('replica-a', ['j'], 1.5)).rejects.toThrow(/ttlMs.*got 1.5/);
    });
  });
}
