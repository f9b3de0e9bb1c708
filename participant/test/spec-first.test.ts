// Adversary tests: the signed spec is checked before any data is read, at every train stage, and for one job id only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '@tessera/crypto';
import { stampedSpec } from '@tessera/client';
import {
  exactFractionBits,
  parseJobSpec,
  parseQuerySpec,
  QUERY_MAX_RECORDS,
  queryNoiseCalibration,
} from '@tessera/jobs';
import { declaredQueryToProto, tessera } from '@tessera/proto';
import { tempDir } from '../../coordinator/test/helpers.js';
import { DATASET, FEATURES, Harness, hex, signed } from './support/authorisation-harness.js';
import { joinedRegExp } from '@tessera/test-support';

const pb = tessera.v1;

/**
 * Findings 1, 2 and 6 of the review of issue 15, each driven through a real gRPC stand-in for a coordinator that
 * forges tasks: a probe whose refusal once told the coordinator the row count; an `email` column slipped into the
 * statistics, fit or evaluation of a job whose spec excludes it; a changed validation split; and the same signed spec
 * rerun under a second job id. Each refusal is the owner's (typed on the wire, in the audit log) and reads no data.
 */
describe('the signed spec decides first, at every stage, for one job', () => {
  const tmp = tempDir('tessera-spec-first-');
  const analyst = generateSigningKeyPair();
  const policy = {
    analysts: { acme: hex(analyst.publicKey) },
    datasets: { [DATASET]: { allowWithoutPrivacy: true } },
    grants: [
      {
        id: 'acme-all',
        analysts: ['acme'],
        purposes: ['train', 'query'],
        jobKinds: ['train', 'query'],
        datasets: [DATASET],
        expires: '2099-01-01',
      },
    ],
  };
  // The patients table with each row's customer email: the spec excludes it, the coordinator wants it.
  const h = new Harness(tmp.dir, 'mailing', {
    consentPolicy: policy,
    csv: (lines) => lines.map((l, i) => (i === 0 ? `${l},email` : `${l},customer${i}@shop.example`)),
  });

  const specInput = {
    dataset: DATASET,
    label: 'benign',
    exclude: ['email'],
    minParticipants: 4,
    model: { l2: 0.001 },
    local: { learningRate: 0.05 },
  };
  const trainSpec = signed(specInput, analyst);
  const numeric = FEATURES.map((name) => ({ name, kind: pb.ColumnProfile.Kind.NUMERIC }));
  const email = {
    name: 'email',
    kind: pb.ColumnProfile.Kind.CATEGORICAL,
    categories: ['alice@shop.example', 'bob@shop.example', 'customer7@shop.example'],
  };

  /** A secure statistics, fit or evaluate task of the signed job as an honest coordinator sends it, then `change`d. */
  const stageTask = (
    stage: number,
    change: {
      features?: tessera.v1.IColumnProfile[];
      training?: Partial<tessera.v1.ITrainingConfig>;
      task?: Partial<tessera.v1.ITask>;
    } = {},
  ): tessera.v1.ITask => {
    const features = change.features ?? numeric;
    const jobId = change.task?.ref?.jobId ?? 'job-m';
    const model = stage === pb.Stage.STATISTICS ? {} : { modelLength: features.length + 1 };
    return {
      ref: { jobId, round: 1, stage: pb.Stage.ADVERTISE_KEYS, attempt: h.nextAttempt() },
      dataset: DATASET,
      label: 'benign',
      training: {
        validationFraction: 0.2,
        seed: jobId,
        epochs: 1,
        batchSize: 32,
        learningRate: 0.05,
        l2: 0.001,
        ...change.training,
      },
      ...model,
      features,
      ...(stage === pb.Stage.STATISTICS ? {} : { mean: features.map(() => 0), std: features.map(() => 1) }),
      secure: h.secure(stage, 5, stage === pb.Stage.FIT ? { bits: 20, clip: 10 } : {}),
      specJson: trainSpec.text,
      specSignature: trainSpec.signature,
      analystIdentity: analyst.publicKey,
      ...change.task,
      ...(change.task?.ref ? { ref: { ...change.task.ref, attempt: h.nextAttempt() } } : {}),
    };
  };

  /** Offers a task the node must refuse: the reason, typed and audited, with no row read and nothing recorded. */
  const refused = async (task: tessera.v1.ITask, reason: RegExp) => {
    const reads = h.data.reads;
    const uses = h.uses().length;
    const a = await h.offer(task);
    expect(a.refused).toMatch(reason);
    expect(a.kind).toBe(pb.RefusalKind.REFUSAL_PRIVACY);
    expect(a.audited).toMatch(reason);
    expect(h.data.reads).toBe(reads);
    expect(h.uses()).toHaveLength(uses);
    return a.refused!;
  };

  beforeAll(() => h.start());
  afterAll(async () => {
    await h.stop();
    tmp.cleanup();
  });

  it('admits the honest statistics, fit and evaluation of the job', async () => {
    for (const stage of [pb.Stage.STATISTICS, pb.Stage.FIT, pb.Stage.EVALUATE]) {
      const a = await h.offer(stageTask(stage));
      expect(a.refused, pb.Stage[stage]).toBeUndefined();
      expect(a.body).toBe('advertise');
    }
  });

  describe('finding 1: no check that reads data runs before the spec check', () => {
    const queryInput = { kind: 'query', sql: `SELECT COUNT(*) FROM ${DATASET}`, minParticipants: 3 };
    const querySpec = signed(queryInput, analyst);
    const { spec: qs, plan } = parseQuerySpec(queryInput);
    const query = (maxRecords: number): tessera.v1.ITask => ({
      ref: { jobId: 'job-q', round: 1, stage: pb.Stage.ADVERTISE_KEYS, attempt: h.nextAttempt() },
      dataset: DATASET,
      query: {
        ...declaredQueryToProto({ sql: qs.sql, options: qs.options, unit: plan.unit }),
        wideFractionBits: exactFractionBits(plan),
        maxRecords,
      },
      secure: h.secure(pb.Stage.QUERY, 5),
      specJson: querySpec.text,
      specSignature: querySpec.signature,
      analystIdentity: analyst.publicKey,
    });

    it('gives the maxRecords binary-search probe one refusal whatever N (the table has 569 rows)', async () => {
      const answers: string[] = [];
      for (const n of [1, 284, 568, 569, 570, 100_000]) {
        const reason = await refused(query(n), /task's query\.maxRecords \(\d+\) differs from the analyst's signed/);
        // The refusal echoes the forged value and nothing else about the data.
        answers.push(reason.replace(`(${n})`, '(N)'));
        expect(reason).not.toMatch(/rows than/);
      }
      expect(new Set(answers).size).toBe(1);
      // The spec's own value is admitted (the counting LocalData sees the query read the table).
      const reads = h.data.reads;
      expect((await h.offer(query(QUERY_MAX_RECORDS))).body).toBe('advertise');
      expect(h.data.reads).toBeGreaterThan(reads);
    });
  });

  describe('finding 2: features and the split are checked at every train stage', () => {
    for (const stage of [pb.Stage.STATISTICS, pb.Stage.FIT, pb.Stage.EVALUATE]) {
      it(`refuses an excluded email feature with guessed categories at ${pb.Stage[stage]}`, async () => {
        await refused(
          stageTask(stage, { features: [...numeric, email] }),
          /task's feature "email" is one the analyst's job spec excludes/,
        );
      });
    }

    it('refuses a feature this node did not answer at the schema step, and the label as a feature', async () => {
      const phone = { name: 'phone', kind: pb.ColumnProfile.Kind.NUMERIC };
      await refused(
        stageTask(pb.Stage.STATISTICS, { features: [...numeric, phone] }),
        /feature "phone" is not a column this node answered for the job/,
      );
      const label = { name: 'benign', kind: pb.ColumnProfile.Kind.NUMERIC };
      await refused(
        stageTask(pb.Stage.EVALUATE, { features: [...numeric, label] }),
        /names the label "benign" as a feature/,
      );
      // A numeric column sent as categorical with guessed values: not what this node answered.
      const guessed = { name: FEATURES[0], kind: pb.ColumnProfile.Kind.CATEGORICAL, categories: ['17.99', '20.57'] };
      await refused(
        stageTask(pb.Stage.STATISTICS, { features: [guessed, ...numeric.slice(1)] }),
        /feature "mean_radius" is categorical, but this node answered it as numeric/,
      );
    });

    it('refuses a feature outside the features the spec lists', async () => {
      const listed = signed({ ...specInput, features: FEATURES.slice(0, 3) }, analyst);
      await refused(
        stageTask(pb.Stage.FIT, {
          features: numeric.slice(0, 4),
          task: { ref: { jobId: 'job-listed' }, specJson: listed.text, specSignature: listed.signature },
        }),
        /feature "mean_area" is not among the features of the analyst's job spec/,
      );
    });

    it('refuses a changed validationFraction or seed at FIT and EVALUATE', async () => {
      await refused(
        stageTask(pb.Stage.FIT, { training: { validationFraction: 0.5 } }),
        /task's training\.validationFraction \(0\.5\) differs from the analyst's signed job spec \(0\.2\)/,
      );
      await refused(
        stageTask(pb.Stage.EVALUATE, { training: { validationFraction: 0 } }),
        /training\.validationFraction \(0\) differs .*\(0\.2\)/,
      );
      await refused(
        stageTask(pb.Stage.FIT, { training: { seed: 'chosen-by-the-coordinator' } }),
        joinedRegExp(
          /task's training\.seed \(which rows train and which evaluate\) /,
          /\("chosen-by-the-coordinator"\) differs .*\("job-m"\)/,
        ),
      );
    });
  });

  describe("the model, its schedule and its proximal term are the spec's", () => {
    it('refuses a task that swaps the model, adds classes, or moves the learning rate or FedProx term', async () => {
      await refused(
        stageTask(pb.Stage.FIT, { training: { model: { kind: 'mlp', task: 'binary', hidden: [512, 512] } } }),
        /task's model kind \("mlp"\) differs from the analyst's signed job spec \("logistic"\)/,
      );
      await refused(
        stageTask(pb.Stage.EVALUATE, {
          training: { model: { kind: 'logistic', task: 'multiclass', classes: ['0', '1', '2'] } },
        }),
        /task's model task \("multiclass"\) differs from the analyst's signed job spec \("binary"\)/,
      );
      await refused(
        stageTask(pb.Stage.FIT, { training: { learningRate: 5 } }),
        /local training setting local\.learningRate \(5\) differs .*\(0\.05\)/,
      );
      await refused(
        stageTask(pb.Stage.FIT, { training: { strategyConfig: [{ key: 'proximalMu', number: 100 }] } }),
        /FedProx proximal term \(strategy\.proximalMu\) \(100\) differs .*\(0\)/,
      );
      // An l2 in the round's config would override the checked training.l2.
      await refused(
        stageTask(pb.Stage.FIT, { training: { l2: 1000, strategyConfig: [{ key: 'l2', number: 0.001 }] } }),
        /task's strategy round config \(l2\)/,
      );
    });
  });

  describe('an exact single release is released over one cohort', () => {
    // The same exact query as a second attempt of one job over the cohort minus one node: the two sums differ by
    // that node's value. Refused; the same cohort again releases the same sum and is admitted.
    const exactInput = { kind: 'query', sql: `SELECT COUNT(*) FROM ${DATASET}`, minParticipants: 2 };
    const exactSpec = signed(exactInput, analyst);
    const { spec: es, plan: ep } = parseQuerySpec(exactInput);
    const cohort = (ids: string[]) => {
      const identityKeys = ids.map((id) => (id === 'me' ? h.me.publicKey : generateSigningKeyPair().publicKey));
      const change = { participantIds: ids, index: ids.indexOf('me'), identityKeys, degree: ids.length - 1 };
      return h.secure(pb.Stage.QUERY, ids.length, { ...change, threshold: Math.floor(ids.length / 2) + 1 });
    };
    const exact = (ids: string[]): tessera.v1.ITask => ({
      ref: { jobId: 'job-exact', round: 1, stage: pb.Stage.ADVERTISE_KEYS, attempt: h.nextAttempt() },
      dataset: DATASET,
      query: {
        ...declaredQueryToProto({ sql: es.sql, options: es.options, unit: ep.unit }),
        wideFractionBits: exactFractionBits(ep),
        maxRecords: QUERY_MAX_RECORDS,
      },
      secure: cohort(ids),
      specJson: exactSpec.text,
      specSignature: exactSpec.signature,
      analystIdentity: analyst.publicKey,
    });

    it('refuses a second attempt over {me, p2} after {me, p2, p3}; admits {p3, me, p2} again', async () => {
      expect((await h.offer(exact(['me', 'p2', 'p3']))).body).toBe('advertise');
      await refused(
        exact(['me', 'p2']),
        joinedRegExp(
          /signed query spec \(hash [0-9a-f]{16}…\) was already released here exactly \(without differential /,
          /privacy\) over cohort \["me","p2","p3"\] in job "job-exact"; the coordinator cannot release it again /,
          /over cohort \["me","p2"\]/,
        ),
      );
      // The same cohort (in another order) releases the same sum: admitted.
      const again = await h.offer(exact(['p3', 'me', 'p2']));
      expect(again.refused).toBeUndefined();
      expect(again.body).toBe('advertise');
      // The first cohort stays bound across a restart of the node (the ledger keeps it).
      await h.node.stop();
      h.node.start();
      await new Promise<void>((resolve) => h.node.once('ready', () => resolve()));
      await refused(exact(['me', 'p2', 'p3', 'p4']), /already released here exactly/);
    });

    it('admits a private query over a changed cohort, and charges each attempt', async () => {
      const privacy = { mode: 'distributed', epsilon: 1, delta: 1e-6 };
      const dpInput = { ...exactInput, privacy };
      const dpSpec = signed(dpInput, analyst);
      const { spec: ds, plan: dplan } = parseQuerySpec(dpInput);
      const z = queryNoiseCalibration({ epsilon: 1, delta: 1e-6 }).noiseMultiplier;
      const dp = (ids: string[]): tessera.v1.ITask => ({
        ...exact(ids),
        ref: { jobId: 'job-dp', round: 1, stage: pb.Stage.ADVERTISE_KEYS, attempt: h.nextAttempt() },
        query: {
          ...declaredQueryToProto({ sql: ds.sql, options: ds.options, unit: dplan.unit }),
          dpLevel: 4096,
          maxRecords: QUERY_MAX_RECORDS,
        },
        privacyPlan: {
          mode: pb.PrivacyPlan.Mode.DISTRIBUTED,
          unit: pb.PrivacyPlan.Unit.RECORD,
          noiseMultiplier: z,
          sampleRate: 1,
          rounds: 0,
          fullReleases: 1,
          epsilon: 1,
          delta: 1e-6,
        },
        secure: { ...cohort(ids), noiseVariance: 1e15 },
        specJson: dpSpec.text,
        specSignature: dpSpec.signature,
      });
      const charges = () => h.ledger.charges(DATASET).filter((c) => c.jobId === 'job-dp').length;
      const first = await h.offer(dp(['me', 'p2', 'p3']));
      expect(first.refused).toBeUndefined();
      expect(first.body).toBe('advertise');
      expect(charges()).toBe(1);
      const second = await h.offer(dp(['me', 'p2']));
      expect(second.refused).toBeUndefined();
      expect(second.body).toBe('advertise');
      expect(charges()).toBe(2);
    });
  });

  describe('finding 6: a signed spec runs under one job id', () => {
    it('refuses the same signed spec under a second job id; a re-submission (new nonce) is admitted', async () => {
      // The analyst's client stamps each submission with a fresh nonce; the parsers accept it.
      const first = stampedSpec(specInput) as { submission: { nonce: string } };
      expect(first.submission.nonce).toMatch(/^[0-9a-f]{32}$/);
      expect(parseJobSpec(first).label).toBe('benign');
      const firstSigned = signed(first, analyst);
      const run = (jobId: string, spec = firstSigned) =>
        stageTask(pb.Stage.FIT, { task: { ref: { jobId }, specJson: spec.text, specSignature: spec.signature } });

      expect((await h.offer(run('job-first'))).body).toBe('advertise');
      // Later tasks of the same job are admitted (rounds, attempts).
      expect((await h.offer(run('job-first'))).body).toBe('advertise');
      await refused(run('job-replayed'), /signed job spec \(hash [0-9a-f]{16}…\) already ran here as job "job-first"/);

      const again = signed(stampedSpec(specInput), analyst);
      expect(again.text).not.toBe(firstSigned.text);
      expect((await h.offer(run('job-replayed', again))).body).toBe('advertise');
      // The first spec stays tied to its job across a restart of the node (the ledger keeps it).
      await h.node.stop();
      h.node.start();
      await new Promise<void>((resolve) => h.node.once('ready', () => resolve()));
      await refused(run('job-third'), /already ran here as job "job-first"/);
    });
  });
});
