// The RECOMMEND handler's vectors against the library: the TRAIN item update and the EVALUATE sums, and their memory.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '@tessera/crypto';
import {
  decodeRecommendExact,
  parseRecommendSpec,
  recommendEvaluationLength,
  recommendUpdateLength,
} from '@tessera/jobs';
import { tessera } from '@tessera/proto';
import {
  alsAlgorithm,
  initItemFactors,
  interactionsFrom,
  itemModelVector,
  leaveLastOut,
  modelScorer,
  rankHeldOut,
  seededRandom,
  type CustomerFactors,
  type ItemFactors,
} from '@tessera/recommend';
import { tempDir } from '../../coordinator/test/helpers.js';
import { JobMemory } from '../src/job-memory.js';
import { LocalData } from '../src/local-data.js';
import { readRecommendTable } from '../src/recommend/job-table.js';
import { recommendMemoryOf } from '../src/recommend/recommend-memory.js';
import { recommendTask } from '../src/tasks/recommend.js';
import type { ActiveTask, TaskContext } from '../src/tasks/task-handler.js';
import { interactionLines, recommendInput, recommendStep, smallFederation } from './support/recommend-fixture.js';

const pb = tessera.v1;

describe('the RECOMMEND handler computes what the library computes, on the node data set', () => {
  const tmp = tempDir('tessera-recommend-step-');
  afterAll(() => tmp.cleanup());
  const analyst = generateSigningKeyPair();
  const fed = smallFederation();
  const rows = fed.rows[1]!;
  const path = join(tmp.dir, 'orders.csv');
  writeFileSync(path, `${interactionLines(rows).join('\n')}\n`);
  const data = new LocalData({ orders: { type: 'csv', path, exclude: [] } });
  const setup: tessera.v1.ISecureSetup = { participantIds: ['me', 'a', 'b'], computation: pb.Stage.RECOMMEND };
  const n = fed.catalogue.ids.length;
  const K = 3;

  /** The task of a step of the signed `input`, as the coordinator sends it. */
  const stepTask = (input: object, step: { jobId: string; round: number; evaluate?: boolean }) =>
    recommendStep(input, analyst, setup, {
      jobId: step.jobId,
      round: step.round,
      ...(step.evaluate ? { phase: 'evaluate' as const } : {}),
    }).task;
  /** Runs a step through the handler with the item model `items`: its encoded words and the rows it read. */
  const compute = async (memory: JobMemory, task: tessera.v1.ITask, items: ItemFactors) => {
    const ctx = { data, memory } as unknown as TaskContext;
    const active: ActiveTask = {
      task,
      handler: recommendTask,
      model: itemModelVector(items),
      received: 0,
      cancelled: false,
    };
    const computed = await recommendTask.compute(ctx, active);
    return {
      words: recommendTask.secureInput!(computed.result) as unknown as { words: Uint32Array },
      rows: computed.rows,
    };
  };

  it('TRAIN: each round is localItemUpdate of the customers the library fits; EVALUATE is rankHeldOut', async () => {
    const memory = new JobMemory();
    const input = recommendInput('orders', fed.catalogue.ids, { name: 'step', seed: 'step-seed' });
    // The library on the same table, as the node reads it back (leave-last-out: evaluation.holdOut 'last').
    const split = leaveLastOut(interactionsFrom(rows, fed.catalogue, { source: 'orders' }));
    const { model } = parseRecommendSpec(input);
    const als = alsAlgorithm({ k: K, lambda: model.lambda, alpha: model.alpha });
    const rng = seededRandom('unused by ALS');
    let items = initItemFactors(n, K, seededRandom('step-seed/items'));
    let customers: CustomerFactors | undefined;
    const length = recommendUpdateLength('als', n, K);
    for (let round = 1; round <= 3; round++) {
      const task = stepTask(input, { jobId: 'job-step', round });
      const { words, rows: read } = await compute(memory, task, items);
      expect(read).toBe(rows.length);
      expect(words.words).toHaveLength(4 * length);
      customers = als.localCustomerStep(items, split.train, customers, rng);
      const update = als.localItemUpdate(items, customers, split.train, rng);
      const sent = decodeRecommendExact(words.words, 1);
      let worst = 0;
      for (let i = 0; i < length; i++) worst = Math.max(worst, Math.abs(sent[i]! - update[i]!));
      // The exact encoding rounds to the nearest 2^-24, nothing else.
      expect(worst).toBeLessThanOrEqual(2 ** -25 + 1e-12);
      expect(recommendMemoryOf(memory).jobIds()).toEqual(['job-step']);
      items = als.applyItemUpdate(items, update);
    }
    const task = stepTask(input, { jobId: 'job-step', round: 4, evaluate: true });
    const { words } = await compute(memory, task, items);
    const tally = rankHeldOut(modelScorer(items, als.localCustomerStep(items, split.train, customers, rng)), split);
    const sums = decodeRecommendExact(words.words, 1);
    expect(sums).toHaveLength(recommendEvaluationLength(n));
    expect(sums[0]).toBe(tally.customers);
    expect(sums[1]).toBe(tally.hits);
    expect(sums[2]).toBeCloseTo(tally.ndcg, 6);
    expect([...sums.subarray(3)]).toEqual([...tally.covered]);
    expect(tally.customers).toBeGreaterThan(10);
    // The job's last step here: its table and customer factors are gone.
    expect(recommendMemoryOf(memory).jobIds()).toEqual([]);
  });

  it('reads a data set beyond the cell budget through the engine, to the same table', async () => {
    const input = recommendInput('orders', fed.catalogue.ids, { name: 'large' });
    const large = new LocalData({ orders: { type: 'csv', path, exclude: [] } }, { cellBudget: 16 });
    await large.open();
    try {
      expect(large.inMemory('orders')).toBe(false);
      const spec = parseRecommendSpec(input);
      const [streamed, read] = [await readRecommendTable(large, spec), await readRecommendTable(data, spec)];
      expect(streamed.rows).toBe(rows.length);
      expect(streamed.data.customerIds).toEqual(read.data.customerIds);
      expect([...streamed.train.items]).toEqual([...read.train.items]);
      expect([...streamed.data.strengths]).toEqual([...read.data.strengths]);
      expect([...streamed.data.times]).toEqual([...read.data.times]);
    } finally {
      await large.close();
    }
  });

  it('BPR samples its negatives from the node CSPRNG: the same round twice gives two different updates', async () => {
    const input = recommendInput('orders', fed.catalogue.ids, { name: 'bpr', model: { algorithm: 'bpr', k: K } });
    const items = initItemFactors(n, K, seededRandom('bpr/items'));
    const once = async () => {
      const memory = new JobMemory();
      const task = stepTask(input, { jobId: 'job-bpr', round: 1 });
      return decodeRecommendExact((await compute(memory, task, items)).words.words, 1);
    };
    const [a, b] = [await once(), await once()];
    expect(a).toHaveLength(recommendUpdateLength('bpr', n, K));
    expect([...a]).not.toEqual([...b]);
  });

  it('under differential privacy the vector is one fixed-point word a value, noised by this node', async () => {
    const input = recommendInput('orders', fed.catalogue.ids, {
      name: 'dp',
      model: { algorithm: 'als', k: K, lambda: 3 },
      privacy: { mode: 'distributed', epsilon: 8, delta: 1e-6, clip: 0.05, maxCustomers: 1000 },
    });
    const items = initItemFactors(n, K, seededRandom('dp/items'));
    const once = async () => {
      const memory = new JobMemory();
      const task = stepTask(input, { jobId: 'job-dp', round: 1 });
      return (await compute(memory, task, items)).words.words;
    };
    const [a, b] = [await once(), await once()];
    expect(a).toHaveLength(recommendUpdateLength('als', n, K));
    // ALS is deterministic: only the node's noise share and stochastic rounding tell the two apart.
    expect([...a]).not.toEqual([...b]);
  });
});
