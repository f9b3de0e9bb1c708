// The private catalogue's recall on the synthetic federation (syntheticRecommendation's defaults: 10 merchants, 2000
// customers, 300 items) at epsilon 1 and 8: the figures docs/recommend.md records.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawTable } from '@tessera/data';
import { seededRandom, syntheticRecommendation } from '@tessera/recommend';
import { LocalFederation } from '@tessera/sdk';
import { tempDir } from './helpers.js';

const synthetic = syntheticRecommendation({}, seededRandom('catalogue-recall'));
const shards: RawTable[] = synthetic.rows.map((rows, m) => ({
  source: `merchant-${m}`,
  columns: ['customer_id', 'item_id'],
  rows: rows.map((r) => [r.customer, r.item]),
  lineOf: (i) => i + 2,
}));
/** Distinct customers per item over the whole federation. */
const buyers = new Map<string, Set<string>>();
for (const rows of synthetic.rows)
  for (const r of rows) {
    let s = buyers.get(r.item);
    if (!s) buyers.set(r.item, (s = new Set()));
    s.add(r.customer);
  }
const itemsWith = (least: number) => [...buyers].filter(([, s]) => s.size >= least).map(([id]) => id);

describe('private catalogue recall on the synthetic federation', () => {
  const tmp = tempDir();
  let fed: LocalFederation;
  beforeAll(async () => {
    fed = await LocalFederation.start({ dir: tmp.dir, shards, dataset: 'orders', runtime: 'inline' });
  }, 120_000);
  afterAll(async () => {
    await fed?.stop();
    tmp.cleanup();
  });

  const recall = async (epsilon: number, shape: { maxLength?: number; maxItemsPerCustomer?: number } = {}) => {
    const submitted = await fed.analyst.submit({
      name: `recall-${epsilon}-${JSON.stringify(shape)}`,
      kind: 'catalogue',
      dataset: 'orders',
      maxLength: 16,
      ...shape,
      privacy: { epsilon, maxCustomers: 10_000 },
      minParticipants: 10,
      roundTimeoutSeconds: 120,
    });
    const job = await fed.analyst.watch(submitted.id);
    expect(job.status, job.error).toBe('completed');
    const c = (job.result as { catalogue: { items: { id: string }[]; rounds: number; privacy: object } }).catalogue;
    const found = new Set(c.items.map((i) => i.id));
    const tiers = Object.fromEntries(
      [20, 100, 200, 400].map((least) => {
        const truth = itemsWith(least);
        return [least, { items: truth.length, recall: truth.filter((id) => found.has(id)).length / truth.length }];
      }),
    );
    const spurious = [...found].filter((id) => !buyers.has(id)).length;
    const fewest = Math.min(...[...found].map((id) => buyers.get(id)?.size ?? 0));
    const figures = { found: found.size, rounds: c.rounds, tiers, spurious, fewest, privacy: c.privacy };
    process.stdout.write(
      `catalogue recall at epsilon ${epsilon} ${JSON.stringify(shape)}: ${JSON.stringify(figures)}\n`,
    );
    return { tiers, spurious, found };
  };

  it('finds the popular items at epsilon 8 and fewer at epsilon 1, and never an item nobody bought', async () => {
    const high = await recall(8);
    const low = await recall(1);
    expect(high.spurious).toBe(0);
    expect(low.spurious).toBe(0);
    expect(high.tiers[400]!.recall).toBeGreaterThanOrEqual(0.9);
    expect(high.tiers[20]!.recall).toBeGreaterThanOrEqual(low.tiers[20]!.recall);
    for (const shape of [{ maxLength: 32 }, { maxItemsPerCustomer: 2 }, { maxItemsPerCustomer: 10 }])
      for (const epsilon of [1, 8]) expect((await recall(epsilon, shape)).spurious).toBe(0);
  }, 600_000);
});
