import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawTable } from '@tessera/data';
import { parseRecommendSpec, recommendNoise, recommendUpdateLength } from '@tessera/jobs';
import { seededRandom, syntheticRecommendation } from '@tessera/recommend';
import { LocalFederation, runRecommend } from '@tessera/sdk';
import { tempDir } from './helpers.js';

const synthetic = syntheticRecommendation(
  { merchants: 3, customers: 150, items: 30, minCustomers: 30, interactionsPerCustomer: 8 },
  seededRandom('recommend-privacy'),
);
const shard = (rows: { customer: string; item: string; timestamp?: number }[], m: number): RawTable => ({
  source: `merchant-${m}`,
  columns: ['customer_id', 'item_id', 'timestamp'],
  rows: rows.map((r) => [r.customer, r.item, String(r.timestamp)]),
  lineOf: (i) => i + 2,
});
// The third merchant also sells an item the job's catalogue does not declare (its last row).
const shards = synthetic.rows.map((rows, m) =>
  shard(m === 2 ? [...rows, { customer: 'customer-x', item: 'item-unlisted', timestamp: 1e6 }] : rows, m),
);
const spec = {
  name: 'recommend-privacy',
  kind: 'recommend',
  dataset: 'orders',
  columns: { customer: 'customer_id', item: 'item_id', timestamp: 'timestamp' },
  catalogue: { items: [...synthetic.catalogue.ids] },
  unknownItems: 'skip',
  model: { algorithm: 'bpr', k: 4, lambda: 0.01, itemRate: 0.05 },
  rounds: 3,
  evaluation: { holdOut: 'last' },
  minParticipants: 3,
  roundTimeoutSeconds: 60,
};

describe('recommend jobs: customer-level DP, and a participant whose data the catalogue refuses', () => {
  const tmp = tempDir();
  let fed: LocalFederation;
  beforeAll(async () => {
    fed = await LocalFederation.start({ dir: tmp.dir, shards, dataset: 'orders', runtime: 'inline' });
  });
  afterAll(async () => {
    await fed?.stop();
    tmp.cleanup();
  });

  it('distributed DP (BPR, epsilon 8): every round and the evaluation released with the planned noise', async () => {
    const privacy = { mode: 'distributed', epsilon: 8, delta: 1e-6, clip: 1, maxCustomers: 1000 };
    const { job, result, items } = await runRecommend(fed.analyst, { ...spec, privacy });
    expect(job.status).toBe('completed');
    // The participants recomputed the noise from the signed spec and agreed with the announced plan and level.
    const noise = recommendNoise(parseRecommendSpec(job.spec), 3, recommendUpdateLength('bpr', 30, 4))!;
    expect(noise.releases).toBe(4);
    expect(result.privacy).toMatchObject({ mode: 'distributed', unit: 'customer', delta: 1e-6 });
    expect(result.privacy!.epsilon).toBeLessThanOrEqual(8);
    expect(result.privacy!.epsilon).toBeGreaterThan(7.9);
    expect(result.privacy!.noiseMultiplier).toBeCloseTo(noise.noiseMultiplier, 12);
    const rounds = job.history.filter((h) => h.stage === 'recommend' && h.status === 'completed');
    expect(rounds.map((h) => h.metrics.dp_level)).toEqual([noise.level, noise.level, noise.level]);
    expect(items.factors.every(Number.isFinite)).toBe(true);
    expect(result.hr10).toBeGreaterThanOrEqual(0);
    expect(result.hr10).toBeLessThanOrEqual(1);
    expect(result.customers).toBeGreaterThan(100);
  });

  it('unknownItems refuse: the node holding an undeclared item refuses, and the job fails naming it', async () => {
    const keep = { ...spec, unknownItems: 'refuse', minParticipants: 3, waitForParticipantsSeconds: 5 };
    await expect(runRecommend(fed.analyst, keep)).rejects.toThrow(/refused this job .*item-unlisted/);
  });
});
