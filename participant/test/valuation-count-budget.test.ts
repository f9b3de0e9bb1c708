// A DP training job whose payout asks for a valuation count is admitted only if the node's budget can pay for the
// training and the count: a budget that fits the training alone is refused at the schema step, naming the valuation,
// rather than spent on the training and the count refused at the end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { generateSigningKeyPair } from '@tessera/crypto';
import { epsilonOfRdp, jobRdp } from '@tessera/fl';
import { parseJobSpec, valuationCountNoise } from '@tessera/jobs';
import { tessera, toModelConfig } from '@tessera/proto';
import { JobPrivacy } from '../../coordinator/src/jobs/job-privacy.js';
import { tempDir } from '../../coordinator/test/helpers.js';
import { DATASET, FEATURES, Harness, signed } from './support/authorisation-harness.js';

const pb = tessera.v1;
const ROUNDS = 2;
const DELTA = 1e-5;
const N = 5;

const trainInput = (name: string, payout: object) => ({
  name,
  dataset: DATASET,
  label: 'benign',
  rounds: ROUNDS,
  privacy: { mode: 'distributed', unit: 'record', epsilon: 1, delta: DELTA },
  payout: { pool: 100_000, currency: 'CNY', ...payout },
});

const policy = {
  datasets: { [DATASET]: { allowWithoutPrivacy: true } },
  grants: [{ id: 'g', analysts: ['*'], purposes: ['train', 'valuation'], expires: '2099-12-31' }],
};

// What the job asks for, composed by RDP at the budget's delta: the training alone, and with the count release.
const probe = parseJobSpec(trainInput('probe', { valuation: 'records' }));
const plan = new JobPrivacy(probe).taskPlan()!;
const training = jobRdp(plan.noiseMultiplier!, plan.sampleRate!, plan.rounds!, plan.fullReleases!);
const count = jobRdp(valuationCountNoise(probe, 1).noiseMultiplier, 1, 0, 1);
const TRAINING_EPSILON = epsilonOfRdp(training, DELTA);
const WITH_COUNT_EPSILON = epsilonOfRdp(
  training.map((v, i) => v + count[i]!),
  DELTA,
);

describe("a DP training job's admission counts its payout's valuation count against the budget", () => {
  const tmp = tempDir('tessera-valuation-budget-');
  const analyst = generateSigningKeyPair();
  const budgeted = (name: string, epsilon: number) =>
    new Harness(tmp.dir, name, {
      consentPolicy: policy,
      datasets: {
        [DATASET]: {
          type: 'csv',
          path: join(tmp.dir, `${name}.csv`),
          exclude: [],
          budget: { epsilon, delta: DELTA, unit: 'record' },
        },
      },
    });
  /** Fits the training (all of its rounds and statistics releases) but not the training and the count. */
  const tight = budgeted('tight', (TRAINING_EPSILON + WITH_COUNT_EPSILON) / 2);
  /** Fits both, with a little to spare. */
  const roomy = budgeted('roomy', WITH_COUNT_EPSILON + 0.01);
  let jobs = 0;
  const job = (payout: object) => {
    jobs += 1;
    const input = trainInput(`vb-${jobs}`, payout);
    return { jobId: `vb-${jobs}`, input, spec: parseJobSpec(input), ...signed(input, analyst) };
  };
  type Job = ReturnType<typeof job>;

  const signedOf = (j: Job) => ({ specJson: j.text, specSignature: j.signature, analystIdentity: analyst.publicKey });
  const schemaTask = (j: Job): tessera.v1.ITask => ({
    ref: { jobId: j.jobId, stage: pb.Stage.SCHEMA, attempt: 1 },
    dataset: DATASET,
    label: 'benign',
    privacyPlan: new JobPrivacy(j.spec).taskPlan()!,
    ...signedOf(j),
  });
  /** A training round as an honest coordinator sends it (ADVERTISE_KEYS of the round's secure sum). */
  const fitTask = (at: Harness, j: Job, round: number): tessera.v1.ITask => {
    const privacy = new JobPrivacy(j.spec);
    const modelLength = FEATURES.length + 1;
    const honest = privacy.round(j.spec.secure.bits, N, modelLength, 400)!;
    return {
      ref: { jobId: j.jobId, round, stage: pb.Stage.ADVERTISE_KEYS, attempt: 1 },
      dataset: DATASET,
      label: 'benign',
      training: {
        validationFraction: 0,
        seed: j.jobId,
        epochs: 1,
        batchSize: 32,
        learningRate: 0.1,
        l2: 1e-4,
        recordDp: { clip: honest.record!.clip, level: honest.record!.level, maxRecords: honest.record!.maxRecords },
        model: toModelConfig(j.spec.model, j.spec.local.optimiser),
      },
      privacyPlan: privacy.taskPlan()!,
      modelLength,
      features: FEATURES.map((name) => ({ name, kind: pb.ColumnProfile.Kind.NUMERIC })),
      mean: FEATURES.map(() => 0),
      std: FEATURES.map(() => 1),
      secure: {
        ...at.secure(pb.Stage.FIT, N),
        bits: j.spec.secure.bits,
        clip: j.spec.secure.clip,
        weightCap: 0,
        noiseVariance: honest.shareVariance,
      },
      ...signedOf(j),
    };
  };
  /** The payout's count after the last round, as valuation-count.test.ts sends it. */
  const countTask = (at: Harness, j: Job): tessera.v1.ITask => {
    const noise = valuationCountNoise(j.spec, N);
    const secure = { ...at.secure(pb.Stage.VALUATION_COUNT, N), noiseVariance: noise.shareVariance };
    return {
      ref: { jobId: j.jobId, round: ROUNDS + 1, stage: pb.Stage.ADVERTISE_KEYS, attempt: 1 },
      dataset: DATASET,
      label: 'benign',
      training: { seed: j.jobId, model: toModelConfig(j.spec.model, j.spec.local.optimiser) },
      privacyPlan: new JobPrivacy(j.spec).taskPlan()!,
      valuationCount: { slots: [...(secure.participantIds ?? [])], dpLevel: noise.level },
      secure,
      ...signedOf(j),
    };
  };
  const spentOn = (at: Harness, jobId: string) => at.ledger.charges(DATASET).filter((c) => c.jobId === jobId);

  beforeAll(() => Promise.all([tight.start(), roomy.start()]));
  afterAll(async () => {
    await Promise.all([tight.stop(), roomy.stop()]);
    tmp.cleanup();
  });

  it('the figures: the count adds to the training, and the tight budget lies between the two', () => {
    expect(WITH_COUNT_EPSILON).toBeGreaterThan(TRAINING_EPSILON + 0.01);
    expect(TRAINING_EPSILON).toBeLessThan((TRAINING_EPSILON + WITH_COUNT_EPSILON) / 2);
  });

  it('refuses at the schema step a job whose training fits the budget but whose valuation count does not', async () => {
    const j = job({ valuation: 'records', epsilon: 0.5 });
    const a = await tight.offer(schemaTask(j));
    expect(a.kind).toBe(pb.RefusalKind.REFUSAL_PRIVACY);
    const asks = WITH_COUNT_EPSILON.toFixed(3);
    const reason = new RegExp(
      'privacy budget of data set "patients" \\(epsilon [\\d.]+ at delta 0\\.00001, unit record\\) would be ' +
        `exceeded: spent 0, this job asks for ${asks.replace('.', '\\.')} ` +
        `\\(${ROUNDS} rounds(, \\d+ statistics releases)? and the payout's valuation count\\)`,
    );
    expect(a.refused).toMatch(reason);
    expect(a.audited).toMatch(reason);
    expect(spentOn(tight, j.jobId)).toHaveLength(0);
    expect(tight.uses().filter((u) => u.jobId === j.jobId)).toHaveLength(0);
  });

  it('admits the same training with an equal payout (no count) under the same budget', async () => {
    const j = job({ valuation: 'equal' });
    const a = await tight.offer(schemaTask(j));
    expect(a.refused).toBeUndefined();
    expect(a.body).toBe('schema');
  });

  it('admits a job whose budget fits both, and then charges its training rounds and its count', async () => {
    const j = job({ valuation: 'records', epsilon: 0.5 });
    expect((await roomy.offer(schemaTask(j))).body).toBe('schema');
    for (let round = 1; round <= ROUNDS; round++) {
      const a = await roomy.offer(fitTask(roomy, j, round));
      expect(a.refused).toBeUndefined();
      expect(a.body).toBe('advertise');
    }
    expect(spentOn(roomy, j.jobId)).toHaveLength(ROUNDS);
    const c = await roomy.offer(countTask(roomy, j));
    expect(c.refused).toBeUndefined();
    expect(c.body).toBe('advertise');
    const charges = spentOn(roomy, j.jobId);
    expect(charges).toHaveLength(ROUNDS + 1);
    expect(charges.at(-1)).toMatchObject({ round: ROUNDS + 1, approx: { epsilon: 0.5, delta: DELTA } });
    // What it spent is within the budget the schema step admitted the job under.
    const spent = epsilonOfRdp(roomy.ledger.spentRdp(DATASET, training.length), DELTA);
    expect(spent).toBeGreaterThan(TRAINING_EPSILON / 2);
    expect(spent).toBeLessThanOrEqual(WITH_COUNT_EPSILON + 1e-9);
  });
});
