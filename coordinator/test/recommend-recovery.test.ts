import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawTable } from '@tessera/data';
import { tessera } from '@tessera/proto';
import {
  alsAlgorithm,
  interactionsFrom,
  leaveLastOut,
  seededRandom,
  syntheticRecommendation,
  trainRecommender,
} from '@tessera/recommend';
import { Coordinator, LocalFederation, runRecommend } from '@tessera/sdk';
import { tempDir } from './helpers.js';

const synthetic = syntheticRecommendation(
  { merchants: 3, customers: 120, items: 30, minCustomers: 30, interactionsPerCustomer: 8 },
  seededRandom('recommend-recovery'),
);
const shards: RawTable[] = synthetic.rows.map((rows, m) => ({
  source: `merchant-${m}`,
  columns: ['customer_id', 'item_id', 'timestamp'],
  rows: rows.map((r) => [r.customer, r.item, String(r.timestamp)]),
  lineOf: (i) => i + 2,
}));
const spec = {
  name: 'recommend-recovery',
  kind: 'recommend',
  dataset: 'orders',
  columns: { customer: 'customer_id', item: 'item_id', timestamp: 'timestamp' },
  catalogue: { items: [...synthetic.catalogue.ids] },
  model: { algorithm: 'als', k: 3, lambda: 0.1, alpha: 10 },
  rounds: 3,
  evaluation: { holdOut: 'last' },
  seed: 'recovery-seed',
  minParticipants: 3,
  roundTimeoutSeconds: 30,
  waitForParticipantsSeconds: 30,
};
const library = trainRecommender(
  alsAlgorithm({ k: 3, lambda: 0.1, alpha: 10 }),
  synthetic.rows.map((rows, m) => leaveLastOut(interactionsFrom(rows, synthetic.catalogue, { source: `m${m}` })).train),
  { rounds: 3, seed: 'recovery-seed' },
).items;

const maxDifference = (a: Float64Array, b: Float64Array) => {
  expect(a.length).toBe(b.length);
  return a.reduce((worst, v, i) => Math.max(worst, Math.abs(v - b[i]!)), 0);
};

describe('recommend jobs: a round failing every attempt, and a coordinator restart', () => {
  const tmp = tempDir();
  const dataDir = join(tmp.dir, 'coordinator');
  let coordinator: Coordinator;
  let fed: LocalFederation;
  beforeAll(async () => {
    coordinator = await Coordinator.start({ dataDir, listen: '127.0.0.1:0' });
    fed = await LocalFederation.start({
      dir: tmp.dir,
      shards,
      dataset: 'orders',
      runtime: 'inline',
      coordinator: { address: coordinator.address, dataDir },
    });
  });
  afterAll(async () => {
    await fed?.stop();
    await coordinator?.stop();
    tmp.cleanup();
  });

  /**
   * Cuts participant 0's connection each time a secure sum starts at it, while `more(jobId)` says so (it reconnects by
   * itself); at most one listener is left, and it does nothing once `more` is false.
   */
  const dropWhile = async (more: (jobId: string) => Promise<boolean>) => {
    for (;;) {
      const ref = await fed.participants[0]!.nextTask(tessera.v1.Stage.ADVERTISE_KEYS);
      if (!(await more(ref.jobId))) return;
      fed.participants[0]!.drop();
    }
  };

  it('a round that fails every attempt fails the job with the reason', async () => {
    let dropping = true;
    void dropWhile(async () => dropping);
    try {
      await expect(runRecommend(fed.analyst, { ...spec, rounds: 1 })).rejects.toThrow(
        /round 1\/1 failed 3 time\(s\); last: secure aggregation failed/,
      );
    } finally {
      dropping = false;
    }
  });

  it('a restarted coordinator resumes from the last stored round and ends with the same items', async () => {
    const events: string[] = [];
    const log: string[] = [];
    let restarted: Promise<void> | undefined;
    const address = coordinator.address;
    const running = runRecommend(fed.analyst, spec, {
      onEvent: (_, m) => {
        events.push(m);
        if (m.startsWith('round 1/3 completed') && !restarted)
          restarted = (async () => {
            await coordinator.stop();
            coordinator = await Coordinator.start({ dataDir, listen: address, log: (l) => log.push(l) });
            events.push('(coordinator restarted)');
          })();
      },
    });
    const { job, items } = await running;
    await restarted;
    expect(job.status).toBe('completed');
    // Round 1 (perhaps 2) was stored before the restart and not run again: the new coordinator resumed after it.
    expect(events.indexOf('(coordinator restarted)')).toBeGreaterThan(
      events.findIndex((e) => e.startsWith('round 1/3')),
    );
    const completed = job.history.filter((h) => h.stage === 'recommend' && h.status === 'completed');
    expect(completed.map((h) => h.round)).toEqual([1, 2, 3]);
    expect(log).toContainEqual(
      expect.stringMatching(new RegExp(`^job ${job.id}: lease taken .*resuming after round [12]$`)),
    );
    expect(maxDifference(items.factors, library.factors)).toBeLessThanOrEqual(1e-5);
    expect(maxDifference(items.biases, library.biases)).toBeLessThanOrEqual(1e-5);
  });
});
