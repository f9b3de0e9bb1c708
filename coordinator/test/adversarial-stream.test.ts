import { describe, expect, it } from 'vitest';
import { generateSigningKeyPair } from '@tessera/crypto';
import { enroll } from '@tessera/participant';
import { sealParticipantMessage, tessera } from '@tessera/proto';
import * as grpc from '@grpc/grpc-js';
import { createEnrollmentToken } from '../src/index.js';
import { useAdversarialBench } from './adversarial-bench.js';
import { rawEnroll, signedEnrollRequest } from './grpc-helpers.js';

// Misbehaving participants on the Connect stream and at enrolment (the rounds: adversarial-rounds.test.ts).

const pb = tessera.v1;

describe('the coordinator against misbehaving participants and analysts (real gRPC on loopback)', () => {
  const bench = useAdversarialBench();
  const { open, expectStillServing } = bench;

  describe('the Connect stream', () => {
    it('welcomes an honest hello with the enrolled id and name, and lists the participant as connected', async () => {
      const s = await open(bench.alice);
      const welcome = await s.hello(bench.alice, ['customers']);
      expect(welcome).toMatchObject({ participantId: bench.alice.id, name: 'alice' });
      const listed = (await bench.analyst.participants()).find((p) => p.id === bench.alice.id);
      expect(listed).toEqual({
        id: bench.alice.id,
        name: 'alice',
        connected: true,
        datasets: ['customers'],
        budgets: [],
      });
    });

    it('rejects an unsigned hello, closes that stream, and keeps serving', async () => {
      const s = await open();
      const payload = pb.ParticipantMessage.encode({
        session: s.challenge,
        seq: 1,
        hello: { software: 'x', datasets: [] },
      }).finish();
      s.write({ participantId: bench.mallory.id, payload });
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
          bench.mallory.id,
          { session: s.challenge, seq: 1, hello: { datasets: ['customers'] } },
          bench.alice.keys.secretKey,
        ),
      );
      const r = await s.rejection();
      expect(r.reason).toBe(`bad signature on a message from ${bench.mallory.id}`);
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
        bench.mallory.id,
        { session: a.challenge, seq: 1, hello: { datasets: [] } },
        bench.mallory.keys.secretKey,
      );
      a.write(helloForA);
      expect((await a.take('welcome')).welcome!.participantId).toBe(bench.mallory.id);
      b.write(helloForA);
      const r = await b.rejection();
      expect(r.reason).toBe("hello does not answer this stream's challenge (replayed?)");
      expect(r.fatal).toBe(true);
      await b.closed;
      // The replay neither replaced nor disturbed the genuine session.
      expect(a.isClosed).toBe(false);
      expect((await bench.analyst.participants()).find((p) => p.id === bench.mallory.id)?.connected).toBe(true);
      await expectStillServing();
    });

    it('rejects a first message that is not a hello', async () => {
      const s = await open();
      s.send(bench.mallory, { refused: { task: { jobId: 'j', round: 1, stage: pb.Stage.FIT }, reason: 'x' } });
      const r = await s.rejection();
      expect(r.reason).toBe('the first message on a stream must be a hello');
      expect(r.fatal).toBe(true);
      await s.closed;
    });

    it('rejects a replayed or stale sequence number but keeps the stream open', async () => {
      const s = await open();
      await s.hello(bench.mallory);
      const ghostTask = { jobId: 'no-such-job', round: 1, stage: pb.Stage.FIT };
      const signed = sealParticipantMessage(
        bench.mallory.id,
        { session: s.challenge, seq: 5, update: { task: ghostTask, chunk: { offset: 0, total: 1, values: [0] } } },
        bench.mallory.keys.secretKey,
      );
      s.write(signed);
      let r = await s.rejection();
      expect(r).toMatchObject({ seq: 5, fatal: false, reason: 'no open task for job no-such-job round 1 stage fit' });

      s.write(signed); // the very same bytes again
      r = await s.rejection();
      expect(r).toMatchObject({ seq: 5, fatal: false, reason: 'sequence number 5 is not above 5 (replayed?)' });

      s.send(bench.mallory, { refused: { task: ghostTask, reason: 'x' } }, { seq: 3 });
      r = await s.rejection();
      expect(r).toMatchObject({ seq: 3, fatal: false, reason: 'sequence number 3 is not above 5 (replayed?)' });

      // A fresh sequence number is processed normally: the stream is still alive.
      s.send(bench.mallory, { update: { task: ghostTask, chunk: { offset: 0, total: 1, values: [0] } } }, { seq: 6 });
      r = await s.rejection();
      expect(r).toMatchObject({ seq: 6, reason: 'no open task for job no-such-job round 1 stage fit' });
      expect(s.isClosed).toBe(false);
    });

    it('rejects unsigned, badly signed or other-stream messages after the hello, without closing', async () => {
      const other = await open();
      const s = await open();
      await s.hello(bench.mallory);
      const body = { refused: { task: { jobId: 'j', round: 1, stage: pb.Stage.FIT }, reason: 'x' } };
      s.write({
        participantId: bench.mallory.id,
        payload: pb.ParticipantMessage.encode({ session: s.challenge, seq: 2, ...body }).finish(),
      });
      expect((await s.rejection()).reason).toBe('message is not signed');
      s.write(
        sealParticipantMessage(bench.mallory.id, { session: s.challenge, seq: 3, ...body }, bench.alice.keys.secretKey),
      );
      expect((await s.rejection()).reason).toBe(`bad signature on a message from ${bench.mallory.id}`);
      s.send(bench.mallory, body, { session: other.challenge });
      expect((await s.rejection()).reason).toBe('message is bound to another stream (replayed?)');
      s.send(bench.mallory, { hello: { datasets: [] } });
      expect((await s.rejection()).reason).toBe('hello was already received on this stream');
      expect(s.isClosed).toBe(false);
    });

    it("rejects a message that names another participant than the stream's, and closes the stream", async () => {
      const s = await open();
      await s.hello(bench.mallory);
      // Even a message genuinely signed by alice may not be injected into mallory's stream.
      s.write(
        sealParticipantMessage(
          bench.alice.id,
          { session: s.challenge, seq: 2, refused: { task: { jobId: 'j' }, reason: 'x' } },
          bench.alice.keys.secretKey,
        ),
      );
      const r = await s.rejection();
      expect(r.reason).toBe(`message names participant ${bench.alice.id} on ${bench.mallory.id}'s stream`);
      expect(r.fatal).toBe(true);
      await s.closed;
      await expectStillServing();
    });

    it('rejects an update for a task when none is open', async () => {
      const s = await open();
      await s.hello(bench.mallory);
      const seq = s.send(bench.mallory, {
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
      const token = await createEnrollmentToken(bench.coord.options.dataDir, 'carol');
      const first = await rawEnroll(bench.coord, signedEnrollRequest(token, 'carol', generateSigningKeyPair()));
      expect(first.error).toBeUndefined();
      expect(first.response!.participantId).toMatch(/^p-/);
      expect(first.response!.name).toBe('carol');

      const second = await rawEnroll(bench.coord, signedEnrollRequest(token, 'carol-again', generateSigningKeyPair()));
      expect(second.error?.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(second.error?.details).toBe(
        'this enrolment token was already used: each token enrols exactly one participant',
      );
      // The participant client surfaces the same reason.
      const carol3 = generateSigningKeyPair();
      await expect(enroll(bench.coord.address, token, 'carol-3', carol3, bench.coord.clientSecurity)).rejects.toThrow(
        /already used/,
      );
    });

    it('refuses an unknown token (PERMISSION_DENIED), no token or a malformed key (INVALID_ARGUMENT)', async () => {
      const unknown = await rawEnroll(bench.coord, signedEnrollRequest('tse_made_up', 'x', generateSigningKeyPair()));
      expect(unknown.error?.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(unknown.error?.details).toMatch(/^unknown enrolment token/);
      const noToken = await rawEnroll(bench.coord, signedEnrollRequest('', 'x', generateSigningKeyPair()));
      expect(noToken.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(noToken.error?.details).toMatch(/needs a token/);
      const token = await createEnrollmentToken(bench.coord.options.dataDir, 'short-key');
      const badKey = await rawEnroll(bench.coord, {
        ...signedEnrollRequest(token, 'x', generateSigningKeyPair()),
        publicKey: new Uint8Array(31),
      });
      expect(badKey.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(badKey.error?.details).toMatch(/public_key must be a valid 32-byte Ed25519 key/);
    });

    it('refuses a bad enrolment signature as UNAUTHENTICATED without using up the token', async () => {
      const token = await createEnrollmentToken(bench.coord.options.dataDir, 'dave');
      const keys = generateSigningKeyPair();
      const forged = { ...signedEnrollRequest(token, 'dave', generateSigningKeyPair()), publicKey: keys.publicKey };
      const bad = await rawEnroll(bench.coord, forged);
      expect(bad.error?.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(bad.error?.details).toBe('the enrolment signature does not match the public key');
      const otherToken = await rawEnroll(bench.coord, {
        ...signedEnrollRequest('tse_other', 'dave', keys),
        token,
      });
      expect(otherToken.error?.code).toBe(grpc.status.UNAUTHENTICATED);
      const good = await rawEnroll(bench.coord, signedEnrollRequest(token, 'dave', keys));
      expect(good.error).toBeUndefined();
    });
  });
});
