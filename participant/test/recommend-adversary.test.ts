// A malicious coordinator against an exact recommend job: every release of the job at this node sums one cohort whole.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '@tessera/crypto';
import { tessera } from '@tessera/proto';
import { tempDir } from '../../coordinator/test/helpers.js';
import { checkTask } from '../src/privacy/release-check.js';
import { DATASET, Harness } from './support/authorisation-harness.js';
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

  it('helps unmask an exact round only when its whole cohort survives (no sum of a smaller set)', () => {
    // A coordinator that calls one node dropped in a round otherwise releases the sum of the others.
    const j = job();
    const task = step(j, 1, 5);
    expect(checkTask(task, pb.Stage.RECOMMEND, false).floor?.minSurvivors).toBe(5);
  });
});
