// Valuation is an explicit opt-in: a coordinator that forges VALUATE or keepForValuation FIT tasks gets nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKeyPair } from '@tessera/crypto';
import { tessera } from '@tessera/proto';
import { BREAST_CANCER } from '../../coordinator/test/grpc-helpers.js';
import { tempDir } from '../../coordinator/test/helpers.js';
import { ParticipantNode, type ParticipantConfig, type PrivacyLedger } from '../src/index.js';
import { RogueCoordinator } from './support/rogue-coordinator.js';

const pb = tessera.v1;
const DATASET = 'patients';
/** A data set whose only valuation grant is to a named analyst (not the unsigned tasks below). */
const NAMED = 'patients-named';
const FEATURES = readFileSync(BREAST_CANCER, 'utf8')
  .split('\n')[0]!
  .trim()
  .split(',')
  .filter((c) => c !== 'benign');
const MODEL_LENGTH = FEATURES.length + 1;

/** One node against its own forging coordinator. */
interface Rig {
  node: ParticipantNode;
  rogue: RogueCoordinator;
  ledger: PrivacyLedger;
}

/**
 * VALUATE sends a node's per-round model updates to the coordinator in plaintext, whatever the training's secure mode.
 * A node serves it (and keeps FIT updates for it) only when its owner opted in: `secure: none` on the data set, or a
 * consent grant with purpose valuation. The coordinator here forges spec-less tasks, as review finding 4 did.
 */
describe('payout valuation needs the owner to opt in', () => {
  const tmp = tempDir('tessera-valuation-opt-in-');
  const path = join(tmp.dir, 'patients.csv');
  const peers = ['p2', 'p3', 'p4'].map((id) => ({ id, keys: generateSigningKeyPair() }));
  const rigs: Rig[] = [];
  let attempt = 0;

  /** A masked FIT task (ADVERTISE_KEYS) of a payout job, as the coordinator sends it: it keeps the update. */
  const fitTask = (me: Uint8Array, jobId: string, dataset = DATASET, keep = true): tessera.v1.ITask => {
    attempt += 1;
    return {
      ref: { jobId, round: 1, stage: pb.Stage.ADVERTISE_KEYS, attempt },
      dataset,
      label: 'benign',
      training: {
        validationFraction: 0,
        seed: jobId,
        epochs: 1,
        batchSize: 32,
        learningRate: 0.1,
        l2: 1e-4,
        ...(keep ? { keepForValuation: true } : {}),
      },
      modelLength: MODEL_LENGTH,
      features: FEATURES.map((name) => ({ name, kind: pb.ColumnProfile.Kind.NUMERIC })),
      mean: FEATURES.map(() => 0),
      std: FEATURES.map(() => 1),
      secure: {
        roundId: new Uint8Array(32).fill(attempt),
        index: 0,
        participantIds: ['me', ...peers.map((p) => p.id)],
        identityKeys: [me, ...peers.map((p) => p.keys.publicKey)],
        threshold: 3,
        degree: 3,
        modulus: 2 ** 32,
        computation: pb.Stage.FIT,
        bits: 16,
        clip: 10,
        weightCap: 0,
        noiseVariance: 0,
      },
    };
  };
  const valuateTask = (jobId: string, dataset = DATASET): tessera.v1.ITask => ({
    ref: { jobId, round: 1, stage: pb.Stage.VALUATE },
    dataset,
    label: 'benign',
  });
  const offerFit = async (rig: Rig, task: tessera.v1.ITask) => {
    const answer = rig.rogue.answerTo(task.ref!);
    rig.rogue.send({ task });
    rig.rogue.send({
      model: { task: task.ref, chunk: { offset: 0, total: MODEL_LENGTH, values: new Array(MODEL_LENGTH).fill(0) } },
    });
    return answer;
  };
  /** The node's answer to a VALUATE task: its refusal, or the updates it disclosed before done. */
  const offerValuate = async (rig: Rig, task: tessera.v1.ITask) => {
    rig.rogue.send({ task });
    const updates: tessera.v1.IValuationUpdate[] = [];
    for (;;) {
      const m = await rig.rogue.next((x) => ['refused', 'valuation', 'done'].includes(x.body ?? ''), 20_000);
      if (m.body === 'refused') return { refused: m.refused!.reason ?? '', kind: m.refused!.kind, updates };
      if (m.body === 'done') return { updates };
      updates.push(m.valuation!);
    }
  };
  const start = async (name: string, extra: Partial<ParticipantConfig>, datasetExtra: object = {}): Promise<Rig> => {
    const me = generateSigningKeyPair();
    const rogue = new RogueCoordinator(me.publicKey);
    await rogue.start();
    const config: ParticipantConfig = {
      name,
      coordinator: rogue.address,
      insecure: true, // the rogue coordinator listens in plaintext on loopback: what it forges is the point
      participantId: 'me',
      identityKey: '(in memory)',
      ledger: join(tmp.dir, `${name}.sqlite`),
      datasets: {
        [DATASET]: { type: 'csv', path, exclude: [], ...datasetExtra },
        [NAMED]: { type: 'csv', path, exclude: [] },
      },
      ...extra,
    };
    const node = new ParticipantNode({ config, identity: me });
    const ready = new Promise<void>((resolve) => node.once('ready', () => resolve()));
    node.start();
    await ready;
    const rig = { node, rogue, ledger: node.ledger };
    rigs.push(rig);
    return rig;
  };
  let defaultNode: Rig;
  let grantedNode: Rig;
  let plaintextNode: Rig;

  beforeAll(async () => {
    copyFileSync(BREAST_CANCER, path);
    const buyer = generateSigningKeyPair();
    const policy = join(tmp.dir, 'policy.yaml');
    writeFileSync(
      policy,
      `analysts:\n  buyer: ${Buffer.from(buyer.publicKey).toString('hex')}\n` +
        `datasets:\n  ${DATASET}: { allowWithoutPrivacy: true }\n  ${NAMED}: { allowWithoutPrivacy: true }\n` +
        'grants:\n' +
        '  - { id: any-train, analysts: ["*"], purposes: [train], expires: 2099-12-31 }\n' +
        `  - { id: any-valuation, analysts: ["*"], purposes: [valuation], datasets: [${DATASET}], ` +
        'expires: 2099-12-31 }\n' +
        `  - { id: buyer-valuation, analysts: [buyer], purposes: [valuation], datasets: [${NAMED}], ` +
        'expires: 2099-12-31 }\n',
    );
    // The default: data sets masked, no consent policy (which would otherwise allow every purpose).
    defaultNode = await start('default', {});
    grantedNode = await start('granted', { policy });
    plaintextNode = await start('plaintext', {}, { secure: 'none' });
  });
  afterAll(async () => {
    for (const r of rigs) {
      await r.node.stop();
      await r.rogue.stop();
    }
    tmp.cleanup();
  });

  it('a default node (masked, no policy) refuses a keepForValuation FIT and a VALUATE, typed and logged', async () => {
    const rig = defaultNode;
    const before = rig.ledger.auditLog().filter((e) => e.kind === 'use').length;
    const fit = await offerFit(rig, fitTask(rig.node.identityKey, 'job-d'));
    expect(fit.refused).toMatch(/^protection check: data set "patients" is not opted in to payout valuation/);
    expect(fit.refused).toMatch(/this fit task \(training\.keepForValuation\) would keep its model update/);
    expect(fit.refused).toMatch(/grants purpose valuation .* or sets datasets\.patients\.secure: none/);
    expect(fit.kind).toBe(pb.RefusalKind.REFUSAL_PRIVACY);
    const valuate = await offerValuate(rig, valuateTask('job-d'));
    expect(valuate.updates).toHaveLength(0);
    expect(valuate.refused).toMatch(/this valuate task would send this node's own per-round model updates/);
    expect(valuate.kind).toBe(pb.RefusalKind.REFUSAL_PRIVACY);
    const log = rig.ledger.auditLog();
    const refusals = log.filter((e) => e.kind === 'refusal');
    expect(refusals.map((e) => [e.stage, e.reason])).toEqual([
      ['fit', fit.refused],
      ['valuate', valuate.refused],
    ]);
    expect(log.filter((e) => e.kind === 'use')).toHaveLength(before);
    // The same round without keepForValuation is an ordinary masked round, and joined.
    const plain = await offerFit(rig, fitTask(rig.node.identityKey, 'job-d2', DATASET, false));
    expect(plain.refused).toBeUndefined();
    expect(plain.body).toBe('advertise');
  });

  it('a node whose consent policy grants valuation keeps its update and discloses it on VALUATE', async () => {
    const rig = grantedNode;
    const fit = await offerFit(rig, fitTask(rig.node.identityKey, 'job-g'));
    expect(fit.refused).toBeUndefined();
    expect(fit.body).toBe('advertise');
    const valuate = await offerValuate(rig, valuateTask('job-g'));
    expect(valuate.refused).toBeUndefined();
    expect(valuate.updates).toHaveLength(1);
    expect(valuate.updates[0]!.delta).toHaveLength(MODEL_LENGTH);
    const uses = rig.ledger.auditLog().filter((e) => e.kind === 'use');
    expect(uses.at(-1)).toMatchObject({ stage: 'valuate', purpose: 'valuation', grantId: 'any-valuation' });
  });

  it("refuses a kept FIT when the valuation grant names another analyst than the job's (consent)", async () => {
    const rig = grantedNode;
    const fit = await offerFit(rig, fitTask(rig.node.identityKey, 'job-n', NAMED));
    expect(fit.refused).toMatch(/no grant of this node allows purpose "valuation"/);
    expect(fit.kind).toBe(pb.RefusalKind.REFUSAL_CONSENT);
    expect(rig.ledger.auditLog().at(-1)).toMatchObject({ kind: 'refusal', stage: 'fit', reason: fit.refused });
  });

  it('a data set with secure: none (plaintext accepted) serves valuation without a policy', async () => {
    const rig = plaintextNode;
    const fit = await offerFit(rig, fitTask(rig.node.identityKey, 'job-p'));
    expect(fit.refused).toBeUndefined();
    const valuate = await offerValuate(rig, valuateTask('job-p'));
    expect(valuate.refused).toBeUndefined();
    expect(valuate.updates).toHaveLength(1);
  });
});
