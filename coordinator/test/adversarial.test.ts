import * as grpc from '@grpc/grpc-js';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '@tessera/crypto';
import { enroll, type ParticipantNode } from '@tessera/participant';
import { analystClient, sealParticipantMessage, tessera } from '@tessera/proto';
import { AnalystClient, CoordinatorError, type JobView } from '@tessera/sdk';
import { Coordinator, createEnrollmentToken, DATABASE_FILE, SqliteStore } from '../src/index.js';
import {
  BREAST_CANCER,
  enrolIdentity,
  rawEnroll,
  RawStream,
  shards,
  signedEnrollRequest,
  startNode,
  type Identity,
} from './grpc-helpers.js';
import { tempDir } from './helpers.js';

const pb = tessera.v1;

/** The CoordinatorError a call must fail with, promptly (a call that never answers is a failure too). */
async function coordinatorError(p: Promise<unknown>): Promise<CoordinatorError> {
  let timer: NodeJS.Timeout | undefined;
  const silent = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error('the coordinator did not answer the call within 10 s')), 10_000);
  });
  try {
    await Promise.race([p, silent]);
  } catch (e) {
    p.catch(() => undefined);
    expect(e).toBeInstanceOf(CoordinatorError);
    return e as CoordinatorError;
  } finally {
    clearTimeout(timer);
  }
  throw new Error('expected the call to fail');
}

const fits = (job: JobView, round?: number) =>
  job.history.filter((h) => h.stage === 'fit' && (round === undefined || h.round === round));

/** These tests drive the plaintext path (secure: none); secure-rounds.test.ts covers SecAgg+ rounds. */
const PLAINTEXT = { mode: 'none' } as const;

describe('the coordinator against misbehaving participants and analysts (real gRPC on loopback)', () => {
  const tmp = tempDir();
  let coord: Coordinator;
  let analyst: AnalystClient;
  let alice: Identity;
  let mallory: Identity;
  const streams: RawStream[] = [];
  const nodes: ParticipantNode[] = [];

  const open = async () => {
    const s = await RawStream.open(coord.address);
    streams.push(s);
    return s;
  };

  /** An honest participant, on a stream of its own, is still welcomed. */
  const expectStillServing = async () => {
    const s = await open();
    const welcome = await s.hello(alice);
    expect(welcome.participantId).toBe(alice.id);
    s.close();
  };

  const stopNodes = async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  };

  beforeAll(async () => {
    coord = await Coordinator.start({ dataDir: join(tmp.dir, 'coordinator'), listen: '127.0.0.1:0' });
    analyst = new AnalystClient(coord.address, coord.analystToken);
    alice = await enrolIdentity(coord, 'alice');
    mallory = await enrolIdentity(coord, 'mallory');
  });
  afterEach(async () => {
    for (const s of streams.splice(0)) s.close();
    await stopNodes();
  });
  afterAll(async () => {
    analyst?.close();
    await coord?.stop();
    tmp.cleanup();
  });

  describe('the Connect stream', () => {
    it('welcomes an honest hello with the enrolled id and name, and lists the participant as connected', async () => {
      const s = await open();
      const welcome = await s.hello(alice, ['customers']);
      expect(welcome).toMatchObject({ participantId: alice.id, name: 'alice' });
      const listed = (await analyst.participants()).find((p) => p.id === alice.id);
      expect(listed).toEqual({ id: alice.id, name: 'alice', connected: true, datasets: ['customers'], budgets: [] });
    });

    it('rejects an unsigned hello, closes that stream, and keeps serving', async () => {
      const s = await open();
      const payload = pb.ParticipantMessage.encode({
        session: s.challenge,
        seq: 1,
        hello: { software: 'x', datasets: [] },
      }).finish();
      s.write({ participantId: mallory.id, payload });
      const r = await s.rejection();
      expect(r.reason).toBe('message is not signed');
      expect(r.fatal).toBe(true);
      await s.closed;
      expect(s.has('welcome')).toBe(false);
      await expectStillServing();
    });

    it('rejects a hello signed by another key than the enrolled one', async () => {
      const s = await open();
      s.write(
        sealParticipantMessage(
          mallory.id,
          { session: s.challenge, seq: 1, hello: { datasets: ['customers'] } },
          alice.keys.secretKey,
        ),
      );
      const r = await s.rejection();
      expect(r.reason).toBe(`bad signature on a message from ${mallory.id}`);
      expect(r.fatal).toBe(true);
      await s.closed;
      await expectStillServing();
    });

    it('rejects a hello from a participant id that was never enrolled', async () => {
      const s = await open();
      s.send(
        { id: 'p-never-enrolled', name: 'ghost', keys: generateSigningKeyPair() },
        { hello: { datasets: ['customers'] } },
      );
      const r = await s.rejection();
      expect(r.reason).toMatch(/^unknown participant "p-never-enrolled": enrol first/);
      expect(r.fatal).toBe(true);
      await s.closed;
      await expectStillServing();
    });

    it("rejects a hello replayed from another stream (its session nonce is not this stream's challenge)", async () => {
      const a = await open();
      const b = await open();
      expect(Buffer.from(a.challenge).equals(Buffer.from(b.challenge))).toBe(false);
      const helloForA = sealParticipantMessage(
        mallory.id,
        { session: a.challenge, seq: 1, hello: { datasets: [] } },
        mallory.keys.secretKey,
      );
      a.write(helloForA);
      expect((await a.take('welcome')).welcome!.participantId).toBe(mallory.id);
      b.write(helloForA);
      const r = await b.rejection();
      expect(r.reason).toBe("hello does not answer this stream's challenge (replayed?)");
      expect(r.fatal).toBe(true);
      await b.closed;
      // The replay neither replaced nor disturbed the genuine session.
      expect(a.isClosed).toBe(false);
      expect((await analyst.participants()).find((p) => p.id === mallory.id)?.connected).toBe(true);
      await expectStillServing();
    });

    it('rejects a first message that is not a hello', async () => {
      const s = await open();
      s.send(mallory, { refused: { task: { jobId: 'j', round: 1, stage: pb.Stage.FIT }, reason: 'x' } });
      const r = await s.rejection();
      expect(r.reason).toBe('the first message on a stream must be a hello');
      expect(r.fatal).toBe(true);
      await s.closed;
    });

    it('rejects a replayed or stale sequence number but keeps the stream open', async () => {
      const s = await open();
      await s.hello(mallory);
      const ghostTask = { jobId: 'no-such-job', round: 1, stage: pb.Stage.FIT };
      const signed = sealParticipantMessage(
        mallory.id,
        { session: s.challenge, seq: 5, update: { task: ghostTask, chunk: { offset: 0, total: 1, values: [0] } } },
        mallory.keys.secretKey,
      );
      s.write(signed);
      let r = await s.rejection();
      expect(r).toMatchObject({ seq: 5, fatal: false, reason: 'no open task for job no-such-job round 1 stage fit' });

      s.write(signed); // the very same bytes again
      r = await s.rejection();
      expect(r).toMatchObject({ seq: 5, fatal: false, reason: 'sequence number 5 is not above 5 (replayed?)' });

      s.send(mallory, { refused: { task: ghostTask, reason: 'x' } }, { seq: 3 });
      r = await s.rejection();
      expect(r).toMatchObject({ seq: 3, fatal: false, reason: 'sequence number 3 is not above 5 (replayed?)' });

      // A fresh sequence number is processed normally: the stream is still alive.
      s.send(mallory, { update: { task: ghostTask, chunk: { offset: 0, total: 1, values: [0] } } }, { seq: 6 });
      r = await s.rejection();
      expect(r).toMatchObject({ seq: 6, reason: 'no open task for job no-such-job round 1 stage fit' });
      expect(s.isClosed).toBe(false);
    });

    it('rejects messages after the hello that are unsigned, badly signed or bound to another stream, without closing', async () => {
      const other = await open();
      const s = await open();
      await s.hello(mallory);
      const body = { refused: { task: { jobId: 'j', round: 1, stage: pb.Stage.FIT }, reason: 'x' } };
      s.write({
        participantId: mallory.id,
        payload: pb.ParticipantMessage.encode({ session: s.challenge, seq: 2, ...body }).finish(),
      });
      expect((await s.rejection()).reason).toBe('message is not signed');
      s.write(sealParticipantMessage(mallory.id, { session: s.challenge, seq: 3, ...body }, alice.keys.secretKey));
      expect((await s.rejection()).reason).toBe(`bad signature on a message from ${mallory.id}`);
      s.send(mallory, body, { session: other.challenge });
      expect((await s.rejection()).reason).toBe('message is bound to another stream (replayed?)');
      s.send(mallory, { hello: { datasets: [] } });
      expect((await s.rejection()).reason).toBe('hello was already received on this stream');
      expect(s.isClosed).toBe(false);
    });

    it("rejects a message that names another participant than the stream's, and closes the stream", async () => {
      const s = await open();
      await s.hello(mallory);
      // Even a message genuinely signed by alice may not be injected into mallory's stream.
      s.write(
        sealParticipantMessage(
          alice.id,
          { session: s.challenge, seq: 2, refused: { task: { jobId: 'j' }, reason: 'x' } },
          alice.keys.secretKey,
        ),
      );
      const r = await s.rejection();
      expect(r.reason).toBe(`message names participant ${alice.id} on ${mallory.id}'s stream`);
      expect(r.fatal).toBe(true);
      await s.closed;
      await expectStillServing();
    });

    it('rejects an update for a task when none is open', async () => {
      const s = await open();
      await s.hello(mallory);
      const seq = s.send(mallory, {
        update: {
          task: { jobId: 'job-x', round: 2, stage: pb.Stage.STATISTICS },
          chunk: { offset: 0, total: 3, values: [1, 2, 3] },
        },
      });
      expect(await s.rejection()).toMatchObject({
        seq,
        fatal: false,
        reason: 'no open task for job job-x round 2 stage statistics',
      });
    });
  });

  describe('enrolment', () => {
    it('accepts a token once; a second use is PERMISSION_DENIED with a reason', async () => {
      const token = createEnrollmentToken(coord.options.dataDir, 'carol');
      const first = await rawEnroll(coord.address, signedEnrollRequest(token, 'carol', generateSigningKeyPair()));
      expect(first.error).toBeUndefined();
      expect(first.response!.participantId).toMatch(/^p-/);
      expect(first.response!.name).toBe('carol');

      const second = await rawEnroll(
        coord.address,
        signedEnrollRequest(token, 'carol-again', generateSigningKeyPair()),
      );
      expect(second.error?.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(second.error?.details).toBe(
        'this enrolment token was already used: each token enrols exactly one participant',
      );
      // The participant client surfaces the same reason.
      await expect(enroll(coord.address, token, 'carol-3', generateSigningKeyPair())).rejects.toThrow(/already used/);
    });

    it('refuses an unknown token (PERMISSION_DENIED), a missing token and a malformed key (INVALID_ARGUMENT)', async () => {
      const unknown = await rawEnroll(coord.address, signedEnrollRequest('tse_made_up', 'x', generateSigningKeyPair()));
      expect(unknown.error?.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(unknown.error?.details).toMatch(/^unknown enrolment token/);
      const noToken = await rawEnroll(coord.address, signedEnrollRequest('', 'x', generateSigningKeyPair()));
      expect(noToken.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(noToken.error?.details).toMatch(/needs a token/);
      const token = createEnrollmentToken(coord.options.dataDir, 'short-key');
      const badKey = await rawEnroll(coord.address, {
        ...signedEnrollRequest(token, 'x', generateSigningKeyPair()),
        publicKey: new Uint8Array(31),
      });
      expect(badKey.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(badKey.error?.details).toMatch(/public_key must be a valid 32-byte Ed25519 key/);
    });

    it('refuses a bad enrolment signature as UNAUTHENTICATED without using up the token', async () => {
      const token = createEnrollmentToken(coord.options.dataDir, 'dave');
      const keys = generateSigningKeyPair();
      const forged = { ...signedEnrollRequest(token, 'dave', generateSigningKeyPair()), publicKey: keys.publicKey };
      const bad = await rawEnroll(coord.address, forged);
      expect(bad.error?.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(bad.error?.details).toBe('the enrolment signature does not match the public key');
      const otherToken = await rawEnroll(coord.address, { ...signedEnrollRequest('tse_other', 'dave', keys), token });
      expect(otherToken.error?.code).toBe(grpc.status.UNAUTHENTICATED);
      const good = await rawEnroll(coord.address, signedEnrollRequest(token, 'dave', keys));
      expect(good.error).toBeUndefined();
    });
  });

  describe('in an open round', () => {
    it('rejects bad plaintext contributions, drops only the offender, and the job completes', async () => {
      const dataset = 'in-round';
      const [a, b] = shards(BREAST_CANCER, 2);
      nodes.push(
        await startNode(coord, tmp.dir, 'honest-1', dataset, a),
        await startNode(coord, tmp.dir, 'honest-2', dataset, b),
      );
      const m = await open();
      await m.hello(mallory, [dataset]);

      const job = await analyst.submit({
        dataset,
        label: 'benign',
        rounds: 5,
        minParticipants: 2,
        roundTimeoutSeconds: 5,
        waitForParticipantsSeconds: 10,
        secure: PLAINTEXT,
        seed: 1,
      });
      const events: string[] = [];
      const watched = analyst.watch(job.id, (_j, message) => events.push(message));

      const schema = await m.task();
      expect(schema.task.ref).toEqual(expect.objectContaining({ jobId: job.id, stage: pb.Stage.SCHEMA }));
      m.refuse(mallory, schema.task);
      const stats = await m.task();
      expect(stats.task.ref?.stage).toBe(pb.Stage.STATISTICS);
      m.refuse(mallory, stats.task);

      const expectRejected = async (seq: number, reason: string) => {
        const r = await m.rejection();
        expect(r).toMatchObject({ seq, reason, fatal: false });
      };

      for (let round = 1; round <= 5; round++) {
        const { task, model } = await m.task();
        expect(task.ref).toEqual(expect.objectContaining({ jobId: job.id, round, stage: pb.Stage.FIT }));
        const n = model.length;
        expect(n).toBe(31);
        const ref = task.ref!;
        const update = (values: number[], total = n, offset = 0) => ({
          update: { task: ref, chunk: { offset, total, values } },
        });
        const zeros = (k: number) => new Array<number>(k).fill(0);
        // Uploads are pulled: announce the vector, wait for the coordinator's grant, then send it.
        const granted = async () => {
          m.send(mallory, { ready: { task: ref, total: n } });
          await m.take('grant');
        };
        switch (round) {
          case 1: {
            // A chunk for a stage or round that is not open is refused, and leaves the open task alone ...
            let seq = m.send(mallory, {
              update: {
                task: { jobId: job.id, round: 0, stage: pb.Stage.STATISTICS },
                chunk: { offset: 0, total: n, values: zeros(n) },
              },
            });
            await expectRejected(
              seq,
              `no open task for job ${job.id} round 0 stage statistics (open: job ${job.id} round 1 stage fit)`,
            );
            seq = m.send(mallory, {
              update: { task: { ...ref, round: 2 }, chunk: { offset: 0, total: n, values: zeros(n) } },
            });
            await expectRejected(
              seq,
              `no open task for job ${job.id} round 2 stage fit (open: job ${job.id} round 1 stage fit)`,
            );
            // ... a chunk before the upload was announced (UploadReady) and granted is refused.
            seq = m.send(mallory, update(zeros(n)));
            await expectRejected(seq, 'chunk sent without UploadReady');
            break;
          }
          case 2: {
            await granted();
            const v = zeros(n);
            v[3] = Number.NaN;
            await expectRejected(m.send(mallory, update(v)), 'value NaN at index 3 is not a finite number');
            break;
          }
          case 3: {
            await granted();
            m.send(mallory, update(new Array<number>(10).fill(1e6), n, 0)); // a valid (if huge) first chunk, then a bad second one
            const v = zeros(n - 10);
            v[2] = Number.NEGATIVE_INFINITY;
            await expectRejected(
              m.send(mallory, update(v, n, 10)),
              'value -Infinity at index 12 is not a finite number',
            );
            break;
          }
          case 4: {
            await granted();
            m.send(mallory, update(new Array<number>(10).fill(1e6)));
            await expectRejected(
              m.send(mallory, { done: { task: ref, numExamples: 10 } }),
              `the vector is incomplete: 10 of ${n} values arrived before done`,
            );
            break;
          }
          case 5: {
            // An honest (zero) contribution on the same stream is accepted: rejections were not fatal.
            await granted();
            m.send(mallory, update(zeros(n)));
            m.send(mallory, { done: { task: ref, numExamples: 1, metrics: [{ name: 'train_loss', value: 0.5 }] } });
            break;
          }
        }
        const evaluation = await m.task();
        expect(evaluation.task.ref).toEqual(expect.objectContaining({ round, stage: pb.Stage.EVALUATE }));
        m.refuse(mallory, evaluation.task);
      }

      const final = await watched;
      expect(final.status, final.error).toBe('completed');
      expect(m.has('rejection')).toBe(false);
      const rounds = fits(final);
      expect(rounds.map((r) => [r.round, r.status, r.contributors])).toEqual([
        [1, 'completed', 2],
        [2, 'completed', 2],
        [3, 'completed', 2],
        [4, 'completed', 2],
        [5, 'completed', 3],
      ]);
      for (const r of rounds.slice(0, 4)) expect(r.dropped).toEqual([mallory.id]);
      expect(rounds[4].dropped).toEqual([]);
      for (const r of rounds) expect(Number.isFinite(r.metrics.loss)).toBe(true);
      expect(events.filter((e) => /round \d\/5 completed/.test(e))).toHaveLength(5);
      // The huge partial uploads of rounds 3 and 4 were never added to the sum.
      const result = await analyst.result(job.id);
      expect(result.weights.every((w) => Math.abs(w) < 100)).toBe(true);
    });
  });

  describe('participants that disconnect mid-round (plaintext aggregation)', () => {
    const dropOn = (node: ParticipantNode, times: number) => {
      let left = times;
      node.on('task', (ref: tessera.v1.ITaskRef) => {
        if (left > 0 && ref.stage === pb.Stage.FIT) {
          left--;
          node.dropConnection();
        }
      });
    };

    it('completes the round without the dropped participant when enough remain', async () => {
      const dataset = 'drop-enough';
      const parts = shards(BREAST_CANCER, 3);
      for (const [i, part] of parts.entries())
        nodes.push(await startNode(coord, tmp.dir, `${dataset}-${i}`, dataset, part));
      const victim = nodes[2];
      dropOn(victim, 1);
      const back = new Promise<void>((resolve) =>
        victim.once('disconnected', () => victim.once('ready', () => resolve())),
      );

      const job = await analyst.submit({
        dataset,
        label: 'benign',
        rounds: 2,
        minParticipants: 2,
        roundTimeoutSeconds: 5,
        maxRoundAttempts: 3,
        secure: PLAINTEXT,
        seed: 2,
      });
      const final = await analyst.watch(job.id);
      expect(final.status, final.error).toBe('completed');
      const first = fits(final, 1);
      expect(first).toHaveLength(1);
      expect(first[0]).toMatchObject({ status: 'completed', attempt: 1, contributors: 2, dropped: [victim.id] });
      expect(final.roundsCompleted).toBe(2);
      await back; // it reconnected by itself
    });

    it('fails the round with a reason when too few remain, retries it, and completes once the participant is back', async () => {
      const dataset = 'drop-retry';
      const parts = shards(BREAST_CANCER, 2);
      for (const [i, part] of parts.entries())
        nodes.push(await startNode(coord, tmp.dir, `${dataset}-${i}`, dataset, part));
      const victim = nodes[1];
      dropOn(victim, 1);

      const job = await analyst.submit({
        dataset,
        label: 'benign',
        rounds: 2,
        minParticipants: 2,
        roundTimeoutSeconds: 5,
        maxRoundAttempts: 3,
        waitForParticipantsSeconds: 10,
        secure: PLAINTEXT,
        seed: 3,
      });
      const events: string[] = [];
      const final = await analyst.watch(job.id, (_j, message) => events.push(message));
      expect(final.status, final.error).toBe('completed');
      const first = fits(final, 1);
      expect(first.map((r) => [r.attempt, r.status])).toEqual([
        [1, 'failed'],
        [2, 'completed'],
      ]);
      expect(first[0].dropped).toEqual([victim.id]);
      expect(first[0].error).toBe(
        `1 of 2 participants contributed, fewer than minParticipants = 2 (${victim.id}: disconnected during the round)`,
      );
      expect(first[1].contributors).toBe(2);
      expect(events).toContain(`fit round 1 attempt 1 failed: ${first[0].error}`);
      expect(final.roundsCompleted).toBe(2);
    });

    it('fails the job with a clear reason, without hanging, when every attempt loses a participant', async () => {
      const dataset = 'drop-always';
      const parts = shards(BREAST_CANCER, 2);
      for (const [i, part] of parts.entries())
        nodes.push(await startNode(coord, tmp.dir, `${dataset}-${i}`, dataset, part));
      const victim = nodes[1];
      dropOn(victim, Number.POSITIVE_INFINITY);

      const job = await analyst.submit({
        dataset,
        label: 'benign',
        rounds: 2,
        minParticipants: 2,
        roundTimeoutSeconds: 5,
        maxRoundAttempts: 2,
        waitForParticipantsSeconds: 10,
        secure: PLAINTEXT,
        seed: 4,
      });
      const final = await analyst.watch(job.id);
      expect(final.status).toBe('failed');
      expect(final.error).toBe(
        `fit round 1 failed 2 time(s); last: 1 of 2 participants contributed, fewer than minParticipants = 2 (${victim.id}: disconnected during the round)`,
      );
      expect(fits(final).map((r) => [r.round, r.attempt, r.status])).toEqual([
        [1, 1, 'failed'],
        [1, 2, 'failed'],
      ]);
      expect(final.roundsCompleted).toBe(0);
    });
  });

  describe('the analyst API', () => {
    it('refuses a wrong or missing token with UNAUTHENTICATED on every call', async () => {
      const before = (await analyst.list()).length;
      for (const token of ['tsa_wrong', '', `${coord.analystToken}x`]) {
        const bad = new AnalystClient(coord.address, token);
        try {
          const calls: (() => Promise<unknown>)[] = [
            () => bad.submit({ dataset: 'x', label: 'y' }),
            () => bad.list(),
            () => bad.get('job-x'),
            () => bad.cancel('job-x'),
            () => bad.participants(),
            () => bad.watch('job-x'),
            () => bad.result('job-x'),
          ];
          for (const call of calls) {
            const e = await coordinatorError(call());
            expect(e.code).toBe('UNAUTHENTICATED');
            expect(e.message).toMatch(/missing or wrong analyst token/);
          }
        } finally {
          bad.close();
        }
      }
      expect((await analyst.list()).length).toBe(before);
    });

    it('refuses an invalid spec with INVALID_ARGUMENT naming the field, and creates no job', async () => {
      const before = (await analyst.list()).length;
      let e = await coordinatorError(analyst.submit({ dataset: 'x', label: 'y', rouns: 3 }));
      expect(e.code).toBe('INVALID_ARGUMENT');
      expect(e.message).toMatch(/^job spec: rouns: unknown field \(did you mean "rounds"\?\)/);
      e = await coordinatorError(analyst.submit({ dataset: 'x', label: 'y', local: { batchSize: 'abc' } }));
      expect(e).toMatchObject({
        code: 'INVALID_ARGUMENT',
        message: 'job spec: local.batchSize: must be an integer, got "abc"',
      });
      e = await coordinatorError(analyst.submit({ label: 'y' }));
      expect(e).toMatchObject({ code: 'INVALID_ARGUMENT', message: 'job spec: dataset: is required' });

      const raw = analystClient(coord.address);
      const metadata = new grpc.Metadata();
      metadata.set('authorization', `Bearer ${coord.analystToken}`);
      const notJson = await new Promise<{ code: number; details: string }>((resolve) =>
        raw.submitJob({ specJson: '{"dataset": ' }, metadata, (err: { code: number; details: string }) => resolve(err)),
      );
      raw.close();
      expect(notJson.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(notJson.details).toMatch(/^job spec is not valid JSON/);
      expect((await analyst.list()).length).toBe(before);
    });

    it('answers NOT_FOUND for an unknown job on unary and streaming calls', async () => {
      for (const call of [
        () => analyst.get('job-nope'),
        () => analyst.cancel('job-nope'),
        () => analyst.watch('job-nope'),
        () => analyst.result('job-nope'),
      ]) {
        const e = await coordinatorError(call());
        expect(e.code).toBe('NOT_FOUND');
        expect(e.message).toMatch(/^no job "job-nope"/);
      }
    });

    it('answers FAILED_PRECONDITION for the result of a job without a completed round', async () => {
      const job = await analyst.submit({ dataset: 'nobody-serves-this', label: 'y', waitForParticipantsSeconds: 60 });
      const e = await coordinatorError(analyst.result(job.id));
      expect(e.code).toBe('FAILED_PRECONDITION');
      expect(e.message).toBe(`job ${job.id} is running and has no completed round yet`);
      await analyst.cancel(job.id);
    });

    it('cancels a running job that waits for participants; it ends as cancelled, and a second cancel is refused', async () => {
      const job = await analyst.submit({
        dataset: 'nobody-serves-this',
        label: 'y',
        minParticipants: 3,
        waitForParticipantsSeconds: 60,
      });
      expect(job.status).toBe('running');
      await analyst.cancel(job.id);
      const final = await analyst.watch(job.id);
      expect(final).toMatchObject({ status: 'cancelled', error: 'cancelled by the analyst' });
      const again = await coordinatorError(analyst.cancel(job.id));
      expect(again.code).toBe('FAILED_PRECONDITION');
      expect(again.message).toMatch(/already cancelled/);
    });

    it("cancels a job in the middle of a stage: the stage stops at once and the participant's task is cancelled", async () => {
      const dataset = 'stalled';
      const m = await open();
      await m.hello(mallory, [dataset]);
      const job = await analyst.submit({ dataset, label: 'y', minParticipants: 1, roundTimeoutSeconds: 120 });
      const { task } = await m.task();
      expect(task.ref?.stage).toBe(pb.Stage.SCHEMA);
      await analyst.cancel(job.id); // mallory never answers: only the cancel can end this stage early
      const final = await analyst.watch(job.id);
      expect(final.status).toBe('cancelled');
      const cancel = (await m.take('cancel')).cancel!;
      expect(cancel.task).toEqual(expect.objectContaining({ jobId: job.id, stage: pb.Stage.SCHEMA }));
      expect(cancel.reason).toBe('the job was cancelled');
    });
  });
});

describe('Coordinator.stop', () => {
  it('returns while a stream has not said hello and an analyst is watching, leaving the job resumable', async () => {
    const tmp = tempDir();
    const coord = await Coordinator.start({ dataDir: tmp.dir, listen: '127.0.0.1:0' });
    const analyst = new AnalystClient(coord.address, coord.analystToken);
    const s = await RawStream.open(coord.address);
    try {
      const job = await analyst.submit({
        dataset: 'nobody',
        label: 'y',
        minParticipants: 2,
        waitForParticipantsSeconds: 60,
      });
      const messages: string[] = [];
      const watching = analyst
        .watch(job.id, (_j, m) => messages.push(m), 0)
        .then(
          () => 'ended',
          (e: Error) => `ended: ${e.message}`,
        );
      await expect.poll(() => messages.length).toBeGreaterThan(0);
      const outcome = await Promise.race([
        coord.stop().then(() => 'stopped'),
        new Promise((resolve) => setTimeout(() => resolve('still waiting after 10 s'), 10_000).unref()),
      ]);
      expect(outcome).toBe('stopped');
      await s.closed;
      expect(await watching).toMatch(/^ended/);
      const store = new SqliteStore(join(tmp.dir, DATABASE_FILE));
      expect(store.getJob(job.id)?.status).toBe('running');
      store.close();
    } finally {
      s.close();
      analyst.close();
      tmp.cleanup();
    }
  });
});
