// A malicious coordinator against an exact recommend job: every release of the job at this node sums one cohort whole.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '@tessera/crypto';
import { encodeRecommendDp, parseRecommendSpec, recommendNoise, recommendUpdateLength } from '@tessera/jobs';
import { tessera } from '@tessera/proto';
import { initItemFactors, itemModelVector, seededRandom, systemRandom } from '@tessera/recommend';
import { tempDir } from '../../coordinator/test/helpers.js';
import { JobMemory } from '../src/job-memory.js';
import { RECOMMEND_RELEASE_ATTEMPTS } from '../src/privacy/recommend-releases.js';
import { checkTask } from '../src/privacy/release-check.js';
import { readRecommendTable } from '../src/recommend/job-table.js';
import { trainStep } from '../src/recommend/recommend-step.js';
import { recommendTask } from '../src/tasks/recommend.js';
import type { ActiveTask, TaskContext } from '../src/tasks/task-handler.js';
import { CountingData, DATASET, Harness } from './support/authorisation-harness.js';
import { interactionLines, recommendInput, recommendStep, smallFederation } from './support/recommend-fixture.js';

const pb = tessera.v1;

describe('an exact recommend job cannot be differenced across its rounds', () => {
  const tmp = tempDir('tessera-recommend-adversary-');
  const analyst = generateSigningKeyPair();
  const fed = smallFederation();
  const items = fed.catalogue.ids;
  const h = new Harness(tmp.dir, 'shop', { csv: () => interactionLines(fed.rows[0]!) });
  let jobs = 0;
  const job = () => {
    jobs += 1;
    return { jobId: `adv-${jobs}`, input: recommendInput(DATASET, items, { name: `adv-${jobs}` }) };
  };
  const step = (j: { jobId: string; input: object }, round: number, n: number, phase?: 'evaluate') =>
    recommendStep(j.input, analyst, h.secure(pb.Stage.RECOMMEND, n), {
      jobId: j.jobId,
      round,
      ...(phase ? { phase } : {}),
    }).task;

  beforeAll(() => h.start());
  afterAll(async () => {
    await h.stop();
    tmp.cleanup();
  });

  it('refuses a later round or the evaluation over another cohort than the first round, before reading', async () => {
    // Round 2 run with round 1's item model over the cohort less one node would give that node's update by
    // subtraction (ALS's update is a function of the item model alone), so the cohort is the job's, not the round's.
    const j = job();
    expect((await h.offer(step(j, 1, 5))).body).toBe('advertise');
    for (const [round, n, phase] of [
      [2, 4, undefined],
      [2, 6, undefined],
      [4, 4, 'evaluate'],
    ] as const) {
      const reads = h.data.reads;
      const uses = h.uses().length;
      const a = await h.offer(step(j, round, n, phase));
      expect(a.kind).toBe(pb.RefusalKind.REFUSAL_PRIVACY);
      expect(a.refused).toMatch(/signed recommend spec .* was already released here exactly .* over cohort/);
      expect(h.data.reads).toBe(reads);
      expect(h.uses()).toHaveLength(uses);
    }
    // The first cohort again: admitted, for every round and the evaluation.
    expect((await h.offer(step(j, 2, 5))).body).toBe('advertise');
    expect((await h.offer(step(j, 3, 5))).body).toBe('advertise');
    expect((await h.offer(step(j, 4, 5, 'evaluate'))).body).toBe('advertise');
  });

  it('computes an exact round or the evaluation a few times at most (each may carry a crafted model)', async () => {
    const j = job();
    for (let attempt = 1; attempt <= RECOMMEND_RELEASE_ATTEMPTS; attempt++)
      expect((await h.offer(step(j, 4, 5, 'evaluate'))).body).toBe('advertise');
    const reads = h.data.reads;
    const a = await h.offer(step(j, 4, 5, 'evaluate'));
    expect(a.kind).toBe(pb.RefusalKind.REFUSAL_PRIVACY);
    expect(a.refused).toMatch(/round 4 of recommend job "adv-\d+" was already computed here 3 times \(at most 3/);
    expect(h.data.reads).toBe(reads);
    expect((await h.offer(step(j, 1, 5))).body).toBe('advertise');
  });

  it('helps unmask an exact round only when its whole cohort survives (no sum of a smaller set)', () => {
    // A coordinator that calls one node dropped in a round otherwise releases the sum of the others.
    const j = job();
    const task = step(j, 1, 5);
    expect(checkTask(task, pb.Stage.RECOMMEND, false).floor?.minSurvivors).toBe(5);
  });
});

describe('a crafted item model cannot make a recommend step reveal a customer', () => {
  const tmp = tempDir('tessera-recommend-crafted-');
  afterAll(() => tmp.cleanup());
  const analyst = generateSigningKeyPair();
  const fed = smallFederation();
  const rows = fed.rows[0]!;
  const path = join(tmp.dir, 'orders.csv');
  writeFileSync(path, `${interactionLines(rows).join('\n')}\n`);
  const data = new CountingData({ orders: { type: 'csv', path, exclude: [] } });
  const n = fed.catalogue.ids.length;
  const K = 3;
  const PRIVACY = { mode: 'distributed', epsilon: 8, delta: 1e-6, clip: 0.05, maxCustomers: 1000 };
  const setup: tessera.v1.ISecureSetup = { participantIds: ['me', 'a', 'b'], computation: pb.Stage.RECOMMEND };

  it('refuses a non-finite item model before reading a row', async () => {
    const input = recommendInput('orders', fed.catalogue.ids, { name: 'nan' });
    const { task } = recommendStep(input, analyst, setup, { jobId: 'nan', round: 1 });
    const model = itemModelVector(initItemFactors(n, K, seededRandom('nan/items')));
    model[7] = Number.NaN;
    const ctx = { data, memory: new JobMemory() } as unknown as TaskContext;
    const active: ActiveTask = { task, handler: recommendTask, model, received: 0, cancelled: false };
    const reads = data.reads;
    await expect(recommendTask.compute(ctx, active)).rejects.toThrow(/item model value 7 is NaN, not finite/);
    expect(data.reads).toBe(reads);
  });

  it('under DP refuses more customers than privacy.maxCustomers, which the ring has no room for', async () => {
    const customers = new Set(fed.rows[0]!.map((r) => r.customer)).size;
    const spec = (maxCustomers: number) =>
      parseRecommendSpec(
        recommendInput('orders', fed.catalogue.ids, {
          name: 'many',
          model: { algorithm: 'bpr', k: K },
          privacy: { ...PRIVACY, maxCustomers },
        }),
      );
    await expect(readRecommendTable(data, spec(customers - 1))).rejects.toThrow(
      `data set "orders": ${customers} customers are more than the job spec's privacy.maxCustomers (${customers - 1})`,
    );
    expect((await readRecommendTable(data, spec(customers))).data.customerIds).toHaveLength(customers);
  });

  it('under DP each customer stays within privacy.clip, however large or skewed the items', async () => {
    for (const algorithm of ['als', 'bpr'] as const) {
      const input = recommendInput('orders', fed.catalogue.ids, {
        name: `crafted-${algorithm}`,
        model: { algorithm, k: K, lambda: 3 },
        privacy: PRIVACY,
      });
      const spec = parseRecommendSpec(input);
      const table = await readRecommendTable(data, spec);
      const customers = table.data.customerIds.length;
      // A coordinator's model built to blow one customer's part up: huge factors and biases of alternating sign.
      const items = initItemFactors(n, K, seededRandom('crafted/items'));
      items.factors.forEach((_, i) => {
        items.factors[i] = (i % 2 ? 1 : -1) * 1e6;
      });
      items.biases.fill(1e8);
      const update = trainStep(spec, items, { key: 'k', table }, 1, systemRandom());
      let squares = 0;
      for (const v of update) squares += v * v;
      expect(Number.isFinite(squares)).toBe(true);
      // The triangle inequality over the customers' clipped parts.
      expect(Math.sqrt(squares)).toBeLessThanOrEqual(customers * PRIVACY.clip * (1 + 1e-9));
      // And what goes into the ring is that vector: it encodes within the release's range.
      const noise = recommendNoise(spec, 3, update.length)!;
      expect(encodeRecommendDp(update, noise, 2 ** 32, systemRandom())).toHaveLength(update.length);
    }
  });
});

describe('a private recommend round cannot be replayed until its noise averages out', () => {
  const tmp = tempDir('tessera-recommend-replay-');
  const analyst = generateSigningKeyPair();
  const fed = smallFederation();
  // No privacy budget on the data set: only the job's own plan bounds what its releases spend.
  const h = new Harness(tmp.dir, 'shop', { csv: () => interactionLines(fed.rows[0]!) });
  const PRIVACY = { mode: 'distributed', epsilon: 8, delta: 1e-6, clip: 0.05, maxCustomers: 1000 };
  const input = recommendInput(DATASET, fed.catalogue.ids, {
    name: 'replay',
    model: { algorithm: 'als', k: 3, lambda: 3 },
    privacy: PRIVACY,
  });
  const spec = parseRecommendSpec(input);
  const N = 4;
  /** Round `round` of the private job as an honest coordinator announces it, as attempt `attempt`. */
  const privateStep = (round: number, attempt: number): tessera.v1.ITask => {
    const secure = h.secure(pb.Stage.RECOMMEND, N);
    const { task } = recommendStep(input, analyst, secure, { jobId: 'replay', round, attempt });
    const noise = recommendNoise(spec, N, recommendUpdateLength('als', fed.catalogue.ids.length, 3))!;
    return {
      ...task,
      recommend: { phase: pb.RecommendTask.Phase.TRAIN, round, dpLevel: noise.level },
      privacyPlan: {
        mode: pb.PrivacyPlan.Mode.DISTRIBUTED,
        unit: pb.PrivacyPlan.Unit.RECORD,
        noiseMultiplier: noise.noiseMultiplier,
        sampleRate: 1,
        rounds: 0,
        fullReleases: noise.releases,
        epsilon: PRIVACY.epsilon,
        delta: PRIVACY.delta,
      },
    };
  };

  beforeAll(() => h.start());
  afterAll(async () => {
    await h.stop();
    tmp.cleanup();
  });

  it('admits a round a few times (retries), then refuses it before reading, whatever attempt it claims', async () => {
    for (let attempt = 1; attempt <= RECOMMEND_RELEASE_ATTEMPTS; attempt++)
      expect((await h.offer(privateStep(1, attempt))).body).toBe('advertise');
    const reads = h.data.reads;
    const charges = h.ledger.charges(DATASET).length;
    for (const attempt of [RECOMMEND_RELEASE_ATTEMPTS + 1, 1]) {
      const a = await h.offer(privateStep(1, attempt));
      expect(a.kind).toBe(pb.RefusalKind.REFUSAL_PRIVACY);
      expect(a.refused).toMatch(
        new RegExp(`round 1 of recommend job "replay" was already released here ${RECOMMEND_RELEASE_ATTEMPTS} times`),
      );
    }
    expect(h.data.reads).toBe(reads);
    expect(h.ledger.charges(DATASET)).toHaveLength(charges);
    // The job's other rounds are still its own.
    expect((await h.offer(privateStep(2, 1))).body).toBe('advertise');
  });
});
