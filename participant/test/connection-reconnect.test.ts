import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSigningKeyPair } from '@tessera/crypto';
import { tessera } from '@tessera/proto';
import { BREAST_CANCER } from '../../coordinator/test/grpc-helpers.js';
import { tempDir } from '../../coordinator/test/helpers.js';
import { ParticipantNode, type ParticipantConfig } from '../src/index.js';
import { SecureContribution } from '../src/secure-contribution.js';
import { RogueCoordinator } from './support/rogue-coordinator.js';

const pb = tessera.v1;
const FEATURES = readFileSync(BREAST_CANCER, 'utf8')
  .split('\n')[0]
  .trim()
  .split(',')
  .filter((c) => c !== 'benign');
const MODEL_LENGTH = FEATURES.length + 1;

/**
 * The state of a secure round or a set-intersection run belongs to the stream it started on: a
 * node that reconnects starts a new Connection with none of it, so a step of the old run that
 * arrives on the new stream is ignored (before, the node answered it from the dead run's state).
 * Each case has a control: the same step on the stream the run started on is answered.
 */
describe('a reconnect drops the protocol state of the old connection', () => {
  const tmp = tempDir('tessera-reconnect-');
  const me = generateSigningKeyPair();
  const peers = [generateSigningKeyPair(), generateSigningKeyPair()];
  const rogue = new RogueCoordinator(me.publicKey);
  const lines: string[] = [];
  let node: ParticipantNode;

  const ready = () => new Promise<void>((resolve) => node.once('ready', () => resolve()));
  const logged = async (pattern: RegExp) =>
    expect.poll(() => lines.some((l) => pattern.test(l)), { timeout: 10_000 }).toBe(true);

  let round = 0;
  /** A secure FIT task (index 0 of three), its model, and the two peers' SecureContributions in the same round. */
  const secureFit = () => {
    round += 1;
    const ids = ['me', 'p1', 'p2'];
    const identityKeys = [me.publicKey, ...peers.map((p) => p.publicKey)];
    const setup: tessera.v1.ISecureSetup = {
      roundId: new Uint8Array(32).fill(round),
      index: 0,
      participantIds: ids,
      identityKeys,
      threshold: 2,
      degree: 2,
      modulus: 2 ** 32,
      computation: pb.Stage.FIT,
      bits: 20,
      clip: 10,
      weightCap: 0,
    };
    const ref: tessera.v1.ITaskRef = { jobId: 'job-secure', round, stage: pb.Stage.ADVERTISE_KEYS, attempt: 1 };
    const task: tessera.v1.ITask = {
      ref,
      dataset: 'patients',
      label: 'benign',
      modelLength: MODEL_LENGTH,
      secure: setup,
      training: { validationFraction: 0, seed: 'reconnect', epochs: 1, batchSize: 32, learningRate: 1, l2: 1e-4 },
      features: FEATURES.map((name) => ({ name, kind: pb.ColumnProfile.Kind.NUMERIC })),
      mean: FEATURES.map(() => 0),
      std: FEATURES.map(() => 1),
    };
    const others = peers.map(
      (p, i) => new SecureContribution(ref, { ...setup, index: i + 1 }, new Uint32Array(MODEL_LENGTH + 1), p.secretKey),
    );
    const adverts = others.map((c) => c.advertise());
    const neighbourKeys: tessera.v1.INeighbourKeys = {
      task: { ...ref, stage: pb.Stage.SHARE_KEYS },
      indices: [1, 2],
      keys: adverts,
    };
    return { task, neighbourKeys };
  };
  const startSecureFit = async (task: tessera.v1.ITask) => {
    const answer = rogue.answerTo(task.ref!);
    rogue.send({ task });
    rogue.send({
      model: { task: task.ref, chunk: { offset: 0, total: MODEL_LENGTH, values: new Array(MODEL_LENGTH).fill(0) } },
    });
    expect(await answer).toEqual({ body: 'advertise' });
  };

  let job = 0;
  const peerKey = generateSigningKeyPair().publicKey;
  const overlapTask = (): tessera.v1.ITask => {
    job += 1;
    const jobId = `job-overlap-${job}`;
    return {
      ref: { jobId, stage: pb.Stage.OVERLAP },
      dataset: 'customers',
      specJson: JSON.stringify({
        kind: 'overlap',
        dataset: 'customers',
        column: 'email',
        participants: ['me', 'peer'],
      }),
      overlap: {
        column: 'email',
        role: pb.OverlapTask.Role.INITIATOR,
        session: jobId,
        peerId: 'peer',
        peerIdentityKey: peerKey,
      },
    };
  };
  const startOverlap = async (task: tessera.v1.ITask) => {
    const answer = rogue.answerTo(task.ref!);
    rogue.send({ task });
    expect(await answer).toEqual({ body: 'psi' });
  };
  /** Points of a kind no run accepts: a run that holds a session answers them with a refusal. */
  const strayPoints = (task: tessera.v1.ITask): tessera.v1.IPsiPoints => ({
    task: task.ref,
    kind: 'psi/stray',
    version: 1,
    session: 'x',
    from: 'responder',
    count: 0,
    points: new Uint8Array(0),
  });

  beforeAll(async () => {
    const patients = join(tmp.dir, 'patients.csv');
    const customers = join(tmp.dir, 'customers.csv');
    copyFileSync(BREAST_CANCER, patients);
    writeFileSync(customers, 'email,spend\na@x.com,1\nb@x.com,2\nc@x.com,3\n');
    await rogue.start();
    const config: ParticipantConfig = {
      name: 'me',
      coordinator: rogue.address,
      insecure: true, // the rogue coordinator listens in plaintext on loopback: what it forges is the point
      participantId: 'me',
      identityKey: '(in memory)',
      datasets: {
        patients: { type: 'csv', path: patients, exclude: [] },
        customers: { type: 'csv', path: customers, exclude: [] },
      },
      overlap: { minSetSize: 1, countingPeers: [] }, // three customers: enough for a test of the connection
    };
    node = new ParticipantNode({ config, identity: me, log: (l) => lines.push(l), minBackoffMs: 20, maxBackoffMs: 50 });
    const first = ready();
    node.start();
    await first;
  });
  afterAll(async () => {
    await node.stop();
    await rogue.stop();
    tmp.cleanup();
  });

  it('control: on the stream a secure round started on, the node answers the next step with its shares', async () => {
    const { task, neighbourKeys } = secureFit();
    await startSecureFit(task);
    const answer = rogue.answerTo(neighbourKeys.task!);
    rogue.send({ neighbourKeys });
    expect(await answer).toEqual({ body: 'shareKeys' });
  });

  it('after a reconnect, a step of the secure round begun on the old stream is ignored', async () => {
    const { task, neighbourKeys } = secureFit();
    await startSecureFit(task);
    const again = ready();
    node.dropConnection();
    await again;
    rogue.send({ neighbourKeys });
    await logged(
      /ignored a secure-aggregation step for job job-secure round 2 stage \d+ with no matching contribution/,
    );
    await expect(rogue.next((m) => m.body === 'shareKeys' || m.body === 'refused', 300)).rejects.toThrow(
      /no matching participant message/,
    );
    // The new connection serves a new round as usual.
    const next = secureFit();
    await startSecureFit(next.task);
    const answer = rogue.answerTo(next.neighbourKeys.task!);
    rogue.send({ neighbourKeys: next.neighbourKeys });
    expect(await answer).toEqual({ body: 'shareKeys' });
  });

  it("control: on the stream an overlap run started on, the node answers the peer's points", async () => {
    const task = overlapTask();
    await startOverlap(task);
    const answer = rogue.answerTo(task.ref!);
    rogue.send({ psi: strayPoints(task) });
    expect(await answer).toEqual({
      body: 'refused',
      refused: 'a PSI message of kind "psi/stray" outside the channel: this node takes only psi/hello and psi/sealed',
      kind: tessera.v1.RefusalKind.REFUSAL_FAILURE,
    });
  });

  it('after a reconnect, points for the overlap run begun on the old stream are ignored', async () => {
    const task = overlapTask();
    await startOverlap(task);
    const again = ready();
    node.dropConnection();
    await again;
    rogue.send({ psi: strayPoints(task) });
    await logged(
      new RegExp(
        `ignored set-intersection points for job ${task.ref!.jobId} round 0 ` +
          `stage ${pb.Stage.OVERLAP} with no matching run`,
      ),
    );
    await expect(rogue.next((m) => m.body === 'refused' || m.body === 'psi', 300)).rejects.toThrow(
      /no matching participant message/,
    );
  });
});
