// A VALUATION_COUNT task is checked against the analyst-signed DP training spec, the node's own noise and its
// memory of the job before its count leaves, under the owner's `valuation` grant, charged and audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { generateSigningKeyPair } from '@tessera/crypto';
import { parseJobSpec, valuationCountNoise } from '@tessera/jobs';
import { tessera, toModelConfig } from '@tessera/proto';
import { JobPrivacy } from '../../coordinator/src/jobs/job-privacy.js';
import { tempDir } from '../../coordinator/test/helpers.js';
import type { JobMemory } from '../src/job-memory.js';
import { VALUATION_COUNT_RELEASES } from '../src/privacy/valuation-count-check.js';
import { DATASET, Harness, signed } from './support/authorisation-harness.js';

const pb = tessera.v1;
const ROUNDS = 2;

const trainInput = (name: string, payout: object = {}) => ({
  name,
  dataset: DATASET,
  label: 'benign',
  rounds: ROUNDS,
  privacy: { mode: 'distributed', unit: 'record', epsilon: 8, delta: 1e-5 },
  payout: { pool: 100_000, currency: 'CNY', valuation: 'records', ...payout },
});

const grant = (purposes: string[]) => ({
  datasets: { [DATASET]: { allowWithoutPrivacy: true } },
  grants: [{ id: 'g', analysts: ['*'], purposes, expires: '2099-12-31' }],
});

describe('a valuation count leaves the node only for the signed DP payout it fits, once per job', () => {
  const tmp = tempDir('tessera-valuation-count-');
  const analyst = generateSigningKeyPair();
  const h = new Harness(tmp.dir, 'member', { consentPolicy: grant(['train', 'valuation']) });
  const trainOnly = new Harness(tmp.dir, 'trains-only', { consentPolicy: grant(['train']) });
  /** A data set whose budget (epsilon 0.3) is below the payout's count release (0.5). */
  const tight = new Harness(tmp.dir, 'tight', {
    consentPolicy: grant(['train', 'valuation']),
    datasets: {
      [DATASET]: {
        type: 'csv',
        path: join(tmp.dir, 'tight.csv'),
        exclude: [],
        budget: { epsilon: 0.3, delta: 1e-5, unit: 'record' },
      },
    },
  });
  let jobs = 0;
  /** The node trained in the job: its last FIT's rows, as the fit handler keeps them. */
  const trained = (at: Harness, jobId: string, examples = 123) =>
    (at.node as unknown as { memory: JobMemory }).memory.lastFit.set(jobId, { examples, trainLoss: 0.5 });

  /** The task an honest coordinator sends (ADVERTISE_KEYS of the count's secure sum), with `change` applied. */
  const countTask = (
    at: Harness,
    j: { jobId: string; input: object },
    change: Partial<tessera.v1.ITask> = {},
    n = 5,
  ): tessera.v1.ITask => {
    const spec = parseJobSpec(j.input);
    const secure0 = at.secure(pb.Stage.VALUATION_COUNT, n);
    const noise = valuationCountNoise(spec, n);
    const secure = { ...secure0, noiseVariance: noise.shareVariance };
    const { text, signature } = signed(j.input, analyst);
    return {
      ref: { jobId: j.jobId, round: ROUNDS + 1, stage: pb.Stage.ADVERTISE_KEYS, attempt: 1 },
      dataset: DATASET,
      label: 'benign',
      training: { seed: j.jobId, model: toModelConfig(spec.model, spec.local.optimiser) },
      privacyPlan: new JobPrivacy(spec).taskPlan()!,
      valuationCount: { slots: [...(secure.participantIds ?? [])], dpLevel: noise.level },
      secure,
      specJson: text,
      specSignature: signature,
      analystIdentity: analyst.publicKey,
      ...change,
    };
  };
  const job = (payout: object = {}) => {
    jobs += 1;
    return { jobId: `vc-${jobs}`, input: trainInput(`vc-${jobs}`, payout) };
  };
  const refused = async (task: tessera.v1.ITask, reason: RegExp, at = h, kind = pb.RefusalKind.REFUSAL_PRIVACY) => {
    const charges = at.ledger.charges(DATASET).length;
    const uses = at.uses().length;
    const a = await at.offer(task);
    expect(a.refused).toMatch(reason);
    expect(a.kind).toBe(kind);
    expect(a.audited).toMatch(reason);
    // Nothing charged, nothing used.
    expect(at.ledger.charges(DATASET)).toHaveLength(charges);
    expect(at.uses()).toHaveLength(uses);
  };

  beforeAll(() => Promise.all([h.start(), trainOnly.start(), tight.start()]));
  afterAll(async () => {
    await Promise.all([h.stop(), trainOnly.stop(), tight.stop()]);
    tmp.cleanup();
  });

  it('admits the honest task: charges payout.epsilon once and audits the release for purpose valuation', async () => {
    const j = job();
    trained(h, j.jobId);
    expect((await h.offer(countTask(h, j))).body).toBe('advertise');
    const charges = h.ledger.charges(DATASET).filter((c) => c.jobId === j.jobId);
    expect(charges).toHaveLength(1);
    expect(charges[0]).toMatchObject({ round: ROUNDS + 1, approx: { epsilon: 0.5, delta: 1e-5 } });
    const uses = h.uses().filter((u) => u.jobId === j.jobId);
    expect(uses).toHaveLength(1);
    expect(uses[0]).toMatchObject({ stage: 'valuation-count', purpose: 'valuation', epsilon: 0.5, rows: 123 });
  });

  it('refuses forged slots: without this node, with a duplicate, over 10,000, or not the cohort', async () => {
    const j = job();
    trained(h, j.jobId);
    const honest = countTask(h, j);
    const slots = honest.valuationCount!.slots!;
    const withSlots = (s: string[]) => countTask(h, j, { valuationCount: { ...honest.valuationCount, slots: s } });
    await refused(withSlots(['p9', ...slots.slice(1)]), /valuation count: the slots do not name this node \(me\)/);
    await refused(withSlots([slots[0]!, slots[0]!, ...slots.slice(2)]), /the slots name a participant more than once/);
    const many = Array.from({ length: 10_001 }, (_, i) => (i === 0 ? 'me' : `x${i}`));
    await refused(withSlots(many), /the task has 10001 slots, more than 10000/);
    await refused(withSlots([...slots].reverse()), /the secure round's participants are not the slots, in order/);
  });

  it("refuses an announced plan with less noise than the node's own, and a round off the job's", async () => {
    const j = job();
    trained(h, j.jobId);
    const honest = countTask(h, j);
    const share = Number(honest.secure!.noiseVariance);
    await refused(
      countTask(h, j, { secure: { ...honest.secure, noiseVariance: Math.floor(share / 4) } }),
      new RegExp(`announces noise of variance ${Math.floor(share / 4)} per share, not the ${share} this node computes`),
    );
    await refused(
      countTask(h, j, { valuationCount: { ...honest.valuationCount, dpLevel: 64 } }),
      /the task's dp_level 64 is not the 1 the spec gives/,
    );
    await refused(
      countTask(h, j, { ref: { ...honest.ref, round: ROUNDS } }),
      /the task's round 2 is not the one after the job's 2 training rounds/,
    );
  });

  it('refuses a spec with no count release, an unsigned one, and a job the node did not train in', async () => {
    const equal = job({ valuation: 'equal' });
    trained(h, equal.jobId);
    await refused(
      countTask(h, equal),
      /asks for no noisy count release \(privacy\.mode distributed, payout\.valuation equal\)/,
    );
    const j = job();
    trained(h, j.jobId);
    await refused(
      countTask(h, j, { specSignature: new Uint8Array(0) }),
      /valuation count: the training job's spec carries no analyst signature/,
    );
    const stranger = job();
    await refused(countTask(h, stranger), /no training round of job "vc-\d+" in memory \(it did not contribute/);
  });

  it('refuses without a valuation grant (consent), before any charge', async () => {
    const j = job();
    trained(trainOnly, j.jobId);
    await refused(countTask(trainOnly, j), /valuation/, trainOnly, pb.RefusalKind.REFUSAL_CONSENT);
  });

  it("refuses a count its data set's budget cannot pay for, naming the budget, before any charge", async () => {
    const j = job();
    trained(tight, j.jobId);
    await refused(
      countTask(tight, j),
      /privacy budget of data set "patients" \(epsilon 0\.3 at delta 0\.00001, unit record\) would be exceeded/,
      tight,
    );
  });

  it('releases a job at most three times, whatever attempt the coordinator claims', async () => {
    const j = job();
    trained(h, j.jobId);
    for (let attempt = 1; attempt <= VALUATION_COUNT_RELEASES; attempt++) {
      const t = countTask(h, j);
      expect((await h.offer({ ...t, ref: { ...t.ref, attempt } })).body).toBe('advertise');
    }
    const again = countTask(h, j);
    await refused(
      { ...again, ref: { ...again.ref, attempt: 1 } },
      /counts were already released here 3 times \(at most 3/,
    );
  });
});
