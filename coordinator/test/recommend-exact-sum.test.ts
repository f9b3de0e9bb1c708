// The secure sum of a recommend round is exact: the item factors a masked job stores after its first round are
// bit for bit the coordinator's step on the plaintext sum of the merchants' updates, each rounded to the exact
// encoding's 2^-24 (ALS is deterministic, so the library reproduces every merchant's update).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawTable } from '@tessera/data';
import {
  alsAlgorithm,
  initItemFactors,
  interactionsFrom,
  itemModelVector,
  seededRandom,
  syntheticRecommendation,
} from '@tessera/recommend';
import { LocalFederation, runRecommend } from '@tessera/sdk';
import { tempDir } from './helpers.js';

const synthetic = syntheticRecommendation(
  { merchants: 3, customers: 120, items: 30, minCustomers: 30, interactionsPerCustomer: 6 },
  seededRandom('recommend-exact-sum'),
);
const shards: RawTable[] = synthetic.rows.map((rows, m) => ({
  source: `merchant-${m}`,
  columns: ['customer_id', 'item_id', 'timestamp'],
  rows: rows.map((r) => [r.customer, r.item, String(r.timestamp)]),
  lineOf: (i) => i + 2,
}));
const K = 3;
const spec = {
  name: 'recommend-exact-sum',
  kind: 'recommend',
  dataset: 'orders',
  columns: { customer: 'customer_id', item: 'item_id', timestamp: 'timestamp' },
  catalogue: { items: [...synthetic.catalogue.ids] },
  model: { algorithm: 'als', k: K, lambda: 1, alpha: 10 },
  rounds: 1,
  evaluation: { holdOut: 'none' },
  seed: 'exact-sum',
  minParticipants: 3,
  roundTimeoutSeconds: 60,
};

/** The plaintext sum of the merchants' round-1 updates, each value rounded to 2^-24 and summed exactly. */
function roundedPlaintextSum() {
  const algorithm = alsAlgorithm({ k: K, lambda: 1, alpha: 10 });
  const items = initItemFactors(synthetic.catalogue.ids.length, K, seededRandom('exact-sum/items'));
  const scale = 2n ** 24n;
  let total: bigint[] | undefined;
  for (const [m, rows] of synthetic.rows.entries()) {
    const data = interactionsFrom(
      rows.map((r) => ({ ...r, timestamp: Number(String(r.timestamp)) })),
      synthetic.catalogue,
      { source: `merchant-${m}` },
    );
    const customers = algorithm.localCustomerStep(items, data, undefined, seededRandom('unused'));
    const update = algorithm.localItemUpdate(items, customers, data, seededRandom('unused'));
    total ??= Array.from({ length: update.length }, () => 0n);
    update.forEach((v, i) => {
      total![i]! += BigInt(Math.round(v * Number(scale)));
    });
  }
  const sum = Float64Array.from(total!, (t) => Number(t) / Number(scale));
  return { algorithm, items, sum };
}

describe('the secure sum of a recommend round (3 merchants, masked)', () => {
  const tmp = tempDir();
  let fed: LocalFederation;
  beforeAll(async () => {
    fed = await LocalFederation.start({ dir: tmp.dir, shards, dataset: 'orders', runtime: 'inline' });
  });
  afterAll(async () => {
    await fed?.stop();
    tmp.cleanup();
  });

  it('gives bit for bit the step on the plaintext sum of the rounded updates', async () => {
    const run = await runRecommend(fed.analyst, spec);
    expect(run.job.status).toBe('completed');
    const { algorithm, items, sum } = roundedPlaintextSum();
    const expected = itemModelVector(algorithm.applyItemUpdate(items, sum));
    const stored = itemModelVector(run.items);
    expect(stored.length).toBe(expected.length);
    expect([...stored]).toEqual([...expected]);
  });
});
