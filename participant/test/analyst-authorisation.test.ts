import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair, type SigningKeyPair } from '@tessera/crypto';
import { exactFractionBits, parseQuerySpec, QUERY_MAX_RECORDS } from '@tessera/jobs';
import { loadSeal } from '@tessera/he';
import { declaredQueryToProto, signAnalystKey, tessera } from '@tessera/proto';
import { tempDir } from '../../coordinator/test/helpers.js';
import { DATASET, FEATURES, Harness, hex, signed } from './support/authorisation-harness.js';

const pb = tessera.v1;

const SEALED = { polyModulusDegree: 4096, coeffModulusBits: [36, 36, 37], plainModulus: 4294828033 };
/** A BFV public key's bytes: the participant checks the signature over them before it ever loads the key. */
const BFV_KEY = new Uint8Array(64).fill(9);

/**
 * End-to-end analyst authorisation: a participant checks every task against the job spec its analyst signed,
 * verifies that signature itself against the identity its consent grant names, and encrypts a sealed round only
 * under a key that analyst signed. Each case is a task a coordinator forges, driven through a real gRPC stand-in;
 * each refusal is typed as the owner's (so the coordinator lists it in job.refusals) and lands in the audit log.
 */
describe('a participant runs only what the analyst signed', () => {
  const tmp = tempDir('tessera-authorisation-');
  const analyst = generateSigningKeyPair();
  const rogueAnalyst = generateSigningKeyPair();
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
  const granted = new Harness(tmp.dir, 'granted', { consentPolicy: policy });
  // The owner of this node accepts plaintext rounds (datasets.patients.secure: none): the signed spec still decides.
  const open = new Harness(tmp.dir, 'open', { plaintextAllowed: true });

  const trainSpec = signed(
    {
      dataset: DATASET,
      label: 'benign',
      rounds: 3,
      minParticipants: 4,
      model: { l2: 0.001 },
      local: { learningRate: 0.05 },
    },
    analyst,
  );
  const features = FEATURES.map((name) => ({ name, kind: pb.ColumnProfile.Kind.NUMERIC }));
  const modelLength = FEATURES.length + 1;

  /** A FIT task of the signed masked job as an honest coordinator sends it, with `change` applied. */
  const fit = (
    h: Harness,
    change: {
      training?: Partial<tessera.v1.ITrainingConfig>;
      secure?: Partial<tessera.v1.ISecureSetup> | null;
      n?: number;
      task?: Partial<tessera.v1.ITask>;
    } = {},
  ): tessera.v1.ITask => {
    const secure =
      change.secure === null
        ? undefined
        : h.secure(pb.Stage.FIT, change.n ?? 5, { bits: 20, clip: 10, ...change.secure });
    return {
      ref: {
        jobId: 'job-t',
        round: 1,
        stage: secure ? pb.Stage.ADVERTISE_KEYS : pb.Stage.FIT,
        attempt: h.nextAttempt(),
      },
      dataset: DATASET,
      label: 'benign',
      training: {
        validationFraction: 0.2,
        seed: 'job-t',
        epochs: 1,
        batchSize: 32,
        learningRate: 0.05,
        l2: 0.001,
        strategyConfig: [{ key: 'round', number: 1 }],
        ...change.training,
      },
      modelLength,
      features,
      mean: FEATURES.map(() => 0),
      std: FEATURES.map(() => 1),
      ...(secure ? { secure } : {}),
      specJson: trainSpec.text,
      specSignature: trainSpec.signature,
      analystIdentity: analyst.publicKey,
      ...change.task,
    };
  };

  const querySpecInput = { kind: 'query', sql: 'SELECT COUNT(*) FROM patients', minParticipants: 3 };
  const querySpec = signed(querySpecInput, analyst);
  const { spec: qs, plan } = parseQuerySpec(querySpecInput);
  const query = (h: Harness, sql = qs.sql): tessera.v1.ITask => ({
    ref: { jobId: 'job-q', round: 1, stage: pb.Stage.ADVERTISE_KEYS, attempt: h.nextAttempt() },
    dataset: DATASET,
    query: {
      ...declaredQueryToProto({ sql, options: qs.options, unit: plan.unit }),
      wideFractionBits: exactFractionBits(plan),
      maxRecords: QUERY_MAX_RECORDS,
    },
    secure: h.secure(pb.Stage.QUERY, 5),
    specJson: querySpec.text,
    specSignature: querySpec.signature,
    analystIdentity: analyst.publicKey,
  });

  const sealedSpec = signed(
    { dataset: DATASET, label: 'benign', minParticipants: 3, secure: { mode: 'sealed' } },
    analyst,
  );
  /** A sealed FIT task: the spec signed by `specBy` (unsigned: null), the BFV key signed by `keyBy`. */
  const sealedFit = (h: Harness, o: { keyBy: SigningKeyPair; identity: SigningKeyPair; specBy: 'analyst' | null }) => {
    const task = fit(h, {
      secure: {
        modulus: SEALED.plainModulus,
        sealedDegree: SEALED.polyModulusDegree,
        sealedCoeffBits: SEALED.coeffModulusBits,
      },
      training: { learningRate: 0.1, l2: 1e-4 },
    });
    return {
      ...task,
      specJson: sealedSpec.text,
      specSignature: o.specBy ? sealedSpec.signature : new Uint8Array(0),
      analystIdentity: o.identity.publicKey,
      analystKey: BFV_KEY,
      analystSignature: signAnalystKey(BFV_KEY, SEALED, o.keyBy.secretKey),
    };
  };

  beforeAll(async () => {
    // A sealed task waits for SEAL before it takes its model: loaded first, the model the stand-in sends is not missed.
    await loadSeal();
    await granted.start();
    await open.start();
  });
  afterAll(async () => {
    await granted.stop();
    await open.stop();
    tmp.cleanup();
  });

  it('accepts the honest tasks: a masked FIT round, a query and a sealed round under the analyst key', async () => {
    expect((await granted.offer(fit(granted))).body).toBe('advertise');
    expect((await granted.offer(query(granted))).body).toBe('advertise');
    const sealed = await granted.offer(sealedFit(granted, { keyBy: analyst, identity: analyst, specBy: 'analyst' }));
    expect(sealed.refused).toBeUndefined();
    expect(sealed.body).toBe('advertise');
    // Each use is logged under the analyst whose signature verified, and the grant it was admitted under.
    const use = granted.uses().at(-1)!;
    expect(use.analyst).toBe(hex(analyst.publicKey));
    expect(use.grantId).toBe('acme-all');
  });

  const forged: [string, () => tessera.v1.ITask, RegExp][] = [
    [
      'another label',
      () => fit(granted, { task: { label: 'mean radius' } }),
      /task's label \("mean radius"\) differs from the analyst's signed job spec \("benign"\)/,
    ],
    [
      'a larger model l2',
      () => fit(granted, { training: { l2: 0.5 } }),
      /task's model l2 \(0\.5\) differs .*\(0\.001\)/,
    ],
    [
      'another learning rate',
      () => fit(granted, { training: { learningRate: 5 } }),
      /local training setting local\.learningRate \(5\) differs .*\(0\.05\)/,
    ],
    [
      "a learning rate slipped into the strategy's per-round config",
      () => fit(granted, { training: { strategyConfig: [{ key: 'learningRate', number: 5 }] } }),
      /local\.learningRate \(5\) differs/,
    ],
    [
      'a cohort below minParticipants',
      () => fit(granted, { n: 3, secure: { threshold: 2 } }),
      /cohort has 3 participants, fewer than the 4 the analyst's job spec requires/,
    ],
    [
      'a lower threshold (one that passes 2t - 1 > k, but not the spec: minParticipants 4)',
      () => fit(granted, { secure: { threshold: 3 } }),
      /threshold 3 is below the 4 the job spec's assumptions .* give at n = 5/,
    ],
    [
      'another quantisation',
      () => fit(granted, { secure: { bits: 8 } }),
      /quantisation bits \(secure\.bits\) \(8\) differs .*\(20\)/,
    ],
    [
      'a changed query plan',
      () => query(granted, 'SELECT COUNT(*) FROM patients WHERE benign = 1'),
      /task's query plan \(SQL, bounds, domains, bins, minimum count or unit\) .* differs/,
    ],
    [
      'an unsigned spec claiming the granted analyst',
      () => fit(granted, { task: { specSignature: new Uint8Array(0) } }),
      /claims analyst [0-9a-f]{8}…\(acme\), but its job spec carries no valid signature by that identity/,
    ],
    [
      'a spec signed by another key, under that key',
      () => {
        const other = signed(JSON.parse(trainSpec.text) as object, rogueAnalyst);
        return fit(granted, {
          task: { specJson: other.text, specSignature: other.signature, analystIdentity: rogueAnalyst.publicKey },
        });
      },
      /this analyst is not named in the policy and no grant is to "\*"/,
    ],
    [
      'a spec signed by another key, claiming the granted analyst',
      () => {
        const other = signed(JSON.parse(trainSpec.text) as object, rogueAnalyst);
        return fit(granted, { task: { specJson: other.text, specSignature: other.signature } });
      },
      /signature does not verify under the analyst identity/,
    ],
    [
      'a sealed key signed by another identity (the analyst identity kept)',
      () => sealedFit(granted, { keyBy: rogueAnalyst, identity: analyst, specBy: 'analyst' }),
      /sealed round's analyst key is not signed by the analyst identity/,
    ],
    [
      "a sealed key and identity of the coordinator's own, with the analyst's signed spec",
      () => sealedFit(granted, { keyBy: rogueAnalyst, identity: rogueAnalyst, specBy: 'analyst' }),
      /signature does not verify under the analyst identity/,
    ],
  ];
  // On the node without a policy that accepts plaintext rounds: what only the signed spec forbids.
  const forgedOpen: [string, () => tessera.v1.ITask, RegExp][] = [
    [
      'secure mode masked turned to none (a plaintext update)',
      () => fit(open, { secure: null }),
      /task's secure mode \("none"\) differs from the analyst's signed job spec \("masked"\)/,
    ],
    [
      'a stage the signed job does not have (an evaluation under a query spec)',
      () => ({
        ...fit(open, { secure: null }),
        ref: { jobId: 'job-q', round: 1, stage: pb.Stage.EVALUATE },
        specJson: querySpec.text,
        specSignature: querySpec.signature,
      }),
      /stage evaluate, which a query job does not have/,
    ],
  ];
  const cases: [Harness, string, () => tessera.v1.ITask, RegExp][] = [
    ...forged.map(([w, t, r]): [Harness, string, () => tessera.v1.ITask, RegExp] => [granted, w, t, r]),
    ...forgedOpen.map(([w, t, r]): [Harness, string, () => tessera.v1.ITask, RegExp] => [open, w, t, r]),
  ];
  for (const [h, what, task, reason] of cases) {
    it(`refuses ${what}, before reading any data, and audits why`, async () => {
      const uses = h.uses().length;
      const a = await h.offer(task());
      expect(a.refused).toMatch(reason);
      // The owner's terms, typed on the wire: the coordinator lists them in job.refusals.
      expect([pb.RefusalKind.REFUSAL_PRIVACY, pb.RefusalKind.REFUSAL_CONSENT]).toContain(a.kind);
      expect(a.audited).toMatch(reason);
      expect(h.uses()).toHaveLength(uses);
    });
  }

  it(
    'without a policy, still serves spec-less and unsigned tasks, but encrypts a sealed round only under a key ' +
      'the signed spec ties to its analyst',
    async () => {
      const plain = fit(open, { task: { specJson: '', specSignature: new Uint8Array(0) } });
      expect((await open.offer(plain)).body).toBe('advertise');
      // The coordinator's own key and identity, with the spec's signature stripped: nothing ties it to an analyst.
      const forgedKey = await open.offer(
        sealedFit(open, { keyBy: rogueAnalyst, identity: rogueAnalyst, specBy: null }),
      );
      expect(forgedKey.refused).toMatch(/carries no valid analyst signature to tie that key/);
      expect(forgedKey.kind).toBe(pb.RefusalKind.REFUSAL_PRIVACY);
      expect(forgedKey.audited).toMatch(/carries no valid analyst signature to tie that key/);
      // A forged field is refused on an open node too: the spec the task carries binds it.
      const lowered = await open.offer(fit(open, { secure: { threshold: 3 } }));
      expect(lowered.refused).toMatch(/threshold 3 is below the 4/);
      // The analyst's own key under its signed spec is accepted.
      const honest = await open.offer(sealedFit(open, { keyBy: analyst, identity: analyst, specBy: 'analyst' }));
      expect(honest.body).toBe('advertise');
    },
  );
});
