// A sealed BPR recommend job: the analyst's answers carry Adagrad's state from round 1 on, and the job completes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawTable } from '@tessera/data';
import { seededRandom, syntheticRecommendation } from '@tessera/recommend';
import { createAnalystKeys, LocalFederation, runRecommend } from '@tessera/sdk';
import { tempDir } from './helpers.js';

const synthetic = syntheticRecommendation(
  { merchants: 3, customers: 90, items: 20, minCustomers: 20, interactionsPerCustomer: 6 },
  seededRandom('recommend-sealed-bpr'),
);
const shards: RawTable[] = synthetic.rows.map((rows, m) => ({
  source: `merchant-${m}`,
  columns: ['customer_id', 'item_id', 'timestamp'],
  rows: rows.map((r) => [r.customer, r.item, String(r.timestamp)]),
  lineOf: (i) => i + 2,
}));
const spec = {
  name: 'recommend-sealed-bpr',
  kind: 'recommend',
  dataset: 'orders',
  columns: { customer: 'customer_id', item: 'item_id', timestamp: 'timestamp' },
  catalogue: { items: [...synthetic.catalogue.ids] },
  model: { algorithm: 'bpr', k: 3 },
  rounds: 2,
  evaluation: { holdOut: 'last' },
  minParticipants: 3,
  roundTimeoutSeconds: 60,
};

describe('a sealed BPR recommend job (3 merchants)', () => {
  const tmp = tempDir();
  let fed: LocalFederation;
  beforeAll(async () => {
    fed = await LocalFederation.start({ dir: tmp.dir, shards, dataset: 'orders', runtime: 'inline' });
  });
  afterAll(async () => {
    await fed?.stop();
    tmp.cleanup();
  });

  it('completes: the analyst answers with Adagrad state from round 1 on, and the model keeps it', async () => {
    const keys = await createAnalystKeys();
    const analyst = await fed.addAnalyst('sealed-bpr', keys);
    const run = await runRecommend(analyst, spec, { sealed: keys });
    expect(run.job.status).toBe('completed');
    expect(run.result).toMatchObject({ algorithm: 'bpr', k: 3, rounds: 2, items: 20 });
    expect(run.items.accumulator).toHaveLength(20 * 4);
    expect(run.items.accumulator!.every((a) => a > 0)).toBe(true);
  });
});
