import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawTable } from '@tessera/data';
import {
  alsAlgorithm,
  interactionsFrom,
  leaveLastOut,
  modelScorer,
  rankHeldOut,
  rankingMetrics,
  seededRandom,
  syntheticRecommendation,
  trainRecommender,
} from '@tessera/recommend';
import { createAnalystKeys, LocalFederation, runRecommend } from '@tessera/sdk';
import { tempDir } from './helpers.js';

// A small federation with planted structure: 3 merchants, their interactions as each merchant's CSV.
const synthetic = syntheticRecommendation(
  { merchants: 3, customers: 150, items: 40, minCustomers: 30, interactionsPerCustomer: 8 },
  seededRandom('recommend-services'),
);
const shards: RawTable[] = synthetic.rows.map((rows, m) => ({
  source: `merchant-${m}`,
  columns: ['customer_id', 'item_id', 'timestamp'],
  rows: rows.map((r) => [r.customer, r.item, String(r.timestamp)]),
  lineOf: (i) => i + 2,
}));
const K = 4;
const ROUNDS = 3;
const spec = {
  name: 'recommend-services',
  kind: 'recommend',
  dataset: 'orders',
  columns: { customer: 'customer_id', item: 'item_id', timestamp: 'timestamp' },
  catalogue: { items: [...synthetic.catalogue.ids] },
  model: { algorithm: 'als', k: K, lambda: 0.1, alpha: 10 },
  rounds: ROUNDS,
  evaluation: { holdOut: 'last' },
  seed: 'services-seed',
  minParticipants: 3,
  roundTimeoutSeconds: 60,
};

/** The library on the same per-merchant tables (as each node reads its CSV back): items and held-out metrics. */
function libraryRun() {
  const tables = synthetic.rows.map((rows, m) =>
    interactionsFrom(
      rows.map((r) => ({ ...r, timestamp: Number(String(r.timestamp)) })),
      synthetic.catalogue,
      { source: `merchant-${m}` },
    ),
  );
  const splits = tables.map((t) => leaveLastOut(t));
  const algorithm = alsAlgorithm({ k: K, lambda: 0.1, alpha: 10 });
  const trained = trainRecommender(
    algorithm,
    splits.map((s) => s.train),
    { rounds: ROUNDS, seed: 'services-seed' },
  );
  const metrics = rankingMetrics(
    splits.map((s, m) => rankHeldOut(modelScorer(trained.items, trained.customers[m]!), s)),
  );
  return { items: trained.items, metrics };
}

const maxDifference = (a: Float64Array, b: Float64Array) => {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
};

describe('recommend jobs over the services (3 merchants, ALS)', () => {
  const tmp = tempDir();
  let fed: LocalFederation;
  const library = libraryRun();
  beforeAll(async () => {
    fed = await LocalFederation.start({ dir: tmp.dir, shards, dataset: 'orders', runtime: 'inline' });
  });
  afterAll(async () => {
    await fed?.stop();
    tmp.cleanup();
  });

  let masked: Awaited<ReturnType<typeof runRecommend>>;

  it('masked: the final items equal trainRecommender on the same tables, the evaluation rankHeldOut', async () => {
    const events: string[] = [];
    masked = await runRecommend(fed.analyst, spec, { onEvent: (_, m) => events.push(m) });
    expect(masked.job.status).toBe('completed');
    // The exact encoding rounds each merchant's value to 2^-24: a few merchants' rounding, then ALS's solve.
    expect(maxDifference(masked.items.factors, library.items.factors)).toBeLessThanOrEqual(1e-5);
    expect(maxDifference(masked.items.biases, library.items.biases)).toBeLessThanOrEqual(1e-5);
    expect(masked.result).toMatchObject({ rounds: ROUNDS, algorithm: 'als', k: K, items: 40 });
    expect(masked.result.customers).toBe(library.metrics.customers);
    expect(masked.result.hr10).toBeCloseTo(library.metrics.hr10, 9);
    expect(masked.result.ndcg10).toBeCloseTo(library.metrics.ndcg10, 5);
    expect(masked.result.coverage).toBeCloseTo(library.metrics.coverage, 9);
    expect(events.filter((e) => /^round \d\/3 completed \(secure aggregation/.test(e))).toHaveLength(ROUNDS);
    const history = masked.job.history.filter((h) => h.status === 'completed');
    expect(history.map((h) => `${h.stage} ${h.round}`)).toEqual([
      'recommend 1',
      'recommend 2',
      'recommend 3',
      'evaluate 4',
    ]);
    expect(history.every((h) => h.contributors === 3)).toBe(true);
  });

  it('sealed: the same job gives the same items, decoded by the analyst', async () => {
    const keys = await createAnalystKeys();
    const analyst = await fed.addAnalyst('sealed-recommend', keys);
    const sealed = await runRecommend(analyst, spec, { sealed: keys });
    expect(sealed.job.status).toBe('completed');
    expect(sealed.job.spec.secure).toMatchObject({ mode: 'sealed' });
    expect(maxDifference(sealed.items.factors, masked.items.factors)).toBeLessThanOrEqual(1e-5);
    expect(maxDifference(sealed.items.factors, library.items.factors)).toBeLessThanOrEqual(1e-5);
    expect(sealed.result.customers).toBe(library.metrics.customers);
    expect(sealed.result.hr10).toBeCloseTo(library.metrics.hr10, 9);
  });

  it('a spec that leaves the model out takes the defaults, and its result downloads as an item model', async () => {
    const { model: _model, ...defaults } = spec;
    const run = await runRecommend(fed.analyst, { ...defaults, name: 'recommend-defaults', rounds: 1 });
    expect(run.result).toMatchObject({ algorithm: 'als', k: 8, rounds: 1 });
    const result = await fed.analyst.result(run.job.id);
    expect(result.modelType).toBe('recommend');
    expect(result.weights.length).toBe(40 * 9);
  });

  it('refuses at submission, naming the field: an unknown field, a catalogue listing an item twice', async () => {
    await expect(fed.analyst.submit({ ...spec, learningRate: 0.1 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('learningRate'),
    });
    const items = [...spec.catalogue.items, spec.catalogue.items[3]!];
    await expect(fed.analyst.submit({ ...spec, catalogue: { items } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringMatching(/catalogue\.items\[40\].*listed twice/),
    });
  });
});
