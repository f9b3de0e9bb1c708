import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKeyPair, sign } from '@tessera/crypto';
import { jobRdp } from '@tessera/fl';
import { JOB_SPEC_CONTEXT, parseJobSpec } from '@tessera/jobs';
import { tessera } from '@tessera/proto';
import { JobPrivacy } from '../../coordinator/src/jobs/job-privacy.js';
import { BREAST_CANCER } from '../../coordinator/test/grpc-helpers.js';
import { tempDir } from '../../coordinator/test/helpers.js';
import { ParticipantNode, type PrivacyLedger, type ParticipantConfig } from '../src/index.js';
import { RogueCoordinator } from './support/rogue-coordinator.js';

const pb = tessera.v1;
const DATASET = 'patients';
const FEATURES = readFileSync(BREAST_CANCER, 'utf8')
  .split('\n')[0]
  .trim()
  .split(',')
  .filter((c) => c !== 'benign');

/**
 * A participant node is the guardian of its merchant's data: driven by a coordinator that forges
 * tasks (a real gRPC server speaking the participant protocol), it checks every task against the
 * job's signed spec and its own budget before it reads a row, refuses with the reason, and logs
 * the refusal in its audit log. Each case here is a way the coordinator could cheat.
 */
describe('a participant refuses tasks a malicious coordinator forges', () => {
  const tmp = tempDir('tessera-rogue-');
  const me = generateSigningKeyPair();
  const analyst = generateSigningKeyPair();
  const rogue = new RogueCoordinator(me.publicKey);
  let node: ParticipantNode;
  let ledger: PrivacyLedger;
  const path = join(tmp.dir, 'patients.csv');

  // A sampled, record-level, distributed job: 5 rounds, a fifth of the participants per round.
  const specText = JSON.stringify({
    dataset: DATASET,
    label: 'benign',
    rounds: 5,
    strategy: { fractionFit: 0.2 },
    privacy: { mode: 'distributed', unit: 'record', epsilon: 8, delta: 1e-5 },
  });
  const signature = sign(JOB_SPEC_CONTEXT, new TextEncoder().encode(specText), analyst.secretKey);
  const spec = parseJobSpec(JSON.parse(specText));
  const privacy = new JobPrivacy(spec);
  const ids = ['me', 'p2', 'p3', 'p4', 'p5'];
  const modelLength = FEATURES.length + 1;
  const honest = privacy.round(spec.secure.bits, ids.length, modelLength, 400)!;

  let attempt = 0;
  /** A FIT task as an honest coordinator sends it (ADVERTISE_KEYS of a secure round), with `change` applied. */
  const fitTask = (
    round: number,
    change: {
      plan?: Partial<tessera.v1.IPrivacyPlan>;
      recordDp?: Partial<tessera.v1.IRecordDp>;
      secure?: Partial<tessera.v1.ISecureSetup> | null;
      spec?: string;
    } = {},
  ): tessera.v1.ITask => {
    attempt += 1;
    const training: tessera.v1.ITrainingConfig = {
      validationFraction: 0,
      seed: 'job-1',
      epochs: 1,
      batchSize: 32,
      learningRate: 0.1, // the spec's (default) local.learningRate: a participant checks it
      l2: 1e-4,
      recordDp: {
        clip: honest.record!.clip,
        level: honest.record!.level,
        maxRecords: honest.record!.maxRecords,
        ...change.recordDp,
      },
    };
    const secure: tessera.v1.ISecureSetup = {
      roundId: new Uint8Array(32).fill(attempt),
      index: 0,
      participantIds: ids,
      identityKeys: ids.map((_, i) => (i === 0 ? me.publicKey : generateSigningKeyPair().publicKey)),
      threshold: 3,
      degree: 4,
      modulus: 2 ** 32,
      computation: pb.Stage.FIT,
      bits: spec.secure.bits,
      clip: spec.secure.clip,
      weightCap: 0,
      noiseVariance: honest.shareVariance,
      ...change.secure,
    };
    return {
      ref: { jobId: 'job-1', round, stage: change.secure === null ? pb.Stage.FIT : pb.Stage.ADVERTISE_KEYS, attempt },
      dataset: DATASET,
      label: 'benign',
      training,
      privacyPlan: { ...privacy.taskPlan(), ...change.plan },
      modelLength,
      features: FEATURES.map((name) => ({ name, kind: pb.ColumnProfile.Kind.NUMERIC })),
      mean: FEATURES.map(() => 0),
      std: FEATURES.map(() => 1),
      ...(change.secure === null ? {} : { secure }),
      specJson: change.spec ?? specText,
      specSignature: signature,
      analystIdentity: analyst.publicKey,
    };
  };
  /** Sends a FIT task and its model; resolves with the node's answer (refused with a reason, or advertise). */
  const offer = async (task: tessera.v1.ITask) => {
    const answer = rogue.answerTo(task.ref!);
    rogue.send({ task });
    rogue.send({
      model: { task: task.ref, chunk: { offset: 0, total: modelLength, values: new Array(modelLength).fill(0) } },
    });
    return answer;
  };
  const refusals = () => ledger.auditLog().filter((e) => e.kind === 'refusal');
  const uses = () => ledger.auditLog().filter((e) => e.kind === 'use');

  beforeAll(async () => {
    copyFileSync(BREAST_CANCER, path);
    await rogue.start();
    const config: ParticipantConfig = {
      name: 'me',
      coordinator: rogue.address,
      insecure: true, // the rogue coordinator listens in plaintext on loopback: what it forges is the point
      participantId: 'me',
      identityKey: '(in memory)',
      ledger: join(tmp.dir, 'ledger.sqlite'),
      // secure: none lets plaintext tasks through the node's own minimums (protection-minimums.test.ts refuses them),
      // so that each case here reaches the differential-privacy check, which must refuse them on its own.
      datasets: {
        [DATASET]: {
          type: 'csv',
          path,
          exclude: [],
          budget: { epsilon: 30, delta: 1e-5, unit: 'record' },
          secure: 'none',
        },
      },
    };
    node = new ParticipantNode({ config, identity: me });
    ledger = node.ledger;
    const ready = new Promise<void>((resolve) => node.once('ready', () => resolve()));
    node.start();
    await ready;
  });
  afterAll(async () => {
    await node.stop();
    await rogue.stop();
    tmp.cleanup();
  });

  it(
    'accepts the honest task, and charges every round it joins the unamplified cost ' +
      '(no amplification by a sample the coordinator draws)',
    async () => {
      for (const round of [1, 2]) {
        const a = await offer(fitTask(round));
        expect(a.refused).toBeUndefined();
        expect(a.body).toBe('advertise');
      }
      const charges = ledger.charges(DATASET);
      expect(charges).toHaveLength(2);
      const unamplified = jobRdp(privacy.noiseMultiplier, 1, 1, 0);
      for (const c of charges) {
        expect(c.sampleRate).toBe(1);
        c.rdp.forEach((v, i) => expect(v).toBeCloseTo(unamplified[i], 12));
      }
      // What the coordinator once charged: the amplified cost at fractionFit 0.2 is far smaller, and would be a lie
      // against it.
      expect(jobRdp(privacy.noiseMultiplier, 0.2, 1, 0)[10]).toBeLessThan(unamplified[10] / 2);
    },
  );

  const cases: [string, () => tessera.v1.ITask, RegExp][] = [
    ['no noise (variance 0)', () => fitTask(3, { secure: { noiseVariance: 0 } }), /below the \d+ its own plan needs/],
    [
      'half its own noise share',
      () => fitTask(3, { secure: { noiseVariance: Math.floor(honest.shareVariance / 2) } }),
      /below the \d+ its own plan needs/,
    ],
    [
      'no secure block on a budgeted data set',
      () => fitTask(3, { secure: null }),
      // The signed spec is checked first (masked); without one, the node's own minimums refuse it.
      /secure mode \("none"\) differs from the analyst's signed job spec \("masked"\)|outside secure aggregation/,
    ],
    [
      'the amplified sample rate of the old accounting',
      () => fitTask(3, { plan: { sampleRate: 0.2 } }),
      /sample rate \(0\.2, spec: 1\) differs from the job's signed spec/,
    ],
    [
      'a record clip other than the signed one',
      () => fitTask(3, { recordDp: { clip: 2 } }),
      /record clip 2 differs from the job's spec/,
    ],
    [
      'a smaller noise multiplier',
      () => fitTask(3, { plan: { noiseMultiplier: privacy.noiseMultiplier / 2 } }),
      /noise multiplier .* below the/,
    ],
    [
      'a spec changed after the analyst signed it',
      () => fitTask(3, { spec: specText.replace('"epsilon":8', '"epsilon":80') }),
      /signature does not verify/,
    ],
    ["a round beyond the spec's rounds", () => fitTask(6), /round 6 is outside the 5 rounds/],
    [
      'a smaller cohort than the announced share was sized for (each share must then be larger)',
      () =>
        fitTask(3, {
          secure: {
            participantIds: ['me', 'p2'],
            identityKeys: [me.publicKey, generateSigningKeyPair().publicKey],
            threshold: 2,
          },
        }),
      /below the \d+ its own plan needs/,
    ],
  ];
  for (const [what, task, reason] of cases) {
    it(`refuses ${what}, before reading any data, and logs why`, async () => {
      const before = { uses: uses().length, charges: ledger.charges(DATASET).length, refusals: refusals().length };
      const a = await offer(task());
      expect(a.refused).toMatch(reason);
      // Typed on the wire: the coordinator does not parse the reason to know it was the owner's terms.
      expect(a.kind).toBe(pb.RefusalKind.REFUSAL_PRIVACY);
      expect(uses()).toHaveLength(before.uses);
      expect(ledger.charges(DATASET)).toHaveLength(before.charges);
      const logged = refusals();
      expect(logged).toHaveLength(before.refusals + 1);
      expect(logged[logged.length - 1].reason).toMatch(reason);
    });
  }

  it(
    'once the budget is spent, refuses every data-reading stage: evaluate, ' +
      'exact and private statistics, queries, scoring, overlap, valuation, schema',
    async () => {
      // Spend the rest of the budget (another job's charges, as a crowded ledger would hold).
      ledger.charge({
        at: Date.now(),
        dataset: DATASET,
        jobId: 'other',
        round: 1,
        attempt: 1,
        unit: 'record',
        noiseMultiplier: 0.1,
        sampleRate: 1,
        rdp: jobRdp(0.05, 1, 0, 1),
      });
      const base = {
        dataset: DATASET,
        label: 'benign',
        specJson: specText,
        specSignature: signature,
        analystIdentity: analyst.publicKey,
      };
      const features = FEATURES.map((name) => ({ name, kind: pb.ColumnProfile.Kind.NUMERIC }));
      const plan = privacy.taskPlan();
      const again = JSON.stringify({
        ...JSON.parse(specText),
        submission: { nonce: 'f'.repeat(32), at: '2030-01-01' },
      });
      const resubmitted = {
        specJson: again,
        specSignature: sign(JOB_SPEC_CONTEXT, new TextEncoder().encode(again), analyst.secretKey),
      };
      const tasks: [string, tessera.v1.ITask, RegExp][] = [
        [
          'evaluate',
          {
            ...base,
            ref: { jobId: 'job-1', round: 2, stage: pb.Stage.EVALUATE },
            privacyPlan: plan,
            features,
            modelLength,
          },
          // The signed spec is checked first: this forged evaluation is also outside secure aggregation.
          /evaluate releases exact loss|secure mode \("none"\) differs from the analyst's signed job spec/,
        ],
        [
          'exact statistics',
          { ...base, ref: { jobId: 'job-1', stage: pb.Stage.STATISTICS }, privacyPlan: plan, features },
          /without a private statistics part|secure mode \("none"\) differs from the analyst's signed job spec/,
        ],
        [
          'private statistics',
          {
            ...fitTask(0),
            ref: { jobId: 'job-1', stage: pb.Stage.ADVERTISE_KEYS, attempt: 99 },
            modelLength: 0,
            training: null,
            privacyPlan: privacy.taskPlan(),
            statistics: { part: pb.StatisticsRelease.Part.MOMENTS, level: 1000, maxRecords: 400 },
            bounds: FEATURES.map(() => 3),
            secure: { ...fitTask(0).secure, computation: pb.Stage.STATISTICS, noiseVariance: 1e12 },
          },
          /privacy budget .* would be exceeded/,
        ],
        [
          'a query without DP',
          {
            ...base,
            specJson: '',
            specSignature: new Uint8Array(0),
            ref: { jobId: 'job-2', stage: pb.Stage.QUERY },
            query: { sql: 'SELECT COUNT(*) FROM patients', options: {} },
          },
          /carries no job spec/,
        ],
        [
          'scoring',
          { ...base, ref: { jobId: 'job-1', stage: pb.Stage.SCORE }, privacyPlan: plan },
          // The signed spec is checked first: a train job has no score stage.
          /score releases exact score totals|stage score, which a train job does not have/,
        ],
        [
          'overlap',
          { ...base, ref: { jobId: 'job-1', stage: pb.Stage.OVERLAP }, privacyPlan: plan },
          /overlap: the task carries no overlap job spec|stage overlap, which a train job does not have/,
        ],
        [
          'valuation',
          { ...base, ref: { jobId: 'job-1', round: 5, stage: pb.Stage.VALUATE }, privacyPlan: plan },
          /discloses this node's per-round updates/,
        ],
        [
          'schema (the whole job)',
          // The same spec re-submitted (a new nonce): a node runs one signed spec under one job id only.
          { ...base, ...resubmitted, ref: { jobId: 'job-3', stage: pb.Stage.SCHEMA }, privacyPlan: plan },
          /would be exceeded/,
        ],
        ['a training round', fitTask(4), /would be exceeded/],
      ];
      const usesBefore = uses().length;
      for (const [what, task, reason] of tasks) {
        const answer = rogue.answerTo(task.ref!);
        rogue.send({ task });
        if (Number(task.modelLength) > 0)
          rogue.send({
            model: {
              task: task.ref,
              chunk: {
                offset: 0,
                total: Number(task.modelLength),
                values: new Array(Number(task.modelLength)).fill(0),
              },
            },
          });
        const a = await answer;
        expect(a.refused, what).toMatch(reason);
        expect(refusals().at(-1)!.reason, what).toMatch(reason);
      }
      expect(uses()).toHaveLength(usesBefore);
    },
  );
});
