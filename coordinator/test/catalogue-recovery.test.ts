import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawTable } from '@tessera/data';
import { Coordinator, LocalFederation } from '@tessera/sdk';
import { tempDir } from './helpers.js';

// 3 merchants of 100 customers, each with 2 of 3 popular items.
const POPULAR = ['sku-1', 'sku-2', 'sku-3'];
const shards: RawTable[] = Array.from({ length: 3 }, (_, m) => {
  const rows: string[][] = [];
  for (let c = 0; c < 100; c++) rows.push([`m${m}c${c}`, POPULAR[c % 3]!], [`m${m}c${c}`, POPULAR[(c + 1) % 3]!]);
  return { source: `merchant-${m}`, columns: ['customer_id', 'item_id'], rows, lineOf: (i: number) => i + 2 };
});
const spec = {
  name: 'catalogue-recovery',
  kind: 'catalogue',
  dataset: 'orders',
  maxItemsPerCustomer: 2,
  maxLength: 8,
  privacy: { epsilon: 8, maxCustomers: 1000 },
  minParticipants: 3,
  roundTimeoutSeconds: 30,
  waitForParticipantsSeconds: 30,
};

describe('catalogue jobs: a coordinator restart', () => {
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

  it('resumes from the trie stored after the last completed round and finds the same items', async () => {
    const events: string[] = [];
    const log: string[] = [];
    let restarted: Promise<void> | undefined;
    const address = coordinator.address;
    const submitted = await fed.analyst.submit(spec);
    const job = await fed.analyst.watch(submitted.id, (_, m) => {
      events.push(m);
      if (m.startsWith('round 2 completed') && !restarted)
        restarted = (async () => {
          await coordinator.stop();
          coordinator = await Coordinator.start({ dataDir, listen: address, log: (l) => log.push(l) });
          events.push('(coordinator restarted)');
        })();
    });
    await restarted;
    expect(job.status, job.error).toBe('completed');
    const items = (job.result as { catalogue: { items: { id: string }[]; rounds: number } }).catalogue;
    expect(items.items.map((i) => i.id).sort()).toEqual(POPULAR);
    expect(items.rounds).toBe(6);
    const completed = job.history.filter((h) => h.stage === 'catalogue' && h.status === 'completed');
    expect(completed.map((h) => h.round)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(log).toContainEqual(
      expect.stringMatching(new RegExp(`^job ${job.id}: lease taken .*resuming after round [23]$`)),
    );
  });
});
